package galileosky

import (
	"fmt"
	"time"

	"dozor/protocols"
	"dozor/protocols/wire"
)

// Tags with their own meaning. All others are kept raw under tagName.
const (
	tagHardware   = 0x01 // hardware version (1)
	tagFirmware   = 0x02 // firmware version (1)
	tagIMEI       = 0x03 // IMEI, 15 ASCII digits
	tagDeviceID   = 0x04 // device identifier set by the user (2)
	tagIndex      = 0x10 // archive record number (2)
	tagTime       = 0x20 // Unix seconds, UTC (4)
	tagCoords     = 0x30 // validity/satellites (1), lat (4), lon (4)
	tagSpeed      = 0x33 // speed 0.1 km/h (2), course 0.1 degree (2)
	tagAltitude   = 0x34 // metres, signed (2)
	tagHDOP       = 0x35 // HDOP x10 (1)
	tagStatus     = 0x40 // device status bits (2)
	tagPower      = 0x41 // supply voltage, mV (2)
	tagBattery    = 0x42 // battery voltage, mV (2)
	tagTemp       = 0x43 // device temperature, degrees C, signed (1)
	tagOutputs    = 0x45 // output states (2)
	tagInputs     = 0x46 // input states (2)
	tagDriver     = 0x90 // first iButton key (4)
	tagOdometer   = 0xd4 // GNSS mileage, m (4)
	tagCommandID  = 0xe0 // command number chosen by the server (4)
	tagCommandTxt = 0xe1 // command reply: length (1) + ASCII
	tagUserArray  = 0xea // user data array: length (1) + bytes
	tagExtended   = 0xfe // extended tags block: length (2) + bytes
)

// Special sizes in tagSize.
const (
	sizeUnknown = 0
	sizeLen8    = -1 // one length byte, then that many bytes
	sizeLen16   = -2 // two length bytes (LE), then that many bytes
)

// tagSize is the size of each tag's value. There is no per-tag length on the
// wire, so an unknown tag makes the rest of the packet unreadable. See doc.go
// for where the sizes come from.
var tagSize = buildSizes()

// tagName holds a static attribute name per tag, so that decoding a record
// allocates nothing.
var tagName = buildNames()

func buildSizes() [256]int {
	var t [256]int
	set := func(size int, tags ...int) {
		for _, tag := range tags {
			t[tag] = size
		}
	}
	span := func(size, from, to int) {
		for tag := from; tag <= to; tag++ {
			t[tag] = size
		}
	}
	set(1, 0x01, 0x02, 0x35, 0x43, 0xd5)
	span(1, 0x88, 0x8c) // 0x89 seen in a capture (corpus galileosky-S-0008)
	set(2, 0x04, 0x10, 0x34, 0x40, 0x41, 0x42, 0x45, 0x46, 0x48, 0x58, 0x59)
	set(4, 0x20, 0x33, 0x44, 0x47, 0x5a, 0x90, 0xd3, 0xd4, 0xe0)
	set(9, tagCoords)
	set(15, tagIMEI)
	set(3, 0x5d)
	set(68, 0x5c)
	span(2, 0x50, 0x57) // analogue inputs 0-7
	span(2, 0x60, 0x62) // RS-485 fuel sensors 0-2
	span(3, 0x63, 0x6f) // RS-485 fuel sensors 3-15 (level 2 + temperature 1)
	span(2, 0x70, 0x77) // thermometers 0-7 (id 1 + temperature 1)
	span(2, 0x78, 0x7d) // analogue inputs 8-13
	span(1, 0xa0, 0xaf) // CAN8BITR15-30
	span(2, 0xb0, 0xb9) // CAN16BITR5-14
	span(4, 0xc0, 0xc3) // CAN_A0, A1, B0, B1
	span(1, 0xc4, 0xd2) // CAN8BITR0-14
	span(2, 0xd6, 0xda) // CAN16BITR0-4
	span(4, 0xdb, 0xdf) // CAN32BITR0-4
	span(4, 0xe2, 0xe9) // user data 0-7
	span(4, 0xf0, 0xf9) // CAN32BITR5-14
	t[tagCommandTxt] = sizeLen8
	t[tagUserArray] = sizeLen8
	t[tagExtended] = sizeLen16
	return t
}

func buildNames() [256]string {
	var n [256]string
	for i := range n {
		n[i] = fmt.Sprintf("tag%02x", i)
	}
	for i := 0; i < 8; i++ {
		n[0x50+i] = fmt.Sprintf("adc%d", i)
		n[0x70+i] = fmt.Sprintf("temp_sensor%d", i)
		n[0xe2+i] = fmt.Sprintf("user_data%d", i)
	}
	n[tagHardware] = "hw_version"
	n[tagFirmware] = "fw_version"
	n[tagDeviceID] = "device_id"
	n[tagIndex] = protocols.AttrIndex
	n[tagStatus] = "status"
	n[0x44] = "acceleration"
	n[tagOutputs] = protocols.AttrOutput
	n[tagInputs] = protocols.AttrInput
	n[0x48] = "status_ext"
	n[tagDriver] = protocols.AttrDriver
	n[tagOdometer] = protocols.AttrOdometer
	n[tagCommandID] = "command_id"
	n[tagCommandTxt] = "result"
	return n
}

