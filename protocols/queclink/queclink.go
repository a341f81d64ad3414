package queclink

import (
	"bytes"
	"encoding/binary"
	"fmt"

	"dozor/protocols"
)

// Name is the registry name of the protocol.
const Name = "queclink"

// DefaultMaxFrame bounds a message when Options.MaxFrame is 0. The longest
// captured report is about 1.4 KiB.
const DefaultMaxFrame = 4096

// Protocol is the registry descriptor.
var Protocol = protocols.Protocol{
	Name:       Name,
	Title:      "Queclink @Track ASCII (GL200 family): +RESP, +BUFF, +ACK",
	Port:       5004,
	Transports: []protocols.Transport{protocols.TCP, protocols.UDP},
	NewSession: NewSession,
}

// Reply.Aux values.
const (
	replyNone      = iota
	replyHeartbeat // +SACK:GTHBD,<version>,<count>$
	replyReport    // +SACK:<count>$
)

// Session is one connection or UDP peer. Every message names its device,
// so the only state is the last identity, kept to avoid copying it again.
type Session struct {
	opts     protocols.Options
	maxFrame int
	imei     string
	fields   [][]byte // field slices of the message being decoded; reused
}

// NewSession returns a session for a TCP connection or a UDP peer.
func NewSession(_ protocols.Transport, o protocols.Options) protocols.Session {
	s := &Session{opts: o, maxFrame: o.MaxFrame}
	if s.maxFrame <= 0 {
		s.maxFrame = DefaultMaxFrame
	}
	return s
}

// binaryLength returns the length of a binary @Track frame from its header,
// 0 if more bytes are needed, -1 if data does not start a binary frame.
// The length field sits at an offset that depends on the 4-byte header.
func binaryLength(data []byte) int {
	if len(data) < 4 {
		return 0
	}
	at, wide := 0, true
	switch string(data[:4]) {
	case "+RSP", "+BSP", "+EVT", "+BVT":
		at = 9
	case "+INF", "+BNF":
		at = 7
	case "+CRD", "+BRD":
		at = 6
	case "+HBD":
		at, wide = 5, false
	case "+ACK":
		if len(data) < 5 {
			return 0
		}
		if data[4] == ':' {
			return -1
		}
		at, wide = 6, false
	default:
		return -1
	}
	if len(data) < at+2 {
		return 0
	}
	if wide {
		return int(binary.BigEndian.Uint16(data[at:]))
	}
	return int(data[at])
}

// Split cuts an ASCII message at its '$' terminator (the frame excludes the
// '$') or a binary frame by its length field. Bytes before a '+' are skipped
// with an error.
func (s *Session) Split(data []byte) (int, []byte, error) {
	if len(data) == 0 {
		return 0, nil, nil
	}
	if data[0] != '+' {
		n := bytes.IndexByte(data, '+')
		if n < 0 {
			n = len(data)
		}
		return n, nil, fmt.Errorf("queclink: %d bytes before a message: %w",
			n, protocols.ErrMalformed)
	}
	switch n := binaryLength(data); {
	case n == 0:
		return 0, nil, nil
	case n > 0:
		return s.cut(data, n)
	}
	end := bytes.IndexByte(data, '$')
	if end < 0 {
		if len(data) > s.maxFrame {
			return 0, nil, fmt.Errorf("queclink: %w",
				protocols.Limit("message length", len(data), s.maxFrame))
		}
		return 0, nil, nil
	}
	if end > s.maxFrame {
		return 0, nil, fmt.Errorf("queclink: %w",
			protocols.Limit("message length", end, s.maxFrame))
	}
	adv := end + 1
	for adv < len(data) && (data[adv] == '\r' || data[adv] == '\n') {
		adv++ // a line break some firmware adds after '$'
	}
	return adv, data[:end], nil
}

func (s *Session) cut(data []byte, n int) (int, []byte, error) {
	if n < 11 {
		return 1, nil, fmt.Errorf("queclink: binary frame length %d: %w", n, protocols.ErrMalformed)
	}
	if n > s.maxFrame {
		return 0, nil, fmt.Errorf("queclink: %w", protocols.Limit("frame length", n, s.maxFrame))
	}
	if len(data) < n {
		return 0, nil, nil
	}
	return n, data[:n], nil
}

// Decode decodes one message: an ASCII report with or without its '$'.
// Binary frames are refused with protocols.ErrUnsupported.
func (s *Session) Decode(frame []byte, m *protocols.Message) error {
	if len(frame) < 5 || frame[0] != '+' {
		return fmt.Errorf("queclink: %q is not an @Track message: %w",
			head(frame), protocols.ErrMalformed)
	}
	if binaryLength(frame) > 0 {
		return fmt.Errorf("queclink: binary %q frame: %w", frame[:4], protocols.ErrUnsupported)
	}
	return s.decodeText(bytes.TrimSuffix(frame, []byte("$")), m)
}

// AppendReply answers an accepted heartbeat with +SACK:GTHBD,<version>,
// <count>$ and an accepted report with +SACK:<count>$, the server
// acknowledgement a device set up for it waits for before it deletes a
// buffered report. Command acknowledgements, refused and invalid messages
// get nothing.
func (s *Session) AppendReply(dst []byte, m *protocols.Message, v protocols.Verdict, _ error) []byte {
	if v != protocols.Accepted || len(m.Reply.Data) == 0 {
		return dst
	}
	switch m.Reply.Aux {
	case replyHeartbeat:
		dst = append(dst, "+SACK:GTHBD,"...)
		return append(append(dst, m.Reply.Data...), '$')
	case replyReport:
		dst = append(dst, "+SACK:"...)
		return append(append(dst, m.Reply.Data...), '$')
	}
	return dst
}

func head(b []byte) []byte {
	if len(b) > 24 {
		return b[:24]
	}
	return b
}
