package arnavi

import (
	"encoding/binary"
	"fmt"
	"math"
	"time"

	"dozor/protocols"
	"dozor/protocols/wire"
)

// RecordType is the first byte of a record inside a package.
type RecordType uint8

// Record types.
const (
	RecordPing   RecordType = 0x00 // keep-alive
	RecordData   RecordType = 0x01 // 5-byte tags sharing one time
	RecordText   RecordType = 0x03 // text message (answer to a text command)
	RecordFile   RecordType = 0x04 // file transfer attributes
	RecordBinary RecordType = 0x06 // opaque binary data
)

func (t RecordType) String() string {
	switch t {
	case RecordPing:
		return "ping"
	case RecordData:
		return "data"
	case RecordText:
		return "text"
	case RecordFile:
		return "file"
	case RecordBinary:
		return "binary"
	}
	return fmt.Sprintf("record(%#02x)", uint8(t))
}

// Tags of a data record. Each tag is one byte followed by a 4-byte value.
const (
	tagVoltage   = 1   // battery mV (2 LE), external mV (2 LE)
	tagLatitude  = 3   // float32 LE degrees
	tagLongitude = 4   // float32 LE degrees
	tagNav       = 5   // course/2, altitude/10, satellites (GLONASS<<4|GPS), speed knots
	tagInput     = 6   // mode (1), then per mode
	tagStatus    = 9   // device status bits
	tagHours     = 52  // engine hours x100
	tagOdometer  = 53  // CAN odometer, km x100
	tagRPM       = 57  // engine speed (2 LE), reserved (2)
	tagHDOP      = 151 // HDOP x100 (2 LE), reserved (2)
)

const knotsToKmh = 1.852

// decodePackage decodes 5B <number> records... 5D.
func (s *Session) decodePackage(frame []byte, m *protocols.Message) error {
	if len(frame) < 3 || frame[len(frame)-1] != packageEnd {
		return fmt.Errorf("arnavi: package without end mark: %w", protocols.ErrMalformed)
	}
	number := frame[1]
	if number == resultNumber {
		m.Type = protocols.MsgOther
		return nil
	}
	if s.imei == "" {
		return fmt.Errorf("arnavi: package before the header: %w", protocols.ErrNoIdentity)
	}
	rd := wire.NewReader(frame[2 : len(frame)-1])
	for rd.Len() > 0 {
		off := 2 + rd.Offset()
		if err := s.decodeRecord(&rd, m); err != nil {
			return protocols.At(off, err)
		}
	}
	m.Type = protocols.MsgData
	if len(m.Fixes) == 0 {
		m.Type = protocols.MsgHeartbeat
	}
	m.Reply.Aux = replyPackage
	m.Reply.ID = uint64(number)
	return nil
}

// decodeRecord reads one record. The trailing checksum byte is read but not
// verified: see the BUG note in doc.go.
func (s *Session) decodeRecord(rd *wire.Reader, m *protocols.Message) error {
	typ := RecordType(rd.U8())
	n := int(rd.U16LE())
	t := rd.U32LE()
	body := rd.Bytes(n)
	rd.U8()
	if err := rd.Err(); err != nil {
		return fmt.Errorf("arnavi: %v record: %w", typ, err)
	}
	switch typ {
	case RecordData:
		if n%5 != 0 {
			return fmt.Errorf("arnavi: data record of %d bytes, not whole tags: %w",
				n, protocols.ErrMalformed)
		}
		decodeTags(body, t, m)
	case RecordPing, RecordText, RecordFile, RecordBinary:
	default:
		return fmt.Errorf("arnavi: %v: %w", typ, protocols.ErrUnsupported)
	}
	return nil
}

// decodeTags turns one data record into a fix.
func decodeTags(body []byte, t uint32, m *protocols.Message) {
	f := m.NextFix()
	f.Protocol = Name
	f.Time = time.Unix(int64(t), 0).UTC()
	var hasLat, hasLon, navOK bool
	for i := 0; i+5 <= len(body); i += 5 {
		tag, v := body[i], body[i+1:i+5]
		u := binary.LittleEndian.Uint32(v)
		switch tag {
		case tagLatitude:
			f.Lat, hasLat = coord(u, 90)
		case tagLongitude:
			f.Lon, hasLon = coord(u, 180)
		case tagNav:
			navOK = decodeNav(v, f)
		default:
			decodeAttr(tag, v, u, f)
		}
	}
	f.Valid = hasLat && hasLon && navOK
}

func coord(u uint32, limit float64) (float64, bool) {
	d := float64(math.Float32frombits(u))
	if math.IsNaN(d) || d < -limit || d > limit {
		return 0, false
	}
	return d, true
}

// decodeNav reads tag 5; satellites 0xFE or 0xFF mean no fix.
func decodeNav(v []byte, f *protocols.Fix) bool {
	if v[2] == 0xfe || v[2] == 0xff {
		return false
	}
	f.Course = float64(v[0]) * 2
	f.Altitude = float64(v[1]) * 10
	f.Satellites = int(v[2]&0x0f) + int(v[2]>>4)
	f.Speed = float64(v[3]) * knotsToKmh
	return true
}

func decodeAttr(tag byte, v []byte, u uint32, f *protocols.Fix) {
	lo := uint64(binary.LittleEndian.Uint16(v))
	hi := uint64(binary.LittleEndian.Uint16(v[2:]))
	switch tag {
	case tagVoltage:
		if lo != 0 && lo != 0xffff {
			f.Attrs = append(f.Attrs, protocols.Float(protocols.AttrBattery, float64(lo)/1000))
		}
		if hi != 0 && hi != 0xffff {
			f.Attrs = append(f.Attrs, protocols.Float(protocols.AttrPower, float64(hi)/1000))
		}
	case tagInput:
		if v[0] == 0x01 { // discrete mode: virtual sensors, physical inputs
			f.Attrs = append(f.Attrs,
				protocols.Bool(protocols.AttrIgnition, v[1]&1 != 0),
				protocols.Uint(protocols.AttrInput, uint64(binary.LittleEndian.Uint16(v[2:]))))
		} else {
			f.Attrs = append(f.Attrs, protocols.Uint(protocols.IOKey(int(tag)), uint64(u)))
		}
	case tagStatus:
		f.Attrs = append(f.Attrs,
			protocols.Uint("status", uint64(u)),
			protocols.Uint(protocols.AttrInput, uint64(u&0xff)),
			protocols.Uint(protocols.AttrOutput, uint64(u>>8&0x0f)),
			protocols.Bool(protocols.AttrMotion, u&(1<<16) != 0))
		if u&(1<<20) != 0 {
			f.Attrs = append(f.Attrs, protocols.String(protocols.AttrAlarm, "sos"))
		}
	case tagHours:
		f.Attrs = append(f.Attrs, protocols.Float("engine_hours", float64(u)/100))
	case tagOdometer:
		f.Attrs = append(f.Attrs, protocols.Uint(protocols.AttrOdometer, uint64(u)*10))
	case tagRPM:
		f.Attrs = append(f.Attrs, protocols.Uint("rpm", lo))
	case tagHDOP:
		f.HDOP = float64(lo) / 100
	default:
		f.Attrs = append(f.Attrs, protocols.Uint(protocols.IOKey(int(tag)), uint64(u)))
	}
}
