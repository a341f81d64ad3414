package h02

import (
	"fmt"

	"dozor/protocols"
)

// decodeBinary decodes a '$' (or 'X') record:
//
//	marker 1 | id 5 BCD | hhmmss 3 BCD | DDMMYY 3 BCD | lat DDMMmmmm 4 BCD |
//	battery 1 | lon DDDMMmmmm + flags 5 | speed + course 3 BCD | status 4 | ...
func (s *Session) decodeBinary(b []byte, m *protocols.Message) error {
	if len(b) < BinaryShort {
		return fmt.Errorf("h02: binary record of %d bytes: %w", len(b), protocols.ErrTruncated)
	}
	var id [10]byte
	if !bcd(id[:], b[1:6]) {
		err := fmt.Errorf("h02: device id %x is not BCD: %w", b[1:6], protocols.ErrMalformed)
		return protocols.At(1, err)
	}
	s.setIdentity(m, id[:])
	m.Type = protocols.MsgData

	var d [29]byte // time 6, date 6, lat 8, lon 9 digits
	if !bcd(d[:12], b[6:12]) || !bcd(d[12:20], b[12:16]) || !bcd(d[20:28], b[17:21]) ||
		b[21]>>4 > 9 {
		err := fmt.Errorf("h02: fields %x are not BCD: %w", b[6:22], protocols.ErrMalformed)
		return protocols.At(6, err)
	}
	d[28] = '0' + b[21]>>4
	t := func(i int) int { return int(d[i]-'0')*10 + int(d[i+1]-'0') }
	if t(6) == 0 && t(8) == 0 {
		return nil // date 000000: no fix yet
	}
	when, _, err := s.date(t(10), t(8), t(6), t(0), t(2), t(4))
	if err != nil {
		return protocols.At(6, err)
	}
	flags := b[21] & 0x0F
	fx := m.NextFix()
	fx.Protocol = Name
	fx.Time = when
	fx.Lat = float64(t(12)) + digits(d[14:20])/10000/60
	fx.Lon = float64(t(20)*10+int(d[22]-'0')) + digits(d[23:29])/10000/60
	if fx.Lat > 90 || fx.Lon > 180 {
		dropFix(m)
		return protocols.At(12, fmt.Errorf("h02: position %.5f,%.5f out of range: %w",
			fx.Lat, fx.Lon, protocols.ErrMalformed))
	}
	if flags&0x04 == 0 {
		fx.Lat = -fx.Lat
	}
	if flags&0x08 == 0 {
		fx.Lon = -fx.Lon
	}
	fx.Valid = flags&0x02 != 0
	sc := b[22:25]
	fx.Speed = float64(bcdNibbles(sc[0]>>4, sc[0]&0x0F, sc[1]>>4)) * knotsToKmh
	fx.Course = float64(bcdNibbles(sc[1]&0x0F, sc[2]>>4, sc[2]&0x0F))
	if lvl, ok := batteryLevel(b[16]); ok {
		fx.Attrs = append(fx.Attrs, protocols.Uint(protocols.AttrBatteryLevel, uint64(lvl)))
	}
	setStatus(fx, uint32(b[25])<<24|uint32(b[26])<<16|uint32(b[27])<<8|uint32(b[28]))
	return nil
}

// bcd writes the decimal digits of src to dst (two per byte) and reports
// whether every nibble was a digit.
func bcd(dst, src []byte) bool {
	for i, c := range src {
		hi, lo := c>>4, c&0x0F
		if hi > 9 || lo > 9 {
			return false
		}
		dst[2*i], dst[2*i+1] = '0'+hi, '0'+lo
	}
	return true
}

func digits(b []byte) float64 {
	v := 0
	for _, c := range b {
		v = v*10 + int(c-'0')
	}
	return float64(v)
}

// bcdNibbles reads three nibbles as a decimal number, treating non-digit
// nibbles as 0.
func bcdNibbles(a, b, c byte) int {
	d := func(n byte) int {
		if n > 9 {
			return 0
		}
		return int(n)
	}
	return d(a)*100 + d(b)*10 + d(c)
}

// batteryLevel maps the binary battery byte to percent: 1-6 are steps,
// 7-100 a percentage, F1-F6 charging steps.
func batteryLevel(v byte) (int, bool) {
	switch {
	case v == 0:
		return 0, false
	case v <= 6:
		return int(v-1) * 20, true
	case v <= 100:
		return int(v), true
	case v >= 0xF1 && v <= 0xF6:
		return int(v-0xF0-1) * 20, true
	}
	return 0, false
}

// setStatus stores the 32-bit status word. Its bits are active-low: bit 1
// clear is an SOS alarm, bit 10 set is ignition on (as the H02 status
// table reads; not checked against a vendor document).
func setStatus(fx *protocols.Fix, st uint32) {
	fx.Attrs = append(fx.Attrs,
		protocols.Uint("status", uint64(st)),
		protocols.Bool(protocols.AttrIgnition, st&(1<<10) != 0))
	if st&(1<<1) == 0 {
		fx.Attrs = append(fx.Attrs, protocols.String(protocols.AttrAlarm, "sos"))
	}
}

// dropFix removes the fix NextFix added.
func dropFix(m *protocols.Message) { m.Fixes = m.Fixes[:len(m.Fixes)-1] }
