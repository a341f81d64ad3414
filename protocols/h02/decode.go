package h02

import (
	"bytes"
	"fmt"
	"time"

	"dozor/protocols"
	"dozor/protocols/wire"
)

// knotsToKmh converts the wire speed to km/h.
const knotsToKmh = 1.852

var midnight = []byte("000000")

// Decode decodes one text or binary frame into m and sets m.Identity to
// the device id it carries. A position without a date (some V1 firmware
// leaves time and date empty) gets the server's clock as its time and is
// marked invalid.
func (s *Session) Decode(frame []byte, m *protocols.Message) error {
	if len(frame) == 0 {
		return fmt.Errorf("h02: empty frame: %w", protocols.ErrTruncated)
	}
	switch frame[0] {
	case '*':
		return s.decodeText(bytes.TrimRight(frame, "\r\n"), m)
	case '$', 'X':
		return s.decodeBinary(frame, m)
	}
	err := fmt.Errorf("h02: frame starts with %q: %w", frame[0], protocols.ErrMalformed)
	return protocols.At(0, err)
}

// decodeText decodes *XX,<id>,<type>,...#.
func (s *Session) decodeText(frame []byte, m *protocols.Message) error {
	if len(frame) < 2 || frame[len(frame)-1] != '#' {
		return fmt.Errorf("h02: text frame without '#': %w", protocols.ErrTruncated)
	}
	f := wire.SplitFields(s.fields, frame[1:len(frame)-1])
	s.fields = f
	if len(f) < 3 {
		m.Type = protocols.MsgOther
		return s.textIdentity(f, m)
	}
	if err := s.textIdentity(f, m); err != nil {
		return err
	}
	typ := f[2]
	switch string(typ) {
	case "HTBT", "V0", "LINK":
		m.Type = protocols.MsgHeartbeat
		return nil
	case "NBR", "V3", "BS", "BASE", "XT", "SMS", "V5", "I1":
		m.Type = protocols.MsgOther // cells, command answers: no position
		return nil
	case "VP1":
		return s.decodeVP1(f, m)
	case "V4":
		i := v4TimeIndex(f)
		if i < 0 {
			m.Type = protocols.MsgOther // a command answer without a position
			return nil
		}
		return s.decodeFields(f, i+1, f[i], m)
	}
	if len(typ) == 0 || (typ[0] != 'V' && typ[0] != 'v') {
		m.Type = protocols.MsgOther
		return nil
	}
	if len(f) < 4 {
		return fmt.Errorf("h02: %s message of %d fields: %w", typ, len(f), protocols.ErrTruncated)
	}
	return s.decodeFields(f, 4, f[3], m)
}

// textIdentity takes the id field; an empty id falls back to the id seen
// earlier on the connection.
func (s *Session) textIdentity(f [][]byte, m *protocols.Message) error {
	if len(f) >= 2 && len(f[1]) > 0 {
		if len(f[1]) > 20 {
			return fmt.Errorf("h02: device id of %d bytes: %w", len(f[1]), protocols.ErrMalformed)
		}
		s.setIdentity(m, f[1])
		return nil
	}
	if s.identity == "" {
		return fmt.Errorf("h02: message without device id: %w", protocols.ErrNoIdentity)
	}
	m.Identity = s.identity
	return nil
}

// v4TimeIndex finds the time field of a V4 command answer, whose answer
// fields vary: it is the field before the first validity flag.
func v4TimeIndex(f [][]byte) int {
	for i := 4; i+1 < len(f); i++ {
		v := f[i+1]
		if len(f[i]) == 6 && len(v) == 1 && (v[0] == 'A' || v[0] == 'V' || v[0] == 'B') {
			return i
		}
	}
	return -1
}

