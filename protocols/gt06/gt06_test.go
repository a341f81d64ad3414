package gt06

import (
	"bytes"
	"encoding/hex"
	"encoding/json"
	"errors"
	"testing"
	"time"

	"dozor/protocols"
	"dozor/protocols/internal/corpus"
	"dozor/protocols/wire"
)

// noPosition lists corpus entries that Traccar's test reports as a position
// although the frame carries none: Traccar copies the device's last known
// location into a status, information or command-answer packet. This
// package does not invent positions, so these decode without a fix.
var noPosition = map[string]string{
	"gt06-S-0003": "0xF1 7979 information TLVs, no GPS",
	"gt06-S-0006": "0xA3 status variant, no GPS block",
	"gt06-S-0007": "0xA3 step-counter variant, no GPS block",
	"gt06-S-0008": "0x94 information packet",
	"gt06-S-0012": "0x13 status packet",
	"gt06-S-0013": "0x36 photo/battery packet",
	"gt06-S-0026": "0x13 status packet",
	"gt06-S-0031": "0xA5 LBS alarm, no GPS",
	"gt06-S-0032": "0x13 status packet",
	"gt06-S-0043": "0x13 status packet",
	"gt06-S-0044": "0x15 command answer text",
	"gt06-S-0045": "0x9B serial data",
	"gt06-S-0051": "0x94 information packet",
	"gt06-S-0053": "0x95 short alarm: time and code only",
	"gt06-S-0055": "0x9B serial data",
	"gt06-S-0061": "0x94 information packet",
	"gt06-S-0064": "0x23 heartbeat",
	"gt06-S-0092": "0x13 status packet",
	"gt06-S-0100": "0x15 command answer text",
	"gt06-S-0101": "0x15 command answer text",
	"gt06-S-0104": "0x13 status packet",
	"gt06-S-0126": "0x95 short alarm: time and code only",
	"gt06-S-0127": "0x95 short alarm: time and code only",
	"gt06-S-0129": "0x13 status packet",
}

var heartbeat = []byte{0x78, 0x78, 0x05, 0x12, 0x00, 0x99, 0xab, 0xec, 0x0d, 0x0a}

type derived struct {
	AckHex *string `json:"ack_hex"`
	CRCOK  *bool   `json:"crc_ok"`
}

func loadCorpus(t testing.TB) []corpus.Entry {
	t.Helper()
	entries, err := corpus.Load("testdata/corpus.jsonl")
	if err != nil {
		t.Fatal(err)
	}
	return entries
}

// session returns a session that has replayed e's prelude.
func session(e *corpus.Entry, lenient bool) *Session {
	s := New(Config{Options: protocols.Options{LenientChecksum: lenient}})
	for _, p := range e.Prelude {
		var m protocols.Message
		_ = s.Decode(p.Bytes(), &m)
	}
	return s
}

func TestCorpusDecode(t *testing.T) {
	for _, e := range loadCorpus(t) {
		if e.Kind != "decode" {
			continue
		}
		t.Run(e.ID, func(t *testing.T) { checkEntry(t, &e) })
	}
}

func checkEntry(t *testing.T, e *corpus.Entry) {
	var d derived
	_ = json.Unmarshal(e.Derived, &d)
	payload := e.Payload()

	var m protocols.Message
	s := session(e, false)
	err := s.Decode(payload, &m)
	crcBad := d.CRCOK == nil || !*d.CRCOK
	if crcBad {
		// The corpus accepts frames whose CRC (or length) is wrong; the
		// specification does not. Strictly they are refused and not
		// acknowledged; leniently they must decode as the corpus says.
		if err == nil {
			t.Fatalf("frame with bad CRC or length accepted")
		}
		if ack := s.AppendReply(nil, &m, protocols.Invalid, err); len(ack) != 0 {
			t.Fatalf("invalid frame acknowledged: %x", ack)
		}
		m.Reset()
		s = session(e, true)
		err = s.Decode(payload, &m)
		if e.ID == "gt06-S-0054" {
			// The capture lost its final 0A byte: no framer can cut it and
			// no decoder should take it, lenient or not.
			if err == nil {
				t.Fatal("frame without stop bytes accepted")
			}
			return
		}
		if errors.Is(err, protocols.ErrMalformed) || errors.Is(err, protocols.ErrTruncated) {
			if e.WantsPosition() {
				t.Fatalf("lenient decode: %v", err)
			}
			return
		}
	}
	if err != nil {
		if e.Expect.Result == "none" && errors.Is(err, protocols.ErrNoIdentity) {
			return // Traccar also returns nothing before a login
		}
		t.Fatalf("decode: %v", err)
	}
	checkFixes(t, e, m.Fixes)
	if d.AckHex != nil && !crcBad {
		ack := s.AppendReply(nil, &m, protocols.Accepted, nil)
		if got := hex.EncodeToString(ack); got != *d.AckHex {
			t.Fatalf("ack %s, want %s", got, *d.AckHex)
		}
	}
}

