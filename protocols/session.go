package protocols

import (
	"sync/atomic"
	"time"
)

// Transport is the carrier a listener speaks.
type Transport uint8

// Transports.
const (
	TCP  Transport = iota + 1 // byte stream; the session frames it
	UDP                       // one datagram is one message
	HTTP                      // one request is one message
)

func (t Transport) String() string {
	switch t {
	case TCP:
		return "tcp"
	case UDP:
		return "udp"
	case HTTP:
		return "http"
	}
	return "unknown"
}

// MessageType says what a decoded message was.
type MessageType uint8

// Message types.
const (
	MsgData      MessageType = iota + 1 // carries zero or more fixes
	MsgLogin                            // identifies the device (handshake)
	MsgHeartbeat                        // keep-alive, nothing to store
	MsgOther                            // valid but nothing to store (command answer)
)

func (t MessageType) String() string {
	switch t {
	case MsgData:
		return "data"
	case MsgLogin:
		return "login"
	case MsgHeartbeat:
		return "heartbeat"
	case MsgOther:
		return "other"
	}
	return "unknown"
}

// Verdict is what ingest decided about a message; the session turns it into
// the reply bytes its protocol prescribes.
type Verdict uint8

// Verdicts.
const (
	// Accepted: the identity is known, or the message's fixes are durable.
	Accepted Verdict = iota + 1
	// Refused: the device identity is refused by policy.
	Refused
	// Invalid: the message could not be decoded; the error says why.
	Invalid
)

// Message is the result of decoding one frame. The caller owns it and
// reuses it: Reset keeps the Fixes storage.
type Message struct {
	// Type is what the frame was.
	Type MessageType

	// Identity is the device identity carried by this message (a login, or
	// a self-identifying datagram), copied out of the frame; empty if none.
	Identity string

	// Fixes are the positions decoded from the frame, in frame order.
	Fixes []Fix

	// Status holds what a message reported without a position: battery
	// and signal of a heartbeat, an alarm (SOS) sent with no GPS fix.
	// Ingest keeps it as a record without a position (Valid false, no
	// cell), at StatusTime, or at the receive time when that is zero.
	Status     Attrs
	StatusTime time.Time

	// Reply is protocol-private context needed to build the reply later,
	// after the fixes are durable. Ingest copies it with the message.
	Reply Reply
}

// Reply holds what a protocol needs to answer a message: packet ids, record
// numbers, the checksum to echo. Its meaning belongs to the protocol.
type Reply struct {
	ID   uint64 // packet id, serial number or checksum
	Aux  uint64 // second id (record id, AVL packet id, sub-type)
	N    int    // record count
	Data []byte // variable part (record numbers); reused between messages
}

// Reset clears m for the next frame, keeping allocated storage.
func (m *Message) Reset() {
	for i := range m.Fixes {
		m.Fixes[i].Reset()
	}
	m.Fixes = m.Fixes[:0]
	m.Type = 0
	m.Identity = ""
	m.Status = m.Status[:0]
	m.StatusTime = time.Time{}
	m.Reply = Reply{Data: m.Reply.Data[:0]}
}

// NextFix appends a cleared Fix to m.Fixes, reusing storage, and returns it.
func (m *Message) NextFix() *Fix {
	if len(m.Fixes) < cap(m.Fixes) {
		m.Fixes = m.Fixes[:len(m.Fixes)+1]
		f := &m.Fixes[len(m.Fixes)-1]
		f.Reset()
		return f
	}
	m.Fixes = append(m.Fixes, Fix{})
	return &m.Fixes[len(m.Fixes)-1]
}

// Options are per-listener protocol settings. The zero value is the strict
// default.
type Options struct {
	// MaxFrame is the largest frame accepted, in bytes; 0 means the
	// protocol's own default. A larger frame closes the connection.
	MaxFrame int

	// LenientChecksum accepts frames whose checksum is wrong, for devices
	// known to send bad ones. Such frames are still counted.
	LenientChecksum bool

	// BadChecksums, if set, counts the frames accepted only because of
	// LenientChecksum. It is shared by every session of a listener.
	BadChecksums *atomic.Uint64

	// TimeZone is the zone of devices configured to report local time
	// (some GT06 and H02 models); nil means UTC. Protocols whose wire time
	// is always UTC ignore it.
	TimeZone *time.Location

	// Params holds protocol-specific listener settings by name (H02:
	// "binary" = 32 or 45, the size of its binary records). Protocols
	// ignore names they do not know.
	Params map[string]string
}

// AcceptBad is what a session calls on finding a wrong checksum: it reports
// whether to accept the frame anyway (LenientChecksum) and counts it if so.
func (o Options) AcceptBad() bool {
	if !o.LenientChecksum {
		return false
	}
	if o.BadChecksums != nil {
		o.BadChecksums.Add(1)
	}
	return true
}

// Session is one connection's (or one datagram peer's) protocol state.
// A Session is used by one goroutine at a time.
type Session interface {
	// Split finds the first frame in data, the bytes buffered so far.
	//
	//   - advance > 0, frame != nil, err == nil: one frame; decode it.
	//   - advance == 0, err == nil: need more bytes.
	//   - advance > 0, err != nil: skip advance bytes (garbage or a frame
	//     that cannot be used) and go on with the rest.
	//   - advance == 0, err != nil: the stream cannot be framed (for
	//     example the frame is over the size limit); close the connection.
	//
	// frame aliases data and is valid only until data is released.
	// For UDP, ingest passes each datagram to Decode without Split.
	Split(data []byte) (advance int, frame []byte, err error)

	// Decode decodes one frame into m, which the caller has Reset. It copies
	// everything it keeps out of frame. A frame that fails to decode leaves
	// m.Fixes of no use, and the error says why.
	Decode(frame []byte, m *Message) error

	// AppendReply appends to dst the bytes the device expects for m given
	// the verdict (and the decode error, for Invalid), and returns the
	// extended buffer. It appends nothing when the protocol has no reply.
	AppendReply(dst []byte, m *Message, v Verdict, err error) []byte
}

// HTTPRequest is what an HTTP protocol decoder sees of a request.
type HTTPRequest struct {
	Method      string
	Target      string // path and query, as on the request line
	ContentType string
	Body        []byte
}

// Protocol describes one wire format for the registry.
type Protocol struct {
	// Name is the registry and metrics name ("teltonika").
	Name string

	// Title is a one-line human description.
	Title string

	// Port is the default listening port, following Traccar's numbering.
	Port int

	// Transports lists the carriers the protocol is served on.
	Transports []Transport

	// NewSession returns fresh session state for TCP or UDP.
	NewSession func(t Transport, o Options) Session

	// DecodeHTTP decodes one request of an HTTP protocol into m. Each fix
	// names its device, since one batch may carry several.
	DecodeHTTP func(r HTTPRequest, m *Message) error
}

// Has reports whether p is served on transport t.
func (p Protocol) Has(t Transport) bool {
	for _, x := range p.Transports {
		if x == t {
			return true
		}
	}
	return false
}
