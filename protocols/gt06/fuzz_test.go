package gt06

import (
	"testing"

	"dozor/protocols"
)

func seedCorpus(f *testing.F) {
	entries, err := loadCorpusF()
	if err != nil {
		f.Fatal(err)
	}
	for _, e := range entries {
		f.Add(e.Payload())
	}
}

// FuzzSplit checks that Split never panics, never advances past its input
// and returns frames that alias the input.
func FuzzSplit(f *testing.F) {
	seedCorpus(f)
	f.Fuzz(func(t *testing.T, data []byte) {
		s := New(Config{})
		for len(data) > 0 {
			adv, frame, err := s.Split(data)
			if adv < 0 || adv > len(data) || len(frame) > adv {
				t.Fatalf("advance %d frame %d of %d bytes", adv, len(frame), len(data))
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

// FuzzDecode decodes arbitrary frames after a login, strictly and
// leniently, and checks that a decoded fix has sane fields.
func FuzzDecode(f *testing.F) {
	seedCorpus(f)
	f.Fuzz(func(t *testing.T, frame []byte) {
		for _, lenient := range []bool{false, true} {
			s := New(Config{Options: protocols.Options{LenientChecksum: lenient}})
			s.identity = "123456789012345"
			var m protocols.Message
			if err := s.Decode(frame, &m); err != nil {
				if len(s.AppendReply(nil, &m, protocols.Invalid, err)) != 0 {
					t.Fatal("invalid frame answered")
				}
				continue
			}
			for _, fx := range m.Fixes {
				if fx.Lat < -90 || fx.Lat > 90 || fx.Lon < -180 || fx.Lon > 180 || fx.Course > 1023 {
					t.Fatalf("fix out of range: %+v", fx)
				}
			}
			_ = s.AppendReply(nil, &m, protocols.Accepted, nil)
		}
	})
}
