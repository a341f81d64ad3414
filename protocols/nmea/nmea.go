package nmea

import (
	"bytes"
	"fmt"
	"time"

	"dozor/protocols"
)

// Name is the registry name of the protocol.
const Name = "nmea"

const (
	// DefaultMaxFrame bounds a line when Options.MaxFrame is 0. NMEA
	// sentences are at most 82 bytes; ids glued before them and GpsGate
	// messages make lines longer.
	DefaultMaxFrame = 512
	// maxFields bounds the comma-separated fields of a sentence.
	maxFields = 48
)

// Protocol is the registry descriptor.
var Protocol = protocols.Protocol{
	Name:       Name,
	Title:      "plain NMEA 0183 over TCP and GpsGate",
	Port:       5005,
	Transports: []protocols.Transport{protocols.TCP},
	NewSession: func(_ protocols.Transport, o protocols.Options) protocols.Session {
		return New(o)
	},
}

// Session is the state of one connection: the device identity, the last
// RMC time (for the date of GGA and GLL), and a position held until the
// identity arrives. It is used by one goroutine at a time.
type Session struct {
	opt      protocols.Options
	maxFrame int
	identity string
	lastRMC  time.Time // date reference for sentences without a date
	held     protocols.Fix
	hasHeld  bool
	fields   [][]byte
	now      func() time.Time
}

// New returns a session for one connection.
func New(o protocols.Options) *Session {
	s := &Session{opt: o, maxFrame: o.MaxFrame, now: time.Now}
	if s.maxFrame <= 0 {
		s.maxFrame = DefaultMaxFrame
	}
	s.fields = make([][]byte, 0, maxFields)
	return s
}

// Split cuts one line. The frame excludes the LF and any CR before it;
// empty lines are dropped (advance > 0 with neither a frame nor an error).
// A line longer than the limit closes the stream.
func (s *Session) Split(data []byte) (int, []byte, error) {
	i := bytes.IndexByte(data, '\n')
	if i < 0 {
		if len(data) > s.maxFrame {
			return 0, nil, fmt.Errorf("nmea: line without LF: %w",
				protocols.Limit("line length", len(data), s.maxFrame))
		}
		return 0, nil, nil
	}
	if i > s.maxFrame {
		return 0, nil, fmt.Errorf("nmea: %w", protocols.Limit("line length", i, s.maxFrame))
	}
	line := bytes.TrimRight(data[:i], "\r")
	if len(bytes.TrimSpace(line)) == 0 {
		return i + 1, nil, nil
	}
	return i + 1, line, nil
}

// setIdentity records id as the device identity, copying it only when it
// changed, and releases a held position into m.
func (s *Session) setIdentity(m *protocols.Message, id []byte) {
	if string(id) != s.identity {
		s.identity = string(id)
	}
	m.Identity = s.identity
	if s.hasHeld {
		s.held.CopyTo(m.NextFix())
		s.hasHeld = false
		m.Type = protocols.MsgData
	}
}
