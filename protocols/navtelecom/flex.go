package navtelecom

import (
	"encoding/binary"
	"fmt"
	"math"
	"time"

	"dozor/protocols"
	"dozor/protocols/wire"
)

// FLEX structure versions and how many fields each defines.
const (
	flex10 = 0x0a // FLEX 1.0: fields 1-69
	flex20 = 0x14 // FLEX 2.0: fields 1-122
	flex30 = 0x1e // FLEX 3.0: fields 1-255
)

// fieldSize is the size of each FLEX field, field 1 first. The first 69 are
// FLEX 1.0, up to 122 FLEX 2.0, the rest FLEX 3.0. See doc.go for sources.
var fieldSize = [255]uint8{
	4, 2, 4, 1, 1, 1, 1, 1, 4, 4, 4, 4, 4, 2, 4, 4, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, // 1-28
	1, 1, 1, 1, 4, 4, 2, 2, 4, 2, 2, 2, 2, 2, 2, 2, 1, 1, 1, 1, 1, 1, 1, 1, // 29-52
	2, 4, 2, 1, 4, 2, 2, 2, 2, 2, 1, 1, 1, 2, 4, 2, 1, // 53-69
	8, 2, 1, 16, 4, 2, 4, 37, 1, 1, 1, 1, 1, 1, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, // 70-93
	6, 12, 24, 48, 1, 1, 2, 1, 4, 4, 1, 4, 2, 6, 2, 6, 2, 2, 2, 2, 2, 2, 2, 2, // 94-117
	1, 2, 2, 2, 1, // 118-122
	1, 1, 1, 1, 4, 4, 4, 4, 4, 4, 2, 2, 2, 2, 2, 2, 1, 1, 2, 3, 2, 1, 1, 3, // 123-146
	2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 1, 1, 1, 1, // 147-170
	2, 4, 4, 4, 2, 4, 2, 2, 4, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 4, 4, // 171-194
	4, 4, 6, 3, 1, 2, 2, 1, 4, 5, 4, 4, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, // 195-218
	1, 1, 1, 1, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 4, 4, 4, 4, 4, // 219-242
	4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 8, 8, 8, // 243-255
}

// flexLayout is the negotiated record layout: the enabled fields in order.
type flexLayout struct {
	proto, structure uint8
	n                int
	fields           [255]uint8 // zero-based field numbers
	size             int        // bytes per record
}

func maxFields(structure uint8) int {
	switch structure {
	case flex10:
		return 69
	case flex20:
		return 122
	case flex30:
		return 255
	}
	return 0
}

// set installs a negotiated bit field (most significant bit first).
func (l *flexLayout) set(proto, structure uint8, bits int, field []byte) error {
	limit := maxFields(structure)
	if limit == 0 || maxFields(proto) == 0 {
		return fmt.Errorf("navtelecom: FLEX protocol %#02x structure %#02x: %w",
			proto, structure, protocols.ErrUnsupported)
	}
	if bits == 0 || bits > limit {
		return fmt.Errorf("navtelecom: FLEX %#02x: %w", structure,
			protocols.Limit("bit field size", bits, limit))
	}
	l.proto, l.structure, l.n, l.size = proto, structure, 0, 0
	for i := 0; i < bits; i++ {
		if field[i/8]&(0x80>>(i%8)) != 0 {
			l.fields[l.n] = uint8(i)
			l.n++
			l.size += int(fieldSize[i])
		}
	}
	if l.size == 0 {
		return fmt.Errorf("navtelecom: FLEX bit field selects no field: %w", protocols.ErrMalformed)
	}
	return nil
}

// maxFlexRecords bounds the records of one ~A or ~E frame (the count is one
// byte, so this only documents the limit).
const maxFlexRecords = 255

// decodeFlex checks the CRC-8 and decodes ~A, ~T, ~C, ~E and ~X frames.
func (s *Session) decodeFlex(frame []byte, m *protocols.Message) error {
	if !s.haveFlex {
		return fmt.Errorf("navtelecom: FLEX frame before negotiation: %w", protocols.ErrMalformed)
	}
	if len(frame) < 4 {
		return fmt.Errorf("navtelecom: FLEX frame of %d bytes: %w",
			len(frame), protocols.ErrTruncated)
	}
	body := frame[:len(frame)-1]
	if got := wire.CRC8EGTS(body); got != frame[len(frame)-1] && !s.opts.AcceptBad() {
		return protocols.At(len(frame)-1, fmt.Errorf("navtelecom: FLEX crc %#02x, computed %#02x: %w",
			frame[len(frame)-1], got, protocols.ErrChecksum))
	}
	if s.imei == "" {
		return fmt.Errorf("navtelecom: FLEX data before the *>S handshake: %w",
			protocols.ErrNoIdentity)
	}
	rd := wire.NewReader(body[2:])
	var err error
	switch frame[1] {
	case 'A':
		err = s.flexArray(&rd, m, KindFlexA)
	case 'E':
		err = s.flexArray(&rd, m, KindFlexE)
	case 'T', 'X':
		m.Reply.ID = uint64(rd.U32LE())
		k := KindFlexT
		if frame[1] == 'X' {
			k = KindFlexX
		}
		m.Reply.Aux = uint64(k)
		err = s.flexRecord(&rd, m, k)
	case 'C':
		m.Reply.Aux = uint64(KindFlexC)
		err = s.flexRecord(&rd, m, KindFlexC)
	default:
		err = fmt.Errorf("navtelecom: FLEX frame type %q: %w", frame[1], protocols.ErrMalformed)
	}
	if err == nil && rd.Len() != 0 {
		err = fmt.Errorf("navtelecom: %d bytes after the records: %w",
			rd.Len(), protocols.ErrMalformed)
	}
	if err != nil {
		return shift(err, 2)
	}
	m.Type = dataType(m)
	return nil
}

