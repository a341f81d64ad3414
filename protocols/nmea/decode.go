package nmea

import (
	"bytes"
	"fmt"
	"time"

	"dozor/protocols"
	"dozor/protocols/wire"
)

const knotsToKmh = 1.852

// Reply.N values.
const (
	replyNone  = 0
	replyLogin = 1 // GpsGate $FRLIN: $FRSES or $FRERR
)

// Decode decodes one line into m: an identity announcement (m.Identity
// set), a position (one fix), a GpsGate login (m.Type MsgLogin) or another
// sentence (MsgOther). The checksum is checked when the line has one.
func (s *Session) Decode(frame []byte, m *protocols.Message) error {
	line := bytes.TrimSpace(frame)
	if len(line) == 0 {
		return fmt.Errorf("nmea: empty line: %w", protocols.ErrTruncated)
	}
	m.Type = protocols.MsgOther
	i := bytes.IndexByte(line, '$')
	if i < 0 {
		return s.decodePlain(line, m)
	}
	if i > 0 {
		id := prefixID(line[:i])
		if id == nil {
			err := fmt.Errorf("nmea: %q before '$': %w", line[:i], protocols.ErrMalformed)
			return protocols.At(0, err)
		}
		s.setIdentity(m, id)
		line = line[i:]
	}
	if bytes.HasPrefix(line, []byte("$FRLIN,")) {
		m.Reply.N = replyLogin
	}
	body, err := s.checksum(line)
	if err != nil {
		return protocols.At(i, err)
	}
	f := wire.SplitFields(s.fields, body)
	s.fields = f
	if err := s.decodeSentence(f, m); err != nil {
		return fmt.Errorf("nmea: %s: %w", f[0], err)
	}
	return nil
}

// checksum verifies the optional *hh suffix and returns the sentence body
// between '$' and '*'. Spaces before '*' are not part of the body (one
// firmware writes "A * 72").
func (s *Session) checksum(line []byte) ([]byte, error) {
	star := bytes.LastIndexByte(line, '*')
	if star < 0 {
		return line[1:], nil
	}
	body := bytes.TrimRight(line[1:star], " ")
	given := bytes.TrimSpace(line[star+1:])
	want := byte(0)
	for _, c := range body {
		want ^= c
	}
	got, ok := hexByte(given)
	if !ok {
		if s.opt.AcceptBad() {
			return body, nil
		}
		return nil, fmt.Errorf("nmea: checksum field %q: %w", given, protocols.ErrChecksum)
	}
	if got != want && !s.opt.AcceptBad() {
		return nil, fmt.Errorf("nmea: checksum %02X, computed %02X: %w",
			got, want, protocols.ErrChecksum)
	}
	return body, nil
}

func hexByte(b []byte) (byte, bool) {
	if len(b) != 2 {
		return 0, false
	}
	var v byte
	for _, c := range b {
		switch {
		case c >= '0' && c <= '9':
			v = v<<4 | (c - '0')
		case c >= 'A' && c <= 'F':
			v = v<<4 | (c - 'A' + 10)
		case c >= 'a' && c <= 'f':
			v = v<<4 | (c - 'a' + 10)
		default:
			return 0, false
		}
	}
	return v, true
}

// prefixID extracts the id glued before a sentence: "<id>", "<id>," or
// "4711/<id>/".
func prefixID(p []byte) []byte {
	if parts := bytes.Split(p, []byte("/")); len(parts) == 3 && len(parts[2]) == 0 {
		p = parts[1]
	}
	p = bytes.TrimSuffix(p, []byte(","))
	if !isID(p) {
		return nil
	}
	return p
}

// isID reports whether b looks like a device id: 6 to 20 letters and
// digits.
func isID(b []byte) bool {
	if len(b) < 6 || len(b) > 20 {
		return false
	}
	for _, c := range b {
		if !(c >= '0' && c <= '9' || c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z') {
			return false
		}
	}
	return true
}

// decodePlain handles lines without '$': "IMEI <id>", a bare id, and the
// QZE report.
func (s *Session) decodePlain(line []byte, m *protocols.Message) error {
	switch {
	case bytes.HasPrefix(line, []byte("IMEI ")) && isID(line[5:]):
		s.announce(m, line[5:])
	case isID(line):
		s.announce(m, line)
	case bytes.HasPrefix(line, []byte("QZE,")):
		return s.decodeQZE(wire.SplitFields(s.fields, line), m)
	default:
		err := fmt.Errorf("nmea: line %.20q is no sentence: %w", line, protocols.ErrMalformed)
		return protocols.At(0, err)
	}
	return nil
}

