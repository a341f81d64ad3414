package gt06

import (
	"time"

	"dozor/protocols"
)

// Name is the registry name of the protocol.
const Name = "gt06"

// DefaultMaxFrame is the largest frame accepted when Options.MaxFrame is 0.
// The largest capture seen is 291 bytes; a 0x7878 frame is at most 260.
const DefaultMaxFrame = 2048

// Protocol is the registry descriptor.
var Protocol = protocols.Protocol{
	Name:       Name,
	Title:      "GT06 / Concox / Jimi binary (0x7878, 0x7979)",
	Port:       5023,
	Transports: []protocols.Transport{protocols.TCP},
	NewSession: func(_ protocols.Transport, o protocols.Options) protocols.Session {
		return New(Config{Options: o, TimeZone: o.TimeZone})
	},
}

// Config is the per-listener configuration. The zero value is the strict,
// UTC default.
type Config struct {
	protocols.Options

	// TimeZone is the zone the devices on this listener report their time
	// in; nil means UTC, as the specification says.
	TimeZone *time.Location

	// LoginTimeZone makes the session use the time zone a device announces
	// in the extension word of its login packet, for devices that report
	// local time. Off by default.
	LoginTimeZone bool
}

// Session is the state of one GT06 connection. It is used by one goroutine
// at a time.
type Session struct {
	cfg      Config
	maxFrame int
	loc      *time.Location
	identity string // IMEI of the last accepted login; "" before login
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
	return s
}
