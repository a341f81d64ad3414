package gt06

import (
	"bytes"
	"encoding/binary"
	"fmt"

	"dozor/protocols"
)

const (
	startShort = 0x78 // 78 78: one-byte length
	startLong  = 0x79 // 79 79: two-byte length
	minFrame   = 10   // start 2, length 1, type 1, serial 2, CRC 2, stop 2
)

var stop = []byte{'\r', '\n'}

// Split cuts the first frame out of data, following the protocols.Session
// contract. A frame runs from the start marker through the 0D 0A stop.
//
// The declared length normally places the stop bytes. Some firmware sends
// a length of 0 or one that does not match (Wi-Fi packets 0x69 and 0x17);
// when the declared end is not 0D 0A, the frame ends at the first 0D 0A
// after the header instead. Bytes before a start marker are skipped as
// garbage. A declared length over the limit closes the stream.
func (s *Session) Split(data []byte) (int, []byte, error) {
	i := findStart(data)
	if i < 0 {
		// Keep a trailing half marker; everything else is garbage.
		n := len(data)
		if n > 0 && (data[n-1] == startShort || data[n-1] == startLong) {
			n--
		}
		if n == 0 {
			return 0, nil, nil
		}
		return n, nil, fmt.Errorf("gt06: %d bytes without start marker: %w",
			n, protocols.ErrMalformed)
	}
	if i > 0 {
		return i, nil, fmt.Errorf("gt06: %d bytes before start marker: %w",
			i, protocols.ErrMalformed)
	}
	return s.splitFrame(data)
}

func (s *Session) splitFrame(data []byte) (int, []byte, error) {
	head, total := 3, 0
	if data[0] == startLong {
		head = 4
	}
	if len(data) < head {
		return 0, nil, nil
	}
	if head == 3 {
		total = int(data[2]) + 5
	} else {
		total = int(binary.BigEndian.Uint16(data[2:])) + 6
	}
	if total > s.maxFrame {
		return 0, nil, fmt.Errorf("gt06: %w", protocols.Limit("frame length", total, s.maxFrame))
	}
	if total >= head+4 && len(data) >= total && bytes.Equal(data[total-2:total], stop) {
		return total, data[:total], nil
	}
	if len(data) < total {
		return 0, nil, nil
	}
	// The declared length does not end on 0D 0A: fall back to the stop bytes.
	j := bytes.Index(data[head:], stop)
	if j < 0 {
		if len(data) > s.maxFrame {
			return 0, nil, fmt.Errorf("gt06: no stop bytes: %w",
				protocols.Limit("frame length", len(data), s.maxFrame))
		}
		return 0, nil, nil
	}
	end := head + j + 2
	return end, data[:end], nil
}

// findStart returns the index of the first 78 78 or 79 79 marker, or -1.
func findStart(data []byte) int {
	for i := 0; i+1 < len(data); i++ {
		c := data[i]
		if (c == startShort || c == startLong) && data[i+1] == c {
			return i
		}
	}
	return -1
}
