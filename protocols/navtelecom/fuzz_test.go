package navtelecom

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
//	go test -run=^$ -fuzz=FuzzSplit -fuzztime=60s ./protocols/navtelecom/
func FuzzSplit(f *testing.F) {
	addSeeds(f)
	f.Fuzz(func(t *testing.T, data []byte) {
		s := primed()
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
//	go test -run=^$ -fuzz=FuzzDecode -fuzztime=60s ./protocols/navtelecom/
func FuzzDecode(f *testing.F) {
	addSeeds(f)
	f.Fuzz(func(t *testing.T, data []byte) {
		s := primed()
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

// primed returns a session after a handshake and a FLEX 3.0 negotiation, so
// that fuzzed FLEX frames can be framed.
func primed() *Session {
	s := newSession()
	var m protocols.Message
	_ = decodeAll(s, mustHex("404e5443010000000000000013004e452a3e533a383636373935303331343130363839"), &m)
	_ = decodeAll(s, mustHex("404e544301000000000000002a005e6c2a3e464c4558b01e1efffffe300a08080ff"+
		"ffe08000000580028002bc0000000000000b4000000000000"), &m)
	return s
}
