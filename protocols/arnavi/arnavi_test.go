package arnavi

import (
	"bytes"
	"encoding/hex"
	"errors"
	"sort"
	"strings"
	"testing"
	"time"

	"dozor/protocols"
	"dozor/protocols/internal/corpus"
)

// deviations lists corpus entries where this decoder follows the
// specification rather than what the source test asserted.
var deviations = map[string]string{
	// Both samples carry device id 999999, an anonymised copy of a real
	// line whose *hh checksum was not recomputed (the other five $AV
	// samples match the NMEA XOR). Strict decoding refuses them; with
	// LenientChecksum they decode to the asserted position.
	"arnavi-S-0012": "stale checksum in an anonymised sample",
	"arnavi-S-0018": "stale checksum in an anonymised sample",
	// A second FF 23 header in the same test whose 8 "IMEI" bytes are a
	// 2026 Unix time and four more bytes: as a uint64 it is a 20-digit
	// number, not an IMEI. Traccar takes any number; this decoder refuses
	// the header (malformed) rather than log in a device that does not exist.
	"arnavi-S-0007": "header IMEI out of range",
}

func load(t testing.TB) []corpus.Entry {
	t.Helper()
	entries, err := corpus.Load("testdata/corpus.jsonl")
	if err != nil {
		t.Fatal(err)
	}
	return entries
}

func newSession() *Session {
	return NewSession(protocols.TCP, protocols.Options{}).(*Session)
}

// onWire restores the CR LF the corpus strips from text lines.
func onWire(p []byte) []byte {
	if len(p) > 0 && p[0] == '$' && !bytes.HasSuffix(p, []byte("\n")) {
		return append(bytes.Clone(p), '\r', '\n')
	}
	return p
}

// decodeAll cuts data with Split and decodes every frame into m.
func decodeAll(s *Session, data []byte, m *protocols.Message) error {
	data = onWire(data)
	m.Reset()
	for len(data) > 0 {
		adv, frame, err := s.Split(data)
		if err != nil {
			return err
		}
		if adv == 0 {
			return protocols.ErrTruncated
		}
		if err := s.Decode(frame, m); err != nil {
			return err
		}
		data = data[adv:]
	}
	return nil
}

// prime replays the earlier messages of the entry's test and its prelude.
func prime(s *Session, all []corpus.Entry, e corpus.Entry) {
	var m protocols.Message
	for _, p := range all {
		if p.Source == e.Source && p.Test == e.Test && p.Seq < e.Seq && p.Kind == "decode" {
			_ = decodeAll(s, p.Payload(), &m)
		}
	}
	for _, p := range e.Prelude {
		_ = decodeAll(s, p.Bytes(), &m)
	}
}

func sortedEntries(t testing.TB) []corpus.Entry {
	entries := load(t)
	sort.SliceStable(entries, func(i, j int) bool {
		a, b := entries[i], entries[j]
		if a.Source != b.Source {
			return a.Source < b.Source
		}
		return a.Seq < b.Seq
	})
	return entries
}

func TestCorpus(t *testing.T) {
	entries := sortedEntries(t)
	for _, e := range entries {
		if e.Kind == "frame" {
			continue
		}
		t.Run(e.ID, func(t *testing.T) {
			s := newSession()
			prime(s, entries, e)
			var m protocols.Message
			err := decodeAll(s, e.Payload(), &m)
			if e.ID == "arnavi-S-0007" {
				if !errors.Is(err, protocols.ErrMalformed) {
					t.Fatalf("header IMEI out of range: got %v", err)
				}
				return
			}
			if why, ok := deviations[e.ID]; ok {
				if !errors.Is(err, protocols.ErrChecksum) {
					t.Fatalf("%s: strict decode gave %v", why, err)
				}
				s.opts.LenientChecksum = true
				err = decodeAll(s, e.Payload(), &m)
			}
			switch {
			case e.Negative():
				if err == nil {
					t.Fatal("decoded a message that must be refused")
				}
				if r := s.AppendReply(nil, &m, protocols.Invalid, err); len(r) != 0 {
					t.Fatalf("reply %x to a refused message", r)
				}
				return
			case err != nil:
				t.Fatalf("decode: %v", err)
			}
			checkEntry(t, s, e, &m)
		})
	}
}

