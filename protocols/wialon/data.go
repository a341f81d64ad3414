package wialon

import (
	"bytes"
	"math"
	"strconv"
	"time"

	"dozor/protocols"
)

// maxBlackBox bounds the messages of one #B# packet.
const maxBlackBox = 4096

// data decodes #SD# or #D#: the fields, then in 2.0 the CRC.
func (d *decoder) data(p Packet, body []byte) error {
	d.m.Type = protocols.MsgData
	d.m.Reply.ID = uint64(p)
	want := shortFields
	if p == PacketData {
		want = dataFields
	}
	f := split(body, ';', d.s.fields[:0])
	d.s.fields = f
	hasCRC, err := d.crcPresent(p, len(f), want)
	if err != nil {
		return err
	}
	if hasCRC {
		if err := d.checkCRC(p, crcCode(p), body); err != nil {
			return err
		}
	}
	return d.fix(p, f[:want], d.base)
}

// crcPresent decides from the version (or, before any login, from the field
// count) whether the last field is the 2.0 CRC.
func (d *decoder) crcPresent(p Packet, n, want int) (bool, error) {
	switch {
	case n == want+1 && d.ver != Version11:
		return true, nil
	case n == want && d.ver != Version20:
		return false, nil
	}
	return false, refuse(p, "-1", d.base, protocols.ErrMalformed,
		"%d fields in protocol %s, want %d", n, d.ver, want)
}

// crcCode is the result code of a CRC error for each data packet.
func crcCode(p Packet) string {
	if p == PacketShortData {
		return "13"
	}
	return "16"
}

// blackBox decodes #B#msg|msg|...[|crc16]: each message is an SD body (10
// fields) or a D body (16 fields). Messages are decoded in order up to the
// first one that fails; the answer #AB#n counts the ones decoded, so the
// device keeps (and resends) the rest. If the first one fails, the packet
// is refused.
func (d *decoder) blackBox(body []byte) error {
	d.m.Type = protocols.MsgData
	d.m.Reply.ID = uint64(PacketBlackBox)
	msgs := split(body, '|', d.s.msgs[:0])
	d.s.msgs = msgs
	last := msgs[len(msgs)-1]
	looksLikeCRC := len(msgs) > 1 && len(last) > 0 && bytes.IndexByte(last, ';') < 0
	if d.ver == Version20 || (d.ver == VersionUnknown && looksLikeCRC) {
		covered := body[:len(body)-len(last)]
		if err := d.verify(PacketBlackBox, "", covered, last, d.base+len(covered)); err != nil {
			return err
		}
		msgs = msgs[:len(msgs)-1]
	}
	if n := len(msgs); n > 0 && len(msgs[n-1]) == 0 {
		msgs = msgs[:n-1] // a trailing separator
	}
	if len(msgs) > maxBlackBox {
		return refuse(PacketBlackBox, "0", d.base, protocols.ErrTooLarge,
			"%d messages over limit %d", len(msgs), maxBlackBox)
	}
	off := d.base
	for i, msg := range msgs {
		if err := d.boxMessage(msg, off); err != nil {
			if i == 0 {
				return err
			}
			break
		}
		d.m.Reply.N++
		off += len(msg) + 1
	}
	return nil
}

// boxMessage decodes one black-box message at frame offset off.
func (d *decoder) boxMessage(msg []byte, off int) error {
	f := split(msg, ';', d.s.fields[:0])
	d.s.fields = f
	switch len(f) {
	case shortFields:
		return d.fix(PacketBlackBox, f, off)
	case dataFields:
		return d.fix(PacketBlackBox, f, off)
	}
	return refuse(PacketBlackBox, "0", off, protocols.ErrMalformed,
		"black box message has %d fields, want %d or %d", len(f), shortFields, dataFields)
}

// fix decodes the fields of one SD or D body into a new fix; a failure
// removes it again. Result codes are those of #AD# (and #ASD#).
func (d *decoder) fix(p Packet, f [][]byte, at int) error {
	n := len(d.m.Fixes)
	if err := d.fill(p, f, d.m.NextFix(), at); err != nil {
		d.m.Fixes = d.m.Fixes[:n]
		return err
	}
	return nil
}

func (d *decoder) fill(p Packet, f [][]byte, fix *protocols.Fix, at int) error {
	fix.Protocol = Name
	hasTime, ok := parseTime(f[0], f[1], &fix.Time)
	if !ok {
		return refuse(p, "0", at, protocols.ErrMalformed, "date %.12q time %.18q", f[0], f[1])
	}
	hasPos, ok := parsePosition(f[2:6], fix)
	if !ok {
		return refuse(p, "10", at, protocols.ErrMalformed, "coordinates %.16q %.16q", f[2], f[4])
	}
	if !optFloat(f[6], &fix.Speed) || !optFloat(f[7], &fix.Course) ||
		!optFloat(f[8], &fix.Altitude) {
		return refuse(p, "11", at, protocols.ErrMalformed,
			"speed %.12q, course %.12q or height %.12q", f[6], f[7], f[8])
	}
	sats := -1
	if !isNA(f[9]) {
		v, err := strconv.Atoi(string(f[9]))
		if err != nil || v < 0 {
			return refuse(p, "12", at, protocols.ErrMalformed, "satellites %.8q", f[9])
		}
		sats, fix.Satellites = v, v
	}
	fix.Valid = hasTime && hasPos && sats != 0
	if len(f) == dataFields {
		return d.extended(p, f, fix, at)
	}
	return nil
}

