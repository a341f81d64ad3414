package galileosky

import (
	"bytes"
	"encoding/hex"
	"errors"
	"sort"
	"strings"
	"testing"

	"dozor/protocols"
	"dozor/protocols/internal/corpus"
)

// deviations lists corpus entries where this decoder follows the
// specification rather than what the source test asserted.
var deviations = map[string]string{
	// Command replies (tags 0xE0/0xE1) carry no time and no coordinates.
	// Traccar invents a position from the last known location; a decoder
	// cannot, so the reply is a MsgOther message with no fix, and it is
	// still confirmed.
	"galileosky-S-0003": "command reply has no position",
	"galileosky-S-0004": "command reply has no position",
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

// decodeAll cuts data with Split and decodes every frame into m.
func decodeAll(s *Session, data []byte, m *protocols.Message) error {
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
			if why, ok := deviations[e.ID]; ok {
				if len(m.Fixes) != 0 || m.Type != protocols.MsgOther {
					t.Fatalf("%s: got %d fixes, type %v", why, len(m.Fixes), m.Type)
				}
				if _, ok := derivedAck(e); ok && len(s.AppendReply(nil, &m, protocols.Accepted, nil)) != 3 {
					t.Fatal("command reply must be confirmed")
				}
				return
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
		if e.WantsPosition() && !f.Plausible() {
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
			var m protocols.Message
			if err := newSession().Decode(frame, &m); err != nil {
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
		msg := e.Payload()
		t.Run(e.ID, func(t *testing.T) {
			want := [][]byte{msg}
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
	good, _ := hex.DecodeString("011380033836383230343030313534393038370432008590")
	cases := []struct {
		name  string
		frame []byte
		want  error
	}{
		{"bad crc", flip(good, len(good)-1), protocols.ErrChecksum},
		{"unknown tag", withCRC([]byte{0x01, 0x02, 0x00, 0x21, 0x00}), protocols.ErrUnsupported},
		{"truncated tag", withCRC([]byte{0x01, 0x02, 0x00, 0x20, 0x00}), protocols.ErrTruncated},
		{"data before imei", withCRC([]byte{0x01, 0x05, 0x00, 0x20, 1, 2, 3, 4}),
			protocols.ErrNoIdentity},
		{"compressed", withCRC([]byte{0x08, 0x01, 0x00, 0x00}), protocols.ErrUnsupported},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var m protocols.Message
			err := newSession().Decode(c.frame, &m)
			if !errors.Is(err, c.want) {
				t.Fatalf("err %v, want %v", err, c.want)
			}
			if c.name == "unknown tag" && !strings.Contains(err.Error(), "0x21") {
				t.Fatalf("error does not name the tag: %v", err)
			}
		})
	}
	t.Run("lenient crc", func(t *testing.T) {
		s := NewSession(protocols.TCP, protocols.Options{LenientChecksum: true})
		var m protocols.Message
		if err := s.Decode(flip(good, len(good)-1), &m); err != nil {
			t.Fatal(err)
		}
	})
	t.Run("too large", func(t *testing.T) {
		adv, _, err := newSession().Split([]byte{0x01, 0xff, 0x7f, 0, 0, 0})
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

func flip(b []byte, i int) []byte {
	c := bytes.Clone(b)
	c[i] ^= 0xff
	return c
}

func withCRC(b []byte) []byte {
	crc := crcOf(b)
	return append(bytes.Clone(b), byte(crc), byte(crc>>8))
}