func checkEntry(t *testing.T, s *Session, e corpus.Entry, m *protocols.Message) {
	t.Helper()
	for _, bad := range e.CheckFixes(m.Fixes) {
		t.Error(bad)
	}
	if e.Expect.Result == "none" && len(m.Fixes) != 0 {
		t.Errorf("got %d fixes, want none", len(m.Fixes))
	}
	for i := range m.Fixes {
		f := &m.Fixes[i]
		if f.Protocol != Name || f.Time.IsZero() {
			t.Errorf("fix %d: protocol %q time %v", i, f.Protocol, f.Time)
		}
		if e.Expect.Raw["location_checked"] == true && !f.Plausible() {
			t.Errorf("fix %d: implausible %v,%v", i, f.Lat, f.Lon)
		}
	}
	if want, ok := derivedAck(e); ok {
		got := hex.EncodeToString(s.AppendReply(nil, m, protocols.Accepted, nil))
		if got != want {
			t.Errorf("ack %s, want %s", got, want)
		}
	}
}

// derivedAck returns the ACK the corpus builder derived from the vendor spec.
func derivedAck(e corpus.Entry) (string, bool) {
	if e.Expect.AckHex != nil {
		return *e.Expect.AckHex, true
	}
	if i := bytes.Index(e.Derived, []byte(`"ack_hex": "`)); i >= 0 {
		rest := string(e.Derived[i+len(`"ack_hex": "`):])
		return rest[:strings.IndexByte(rest, '"')], true
	}
	return "", false
}

func TestFrameEntries(t *testing.T) {
	for _, e := range load(t) {
		if e.Kind != "frame" {
			continue
		}
		t.Run(e.ID, func(t *testing.T) {
			adv, frame, err := newSession().Split(e.Payload())
			if err != nil {
				t.Fatal(err)
			}
			if e.Expect.FrameHex == nil {
				if adv != 0 {
					t.Fatalf("cut %x from an incomplete stream", frame)
				}
				return
			}
			if got := hex.EncodeToString(frame); got != *e.Expect.FrameHex {
				t.Fatalf("frame %s\nwant  %s", got, *e.Expect.FrameHex)
			}
			s := newSession()
			var m protocols.Message
			_ = s.Decode(mustHex("ff22f30c45f5c90f0300"), &m)
			m.Reset()
			if err := s.Decode(frame, &m); err != nil {
				t.Fatalf("decode: %v", err)
			}
		})
	}
}

// TestSplitBoundaries feeds every whole captured message one byte at a time,
// two at once, and split at every byte position.
func TestSplitBoundaries(t *testing.T) {
	for _, e := range load(t) {
		if e.Kind == "frame" || e.Negative() {
			continue
		}
		msg := onWire(e.Payload())
		t.Run(e.ID, func(t *testing.T) {
			want := [][]byte{bytes.TrimRight(msg, "\r\n")}
			check := func(name string, stream []byte, n int, chunks ...int) {
				got, err := corpus.Frames(newSession(), stream, chunks...)
				if err != nil {
					t.Fatalf("%s: %v", name, err)
				}
				if len(got) != n {
					t.Fatalf("%s: %d frames, want %d", name, len(got), n)
				}
				for _, f := range got {
					if !bytes.Equal(f, want[0]) {
						t.Fatalf("%s: frame %x", name, f)
					}
				}
			}
			check("bytewise", msg, 1, 1)
			check("two", append(append([]byte{}, msg...), msg...), 2)
			for i := 1; i < len(msg); i++ {
				check("split", msg, 1, i, len(msg))
			}
		})
	}
}