func checkFixes(t *testing.T, e *corpus.Entry, fixes []protocols.Fix) {
	t.Helper()
	if why, ok := noPosition[e.ID]; ok {
		if len(fixes) != 0 {
			t.Fatalf("%s: got %d fixes, want none", why, len(fixes))
		}
		return
	}
	for _, bad := range e.CheckFixes(fixes) {
		t.Error(bad)
	}
	for i := range fixes {
		f := &fixes[i]
		if f.Protocol != Name || f.Device != "" {
			t.Errorf("fix %d: protocol %q device %q", i, f.Protocol, f.Device)
		}
		if e.WantsPosition() && !f.Plausible() {
			t.Errorf("fix %d implausible: %+v", i, f)
		}
	}
}

func TestCorpusFrames(t *testing.T) {
	for _, e := range loadCorpus(t) {
		if e.Kind != "frame" {
			continue
		}
		t.Run(e.ID, func(t *testing.T) {
			want, _ := hex.DecodeString(*e.Expect.FrameHex)
			// A heartbeat follows each capture. gt06-S-0132 is a login
			// whose length field (0x0D) announces 3 bytes more than the
			// frame has: the framer waits for the declared length before
			// falling back to the 0D 0A stop bytes, so the frame is cut
			// only once the next packet arrives, whatever the chunking.
			stream := append(e.Payload(), heartbeat...)
			for _, chunk := range []int{len(stream), 1} {
				frames, _ := corpus.Frames(New(Config{}), stream, chunk)
				if len(frames) == 0 || !bytes.Equal(frames[0], want) {
					t.Fatalf("chunk %d: frames %x, want first %x", chunk, frames, want)
				}
			}
		})
	}
}

// TestSplitChunking cuts every captured frame fed whole, one byte at a
// time, twice in one read, and split at every byte position.
func TestSplitChunking(t *testing.T) {
	for _, e := range loadCorpus(t) {
		if e.Kind != "decode" {
			continue
		}
		t.Run(e.ID, func(t *testing.T) {
			p := e.Payload()
			want, err := corpus.Frames(New(Config{}), p)
			if err != nil || len(want) == 0 {
				t.Skipf("payload is not a whole frame: %v", err)
			}
			double := append(append([]byte{}, p...), p...)
			wantDouble := append(append([][]byte{}, want...), want...)
			sameFrames(t, "one byte", double, wantDouble, 1)
			sameFrames(t, "one read", double, wantDouble, len(double))
			for k := 1; k < len(double); k++ {
				sameFrames(t, "split", double, wantDouble, k, len(double))
			}
		})
	}
}

func sameFrames(t *testing.T, name string, stream []byte, want [][]byte, chunks ...int) {
	t.Helper()
	got, err := corpus.Frames(New(Config{}), stream, chunks...)
	if err != nil {
		t.Fatalf("%s %v: %v", name, chunks, err)
	}
	if len(got) != len(want) {
		t.Fatalf("%s %v: %d frames, want %d", name, chunks, len(got), len(want))
	}
	for i := range got {
		if !bytes.Equal(got[i], want[i]) {
			t.Fatalf("%s %v: frame %d %x, want %x", name, chunks, i, got[i], want[i])
		}
	}
}

func TestSplitErrors(t *testing.T) {
	tests := []struct {
		name    string
		in      string
		advance int
		fatal   bool
	}{
		{"garbage before start", "00117878", 2, false},
		{"garbage only", "0011", 2, false},
		{"half marker kept", "0078", 1, false},
		{"need header", "7878", 0, false},
		{"need body", "78780d01", 0, false},
		{"over limit", "7979ffff", 0, true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			in, _ := hex.DecodeString(tc.in)
			adv, frame, err := New(Config{}).Split(in)
			if adv != tc.advance || frame != nil {
				t.Fatalf("advance %d frame %x, want %d", adv, frame, tc.advance)
			}
			if tc.fatal != (err != nil && adv == 0) {
				t.Fatalf("err %v, fatal %v", err, tc.fatal)
			}
		})
	}
}

