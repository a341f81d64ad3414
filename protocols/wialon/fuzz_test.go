package wialon

import (
	"bytes"
	"testing"

	"dozor/protocols"
)

// FuzzSplit: Split never panics, never advances past its input, and its
// frame is the advanced-over line without the terminator.
//
//	go test -run=^$ -fuzz=FuzzSplit -fuzztime=60s ./protocols/wialon/
func FuzzSplit(f *testing.F) {
	for _, l := range lines(f) {
		f.Add(append(l, '\r', '\n'))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		s := NewSession(protocols.TCP, protocols.Options{MaxFrame: 512}).(*Session)
		for len(data) > 0 {
			n, frame, err := s.Split(data)
			if n < 0 || n > len(data) {
				t.Fatalf("advance %d of %d", n, len(data))
			}
			if frame != nil && (!bytes.HasPrefix(data, frame) || bytes.IndexByte(frame, '\n') >= 0) {
				t.Fatalf("frame %q is not the line advanced over", frame)
			}
			if n == 0 {
				return
			}
			if err == nil && frame == nil {
				t.Fatal("advance with neither frame nor error")
			}
			data = data[n:]
		}
	})
}

// FuzzDecode: Decode never panics; an accepted packet gets a success answer
// and a refused one never does.
//
//	go test -run=^$ -fuzz=FuzzDecode -fuzztime=60s ./protocols/wialon/
func FuzzDecode(f *testing.F) {
	for _, e := range load(f) {
		f.Add(e.Payload())
	}
	f.Fuzz(func(t *testing.T, frame []byte) {
		for _, tr := range []protocols.Transport{protocols.TCP, protocols.UDP} {
			s := newSession(tr)
			var m protocols.Message
			err := s.Decode(frame, &m)
			if err != nil {
				reply := string(s.AppendReply(nil, &m, protocols.Invalid, err))
				if reply != "" && reply[len(reply)-3] == '1' && reply[len(reply)-4] == '#' {
					t.Fatalf("refused packet answered %q: %v", reply, err)
				}
				continue
			}
			for i := range m.Fixes {
				if m.Fixes[i].Protocol != Name {
					t.Fatal("fix without protocol")
				}
			}
		}
	})
}