// decodeFields decodes validity, latitude, N/S, longitude, E/W, speed
// (knots), course, date (DDMMYY) and the status word, the validity flag
// being field v, with hms as the time of day. A message without
// coordinates decodes to no fix.
func (s *Session) decodeFields(f [][]byte, v int, hms []byte, m *protocols.Message) error {
	m.Type = protocols.MsgData
	t := v - 1 // the field offsets below count from the time field
	if len(f) < t+9 {
		return fmt.Errorf("h02: %d fields: %w", len(f), protocols.ErrTruncated)
	}
	lat, ok1 := parseCoordinate(f[t+2])
	lon, ok2 := parseCoordinate(f[t+4])
	if !ok1 || !ok2 || lat > 90 || lon > 180 {
		if len(f[t+2]) == 0 || len(f[t+4]) == 0 {
			return nil // no position in this report
		}
		return fmt.Errorf("h02: coordinates %q %q: %w", f[t+2], f[t+4], protocols.ErrMalformed)
	}
	when, hasTime, err := s.textTime(hms, f[t+8])
	if err != nil || when.IsZero() {
		return err // date 000000: the device has no fix yet
	}
	fx := m.NextFix()
	fx.Protocol = Name
	fx.Time = when
	fx.Lat, fx.Lon = hemisphere(lat, f[t+3], 'S'), hemisphere(lon, f[t+5], 'W')
	fx.Valid = hasTime && validFlag(f[t+1])
	if v, ok := wire.ParseDecimal(f[t+6]); ok && v >= 0 {
		fx.Speed = v * knotsToKmh
	}
	if v, ok := wire.ParseDecimal(f[t+7]); ok && v >= 0 {
		fx.Course = v
	}
	if len(f) > t+9 {
		if st, ok := parseHex(f[t+9]); ok && len(f[t+9]) == 8 {
			setStatus(fx, uint32(st))
		}
	}
	return nil
}

// validFlag: A (or B, or a numeric coding scheme) is a fix, V is not.
func validFlag(b []byte) bool {
	if len(b) == 0 {
		return false
	}
	return b[0] == 'A' || b[0] == 'B' || (b[0] >= '0' && b[0] <= '9')
}

func hemisphere(v float64, h []byte, neg byte) float64 {
	if len(h) == 1 && h[0] == neg {
		return -v
	}
	return v
}

// textTime combines hhmmss and DDMMYY. It reports hasTime false, with the
// server clock, when both are empty.
func (s *Session) textTime(hms, dmy []byte) (time.Time, bool, error) {
	if len(dmy) == 0 && len(hms) == 0 {
		return s.now().UTC().Truncate(time.Second), false, nil
	}
	if len(dmy) != 6 || (len(hms) != 6 && len(hms) != 0) {
		err := fmt.Errorf("h02: time %q date %q: %w", hms, dmy, protocols.ErrMalformed)
		return time.Time{}, false, err
	}
	var c [6]int
	for i := range 3 {
		v, ok := twoDigits(dmy, i*2)
		if !ok {
			return time.Time{}, false, fmt.Errorf("h02: date %q: %w", dmy, protocols.ErrMalformed)
		}
		c[i] = v
		if len(hms) == 6 {
			if c[3+i], ok = twoDigits(hms, i*2); !ok {
				err := fmt.Errorf("h02: time %q: %w", hms, protocols.ErrMalformed)
				return time.Time{}, false, err
			}
		}
	}
	if c[0] == 0 {
		return time.Time{}, false, nil // 000000: no date, no fix
	}
	return s.date(c[2], c[1], c[0], c[3], c[4], c[5])
}

// date builds a UTC time from device-local fields, checking ranges.
func (s *Session) date(yy, mo, dd, hh, mi, ss int) (time.Time, bool, error) {
	if mo < 1 || mo > 12 || dd < 1 || dd > 31 || hh > 23 || mi > 59 || ss > 59 {
		err := fmt.Errorf("h02: date %02d%02d%02d %02d%02d%02d out of range: %w",
			dd, mo, yy, hh, mi, ss, protocols.ErrMalformed)
		return time.Time{}, false, err
	}
	t := time.Date(2000+yy, time.Month(mo), dd, hh, mi, ss, 0, s.loc)
	return t.UTC(), true, nil
}

// decodeVP1 decodes *hq,<imei>,VP1,A,lat,N,lon,E,speed,course,DDMMYY: a
// position with a date only (the time of day is taken as 00:00:00). The
// V form carries cells, not a position.
func (s *Session) decodeVP1(f [][]byte, m *protocols.Message) error {
	if len(f) < 11 || string(f[3]) == "V" {
		m.Type = protocols.MsgOther
		return nil
	}
	return s.decodeFields(f, 3, midnight, m)
}