func TestRefusals(t *testing.T) {
	header := mustHex("ff22f30c45f5c90f0300")
	pkg := mustHex("5b01012800a3175f5903513934420447221c42055402781e0900f0c5215b4e0084" +
		"005c00007c005d0000a300fa37010000295d")
	cases := []struct {
		name  string
		login bool
		frame []byte
		want  error
	}{
		{"package before header", false, pkg, protocols.ErrNoIdentity},
		{"bad header version", false, mustHex("ff30f30c45f5c90f0300"), protocols.ErrMalformed},
		{"zero imei", false, mustHex("ff220000000000000000"), protocols.ErrMalformed},
		{"unknown record type", true, mustHex("5b01090000a3175f59005d"), protocols.ErrUnsupported},
		{"partial tag", true, mustHex("5b01010300a3175f59030000005d"), protocols.ErrMalformed},
		{"record past end", true, mustHex("5b01012800a3175f595d"), protocols.ErrTruncated},
		{"text checksum", false, []byte("$AV,V6SD,85164,20708,-1,3,6,37,33,*53"), protocols.ErrChecksum},
		{"text no checksum", false, []byte("$AV,V6SD,85164,20708,-1,3,6,37,33,"), protocols.ErrMalformed},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			s := newSession()
			var m protocols.Message
			if c.login {
				if err := s.Decode(header, &m); err != nil {
					t.Fatal(err)
				}
			}
			m.Reset()
			err := s.Decode(c.frame, &m)
			if !errors.Is(err, c.want) {
				t.Fatalf("err %v, want %v", err, c.want)
			}
			if r := s.AppendReply(nil, &m, protocols.Invalid, err); len(r) != 0 {
				t.Fatalf("reply %x", r)
			}
		})
	}
	t.Run("too large", func(t *testing.T) {
		adv, _, err := newSession().Split(mustHex("5b0101ffff"))
		if adv != 0 || !errors.Is(err, protocols.ErrTooLarge) {
			t.Fatalf("adv %d err %v", adv, err)
		}
	})
	t.Run("garbage", func(t *testing.T) {
		adv, _, err := newSession().Split([]byte{0x55, 0x01, 0x02})
		if adv != 1 || err == nil {
			t.Fatalf("adv %d err %v", adv, err)
		}
	})
}

func TestReplies(t *testing.T) {
	clock := func() time.Time { return time.Unix(0x5f5e1234, 0) }
	cases := []struct {
		name   string
		frames []string
		want   string
	}{
		{"header v1", []string{"ff22f30c45f5c90f0300"}, "7b00007d"},
		{"header v2", []string{"ff23f30c45f5c90f0300"}, "7b04000334125e5f7d"},
		{"header v3", []string{"ff24f30c45f5c90f03000102030405060708"}, "7b04000334125e5f7d"},
		{"package", []string{"ff22f30c45f5c90f0300", "5b2a5d"}, "7b002a7d"},
		{"command result", []string{"ff22f30c45f5c90f0300", "5bfd005d"}, ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			s := newSession()
			s.Now = clock
			var m protocols.Message
			for _, h := range c.frames {
				m.Reset()
				if err := s.Decode(mustHex(h), &m); err != nil {
					t.Fatal(err)
				}
			}
			got := hex.EncodeToString(s.AppendReply(nil, &m, protocols.Accepted, nil))
			if got != c.want {
				t.Fatalf("reply %s, want %s", got, c.want)
			}
			if r := s.AppendReply(nil, &m, protocols.Refused, nil); len(r) != 0 {
				t.Fatalf("refused reply %x", r)
			}
		})
	}
}

// TestAttributes maps the attributes the corpus asserts (Traccar names and
// units) to ours.
func TestAttributes(t *testing.T) {
	s := newSession()
	var m protocols.Message
	for _, h := range []string{"ff23e9ef782de7120300"} {
		if err := decodeAll(s, mustHex(h), &m); err != nil {
			t.Fatal(err)
		}
	}
	var pkg []byte
	for _, e := range load(t) {
		if e.ID == "arnavi-S-0009" {
			pkg = e.Payload()
		}
	}
	if err := decodeAll(s, pkg, &m); err != nil {
		t.Fatal(err)
	}
	f := m.Fixes[0]
	want := map[string]float64{
		"rpm":                  974,            // rpm 974
		"engine_hours":         3430,           // hours 12348000000 ms
		protocols.AttrOdometer: 189213370 / 10, // odometer 189213370 is Traccar's m x10? see below
	}
	// Traccar: odometer = tag53 / 100 * 1000 (m); tag 53 is km x100, so
	// metres = tag x 10, which is 189213370 for this capture.
	want[protocols.AttrOdometer] = 189213370
	for k, v := range want {
		a, ok := f.Attrs.Get(k)
		if !ok || a.Float64() != v {
			t.Errorf("%s = %v (present %v), want %v", k, a.Float64(), ok, v)
		}
	}
}

func mustHex(h string) []byte {
	b, err := hex.DecodeString(h)
	if err != nil {
		panic(err)
	}
	return b
}
