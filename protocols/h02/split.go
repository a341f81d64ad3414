package h02

import (
	"bytes"
	"fmt"

	"dozor/protocols"
)

// Split cuts the first frame out of data, following the protocols.Session
// contract.
//
// A text frame runs from '*' through '#'; CR and LF bytes between frames
// are dropped (advance > 0 with neither a frame nor an error). An 'X'
// record is 32 bytes. A '$' binary record is 32 or 45 bytes and carries no
// length: unless Config.BinaryLength says, the size is decided from the
// byte after the first 32 (a frame start or CR/LF means 32, anything else
// 45). Once a frame start after 32 bytes has shown that the device sends
// 32-byte records, the session cuts later ones at 32 at once; until then a
// lone 32-byte record waits for the next byte. The decision depends only on
// the bytes, never on how reads split them. Other bytes are skipped as
// garbage.
func (s *Session) Split(data []byte) (int, []byte, error) {
	skip := 0
	for skip < len(data) && (data[skip] == '\r' || data[skip] == '\n') {
		skip++
	}
	if skip > 0 {
		return skip, nil, nil
	}
	if len(data) == 0 {
		return 0, nil, nil
	}
	switch data[0] {
	case '*':
		return s.splitText(data)
	case '$':
		return s.splitBinary(data)
	case 'X':
		if len(data) < BinaryShort {
			return 0, nil, nil
		}
		return BinaryShort, data[:BinaryShort], nil
	}
	n := 1
	for n < len(data) && !isStart(data[n]) {
		n++
	}
	return n, nil, fmt.Errorf("h02: %d bytes before a frame start: %w", n, protocols.ErrMalformed)
}

func isStart(c byte) bool { return c == '*' || c == '$' || c == 'X' }

// isBoundary reports whether c can follow a binary record.
func isBoundary(c byte) bool { return isStart(c) || c == '\r' || c == '\n' }

func (s *Session) splitText(data []byte) (int, []byte, error) {
	i := bytes.IndexByte(data, '#')
	if i < 0 {
		if len(data) > s.maxFrame {
			return 0, nil, fmt.Errorf("h02: text frame without '#': %w",
				protocols.Limit("frame length", len(data), s.maxFrame))
		}
		return 0, nil, nil
	}
	if i+1 > s.maxFrame {
		return 0, nil, fmt.Errorf("h02: %w", protocols.Limit("frame length", i+1, s.maxFrame))
	}
	return i + 1, data[:i+1], nil
}

func (s *Session) splitBinary(data []byte) (int, []byte, error) {
	n := s.binLen
	if n == 0 {
		if len(data) <= BinaryShort {
			return 0, nil, nil
		}
		n = BinaryLong
		if isBoundary(data[BinaryShort]) {
			n = BinaryShort
			if data[BinaryShort] != '\r' && data[BinaryShort] != '\n' {
				s.binLen = n
			}
		}
	}
	if len(data) < n {
		return 0, nil, nil
	}
	return n, data[:n], nil
}
