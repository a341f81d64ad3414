package teltonika

import (
	"encoding/hex"
	"fmt"
	"time"

	"dozor/protocols"
	"dozor/protocols/wire"
)

// ioSizes are the fixed value widths of the IO groups, in wire order.
var ioSizes = [4]int{1, 2, 4, 8}

// ioKeyTable is the number of IO ids protocols.IOKey names from its table.
const ioKeyTable = 2048

// maxKeyCache bounds the IO names a decoder keeps for ids past ioKeyTable.
const maxKeyCache = 1024

// decoder decodes data fields. Its zero value is ready to use; it is not
// safe for concurrent use.
type decoder struct {
	// keys names IO ids past protocols.IOKey's table (Codec 8E and 16 ids
	// go up to 65535, and FMC BLE sensors use ids around 10800), so that
	// naming them allocates once per decoder, not once per record.
	keys map[int]string

	// raw, when not nil, also receives the records as Record values (for
	// AppendRecords).
	raw *[]Record
}

// decodeData decodes the data field frame[start:end]: codec ID, number of
// data 1, the records or commands, number of data 2. Offsets in errors count
// from the start of frame.
func (d *decoder) decodeData(frame []byte, start, end int, m *protocols.Message) error {
	if end-start < 3 {
		return protocols.At(start, fmt.Errorf("data field of %d bytes, need at least 3: %w",
			end-start, protocols.ErrTruncated))
	}
	codec := Codec(frame[start])
	n1, n2 := int(frame[start+1]), int(frame[end-1])
	if n1 != n2 {
		return protocols.At(end-1, fmt.Errorf("number of data 1 is %d, number of data 2 is %d: %w",
			n1, n2, protocols.ErrMalformed))
	}

	r := wire.NewReader(frame[:end-1])
	r.Skip(start + 2)
	var err error
	if lay, ok := avlLayout(codec); ok {
		err = d.decodeRecords(&r, lay, n1, m)
	} else if isCommand(codec) {
		err = decodeCommands(&r, codec, n1, m)
	} else {
		return protocols.At(start, fmt.Errorf("%v: %w", codec, protocols.ErrUnsupported))
	}
	if err != nil {
		return fmt.Errorf("%v: %w", codec, err)
	}
	if r.Len() != 0 {
		return protocols.At(r.Offset(), fmt.Errorf("%v: %d bytes left after the last record: %w",
			codec, r.Len(), protocols.ErrMalformed))
	}
	return nil
}

// decodeRecords decodes n AVL records into m.
func (d *decoder) decodeRecords(r *wire.Reader, lay layout, n int, m *protocols.Message) error {
	if n == 0 {
		return protocols.At(r.Offset()-1, fmt.Errorf("packet with no records: %w",
			protocols.ErrMalformed))
	}
	if fit := r.Len() / lay.minRecord(); n > fit {
		return protocols.At(r.Offset()-1, protocols.Limit("record count", n, fit))
	}
	m.Type = protocols.MsgData
	m.Reply.N = n
	for i := range n {
		var rec *Record
		if d.raw != nil {
			*d.raw = append(*d.raw, Record{})
			rec = &(*d.raw)[len(*d.raw)-1]
		}
		if err := d.decodeRecord(r, lay, m.NextFix(), rec); err != nil {
			return fmt.Errorf("record %d: %w", i, err)
		}
	}
	return nil
}

