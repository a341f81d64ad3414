package h02

import (
	"bytes"
	"encoding/hex"
	"errors"
	"testing"
	"time"

	"dozor/protocols"
	"dozor/protocols/internal/corpus"
)

// noPosition lists corpus entries that Traccar's test reports as a position
// although the message carries none: Traccar copies the device's last known
// location into heartbeats, cell reports and SMS answers. This package does
// not invent positions, so these decode without a fix.
var noPosition = map[string]string{
	"h02-S-0005": "HTBT heartbeat with battery level",
	"h02-S-0017": "V3 cell report",
	"h02-S-0019": "V3 cell report",
	"h02-S-0023": "NBR cell report",
	"h02-S-0025": "NBR cell report",
	"h02-S-0027": "NBR cell report",
	"h02-S-0028": "LINK heartbeat",
	"h02-S-0029": "V3 cell report",
	"h02-S-0033": "NBR cell report",
	"h02-S-0060": "SMS answer text",
}

func loadCorpus(t testing.TB) []corpus.Entry {
	t.Helper()
	entries, err := corpus.Load("testdata/corpus.jsonl")
	if err != nil {
		t.Fatal(err)
	}
	return entries
}

func session(e *corpus.Entry) *Session {
	s := New(Config{})
	s.now = func() time.Time { return time.Date(2025, 1, 2, 3, 4, 5, 0, time.UTC) }
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
		t.Run(e.ID, func(t *testing.T) {
			s := session(&e)
			var m protocols.Message
			if err := s.Decode(e.Payload(), &m); err != nil {
				t.Fatalf("decode: %v", err)
			}
			if m.Identity == "" {
				t.Error("no identity")
			}
			if ack := s.AppendReply(nil, &m, protocols.Accepted, nil); len(ack) != 0 {
				t.Errorf("reply %q, H02 has none", ack)
			}
			checkFixes(t, &e, m.Fixes)
		})
	}
}

func checkFixes(t *testing.T, e *corpus.Entry, fixes []protocols.Fix) {
	t.Helper()
	if why, ok := noPosition[e.ID]; ok || e.Expect.Result == "none" {
		if len(fixes) != 0 {
			t.Fatalf("%s: got %d fixes, want none: %+v", why, len(fixes), fixes[0])
		}
		return
	}
	for _, bad := range e.CheckFixes(fixes) {
		t.Error(bad)
	}
	for i := range fixes {
		if f := &fixes[i]; e.WantsPosition() && (!f.Plausible() || f.Protocol != Name) {
			t.Errorf("fix %d implausible: %+v", i, f)
		}
	}
}

// TestCorpusFrames feeds each frame capture whole and one byte at a time.
// A text frame follows each capture so that a trailing 32-byte binary
// record is decided by the byte after it, as on a live connection.
func TestCorpusFrames(t *testing.T) {
	for _, e := range loadCorpus(t) {
		if e.Kind != "frame" {
			continue
		}
		t.Run(e.ID, func(t *testing.T) {
			want, _ := hex.DecodeString(*e.Expect.FrameHex)
			stream := append(e.Payload(), "*HQ,1,V0#"...)
			for _, chunk := range []int{len(stream), 1} {
				frames, err := corpus.Frames(New(Config{}), stream, chunk)
				if err != nil || len(frames) == 0 || !bytes.Equal(frames[0], want) {
					t.Fatalf("chunk %d: frames %q (%v), want first %q", chunk, frames, err, want)
				}
			}
		})
	}
}

// TestSplitChunking cuts every captured message, twice in one stream, fed
// whole, one byte at a time and split at every byte position.
func TestSplitChunking(t *testing.T) {
	for _, e := range loadCorpus(t) {
		p := e.Payload()
		if e.Kind != "decode" {
			continue
		}
		t.Run(e.ID, func(t *testing.T) {
			stream := append(append(append([]byte{}, p...), p...), "*HQ,1,V0#"...)
			want, err := corpus.Frames(New(Config{}), stream)
			if err != nil || len(want) != 3 {
				t.Fatalf("whole stream: %d frames, %v", len(want), err)
			}
			same(t, stream, want, 1)
			for k := 1; k < len(stream); k++ {
				same(t, stream, want, k, len(stream))
			}
		})
	}
}

func same(t *testing.T, stream []byte, want [][]byte, chunks ...int) {
	t.Helper()
	got, err := corpus.Frames(New(Config{}), stream, chunks...)
	if err != nil || len(got) != len(want) {
		t.Fatalf("chunks %v: %d frames (%v), want %d", chunks, len(got), err, len(want))
	}
	for i := range got {
		if !bytes.Equal(got[i], want[i]) {
			t.Fatalf("chunks %v: frame %d %q, want %q", chunks, i, got[i], want[i])
		}
	}
}

