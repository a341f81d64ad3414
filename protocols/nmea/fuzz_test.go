package nmea

import (
	"testing"

	"dozor/protocols"
	"dozor/protocols/internal/corpus"
)

func seed(f *testing.F) {
	entries, err := corpus.Load("testdata/corpus.jsonl")
	if err != nil {
		f.Fatal(err)
	}
	for _, e := range entries {
		f.Add(append(e.Payload(), '\r', '\n'))
	}
}

// FuzzSplit cuts arbitrary streams and decodes each line.
func FuzzSplit(f *testing.F) {
	seed(f)
	f.Fuzz(func(t *testing.T, data []byte) {
		s := New(protocols.Options{})
		for len(data) > 0 {
			adv, frame, err := s.Split(data)
			if adv < 0 || adv > len(data) || len(frame) > adv {
				t.Fatalf("advance %d frame %d of %d", adv, len(frame), len(data))
			}
			if adv == 0 {
				return
			}
			if err == nil && frame != nil {
				var m protocols.Message
				err := s.Decode(frame, &m)
				_ = s.AppendReply(nil, &m, protocols.Accepted, err)
			}
			data = data[adv:]
		}
	})
}

// FuzzDecode decodes arbitrary lines, strictly and leniently.
func FuzzDecode(f *testing.F) {
	seed(f)
	f.Fuzz(func(t *testing.T, line []byte) {
		for _, lenient := range []bool{false, true} {
			s := New(protocols.Options{LenientChecksum: lenient})
			var m protocols.Message
			if err := s.Decode(line, &m); err != nil {
				continue
			}
			for _, fx := range m.Fixes {
				if fx.Time.IsZero() || fx.Lat < -90 || fx.Lat > 90 || fx.Lon < -180 || fx.Lon > 180 {
					t.Fatalf("bad fix %+v", fx)
				}
			}
		}
	})
}
