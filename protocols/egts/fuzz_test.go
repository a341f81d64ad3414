package egts

import (
	"bytes"
	"testing"

	"dozor/protocols"
)

// FuzzSplit: Split never panics, never advances past its input, and a frame
// is always the prefix it advances over.
//
//	go test -run=^$ -fuzz=FuzzSplit -fuzztime=60s ./protocols/egts/
func FuzzSplit(f *testing.F) {
	for _, p := range packets(f) {
		f.Add(p)
		f.Add(append(p[:len(p)/2:len(p)/2], p...))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		s := newSession()
		for len(data) > 0 {
			n, frame, err := s.Split(data)
			if n < 0 || n > len(data) {
				t.Fatalf("advance %d of %d", n, len(data))
			}
			if frame != nil && !bytes.Equal(frame, data[:n]) {
				t.Fatalf("frame is not the prefix advanced over")
			}
			if n == 0 {
				return
			}
			if err == nil && frame == nil {
				t.Fatalf("advance %d with neither frame nor error", n)
			}
			data = data[n:]
		}
	})
}

// FuzzDecode: Decode never panics; a decoded APPDATA packet is answered with
// a well-formed response confirming each record, and a refused one with a
// well-formed response carrying a non-zero PR, or nothing.
//
//	go test -run=^$ -fuzz=FuzzDecode -fuzztime=60s ./protocols/egts/
func FuzzDecode(f *testing.F) {
	for _, p := range packets(f) {
		f.Add(p)
	}
	f.Fuzz(func(t *testing.T, frame []byte) {
		s := newSession()
		var m protocols.Message
		err := s.Decode(frame, &m)
		v := protocols.Accepted
		if err != nil {
			v = protocols.Invalid
		}
		reply := s.AppendReply(nil, &m, v, err)
		if len(reply) == 0 {
			if err == nil && m.Reply.Aux&replyResponse != 0 {
				t.Fatal("decoded APPDATA without a reply")
			}
			return
		}
		r, perr := parseResponse(reply)
		if perr != nil {
			t.Fatalf("reply %x does not parse: %v", reply, perr)
		}
		if err != nil && r.pr == 0 {
			t.Fatalf("refused packet answered with PR 0: %v", err)
		}
		if err == nil && len(r.crn) != m.Reply.N {
			t.Fatalf("%d record responses for %d records", len(r.crn), m.Reply.N)
		}
	})
}
