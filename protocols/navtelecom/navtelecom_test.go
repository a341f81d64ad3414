package navtelecom

import (
	"bytes"
	"encoding/hex"
	"errors"
	"sort"
	"testing"

	"dozor/protocols"
	"dozor/protocols/internal/corpus"
	"dozor/protocols/wire"
)

// deviations lists corpus entries where this decoder follows the protocol
// rather than what the source test asserted.
var deviations = map[string]string{
	// *@C is the device's answer to a server command ("*@CNCT_DRC OK"). It
	// has no time and no position; Traccar attaches it to a position built
	// from the last known location. Here it is a MsgOther with no fix.
	"navtelecom-S-0015": "command answer has no position",
}

func load(t testing.TB) []corpus.Entry {
	t.Helper()
	entries, err := corpus.Load("testdata/corpus.jsonl")
	if err != nil {
		t.Fatal(err)
	}
	sort.SliceStable(entries, func(i, j int) bool {
		a, b := entries[i], entries[j]
		if a.Source != b.Source {
			return a.Source < b.Source
		}
		return a.Seq < b.Seq
	})
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

// prime replays the earlier messages of the entry's test, then its prelude.
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

func TestCorpus(t *testing.T) {
	entries := load(t)
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
				return
			}
			for _, bad := range e.CheckFixes(m.Fixes) {
				t.Error(bad)
			}
			if e.Expect.Result == "none" && len(m.Fixes) != 0 {
				t.Errorf("got %d fixes, want none", len(m.Fixes))
			}
			for i := range m.Fixes {
				if f := &m.Fixes[i]; f.Protocol != Name || !f.Plausible() {
					t.Errorf("fix %d: protocol %q at %v,%v %v", i, f.Protocol, f.Lat, f.Lon, f.Time)
				}
			}
			if r := s.AppendReply(nil, &m, protocols.Accepted, nil); m.Type != protocols.MsgHeartbeat &&
				m.Type != protocols.MsgOther && len(r) == 0 {
				t.Errorf("no reply for a %v message", m.Type)
			}
		})
	}
}

// TestFrameEntries cuts the corpus frame entries with a session that has
// seen the entry's prelude (FLEX frames need the negotiated layout).
func TestFrameEntries(t *testing.T) {
	negotiation30 := mustHex("404e544301000000000000002a005e6c2a3e464c4558b01e1efffffe300a08080ff" +
		"ffe08000000580028002bc0000000000000b4000000000000")
	for _, e := range load(t) {
		if e.Kind != "frame" {
			continue
		}
		t.Run(e.ID, func(t *testing.T) {
			s := newSession()
			var m protocols.Message
			_ = decodeAll(s, mustHex("404e5443010000000000000013004e452a3e533a383636373935303331343130363839"), &m)
			if e.Payload()[0] == '~' {
				if err := decodeAll(s, negotiation30, &m); err != nil {
					t.Fatal(err)
				}
			}
			adv, frame, err := s.Split(e.Payload())
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
			m.Reset()
			if err := s.Decode(frame, &m); err != nil {
				t.Fatalf("decode: %v", err)
			}
		})
	}
}

// TestSplitBoundaries feeds every captured message one byte at a time, two
// at once, and split at every byte position, after its prelude.
func TestSplitBoundaries(t *testing.T) {
	entries := load(t)
	for _, e := range entries {
		if e.Kind == "frame" || e.Negative() {
			continue
		}
		msg := e.Payload()
		t.Run(e.ID, func(t *testing.T) {
			fresh := func() *Session {
				s := newSession()
				prime(s, entries, e)
				return s
			}
			check := func(name string, stream []byte, n int, chunks ...int) {
				got, err := corpus.Frames(fresh(), stream, chunks...)
				if err != nil {
					t.Fatalf("%s: %v", name, err)
				}
				if len(got) != n {
					t.Fatalf("%s: %d frames, want %d", name, len(got), n)
				}
				for _, f := range got {
					if !bytes.Equal(f, msg) {
						t.Fatalf("%s: frame %x", name, f)
					}
				}
			}
			check("bytewise", msg, 1, 1)
			check("two", append(bytes.Clone(msg), msg...), 2)
			for i := 1; i < len(msg); i++ {
				check("split", msg, 1, i, len(msg))
			}
		})
	}
}