// decodeRecord decodes one AVL record into f, and into rec when not nil.
func (d *decoder) decodeRecord(r *wire.Reader, lay layout, f *protocols.Fix, rec *Record) error {
	ms := r.U64()
	priority := r.U8()
	lon := int32(r.U32())
	lat := int32(r.U32())
	alt := int16(r.U16())
	angle := r.U16()
	sats := r.U8()
	speed := r.U16()
	event := readWidth(r, lay.event)
	var gen uint8
	if lay.generation {
		gen = r.U8()
	}
	totalAt := r.Offset()
	total := readWidth(r, lay.count)
	if err := r.Err(); err != nil {
		return err
	}

	f.Protocol = Protocol.Name
	f.Time = time.UnixMilli(int64(ms)).UTC()
	f.Lat = float64(lat) / 1e7
	f.Lon = float64(lon) / 1e7
	f.Altitude = float64(alt)
	f.Course = float64(angle)
	f.Satellites = int(sats)
	f.Speed = float64(speed)
	f.Valid = validFix(sats, lat, lon)
	f.Attrs = append(f.Attrs,
		protocols.Uint(protocols.AttrPriority, uint64(priority)),
		protocols.Uint(protocols.AttrEventID, uint64(event)))
	if lay.generation {
		f.Attrs = append(f.Attrs, protocols.Uint(protocols.AttrGeneration, uint64(gen)))
	}
	if rec != nil {
		*rec = Record{
			Time: f.Time, Priority: priority, Lat: f.Lat, Lon: f.Lon,
			Altitude: alt, Angle: angle, Satellites: sats, Speed: speed,
			EventID: uint16(event), Generation: gen,
		}
	}

	listed, err := d.decodeIO(r, lay, f, rec)
	if err != nil {
		return err
	}
	if listed != total {
		return protocols.At(totalAt, fmt.Errorf("total IO count is %d, the groups list %d: %w",
			total, listed, protocols.ErrMalformed))
	}
	return nil
}

// decodeIO decodes the IO groups of one record and returns how many elements
// they listed.
func (d *decoder) decodeIO(r *wire.Reader, lay layout, f *protocols.Fix, rec *Record) (int, error) {
	var (
		listed int
		names  named
	)
	for _, size := range ioSizes {
		countAt := r.Offset()
		n := readWidth(r, lay.count)
		if need := n * (lay.id + size); need > r.Len() {
			return 0, protocols.At(countAt, fmt.Errorf(
				"%d IO elements of %d bytes need %d bytes, %d left: %w",
				n, size, need, r.Len(), protocols.ErrTruncated))
		}
		for range n {
			id := readWidth(r, lay.id)
			v := r.Uint(size)
			f.Attrs = append(f.Attrs, protocols.Uint(d.key(id), v))
			names.add(f, id, v)
			if rec != nil {
				rec.IO = append(rec.IO, IO{ID: uint16(id), Size: size, Value: v})
			}
		}
		listed += n
	}
	names.finish(f)
	if lay.nx {
		n, err := d.decodeNX(r, f, rec)
		if err != nil {
			return 0, err
		}
		listed += n
	}
	return listed, r.Err()
}

// decodeNX decodes the variable-length group of Codec 8E. Values become hex
// strings, which allocates; NX elements carry BLE and iButton data, not the
// per-record essentials.
func (d *decoder) decodeNX(r *wire.Reader, f *protocols.Fix, rec *Record) (int, error) {
	n := int(r.U16())
	for i := range n {
		id := int(r.U16())
		lenAt := r.Offset()
		size := int(r.U16())
		b := r.Bytes(size)
		if err := r.Err(); err != nil {
			return 0, fmt.Errorf("NX element %d of %d (length %d at byte %d): %w",
				i, n, size, lenAt, err)
		}
		f.Attrs = append(f.Attrs, protocols.String(d.key(id), hex.EncodeToString(b)))
		if rec != nil {
			rec.IO = append(rec.IO, IO{ID: uint16(id), Data: append([]byte(nil), b...)})
		}
	}
	return n, nil
}

// key returns the attribute name of IO element id.
func (d *decoder) key(id int) string {
	if id < ioKeyTable {
		return protocols.IOKey(id)
	}
	if k, ok := d.keys[id]; ok {
		return k
	}
	k := protocols.IOKey(id)
	if d.keys == nil {
		d.keys = make(map[int]string)
	}
	if len(d.keys) < maxKeyCache {
		d.keys[id] = k
	}
	return k
}

// validFix applies Traccar's rule (a fix needs satellites) and also refuses
// the 0,0 a receiver reports without one. Devices without a fix may repeat
// their last known coordinates with 0 satellites, so non-zero coordinates
// alone do not make a fix valid.
func validFix(sats uint8, lat, lon int32) bool {
	if sats == 0 || (lat == 0 && lon == 0) {
		return false
	}
	return lat >= -90e7 && lat <= 90e7 && lon >= -180e7 && lon <= 180e7
}

// readWidth reads a 1- or 2-byte big-endian unsigned field.
func readWidth(r *wire.Reader, width int) int {
	if width == 1 {
		return int(r.U8())
	}
	return int(r.U16())
}
