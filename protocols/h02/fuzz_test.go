package h02

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
		f.Add(e.Payload())
	}
}

// FuzzSplit checks that Split never panics or over-advances, and decodes
// whatever it cuts.
func FuzzSplit(f *testing.F) {
	seed(f)
	f.Fuzz(func(t *testing.T, data []byte) {
		s := New(Config{})
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
				_ = s.Decode(frame, &m)
			}
			data = data[adv:]
		}
	})
}

// FuzzDecode checks that Decode never panics and that fixes are in range.
func FuzzDecode(f *testing.F) {
	seed(f)
	f.Fuzz(func(t *testing.T, frame []byte) {
		var m protocols.Message
		if err := New(Config{}).Decode(frame, &m); err != nil {
			return
		}
		for _, fx := range m.Fixes {
			if fx.Time.IsZero() || fx.Speed < 0 || fx.Lat < -90 || fx.Lat > 90 || fx.Lon < -180 || fx.Lon > 180 {
				t.Fatalf("bad fix %+v", fx)
			}
		}
	})
}