func TestReplies(t *testing.T) {
	handshake := mustHex("404e5443010000007b000000130044342a3e533a383631373835303035323035303739")
	flex20 := mustHex("404e544301000000a9eef6021a003f8e2a3e464c4558b014147afffff008080800000e00000000000000")
	s := newSession()
	var m protocols.Message
	if err := decodeAll(s, handshake, &m); err != nil {
		t.Fatal(err)
	}
	if m.Type != protocols.MsgLogin || m.Identity != "861785005205079" {
		t.Fatalf("login %v %q", m.Type, m.Identity)
	}
	want := ntcb(0x7b, 1, "*<S")
	if got := s.AppendReply(nil, &m, protocols.Accepted, nil); !bytes.Equal(got, want) {
		t.Fatalf("handshake reply %x, want %x", got, want)
	}
	if got := s.AppendReply(nil, &m, protocols.Refused, nil); len(got) != 0 {
		t.Fatalf("refused handshake reply %x", got)
	}
	if err := decodeAll(s, flex20, &m); err != nil {
		t.Fatal(err)
	}
	want = ntcb(0x02f6eea9, 1, "*<FLEX\xb0\x14\x14")
	if got := s.AppendReply(nil, &m, protocols.Accepted, nil); !bytes.Equal(got, want) {
		t.Fatalf("FLEX reply %x, want %x", got, want)
	}
	flexT := mustHex("7e5401000000") // ~T index 1, record follows
	_ = flexT
	cases := []struct {
		name string
		m    protocols.Message
		want []byte
	}{
		{"~A", protocols.Message{Reply: protocols.Reply{Aux: uint64(KindFlexA), N: 4}}, crc8("~A\x04")},
		{"~T", protocols.Message{Reply: protocols.Reply{Aux: uint64(KindFlexT), ID: 0x0102}},
			crc8("~T\x02\x01\x00\x00")},
		{"~C", protocols.Message{Reply: protocols.Reply{Aux: uint64(KindFlexC)}}, crc8("~C")},
		{"*<A", protocols.Message{Reply: protocols.Reply{Aux: uint64(KindNtcbA), N: 3}},
			ntcb(0x02f6eea9, 1, "*<A\x03")},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if got := s.AppendReply(nil, &c.m, protocols.Accepted, nil); !bytes.Equal(got, c.want) {
				t.Fatalf("reply %x, want %x", got, c.want)
			}
		})
	}
}

// ntcb builds an NTCB frame by the rules of the protocol: receiver,
// sender, length, XOR of the data, XOR of the first 15 header bytes.
func ntcb(receiver, sender uint32, data string) []byte {
	h := []byte("@NTC")
	h = append(h, byte(receiver), byte(receiver>>8), byte(receiver>>16), byte(receiver>>24))
	h = append(h, byte(sender), byte(sender>>8), byte(sender>>16), byte(sender>>24))
	h = append(h, byte(len(data)), byte(len(data)>>8))
	var x byte
	for i := 0; i < len(data); i++ {
		x ^= data[i]
	}
	h = append(h, x)
	var hx byte
	for _, c := range h {
		hx ^= c
	}
	return append(append(h, hx), data...)
}

func crc8(s string) []byte { return append([]byte(s), wire.CRC8EGTS([]byte(s))) }

func TestRefusals(t *testing.T) {
	handshake := mustHex("404e5443010000007b000000130044342a3e533a383631373835303035323035303739")
	cases := []struct {
		name  string
		login bool
		frame []byte
		want  error
	}{
		{"data xor", false, flip(handshake, len(handshake)-1), protocols.ErrChecksum},
		{"T before handshake", false, ntcb(1, 2, "*>T\x02\x01\x00\x00\x00"), protocols.ErrNoIdentity},
		{"unknown NTCB type", true, ntcb(1, 2, "*>Q"), protocols.ErrUnsupported},
		{"unknown format", true, ntcb(1, 2, "*>T\x09\x01\x00\x00\x00"), protocols.ErrUnsupported},
		{"short record", true, ntcb(1, 2, "*>T\x02\x01\x00\x00\x00"), protocols.ErrTruncated},
		{"flex 4.0", true, ntcb(1, 2, "*>FLEX\xb0\x28\x28\x08\xff"), protocols.ErrUnsupported},
		{"flex too many bits", true, ntcb(1, 2, "*>FLEX\xb0\x0a\x0a\x50"+string(make([]byte, 10))),
			protocols.ErrTooLarge},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			s := newSession()
			var m protocols.Message
			if c.login {
				if err := decodeAll(s, handshake, &m); err != nil {
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
	t.Run("header xor", func(t *testing.T) {
		adv, _, err := newSession().Split(flip(handshake, 15))
		if adv != 1 || !errors.Is(err, protocols.ErrChecksum) {
			t.Fatalf("adv %d err %v", adv, err)
		}
		var m protocols.Message
		if err := newSession().Decode(flip(handshake, 15), &m); !errors.Is(err, protocols.ErrChecksum) {
			t.Fatalf("decode err %v", err)
		}
	})
	t.Run("flex before negotiation", func(t *testing.T) {
		adv, _, err := newSession().Split([]byte("~A\x01"))
		if adv != 0 || err == nil {
			t.Fatalf("adv %d err %v", adv, err)
		}
	})
	t.Run("flex crc", func(t *testing.T) {
		s := newSession()
		var m protocols.Message
		_ = decodeAll(s, handshake, &m)
		_ = decodeAll(s, ntcb(1, 2, "*>FLEX\xb0\x0a\x0a\x08\x80"), &m) // index only
		frame := crc8("~T\x01\x00\x00\x00\x07\x00\x00\x00")
		frame[len(frame)-1] ^= 1
		if err := decodeAll(s, frame, &m); !errors.Is(err, protocols.ErrChecksum) {
			t.Fatalf("err %v", err)
		}
	})
	t.Run("too large", func(t *testing.T) {
		s := NewSession(protocols.TCP, protocols.Options{MaxFrame: 64})
		hdr := []byte("@NTC\x01\x00\x00\x00\x02\x00\x00\x00\xff\x00\x00")
		adv, _, err := s.Split(append(hdr, xor(hdr)))
		if adv != 0 || !errors.Is(err, protocols.ErrTooLarge) {
			t.Fatalf("adv %d err %v", adv, err)
		}
	})
}

func flip(b []byte, i int) []byte {
	c := bytes.Clone(b)
	c[i] ^= 0xff
	return c
}

func mustHex(h string) []byte {
	b, err := hex.DecodeString(h)
	if err != nil {
		panic(err)
	}
	return b
}
