package corpus

import (
	"bytes"
	"fmt"

	"dozor/protocols"
)

// Frames cuts stream into frames with a fresh session from newSession,
// feeding it in chunks of the given sizes (the last size repeats), the way
// a socket would deliver it. It returns the frames cut, as copies, and the
// first framing error. Tests compare the frames cut with different chunkings.
func Frames(s protocols.Session, stream []byte, chunks ...int) ([][]byte, error) {
	var (
		buf    []byte
		frames [][]byte
		pos    int
	)
	for pos < len(stream) || len(buf) > 0 {
		n := len(stream) - pos
		if len(chunks) > 0 {
			n = min(chunks[0], n)
			if len(chunks) > 1 {
				chunks = chunks[1:]
			}
		}
		buf = append(buf, stream[pos:pos+n]...)
		pos += n
		for len(buf) > 0 {
			adv, frame, err := s.Split(buf)
			if err != nil && adv == 0 {
				return frames, err
			}
			if adv == 0 {
				break
			}
			if err == nil && frame != nil {
				frames = append(frames, bytes.Clone(frame))
			}
			buf = buf[adv:]
		}
		if pos == len(stream) && len(buf) > 0 {
			adv, _, _ := s.Split(buf)
			if adv == 0 {
				return frames, fmt.Errorf("%d bytes left unframed", len(buf))
			}
		}
	}
	return frames, nil
}