// decodeSentence dispatches on the sentence name (f[0]).
func (s *Session) decodeSentence(f [][]byte, m *protocols.Message) error {
	name := f[0]
	switch {
	case bytes.HasPrefix(name, []byte("IMEI=")):
		return s.identityField(name[5:], m)
	case len(f) < 2:
		return nil // a bare sentence name: nothing to take
	case is(name, "PGID"), is(name, "PSIWMDID"), is(name, "CONNECT"), is(name, "PCPTI"):
		return s.identityField(bytes.TrimSpace(f[1]), m)
	case is(name, "DEVID"):
		return s.identityField(bytes.TrimPrefix(f[1], []byte("0x")), m)
	case len(name) == 5 && is(name[2:], "FID"):
		return s.identityField(bytes.TrimPrefix(f[1], []byte("ID")), m)
	case is(name, "FRLIN"):
		return s.decodeLogin(f, m)
	case is(name, "FRCMD"):
		return s.decodeFRCMD(f, m)
	case is(name, "PUBX"):
		return s.position(m, s.pubx(f, m.NextFix()))
	case is(name, "TRCCR"):
		return s.position(m, trccr(f, m.NextFix()))
	case len(name) == 5 && is(name[2:], "RMC"):
		return s.position(m, s.rmc(f, m.NextFix()))
	case len(name) == 5 && is(name[2:], "GGA"):
		return s.position(m, s.gga(f, m.NextFix()))
	case len(name) == 5 && is(name[2:], "GLL"):
		return s.position(m, s.gll(f, m.NextFix()))
	}
	return nil // GSA, GSV, VTG, TXT and vendor sentences: nothing to store
}

func is(b []byte, s string) bool { return string(b) == s }

// identityField takes id as the device identity, announced by a message
// of its own (MsgLogin, or MsgData when it releases a held position).
func (s *Session) identityField(id []byte, m *protocols.Message) error {
	if len(id) == 0 || len(id) > 32 {
		return fmt.Errorf("device id of %d bytes: %w", len(id), protocols.ErrMalformed)
	}
	s.announce(m, id)
	return nil
}

func (s *Session) announce(m *protocols.Message, id []byte) {
	s.setIdentity(m, id)
	if m.Type != protocols.MsgData {
		m.Type = protocols.MsgLogin
	}
}

// decodeLogin handles $FRLIN,<type>,<user>,<password>: the user (an IMEI
// when type is IMEI) is the identity.
func (s *Session) decodeLogin(f [][]byte, m *protocols.Message) error {
	m.Type = protocols.MsgLogin
	if len(f) < 3 || len(f[2]) == 0 {
		return fmt.Errorf("login without user: %w", protocols.ErrMalformed)
	}
	if err := s.identityField(f[2], m); err != nil {
		return err
	}
	m.Type = protocols.MsgLogin
	return nil
}

// position finishes a position sentence: err from the sentence decoder
// (nil, or errNoFix when it held no position) decides whether the fix
// NextFix added stays. Before any identity the fix is held by the session.
func (s *Session) position(m *protocols.Message, err error) error {
	if err != nil {
		m.Fixes = m.Fixes[:len(m.Fixes)-1]
		if err == errNoFix {
			m.Type = protocols.MsgData
			return nil
		}
		return err
	}
	m.Type = protocols.MsgData
	if s.identity == "" {
		f := &m.Fixes[len(m.Fixes)-1]
		f.CopyTo(&s.held)
		s.hasHeld = true
		m.Fixes = m.Fixes[:len(m.Fixes)-1]
		m.Type = protocols.MsgOther
	}
	return nil
}

// errNoFix reports a well-formed sentence without a position.
var errNoFix = fmt.Errorf("no position")

// fill sets the coordinates of fx from value/hemisphere field pairs.
func fill(fx *protocols.Fix, lat, ns, lon, ew []byte) error {
	if len(lat) == 0 || len(lon) == 0 {
		return errNoFix
	}
	var ok1, ok2 bool
	fx.Lat, ok1 = coordinate(lat, ns, 'S', 90)
	fx.Lon, ok2 = coordinate(lon, ew, 'W', 180)
	if !ok1 || !ok2 {
		return fmt.Errorf("coordinates %q,%q %q,%q: %w", lat, ns, lon, ew, protocols.ErrMalformed)
	}
	fx.Protocol = Name
	return nil
}

// timeOfDay places hhmmss on the day nearest the last RMC (or now).
func (s *Session) timeOfDay(b []byte) (time.Time, error) {
	tod, ok := clock(b)
	if !ok {
		return time.Time{}, fmt.Errorf("time %q: %w", b, protocols.ErrMalformed)
	}
	ref := s.lastRMC
	if ref.IsZero() {
		ref = s.now()
	}
	return nearestDay(ref, tod), nil
}