// record collects the tags of one record until a tag repeats.
type record struct {
	fix     *protocols.Fix
	seen    [4]uint64
	hasTime bool
	any     bool
}

func (r *record) mark(tag byte) (repeated bool) {
	w, bit := tag>>6, uint64(1)<<(tag&63)
	repeated = r.seen[w]&bit != 0
	r.seen[w] |= bit
	r.any = true
	return repeated
}

// decodeMain reads the tags of a main packet. A record ends where a tag it
// already holds appears again; records with a time become fixes.
func (s *Session) decodeMain(tags []byte, base int, m *protocols.Message) error {
	var (
		r        record
		identity []byte
		cmd      bool
	)
	rd := wire.NewReader(tags)
	for rd.Len() > 0 {
		off := rd.Offset()
		tag := rd.U8()
		if r.mark(tag) {
			s.finish(&r, m)
			r = record{}
			r.mark(tag)
		}
		size := tagSize[tag]
		if size == sizeUnknown {
			return protocols.At(base+off, fmt.Errorf(
				"galileosky: tag %#02x has no known size, rest of packet unreadable: %w",
				tag, protocols.ErrUnsupported))
		}
		switch tag {
		case tagIMEI:
			identity = rd.Bytes(15)
			continue
		case tagCommandTxt:
			cmd = true
		}
		if r.fix == nil {
			r.fix = m.NextFix()
			r.fix.Protocol = Name
		}
		decodeTag(&rd, tag, size, &r)
		if err := rd.Err(); err != nil {
			return fmt.Errorf("galileosky: tag %#02x: %w", tag, shift(err, base))
		}
	}
	s.finish(&r, m)
	return s.classify(identity, cmd, m)
}

// finish drops the record's fix unless it had a time.
func (s *Session) finish(r *record, m *protocols.Message) {
	if r.fix != nil && !r.hasTime {
		m.Fixes = m.Fixes[:len(m.Fixes)-1]
	}
}

func (s *Session) classify(identity []byte, cmd bool, m *protocols.Message) error {
	if identity != nil {
		for _, c := range identity {
			if c < '0' || c > '9' {
				return fmt.Errorf("galileosky: IMEI %q is not 15 digits: %w",
					identity, protocols.ErrMalformed)
			}
		}
		m.Identity = s.identity(identity)
	}
	switch {
	case len(m.Fixes) > 0:
		m.Type = protocols.MsgData
	case cmd:
		m.Type = protocols.MsgOther
	case identity != nil:
		m.Type = protocols.MsgLogin
	default:
		m.Type = protocols.MsgHeartbeat
	}
	if m.Type == protocols.MsgData && s.imei == "" {
		return fmt.Errorf("galileosky: records before any IMEI tag: %w", protocols.ErrNoIdentity)
	}
	return nil
}

func shift(err error, base int) error {
	if off := protocols.Offset(err); off >= 0 {
		return protocols.At(base+off, protocols.ErrTruncated)
	}
	return err
}

// decodeTag reads one tag's value into the record's fix.
func decodeTag(rd *wire.Reader, tag byte, size int, r *record) {
	f := r.fix
	switch tag {
	case tagTime:
		f.Time = time.Unix(int64(rd.U32LE()), 0).UTC()
		r.hasTime = rd.Err() == nil
	case tagCoords:
		nav := rd.U8()
		f.Satellites = int(nav & 0x0f)
		f.Valid = nav>>4 == 0
		f.Lat = float64(int32(rd.U32LE())) / 1e6
		f.Lon = float64(int32(rd.U32LE())) / 1e6
	case tagSpeed:
		f.Speed = float64(rd.U16LE()) / 10
		f.Course = float64(rd.U16LE()) / 10
	case tagAltitude:
		f.Altitude = float64(int16(rd.U16LE()))
	case tagHDOP:
		f.HDOP = float64(rd.U8()) / 10
	case tagPower:
		f.Attrs = append(f.Attrs, protocols.Float(protocols.AttrPower, float64(rd.U16LE())/1000))
	case tagBattery:
		f.Attrs = append(f.Attrs, protocols.Float(protocols.AttrBattery, float64(rd.U16LE())/1000))
	case tagTemp:
		f.Attrs = append(f.Attrs, protocols.Int(protocols.AttrTemperature, int64(int8(rd.U8()))))
	case tagCommandTxt:
		text := rd.Bytes(int(rd.U8()))
		f.Attrs = append(f.Attrs, protocols.String(tagName[tag], string(text)))
	case tagUserArray:
		rd.Skip(int(rd.U8()))
	case tagExtended:
		rd.Skip(int(rd.U16LE()))
	default:
		decodeRaw(rd, tag, size, f)
	}
}

// decodeRaw keeps a fixed-size tag as an unsigned little-endian number.
func decodeRaw(rd *wire.Reader, tag byte, size int, f *protocols.Fix) {
	var v uint64
	switch size {
	case 1:
		v = uint64(rd.U8())
	case 2:
		v = uint64(rd.U16LE())
	case 3:
		v = uint64(rd.U24LE())
	case 4:
		v = uint64(rd.U32LE())
	default:
		rd.Skip(size) // multi-field blocks (tyre pressure) are not kept
		return
	}
	f.Attrs = append(f.Attrs, protocols.Uint(tagName[tag], v))
}