func TestDecodeErrors(t *testing.T) {
	login, _ := hex.DecodeString("78780d01012345678901234500018cdd0d0a")
	gps, _ := hex.DecodeString("78781f120f0a140e150bc505e51e780293a9e800540000f601006e0055da00035f240d0a")
	badCRC := bytes.Clone(gps)
	badCRC[len(badCRC)-3] ^= 1
	tests := []struct {
		name  string
		login bool
		in    []byte
		want  error
	}{
		{"data before login", false, gps, protocols.ErrNoIdentity},
		{"bad crc", true, badCRC, protocols.ErrChecksum},
		{"too short", true, login[:8], protocols.ErrTruncated},
		{"no stop", true, login[:len(login)-1], protocols.ErrMalformed},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s := New(Config{})
			var m protocols.Message
			if tc.login {
				if err := s.Decode(login, &m); err != nil {
					t.Fatal(err)
				}
			}
			m.Reset()
			err := s.Decode(tc.in, &m)
			if !errors.Is(err, tc.want) {
				t.Fatalf("err %v, want %v", err, tc.want)
			}
		})
	}
}

func TestLoginAndTimeZone(t *testing.T) {
	// Login with time-zone word 0x320A: +8:00 (800 << 4 | 0x0A, east).
	login, _ := hex.DecodeString("787811010123456789012345100b32020001" + "00000d0a")
	fixCRC(login)
	gps, _ := hex.DecodeString("78781f120f0a140e150bc505e51e780293a9e800540000f601006e0055da00035f240d0a")
	for _, tc := range []struct {
		name string
		cfg  Config
		want time.Time
	}{
		{"utc default", Config{}, time.Date(2015, 10, 20, 14, 21, 11, 0, time.UTC)},
		{"login zone", Config{LoginTimeZone: true}, time.Date(2015, 10, 20, 6, 21, 11, 0, time.UTC)},
		{"fixed zone", Config{TimeZone: time.FixedZone("", 3*3600)},
			time.Date(2015, 10, 20, 11, 21, 11, 0, time.UTC)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := New(tc.cfg)
			var m protocols.Message
			if err := s.Decode(login, &m); err != nil {
				t.Fatal(err)
			}
			if m.Type != protocols.MsgLogin || m.Identity != "123456789012345" {
				t.Fatalf("login: %v %q", m.Type, m.Identity)
			}
			m.Reset()
			if err := s.Decode(gps, &m); err != nil {
				t.Fatal(err)
			}
			if got := m.Fixes[0].Time; !got.Equal(tc.want) {
				t.Fatalf("time %v, want %v", got, tc.want)
			}
		})
	}
}

func TestReplies(t *testing.T) {
	login, _ := hex.DecodeString("78780d01012345678901234500018cdd0d0a")
	s := New(Config{})
	var m protocols.Message
	if err := s.Decode(login, &m); err != nil {
		t.Fatal(err)
	}
	if got := s.AppendReply(nil, &m, protocols.Refused, nil); len(got) != 0 {
		t.Fatalf("refused login answered: %x", got)
	}
	if s.identity != "" {
		t.Fatal("refused login kept its identity")
	}
	if got := hex.EncodeToString(s.AppendReply(nil, &m, protocols.Accepted, nil)); got != "787805010001d9dc0d0a" {
		t.Fatalf("login ack %s", got)
	}
	// Time request, serial 6: the reference answer for 2015-12-29 00:00:21.
	req, _ := hex.DecodeString("7878058a000688290d0a")
	s.now = func() time.Time { return time.Date(2015, 12, 29, 0, 0, 21, 0, time.UTC) }
	s.identity = "123456789012345"
	m.Reset()
	if err := s.Decode(req, &m); err != nil {
		t.Fatal(err)
	}
	got := hex.EncodeToString(s.AppendReply(nil, &m, protocols.Accepted, nil))
	want := appendFrame(nil, false, 0x8A, []byte{15, 12, 29, 0, 0, 21}, 6)
	if got != hex.EncodeToString(want) {
		t.Fatalf("time reply %s, want %x", got, want)
	}
}

// fixCRC rewrites the CRC of a test frame built by hand.
func fixCRC(f []byte) {
	n := len(f)
	crc := wire.CRC16X25(f[2 : n-4])
	f[n-4], f[n-3] = byte(crc>>8), byte(crc)
}
