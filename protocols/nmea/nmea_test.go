package nmea

import (
	"bytes"
	"errors"
	"strings"
	"testing"
	"time"

	"dozor/protocols"
	"dozor/protocols/internal/corpus"
)

// noPosition lists corpus entries that Traccar's test reports as a position
// although the sentence carries none (Traccar copies the last known
// location), or that use a sentence this package does not decode.
var noPosition = map[string]string{
	"nmea-S-0002": "$GPTXT network text",
	"nmea-S-0007": "$GPIOP input/output voltages",
	"nmea-S-0026": "$GPRMA (Loran-C era sentence) is not decoded",
}

// badChecksum lists entries whose *hh does not match their bytes. Traccar
// does not check it; this package refuses them unless the listener is
// lenient, and then decodes them as the corpus says.
var badChecksum = map[string]bool{
	"nmea-S-0003": true, "nmea-S-0024": true, "nmea-S-0025": true,
	"nmea-S-0026": true, "nmea-S-0027": true, "nmea-S-0029": true,
}

var clockNow = time.Date(2025, 3, 4, 12, 0, 0, 0, time.UTC)

func loadCorpus(t testing.TB) []corpus.Entry {
	t.Helper()
	entries, err := corpus.Load("testdata/corpus.jsonl")
	if err != nil {
		t.Fatal(err)
	}
	return entries
}

func session(e *corpus.Entry, lenient bool) *Session {
	s := New(protocols.Options{LenientChecksum: lenient})
	s.now = func() time.Time { return clockNow }
	for _, p := range e.Prelude {
		var m protocols.Message
		_ = s.Decode(p.Bytes(), &m)
	}
	return s
}

func TestCorpusDecode(t *testing.T) {
	for _, e := range loadCorpus(t) {
		t.Run(e.ID, func(t *testing.T) {
			s := session(&e, false)
			var m protocols.Message
			err := s.Decode(e.Payload(), &m)
			if badChecksum[e.ID] {
				if !errors.Is(err, protocols.ErrChecksum) {
					t.Fatalf("bad checksum not refused: %v", err)
				}
				if r := s.AppendReply(nil, &m, protocols.Invalid, err); len(r) != 0 {
					t.Fatalf("invalid sentence answered: %q", r)
				}
				m.Reset()
				s = session(&e, true)
				err = s.Decode(e.Payload(), &m)
			}
			if err != nil {
				t.Fatalf("decode: %v", err)
			}
			checkFixes(t, &e, m.Fixes)
		})
	}
}

func checkFixes(t *testing.T, e *corpus.Entry, fixes []protocols.Fix) {
	t.Helper()
	if why, ok := noPosition[e.ID]; ok || e.Expect.Result == "none" {
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
		// An invalid fix may sit at 0,0 (nmea-S-0014): it is kept, marked
		// invalid, as the device sent it.
		if f.Protocol != Name || f.Time.IsZero() || (f.Valid && !f.Plausible()) {
			t.Errorf("fix %d: %+v", i, f)
		}
	}
}

func TestGpsGateLogin(t *testing.T) {
	s := New(protocols.Options{})
	var m protocols.Message
	if err := s.Decode([]byte("$FRLIN,IMEI,1234123412341234,*7B"), &m); err != nil {
		t.Fatal(err)
	}
	if m.Type != protocols.MsgLogin || m.Identity != "1234123412341234" {
		t.Fatalf("login: %v %q", m.Type, m.Identity)
	}
	ok := string(s.AppendReply(nil, &m, protocols.Accepted, nil))
	if !strings.HasPrefix(ok, "$FRSES,") || !strings.HasSuffix(ok, "\r\n") || !validSum(ok) {
		t.Fatalf("accept reply %q", ok)
	}
	if got := string(s.AppendReply(nil, &m, protocols.Refused, nil)); got != "$FRERR,AuthError,Unknown device*"+sum("FRERR,AuthError,Unknown device")+"\r\n" {
		t.Fatalf("refuse reply %q", got)
	}
	m.Reset()
	err := s.Decode([]byte("$FRLIN,,,x*00"), &m)
	if err == nil {
		t.Fatal("bad login accepted")
	}
	if got := string(s.AppendReply(nil, &m, protocols.Invalid, err)); !strings.HasPrefix(got, "$FRERR,AuthError,Parse error*") {
		t.Fatalf("invalid reply %q", got)
	}
	m.Reset()
	_ = s.Decode([]byte("$GPRMC,154403.000,A,6311.64120,N,01438.02740,E,0.000,0.0,270707,,*0A"), &m)
	if r := s.AppendReply(nil, &m, protocols.Accepted, nil); len(r) != 0 {
		t.Fatalf("position answered: %q", r)
	}
}

