package arnavi

import (
	"testing"

	"dozor/protocols"
)

func addSeeds(f *testing.F) {
	entries, err := loadSeeds()
	if err != nil {
		f.Fatal(err)
	}
	for _, p := range entries {
		f.Add(p)
	}
}

// FuzzSplit checks that Split never panics, never advances past its input
// and returns frames inside it.
//
//	go test -run=^$ -fuzz=FuzzSplit -fuzztime=60s ./protocols/arnavi/
func FuzzSplit(f *testing.F) {
	addSeeds(f)
	f.Fuzz(func(t *testing.T, data []byte) {
		s := loggedIn()
		for len(data) > 0 {
			adv, frame, err := s.Split(data)
			if adv < 0 || adv > len(data) || len(frame) > adv {
				t.Fatalf("advance %d frame %d of %d", adv, len(frame), len(data))
			}
			if adv == 0 {
				return
			}
			if err == nil {
				var m protocols.Message
				_ = s.Decode(frame, &m)
			}
			data = data[adv:]
		}
	})
}

// FuzzDecode checks that Decode never panics and that what it accepts has
// sane fixes.
//
//	go test -run=^$ -fuzz=FuzzDecode -fuzztime=60s ./protocols/arnavi/
func FuzzDecode(f *testing.F) {
	addSeeds(f)
	f.Fuzz(func(t *testing.T, data []byte) {
		s := loggedIn()
		s.opts.LenientChecksum = true
		var m protocols.Message
		if s.Decode(data, &m) != nil {
			return
		}
		for i := range m.Fixes {
			if m.Fixes[i].Protocol != Name {
				t.Fatalf("fix %d without protocol", i)
			}
		}
		_ = s.AppendReply(nil, &m, protocols.Accepted, nil)
	})
}

// loggedIn returns a session that has decoded a v2 header, so that fuzzed
// packages reach the record decoder.
func loggedIn() *Session {
	s := newSession()
	_ = s.Decode(mustHex("ff23f30c45f5c90f0300"), &protocols.Message{})
	return s
}