// extended decodes the D fields after the satellites: hdop, inputs,
// outputs, adc, ibutton and params.
func (d *decoder) extended(p Packet, f [][]byte, fix *protocols.Fix, at int) error {
	if !optFloat(f[10], &fix.HDOP) {
		return refuse(p, "12", at, protocols.ErrMalformed, "hdop %.12q", f[10])
	}
	for i, key := range [2]string{protocols.AttrInput, protocols.AttrOutput} {
		if isNA(f[11+i]) {
			continue
		}
		v, err := strconv.ParseUint(string(f[11+i]), 10, 64)
		if err != nil {
			return refuse(p, "13", at, protocols.ErrMalformed, "%s %.12q", key, f[11+i])
		}
		fix.Attrs = append(fix.Attrs, protocols.Uint(key, v))
	}
	if err := adc(f[13], fix); err != nil {
		return refuse(p, "14", at, protocols.ErrMalformed, "adc %.24q: %v", f[13], err)
	}
	if !isNA(f[14]) {
		fix.Attrs = append(fix.Attrs, protocols.String(protocols.AttrDriver, string(f[14])))
	}
	if err := d.s.params(f[15], fix); err != nil {
		return refuse(p, "15", at, protocols.ErrMalformed, "params: %v", err)
	}
	return nil
}

// parseTime reads DDMMYY and HHMMSS[.fraction] (UTC). Both NA means no time:
// the specification lets the server use its receive time, which is what
// ingest records as Fix.Received; Time stays zero.
func parseTime(date, clock []byte, t *time.Time) (bool, bool) {
	if isNA(date) && isNA(clock) {
		return false, true
	}
	if len(date) != 6 || len(clock) < 6 || !digits(date) || !digits(clock[:6]) {
		return false, false
	}
	nsec := 0
	if len(clock) > 6 {
		frac := clock[6:]
		if frac[0] != '.' || len(frac) < 2 || len(frac) > 10 || !digits(frac[1:]) {
			return false, false
		}
		nsec = atoi(frac[1:])
		for i := len(frac) - 1; i < 9; i++ {
			nsec *= 10
		}
	}
	day, month, year := atoi(date[:2]), atoi(date[2:4]), 2000+atoi(date[4:])
	h, m, s := atoi(clock[:2]), atoi(clock[2:4]), atoi(clock[4:6])
	if day < 1 || day > 31 || month < 1 || month > 12 || h > 23 || m > 59 || s > 60 {
		return false, false
	}
	*t = time.Date(year, time.Month(month), day, h, m, s, nsec, time.UTC)
	return true, t.Day() == day
}

// parsePosition reads lat;N;lon;E in degrees and decimal minutes
// (DDMM.MMMM, DDDMM.MMMM). NA in either coordinate means no position.
func parsePosition(f [][]byte, fix *protocols.Fix) (bool, bool) {
	if isNA(f[0]) || isNA(f[2]) {
		return false, true
	}
	lat, ok1 := degrees(f[0], 90)
	lon, ok2 := degrees(f[2], 180)
	if !ok1 || !ok2 || len(f[1]) != 1 || len(f[3]) != 1 {
		return false, false
	}
	switch f[1][0] {
	case 'S':
		lat = -lat
	case 'N':
	default:
		return false, false
	}
	switch f[3][0] {
	case 'W':
		lon = -lon
	case 'E':
	default:
		return false, false
	}
	fix.Lat, fix.Lon = lat, lon
	return true, true
}

// degrees converts DDMM.MMMM to degrees, refusing minutes over 60 and
// values over limit.
func degrees(b []byte, limit float64) (float64, bool) {
	v, err := strconv.ParseFloat(string(b), 64)
	if err != nil || v < 0 || math.IsInf(v, 0) {
		return 0, false
	}
	deg := math.Floor(v / 100)
	minutes := v - deg*100
	out := deg + minutes/60
	return out, minutes < 60 && out <= limit
}

// optFloat parses b into *v unless it is NA or empty.
func optFloat(b []byte, v *float64) bool {
	if isNA(b) {
		return true
	}
	f, err := strconv.ParseFloat(string(b), 64)
	if err != nil || math.IsNaN(f) || math.IsInf(f, 0) {
		return false
	}
	*v = f
	return true
}

func digits(b []byte) bool {
	for _, c := range b {
		if c < '0' || c > '9' {
			return false
		}
	}
	return true
}

// atoi reads a short run of digits already checked by digits.
func atoi(b []byte) int {
	n := 0
	for _, c := range b {
		n = n*10 + int(c-'0')
	}
	return n
}