func sum(body string) string {
	var c byte
	for i := range len(body) {
		c ^= body[i]
	}
	const d = "0123456789ABCDEF"
	return string([]byte{d[c>>4], d[c&15]})
}

func validSum(s string) bool {
	s = strings.TrimSuffix(s, "\r\n")
	i := strings.LastIndexByte(s, '*')
	return i > 0 && s[i+1:] == sum(s[1:i])
}

func TestDates(t *testing.T) {
	s := New(protocols.Options{})
	s.identity = "123456"
	var m protocols.Message
	steps := []struct {
		line string
		want time.Time
	}{
		{"$GNRMC,235959.00,A,5553.73701,N,03728.90491,E,1.0,2.0,310124,,", time.Date(2024, 1, 31, 23, 59, 59, 0, time.UTC)},
		{"$GNGGA,000001.50,5553.73701,N,03728.90491,E,1,08,0.9,150.0,M,,M,,", time.Date(2024, 2, 1, 0, 0, 1, 5e8, time.UTC)},
		{"$GLGLL,5553.73701,N,03728.90491,E,235958,A", time.Date(2024, 1, 31, 23, 59, 58, 0, time.UTC)},
	}
	for _, st := range steps {
		m.Reset()
		if err := s.Decode([]byte(st.line), &m); err != nil {
			t.Fatal(err)
		}
		if len(m.Fixes) != 1 || !m.Fixes[0].Time.Equal(st.want) {
			t.Fatalf("%s: fixes %+v, want time %v", st.line, m.Fixes, st.want)
		}
	}
}

func TestDecodeErrors(t *testing.T) {
	tests := []struct {
		name, line string
		want       error
	}{
		{"checksum", "$GPRMC,154403.000,A,6311.64120,N,01438.02740,E,0.000,0.0,270707,,*0B", protocols.ErrChecksum},
		{"checksum form", "$GPRMC,154403.000,A,6311.64120,N,01438.02740,E,0.000,0.0,270707,,*B", protocols.ErrChecksum},
		{"bad date", "$GPRMC,154403.000,A,6311.64120,N,01438.02740,E,0.000,0.0,321307,,", protocols.ErrMalformed},
		{"bad latitude", "$GPRMC,154403.000,A,63x1.64120,N,01438.02740,E,0.000,0.0,270707,,", protocols.ErrMalformed},
		{"short", "$GPRMC,154403.000,A", protocols.ErrTruncated},
		{"not nmea", "hello world", protocols.ErrMalformed},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var m protocols.Message
			if err := New(protocols.Options{}).Decode([]byte(tc.line), &m); !errors.Is(err, tc.want) {
				t.Fatalf("err %v, want %v", err, tc.want)
			}
		})
	}
}

// TestSplitChunking cuts every corpus line, CR LF terminated, twice in a
// stream, fed whole, byte by byte and split at every position.
func TestSplitChunking(t *testing.T) {
	for _, e := range loadCorpus(t) {
		t.Run(e.ID, func(t *testing.T) {
			line := append(e.Payload(), '\r', '\n')
			stream := append(append([]byte{}, line...), line...)
			want := [][]byte{e.Payload(), e.Payload()}
			for k := 1; k <= len(stream); k++ {
				got, err := corpus.Frames(New(protocols.Options{}), stream, k, len(stream))
				if err != nil || len(got) != 2 || !bytes.Equal(got[0], want[0]) || !bytes.Equal(got[1], want[1]) {
					t.Fatalf("split at %d: %q %v", k, got, err)
				}
			}
			got, err := corpus.Frames(New(protocols.Options{}), stream, 1)
			if err != nil || len(got) != 2 {
				t.Fatalf("byte by byte: %q %v", got, err)
			}
		})
	}
}

func TestSplitLimit(t *testing.T) {
	adv, _, err := New(protocols.Options{MaxFrame: 16}).Split(bytes.Repeat([]byte("a"), 17))
	if adv != 0 || !errors.Is(err, protocols.ErrTooLarge) {
		t.Fatalf("advance %d err %v", adv, err)
	}
	if adv, frame, err := New(protocols.Options{}).Split([]byte("\r\n$GP")); adv != 2 || frame != nil || err != nil {
		t.Fatalf("empty line: %d %q %v", adv, frame, err)
	}
}