func (s *Session) flexArray(rd *wire.Reader, m *protocols.Message, k Kind) error {
	n := int(rd.U8())
	if n == 0 || n > maxFlexRecords {
		return fmt.Errorf("navtelecom: FLEX archive of %d records: %w", n, protocols.ErrMalformed)
	}
	for i := 0; i < n; i++ {
		if err := s.flexRecord(rd, m, k); err != nil {
			return fmt.Errorf("record %d: %w", i, err)
		}
	}
	m.Reply.Aux = uint64(k)
	m.Reply.N = n
	return nil
}

func (s *Session) flexRecord(rd *wire.Reader, m *protocols.Message, k Kind) error {
	x := m.NextFix()
	x.Protocol = Name
	if k == KindFlexE || k == KindFlexX {
		decodeExtended(rd, x)
	} else {
		s.decodeFields(rd, x)
	}
	if err := rd.Err(); err != nil {
		return err
	}
	if x.Time.IsZero() {
		m.Fixes = m.Fixes[:len(m.Fixes)-1] // the layout has no time: nothing to store
	}
	return nil
}

// decodeFields reads one record of the negotiated layout.
func (s *Session) decodeFields(rd *wire.Reader, x *protocols.Fix) {
	rec := rd.Bytes(s.flex.size) // bounds checked once for the whole record
	if rec == nil {
		return
	}
	off := 0
	for _, i := range s.flex.fields[:s.flex.n] {
		n := int(fieldSize[i])
		decodeField(int(i), rec[off:off+n], x)
		off += n
	}
}

// decodeField keeps one field; i is the zero-based field number.
func decodeField(i int, b []byte, x *protocols.Fix) {
	var u uint64 // little-endian value of fields up to 4 bytes
	switch len(b) {
	case 1:
		u = uint64(b[0])
	case 2:
		u = uint64(binary.LittleEndian.Uint16(b))
	case 3:
		u = uint64(b[0]) | uint64(b[1])<<8 | uint64(b[2])<<16
	case 4:
		u = uint64(binary.LittleEndian.Uint32(b))
	}
	switch i {
	case 0:
		x.Attrs = append(x.Attrs, protocols.Uint(protocols.AttrIndex, u))
	case 1:
		x.Attrs = append(x.Attrs, protocols.Uint(protocols.AttrEvent, u))
	case 4:
		x.Attrs = append(x.Attrs, protocols.Uint("status", u))
	case 6:
		x.Attrs = append(x.Attrs, protocols.Uint(protocols.AttrGSM, u))
	case 7:
		x.Valid = u&0x02 != 0
		x.Satellites = int(u >> 2)
	case 8:
		x.Time = time.Unix(int64(u), 0).UTC()
	case 9:
		x.Lat = float64(int32(u)) / 600000
	case 10:
		x.Lon = float64(int32(u)) / 600000
	case 11:
		x.Altitude = float64(int32(u)) / 10
	case 12:
		x.Speed = float64(f32(u))
	case 13:
		x.Course = float64(u)
	case 14:
		x.Attrs = append(x.Attrs, protocols.Float(protocols.AttrOdometer, float64(f32(u))*1000))
	case 18:
		x.Attrs = append(x.Attrs, protocols.Float(protocols.AttrPower, float64(u)/1000))
	case 19:
		x.Attrs = append(x.Attrs, protocols.Float(protocols.AttrBattery, float64(u)/1000))
	case 28:
		x.Attrs = append(x.Attrs, protocols.Uint(protocols.AttrInput, u))
	case 30:
		x.Attrs = append(x.Attrs, protocols.Uint(protocols.AttrOutput, u))
	case 2, 3, 5, 15, 29, 31:
		// event time, armed state, status 2, distance, inputs/outputs 9-16
	default:
		if len(b) <= 4 {
			x.Attrs = append(x.Attrs, protocols.Uint(protocols.IOKey(i+1), u))
		}
	}
}

// decodeExtended reads a FLEX 2.0 extended record (~E, ~X): a 2-byte
// length, then a static navigation part and a dynamic part that is skipped.
func decodeExtended(rd *wire.Reader, x *protocols.Fix) {
	n := int(rd.U16LE())
	r := wire.NewReader(rd.Bytes(n))
	if rd.Err() != nil {
		return
	}
	r.Skip(2) // structure version, static part length
	x.Attrs = append(x.Attrs, protocols.Uint(protocols.AttrIndex, uint64(r.U32LE())),
		protocols.Uint(protocols.AttrEvent, uint64(r.U16LE())))
	r.Skip(4) // event time
	state := r.U8()
	x.Valid = state&0x02 != 0
	x.Satellites = int(state >> 2)
	t := r.U32LE()
	x.Lat = float64(int32(r.U32LE())) / 600000
	x.Lon = float64(int32(r.U32LE())) / 600000
	x.Altitude = float64(int32(r.U32LE())) / 10
	x.Speed = float64(r.F32LE())
	x.Course = float64(r.U16LE())
	if r.Err() != nil {
		rd.Fail(fmt.Errorf("navtelecom: extended record of %d bytes: %w",
			n, protocols.ErrTruncated))
		return
	}
	x.Time = time.Unix(int64(t), 0).UTC()
}

func f32(u uint64) float32 { return math.Float32frombits(uint32(u)) }
