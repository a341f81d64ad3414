package queclink

import (
	"bytes"
	"errors"
	"sort"
	"strings"
	"testing"

	"dozor/protocols"
	"dozor/protocols/internal/corpus"
)

// deviations lists corpus entries where this decoder follows the protocol
// (or its own documented scope) rather than what the source test asserted.
var deviations = map[string]error{
	// Binary @Track frames are framed by their length field but not decoded:
	// they are refused (not acknowledged) with ErrUnsupported.
	"queclink-S-0131": protocols.ErrUnsupported,
	"queclink-S-0132": protocols.ErrUnsupported,
	"queclink-S-0133": protocols.ErrUnsupported,
	"queclink-S-0134": protocols.ErrUnsupported,
	"queclink-S-0135": protocols.ErrUnsupported,
	// +ACK:GTJDC and +ACK:GTGEO acknowledge commands; they carry no
	// position, and Traccar fills one from the last known location. Here
	// they are MsgOther with no fix (nil: decoded, but no fix expected).
	"queclink-S-0124": nil,
	"queclink-S-0125": nil,
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

// onWire restores the '$' terminator some corpus samples lack.
func onWire(p []byte) []byte {
	if len(p) > 0 && p[0] == '+' && binaryLength(p) < 0 && !bytes.HasSuffix(p, []byte("$")) {
		return append(bytes.Clone(p), '$')
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
		if frame != nil {
			if err := s.Decode(frame, m); err != nil {
				return err
			}
		}
		data = data[adv:]
	}
	return nil
}

func TestCorpus(t *testing.T) {
	for _, e := range load(t) {
		if e.Kind == "frame" {
			continue
		}
		t.Run(e.ID, func(t *testing.T) {
			s := newSession()
			var m protocols.Message
			err := decodeAll(s, e.Payload(), &m)
			if want, ok := deviations[e.ID]; ok {
				checkDeviation(t, s, &m, err, want)
				return
			}
			switch {
			case e.Negative():
				if err == nil {
					t.Fatal("decoded a message that must be refused")
				}
				if r := s.AppendReply(nil, &m, protocols.Invalid, err); len(r) != 0 {
					t.Fatalf("reply %q to a refused message", r)
				}
				return
			case err != nil:
				t.Fatalf("decode: %v", err)
			}
			checkEntry(t, e, &m)
		})
	}
}

func checkDeviation(t *testing.T, s *Session, m *protocols.Message, err, want error) {
	t.Helper()
	if want != nil {
		if !errors.Is(err, want) {
			t.Fatalf("err %v, want %v", err, want)
		}
		if r := s.AppendReply(nil, m, protocols.Invalid, err); len(r) != 0 {
			t.Fatalf("reply %q", r)
		}
		return
	}
	if err != nil || len(m.Fixes) != 0 || m.Type != protocols.MsgOther {
		t.Fatalf("err %v, %d fixes, type %v", err, len(m.Fixes), m.Type)
	}
}

func checkEntry(t *testing.T, e corpus.Entry, m *protocols.Message) {
	t.Helper()
	for _, bad := range e.CheckFixes(m.Fixes) {
		t.Error(bad)
	}
	if e.Expect.Result == "none" && len(m.Fixes) != 0 {
		t.Errorf("got %d fixes, want none", len(m.Fixes))
	}
	if m.Identity == "" {
		t.Error("no identity")
	}
	for i := range m.Fixes {
		f := &m.Fixes[i]
		if f.Protocol != Name || f.Time.IsZero() {
			t.Errorf("fix %d: protocol %q time %v", i, f.Protocol, f.Time)
		}
		if _, ok := f.Attrs.Get(attrBuffered); ok != bytes.HasPrefix(e.Payload(), []byte("+BUFF")) {
			t.Errorf("fix %d: buffered attribute %v", i, ok)
		}
		if e.Expect.Raw["location_checked"] == true && f.Valid && !f.Plausible() {
			t.Errorf("fix %d: valid but implausible %v,%v", i, f.Lat, f.Lon)
		}
	}
}

func TestFrameEntries(t *testing.T) {
	for _, e := range load(t) {
		if e.Kind != "frame" {
			continue
		}
		t.Run(e.ID, func(t *testing.T) {
			s := newSession()
			adv, frame, err := s.Split(e.Payload())
			if err != nil {
				t.Fatal(err)
			}
			if e.Expect.FrameHex == nil {
				if adv != 0 {
					t.Fatalf("cut %q from an incomplete stream", frame)
				}
				return
			}
			if got := string(frame); got != string(mustHex(*e.Expect.FrameHex)) {
				t.Fatalf("frame %q\nwant  %q", got, mustHex(*e.Expect.FrameHex))
			}
			var m protocols.Message
			if err := s.Decode(frame, &m); err != nil {
				t.Fatalf("decode: %v", err)
			}
		})
	}
}

// TestSplitBoundaries feeds every message one byte at a time, two at once,
// and split at every byte position.
func TestSplitBoundaries(t *testing.T) {
	for _, e := range load(t) {
		if e.Kind == "frame" {
			continue
		}
		msg := onWire(e.Payload())
		want := bytes.TrimSuffix(msg, []byte("$"))
		t.Run(e.ID, func(t *testing.T) {
			check := func(name string, stream []byte, n int, chunks ...int) {
				got, err := corpus.Frames(newSession(), stream, chunks...)
				if err != nil {
					t.Fatalf("%s: %v", name, err)
				}
				if len(got) != n {
					t.Fatalf("%s: %d frames, want %d", name, len(got), n)
				}
				for _, f := range got {
					if !bytes.Equal(f, want) {
						t.Fatalf("%s: frame %q", name, f)
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
	cases := []struct {
		name, in, want string
	}{
		{"heartbeat", "+ACK:GTHBD,1A0401,135790246811220,,20100214093254,11F0$",
			"+SACK:GTHBD,1A0401,11F0$"},
		{"report", "+RESP:GTFRI,1A0401,860599000508846,,0,0,1,1,134.8,154,278.7,-76.671089," +
			"39.778885,20150623154301,0310,0260,043F,7761,,99,20150623154314,0F24$", "+SACK:0F24$"},
		{"buffered", "+BUFF:GTIGN,6E0202,868589060169789,ra79,379,1,0.0,105,532.2,-70.616413," +
			"-33.393457,20240610201712,0730,0001,333A,00CFA301,01,11,,0.0,20240610201713,3AE2$",
			"+SACK:3AE2$"},
		{"command ack", "+ACK:GTGEO,1A0102,135790246811220,,0,0008,20100310172830,11F0$", ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			s := newSession()
			var m protocols.Message
			if err := decodeAll(s, []byte(c.in), &m); err != nil {
				t.Fatal(err)
			}
			if got := string(s.AppendReply(nil, &m, protocols.Accepted, nil)); got != c.want {
				t.Fatalf("reply %q, want %q", got, c.want)
			}
			if got := s.AppendReply(nil, &m, protocols.Refused, nil); len(got) != 0 {
				t.Fatalf("refused reply %q", got)
			}
		})
	}
}

func TestMultiplePositions(t *testing.T) {
	in := "+RESP:GTFRI,2C0204,867162020003125,GL300W,0,0,2,1,1.7,205,2867.0,-78.481127," +
		"-0.206828,20160215210433,0740,0000,7596,5891C,0.0,1,1.7,205,2867.0,-78.481127," +
		"-0.206828,20160215210503,0740,0000,7596,5891C,0.0,88,20160215210506,1E78$"
	var m protocols.Message
	if err := decodeAll(newSession(), []byte(in), &m); err != nil {
		t.Fatal(err)
	}
	if len(m.Fixes) != 2 {
		t.Fatalf("%d fixes, want 2", len(m.Fixes))
	}
	f := m.Fixes[1]
	if f.Lat != -0.206828 || f.Lon != -78.481127 || f.Speed != 1.7 || f.Course != 205 ||
		f.Altitude != 2867 || f.Time.Format("150405") != "210503" || !f.Valid {
		t.Fatalf("second fix %+v", f)
	}
}

func TestRefusals(t *testing.T) {
	cases := []struct {
		name string
		in   string
		want error
	}{
		{"no prefix", "+XYZ:GTFRI,1,2,3,4$", protocols.ErrUnsupported},
		{"bad report", "+RESP:FRI,1A0401,860599000508846,,20150623154314,0F24$", protocols.ErrMalformed},
		{"bad imei", "+RESP:GTFRI,1A0401,86-599,,20150623154314,0F24$", protocols.ErrMalformed},
		{"bad block time", "+RESP:GTFRI,1A0401,860599000508846,,0,0,1,1,1.0,1,1.0,-76.671089," +
			"39.778885,20151323154301,0310,0260,043F,7761,,99,20150623154314,0F24$", protocols.ErrMalformed},
		{"binary", string(mustHex("2b41434b017f244501010108676231303000000000ffff07e1070b03112d054dfe030d0a")),
			protocols.ErrUnsupported},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var m protocols.Message
			err := decodeAll(newSession(), []byte(c.in), &m)
			if !errors.Is(err, c.want) {
				t.Fatalf("err %v, want %v", err, c.want)
			}
		})
	}
	t.Run("too large", func(t *testing.T) {
		big := append([]byte("+RESP:GTFRI,"), bytes.Repeat([]byte("1"), 5000)...)
		adv, _, err := newSession().Split(big)
		if adv != 0 || !errors.Is(err, protocols.ErrTooLarge) {
			t.Fatalf("adv %d err %v", adv, err)
		}
	})
	t.Run("garbage", func(t *testing.T) {
		adv, _, err := newSession().Split([]byte("xx+RESP"))
		if adv != 2 || err == nil {
			t.Fatalf("adv %d err %v", adv, err)
		}
	})
}

func TestLineBreakAfterTerminator(t *testing.T) {
	in := []byte("+ACK:GTHBD,1A0401,135790246811220,,20100214093254,11F0$\r\n+ACK:GTHBD,1A0401," +
		"135790246811220,,20100214093254,11F1$")
	frames, err := corpus.Frames(newSession(), in)
	if err != nil || len(frames) != 2 {
		t.Fatalf("%d frames, err %v", len(frames), err)
	}
}

func TestErrorOffset(t *testing.T) {
	in := "+RESP:GTFRI,1A0401,86-599,,20150623154314,0F24"
	err := newSession().Decode([]byte(in), &protocols.Message{})
	if got := protocols.Offset(err); got != strings.Index(in, "86-599") {
		t.Fatalf("offset %d in %v", got, err)
	}
}
