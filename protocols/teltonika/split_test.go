package teltonika

import (
	"bytes"
	"encoding/hex"
	"errors"
	"testing"

	"dozor/protocols"
	"dozor/protocols/internal/corpus"
)

// tcpStreams returns every TCP payload of the corpus (preludes included)
// keyed by entry id, the captured frames the framer must cut identically
// however the bytes arrive.
func tcpStreams(t *testing.T) map[string][]byte {
	t.Helper()
	out := map[string][]byte{}
	for _, e := range loadCorpus(t) {
		if e.Transport == "tcp" {
			out[e.ID] = e.Payload()
		}
	}
	return out
}

func cut(t *testing.T, stream []byte, chunks ...int) ([][]byte, bool) {
	t.Helper()
	s := NewSession(protocols.TCP, protocols.Options{})
	frames, err := corpus.Frames(s, stream, chunks...)
	return frames, err != nil
}

func sameFrames(a, b [][]byte) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if !bytes.Equal(a[i], b[i]) {
			return false
		}
	}
	return true
}

func TestSplitChunkings(t *testing.T) {
	for id, stream := range tcpStreams(t) {
		t.Run(id, func(t *testing.T) {
			whole, wholeErr := cut(t, stream)
			if got, gotErr := cut(t, stream, 1); !sameFrames(got, whole) || gotErr != wholeErr {
				t.Fatalf("byte at a time: %d frames (err %v), whole: %d (err %v)",
					len(got), gotErr, len(whole), wholeErr)
			}
			for k := 1; k < len(stream); k++ {
				got, gotErr := cut(t, stream, k, len(stream))
				if !sameFrames(got, whole) || gotErr != wholeErr {
					t.Fatalf("split at %d: %d frames (err %v), whole: %d (err %v)",
						k, len(got), gotErr, len(whole), wholeErr)
				}
			}
		})
	}
}

// TestSplitTwoFrames feeds a handshake, a packet, a keep-alive and the
// packet again in one read.
func TestSplitTwoFrames(t *testing.T) {
	for _, e := range loadCorpus(t) {
		if e.Transport != "tcp" || e.Negative() || !e.WantsPosition() {
			continue
		}
		if _, refused := refusedBySpec[e.ID]; refused {
			continue
		}
		t.Run(e.ID, func(t *testing.T) {
			login := AppendIMEI(nil, "356307042441013")
			p := e.Payload()
			stream := bytes.Join([][]byte{login, p, {keepAlive}, p}, nil)
			want := [][]byte{login, p, {keepAlive}, p}
			for _, chunk := range []int{len(stream), 1, len(login) + len(p)/2} {
				got, failed := cut(t, stream, chunk)
				if failed || !sameFrames(got, want) {
					t.Fatalf("chunk %d: %d frames, failed %v", chunk, len(got), failed)
				}
			}
		})
	}
}

func TestSplitGarbage(t *testing.T) {
	packet := AppendAVL(nil, Codec8, []Record{testRecord(0)})
	cases := []struct {
		name    string
		garbage string
	}{
		{"text", "474554202f20485454502f312e310d0a"},
		{"zero then text", "0041424344"},
		{"half preamble", "0000ab"},
		{"short imei length", "0005313233"},
		{"long imei length", "00ee"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			g, _ := hex.DecodeString(c.garbage)
			s := NewSession(protocols.TCP, protocols.Options{})
			data := append(g, packet...)
			skipped := 0
			for {
				adv, frame, err := s.Split(data)
				if adv == 0 {
					t.Fatalf("stuck after %d bytes: %v", skipped, err)
				}
				if err == nil {
					if !bytes.Equal(frame, packet) {
						t.Fatalf("cut %x, want the packet", frame)
					}
					break
				}
				if !errors.Is(err, protocols.ErrMalformed) {
					t.Fatalf("skip error %v is not ErrMalformed", err)
				}
				skipped += adv
				data = data[adv:]
			}
			if skipped != len(g) {
				t.Fatalf("skipped %d bytes, garbage is %d", skipped, len(g))
			}
		})
	}
}

func TestSplitLimits(t *testing.T) {
	cases := []struct {
		name     string
		hex      string
		maxFrame int
		want     error
		advance  int
	}{
		{"length over default", "0000000000004000", 0, protocols.ErrTooLarge, 0},
		{"length over option", "0000000000000100", 200, protocols.ErrTooLarge, 0},
		{"length at option", "00000000000000f4", 256, nil, 0},
		{"length huge", "00000000ffffffff", 0, protocols.ErrTooLarge, 0},
		{"length zero", "0000000000000000", 0, protocols.ErrMalformed, 8},
		{"keep-alive", "ff", 0, nil, 1},
		{"need more", "00000000", 0, nil, 0},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			b, _ := hex.DecodeString(c.hex)
			s := NewSession(protocols.TCP, protocols.Options{MaxFrame: c.maxFrame})
			adv, _, err := s.Split(b)
			if !errors.Is(err, c.want) || (c.want == nil && err != nil) || adv != c.advance {
				t.Fatalf("advance %d, err %v; want %d, %v", adv, err, c.advance, c.want)
			}
		})
	}
}
