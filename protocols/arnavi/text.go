package arnavi

import (
	"bytes"
	"fmt"
	"strconv"
	"time"

	"dozor/protocols"
)

// maxTextFields bounds the comma-separated fields kept from one $AV line.
const maxTextFields = 40

// decodeText decodes one $AV line, with or without its CR LF. V3 and V4
// lines are positions; V3DI, V6SD, V3GSMINFO and other kinds are device
// reports with no position. Every line names the device.
func (s *Session) decodeText(line []byte, m *protocols.Message) error {
	line = bytes.TrimRight(line, "\r\n")
	body, err := s.checkText(line)
	if err != nil {
		return err
	}
	var buf [maxTextFields][]byte
	f := splitFields(body, buf[:0])
	if len(f) < 3 || string(f[0]) != "AV" {
		return fmt.Errorf("arnavi: %q is not an $AV line: %w",
			snippet(line), protocols.ErrMalformed)
	}
	if len(f[2]) == 0 {
		return fmt.Errorf("arnavi: $AV line without device id: %w", protocols.ErrMalformed)
	}
	if s.textID != string(f[2]) {
		s.textID = string(f[2])
	}
	m.Identity = s.textID
	switch string(f[1]) {
	case "V3":
		return decodeV3(f, false, m)
	case "V4":
		return decodeV3(f, true, m)
	}
	m.Type = protocols.MsgOther
	return nil
}

// checkText verifies the NMEA-style checksum: XOR of the bytes between '$'
// and '*', as two hex digits. It returns the bytes between them.
func (s *Session) checkText(line []byte) ([]byte, error) {
	star := bytes.LastIndexByte(line, '*')
	if star < 0 || star+3 != len(line) {
		return nil, fmt.Errorf("arnavi: %q has no *hh checksum: %w",
			snippet(line), protocols.ErrMalformed)
	}
	want, err := strconv.ParseUint(string(line[star+1:]), 16, 8)
	if err != nil {
		return nil, protocols.At(star+1, fmt.Errorf("arnavi: checksum %q: %w",
			line[star+1:], protocols.ErrMalformed))
	}
	var sum byte
	for _, c := range line[1:star] {
		sum ^= c
	}
	if sum != byte(want) && !s.opts.AcceptBad() {
		return nil, protocols.At(star+1, fmt.Errorf("arnavi: checksum %02X, computed %02X: %w",
			want, sum, protocols.ErrChecksum))
	}
	return line[1:star], nil
}

// decodeV3 reads a position line. V4 adds altitude and geoid height after
// the satellite count.
//
//	AV,V3,id,index,power*100,battery*100,x,moving,ignition,inputs,
//	in1a,in1b,in2a,in2b,fix,sats,[alt,geoid,]hhmmss,ddmm.mmmmN,dddmm.mmmmE,
//	speed kn,course,ddmmyy,...
func decodeV3(f [][]byte, v4 bool, m *protocols.Message) error {
	at := 16
	if v4 {
		at = 18
	}
	if len(f) < at+6 {
		return fmt.Errorf("arnavi: position line of %d fields: %w", len(f), protocols.ErrTruncated)
	}
	x := m.NextFix()
	x.Protocol = Name
	var err error
	x.Time, err = textTime(f[at+5], f[at])
	if err != nil {
		return err
	}
	if x.Lat, err = textCoord(f[at+1], 2, 'N', 'S'); err != nil {
		return err
	}
	if x.Lon, err = textCoord(f[at+2], 3, 'E', 'W'); err != nil {
		return err
	}
	x.Speed = num(f[at+3]) * knotsToKmh
	x.Course = num(f[at+4])
	x.Satellites = int(num(f[15]))
	x.Valid = string(f[14]) == "1"
	if v4 {
		x.Altitude = num(f[16])
	}
	x.Attrs = append(x.Attrs,
		protocols.Uint(protocols.AttrIndex, uint64(num(f[3]))),
		protocols.Float(protocols.AttrPower, num(f[4])/100),
		protocols.Float(protocols.AttrBattery, num(f[5])/100),
		protocols.Bool(protocols.AttrMotion, string(f[7]) == "1"),
		protocols.Bool(protocols.AttrIgnition, string(f[8]) == "1"),
		protocols.Uint(protocols.AttrInput, uint64(num(f[9]))))
	m.Type = protocols.MsgData
	return nil
}

func splitFields(b []byte, out [][]byte) [][]byte {
	for len(out) < cap(out) {
		i := bytes.IndexByte(b, ',')
		if i < 0 {
			return append(out, b)
		}
		out = append(out, b[:i])
		b = b[i+1:]
	}
	return out
}

func textTime(date, clock []byte) (time.Time, error) {
	if len(date) != 6 || len(clock) < 6 || !digits(date) || !digits(clock[:6]) {
		return time.Time{}, fmt.Errorf("arnavi: date %q time %q: %w",
			date, clock, protocols.ErrMalformed)
	}
	d := func(b []byte, i int) int { return int(b[i]-'0')*10 + int(b[i+1]-'0') }
	t := time.Date(2000+d(date, 4), time.Month(d(date, 2)), d(date, 0),
		d(clock, 0), d(clock, 2), d(clock, 4), 0, time.UTC)
	if d(date, 4) >= 80 {
		t = t.AddDate(-100, 0, 0) // ddmmyy of a GPS receiver without a fix: 060180
	}
	return t, nil
}

// textCoord parses (d)ddmm.mmmm followed by the hemisphere letter.
func textCoord(b []byte, degDigits int, pos, neg byte) (float64, error) {
	if len(b) < degDigits+3 {
		return 0, fmt.Errorf("arnavi: coordinate %q: %w", b, protocols.ErrMalformed)
	}
	hemi := b[len(b)-1]
	deg, err1 := strconv.ParseFloat(string(b[:degDigits]), 64)
	mins, err2 := strconv.ParseFloat(string(b[degDigits:len(b)-1]), 64)
	if err1 != nil || err2 != nil || (hemi != pos && hemi != neg) || mins >= 60 {
		return 0, fmt.Errorf("arnavi: coordinate %q: %w", b, protocols.ErrMalformed)
	}
	v := deg + mins/60
	if hemi == neg {
		v = -v
	}
	return v, nil
}

func num(b []byte) float64 {
	v, err := strconv.ParseFloat(string(b), 64)
	if err != nil {
		return 0
	}
	return v
}

func digits(b []byte) bool {
	for _, c := range b {
		if c < '0' || c > '9' {
			return false
		}
	}
	return true
}

func snippet(b []byte) []byte {
	if len(b) > 40 {
		return b[:40]
	}
	return b
}
