package h02

import (
	"strconv"
	"time"

	"dozor/protocols"
)

// Name is the registry name of the protocol.
const Name = "h02"

// Frame sizes.
const (
	// DefaultMaxFrame bounds a text frame when Options.MaxFrame is 0. The
	// largest capture is 179 bytes (an SMS answer).
	DefaultMaxFrame = 1024
	// BinaryShort and BinaryLong are the two binary record sizes.
	BinaryShort = 32
	BinaryLong  = 45
	// maxFields bounds the comma-separated fields of a text frame.
	maxFields = 64
)

// Protocol is the registry descriptor.
var Protocol = protocols.Protocol{
	Name:       Name,
	Title:      "H02 text (*HQ,...#) and binary ($...)",
	Port:       5013,
	Transports: []protocols.Transport{protocols.TCP, protocols.UDP},
	NewSession: func(_ protocols.Transport, o protocols.Options) protocols.Session {
		n, _ := strconv.Atoi(o.Params["binary"])
		return New(Config{Options: o, TimeZone: o.TimeZone, BinaryLength: n})
	},
}

// Config is the per-listener configuration; the zero value is the default.
type Config struct {
	protocols.Options

	// TimeZone is the zone the devices report time in; nil means UTC.
	TimeZone *time.Location

	// BinaryLength fixes the size of '$' binary records (32 or 45) for
	// devices known to send one size. 0 means detect it from the stream:
	// see Session.Split.
	BinaryLength int
}

// Session is the state of one H02 connection or UDP peer. It is used by one
// goroutine at a time.
type Session struct {
	cfg      Config
	maxFrame int
	loc      *time.Location
	binLen   int    // binary record size, once known
	identity string // last device id seen on this connection
	fields   [][]byte
	now      func() time.Time
}

// New returns a session for one connection.
func New(c Config) *Session {
	s := &Session{cfg: c, maxFrame: c.MaxFrame, loc: c.TimeZone, now: time.Now}
	if s.maxFrame <= 0 {
		s.maxFrame = DefaultMaxFrame
	}
	if s.loc == nil {
		s.loc = time.UTC
	}
	if c.BinaryLength == BinaryShort || c.BinaryLength == BinaryLong {
		s.binLen = c.BinaryLength
	}
	s.fields = make([][]byte, 0, maxFields)
	return s
}

// AppendReply appends nothing: H02 devices expect no acknowledgement and
// the protocol has no negative reply.
func (s *Session) AppendReply(
	dst []byte, _ *protocols.Message, _ protocols.Verdict, _ error,
) []byte {
	return dst
}

// setIdentity sets m.Identity to id, reusing the session's copy when the
// id has not changed so that steady-state decoding does not allocate.
func (s *Session) setIdentity(m *protocols.Message, id []byte) {
	if string(id) != s.identity {
		s.identity = string(id)
	}
	m.Identity = s.identity
}