func TestSplit(t *testing.T) {
	long, _ := hex.DecodeString("2491802711800850240512192350143206090249758e000001ffffbbff00bdf0900000000001d60161cc4b9a35")
	short, _ := hex.DecodeString("2427051711092133391406135002584900014337822e000000ffffffffff0000")
	tests := []struct {
		name    string
		in      []byte
		advance int
		frame   bool
		err     bool
	}{
		{"text", []byte("*HQ,1,V0#\r\n"), 9, true, false},
		{"text incomplete", []byte("*HQ,1,V0"), 0, false, false},
		{"line ends", []byte("\r\n*HQ"), 2, false, false},
		{"garbage", []byte("ab*HQ"), 2, false, true},
		{"long binary alone", long, 45, true, false},
		{"short binary alone waits", short, 0, false, false},
		{"short binary then text", append(bytes.Clone(short), '*'), 32, true, false},
		{"text too long", append([]byte("*"), bytes.Repeat([]byte("1"), 2000)...), 0, false, true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			adv, frame, err := New(Config{}).Split(tc.in)
			if adv != tc.advance || (frame != nil) != tc.frame || (err != nil) != tc.err {
				t.Fatalf("advance %d frame %q err %v", adv, frame, err)
			}
		})
	}
	s := New(Config{BinaryLength: BinaryShort})
	if adv, _, _ := s.Split(short); adv != 32 {
		t.Fatalf("configured short records: advance %d", adv)
	}
}

func TestDecode(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want protocols.Fix
		err  error
	}{
		{"v1", "*HQ,4210051415,V1,164549,A,0956.3869,N,08406.7068,W,000.00,000,221215,FFFFFBFF#",
			protocols.Fix{Time: time.Date(2015, 12, 22, 16, 45, 49, 0, time.UTC),
				Lat: 9.939782, Lon: -84.111780, Valid: true}, nil},
		{"no point", "*HQ,5905101893,V1,105759,A,37573392,S,145037022,E,000.00,173,280122,FF7FFBFF#",
			protocols.Fix{Time: time.Date(2022, 1, 28, 10, 57, 59, 0, time.UTC),
				Lat: -(37 + 57.3392/60), Lon: 145 + 3.7022/60, Valid: true, Course: 173}, nil},
		{"bad date", "*HQ,1,V1,164549,A,0956.3869,N,08406.7068,W,0,0,321315,FFFFFBFF#",
			protocols.Fix{}, protocols.ErrMalformed},
		{"bad coordinate", "*HQ,1,V1,164549,A,09x6.3869,N,08406.7068,W,0,0,221215#",
			protocols.Fix{}, protocols.ErrMalformed},
		{"no id", "*HQ,,V1,164549,A,0956.3869,N,08406.7068,W,0,0,221215#",
			protocols.Fix{}, protocols.ErrNoIdentity},
		{"not bcd", "\x24\xab\x00\x00\x00\x00" + string(make([]byte, 26)),
			protocols.Fix{}, protocols.ErrMalformed},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var m protocols.Message
			err := New(Config{}).Decode([]byte(tc.in), &m)
			if !errors.Is(err, tc.err) {
				t.Fatalf("err %v, want %v", err, tc.err)
			}
			if tc.err != nil {
				return
			}
			f := m.Fixes[0]
			if !f.Time.Equal(tc.want.Time) || f.Valid != tc.want.Valid ||
				abs(f.Lat-tc.want.Lat) > 1e-6 || abs(f.Lon-tc.want.Lon) > 1e-6 ||
				f.Course != tc.want.Course {
				t.Fatalf("got %+v, want %+v", f, tc.want)
			}
		})
	}
}

func TestBinaryTimeZone(t *testing.T) {
	b, _ := hex.DecodeString("2427051711092133391406135002584900014337822e000000ffffffffff0000")
	s := New(Config{TimeZone: time.FixedZone("", 2*3600)})
	var m protocols.Message
	if err := s.Decode(b, &m); err != nil {
		t.Fatal(err)
	}
	f := m.Fixes[0]
	want := time.Date(2013, 6, 14, 19, 33, 39, 0, time.UTC)
	if !f.Time.Equal(want) || m.Identity != "2705171109" || !f.Valid {
		t.Fatalf("got %v %q %+v", f.Time, m.Identity, f)
	}
	if abs(f.Lat-(50+2.5849/60)) > 1e-9 || abs(f.Lon-(14+33.7822/60)) > 1e-9 {
		t.Fatalf("position %v %v", f.Lat, f.Lon)
	}
}

func abs(v float64) float64 {
	if v < 0 {
		return -v
	}
	return v
}
