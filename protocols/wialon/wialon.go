package wialon

import (
	"bytes"
	"fmt"

	"dozor/protocols"
)

// Name is the registry name of the protocol.
const Name = "wialon"

// DefaultMaxFrame bounds a line when Options.MaxFrame is 0. Black-box
// packets carry many messages on one line; 64 KiB holds several hundred.
const DefaultMaxFrame = 64 << 10

// Protocol is the registry descriptor.
var Protocol = protocols.Protocol{
	Name:       Name,
	Title:      "Wialon IPS 1.1 and 2.0 (text, CRC-16/ARC in 2.0)",
	Port:       5039,
	Transports: []protocols.Transport{protocols.TCP, protocols.UDP},
	NewSession: NewSession,
}

// Version is the protocol version a device speaks.
type Version uint8

// Versions.
const (
	VersionUnknown Version = iota // no login seen: inferred per packet
	Version11                     // 1.1: no checksums
	Version20                     // 2.0 (and 2.x): CRC-16 on L, SD, D, B, M
)

func (v Version) String() string {
	switch v {
	case Version11:
		return "1.1"
	case Version20:
		return "2.0"
	}
	return "unknown"
}

// Session is the state of one TCP connection or one UDP peer: the protocol
// version announced at login and the identity strings already copied.
type Session struct {
	opts      protocols.Options
	transport protocols.Transport
	maxFrame  int
	version   Version // from the last #L# (TCP)

	fields [][]byte // field storage reused between packets
	msgs   [][]byte // black-box message storage

	names map[string]string // parameter names already copied (bounded)
	ident string            // last identity copied out of a frame, reused while unchanged

	badChecksums uint64 // packets accepted with a wrong CRC (lenient mode)
}

// NewSession returns a session for one TCP connection or UDP peer.
func NewSession(t protocols.Transport, o protocols.Options) protocols.Session {
	s := &Session{opts: o, transport: t, maxFrame: o.MaxFrame}
	if s.maxFrame <= 0 {
		s.maxFrame = DefaultMaxFrame
	}
	return s
}

// BadChecksums returns how many packets this session accepted although
// their CRC was wrong (only with Options.LenientChecksum).
func (s *Session) BadChecksums() uint64 { return s.badChecksums }

// Version returns the protocol version announced by the last login.
func (s *Session) Version() Version { return s.version }

// Split cuts one line. The frame excludes the line terminator: CR LF as the
// specification says, or a bare LF. An empty line is skipped with an error.
// A line longer than the frame limit closes the connection.
func (s *Session) Split(data []byte) (int, []byte, error) {
	i := bytes.IndexByte(data, '\n')
	if i < 0 {
		if len(data) > s.maxFrame {
			return 0, nil, fmt.Errorf("wialon: line without end: %w",
				protocols.Limit("line length", len(data), s.maxFrame))
		}
		return 0, nil, nil
	}
	if i > s.maxFrame {
		return 0, nil, fmt.Errorf("wialon: %w", protocols.Limit("line length", i, s.maxFrame))
	}
	line := data[:i]
	if n := len(line); n > 0 && line[n-1] == '\r' {
		line = line[:n-1]
	}
	if len(line) == 0 {
		err := fmt.Errorf("wialon: empty line: %w", protocols.ErrMalformed)
		return i + 1, nil, protocols.At(0, err)
	}
	return i + 1, line, nil
}
