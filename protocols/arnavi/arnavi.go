package arnavi

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"strconv"
	"time"

	"dozor/protocols"
)

// Name is the registry name of the protocol.
const Name = "arnavi"

// DefaultMaxFrame bounds a package or a text line when Options.MaxFrame is 0.
// Terminals send packages of a few hundred bytes; the 2-byte record length
// alone could announce 64 KiB.
const DefaultMaxFrame = 4096

// Protocol is the registry descriptor.
var Protocol = protocols.Protocol{
	Name:       Name,
	Title:      "Arnavi binary (headers v1/v2/v3) and text $AV",
	Port:       5100,
	Transports: []protocols.Transport{protocols.TCP},
	NewSession: NewSession,
}

// Frame markers.
const (
	headerStart  = 0xff // FF <version> <IMEI uint64 LE> [8 more bytes in v3]
	packageStart = 0x5b // '[' <package number> records... ']'
	packageEnd   = 0x5d
	resultNumber = 0xfd // package number of a command result: 5B FD xx 5D
	replyStart   = 0x7b // '{'
	replyEnd     = 0x7d // '}'
)

// Version is the header version byte.
type Version uint8

// Header versions.
const (
	Version1     Version = 0x22 // 10-byte header, plain confirmation
	Version2     Version = 0x23 // 10-byte header, confirmation sets the clock
	Version3     Version = 0x24 // 18-byte header
	Version2WiFi Version = 0x25 // as Version2, with Wi-Fi records
)

func (v Version) String() string {
	switch v {
	case Version1:
		return "v1"
	case Version2:
		return "v2"
	case Version3:
		return "v3"
	case Version2WiFi:
		return "v2-wifi"
	}
	return fmt.Sprintf("version(%#02x)", uint8(v))
}

func (v Version) headerLen() int {
	switch v {
	case Version1, Version2, Version2WiFi:
		return 10
	case Version3:
		return 18
	}
	return 0
}

// Reply.Aux values.
const (
	replyNone    = iota // text lines, command results
	replyHeader         // header confirmation (Reply.ID is the version)
	replyPackage        // 7B 00 <number> 7D (Reply.ID is the number)
)

// Session is one connection: the IMEI and header version from the header.
type Session struct {
	opts     protocols.Options
	maxFrame int
	version  Version
	imei     string
	textID   string // device id of the last $AV line, reused while unchanged

	// Now is the clock written into v2/v3 header confirmations.
	Now func() time.Time
}

// NewSession returns a session for one TCP connection.
func NewSession(_ protocols.Transport, o protocols.Options) protocols.Session {
	s := &Session{opts: o, maxFrame: o.MaxFrame, Now: time.Now}
	if s.maxFrame <= 0 {
		s.maxFrame = DefaultMaxFrame
	}
	return s
}

// Split cuts a header (10 or 18 bytes by version), a package (5B ... 5D,
// walked record by record) or a text line ($AV ... CR LF). A text frame
// excludes the line terminator.
func (s *Session) Split(data []byte) (int, []byte, error) {
	if len(data) == 0 {
		return 0, nil, nil
	}
	switch data[0] {
	case headerStart:
		return s.splitHeader(data)
	case packageStart:
		return s.splitPackage(data)
	case '$':
		return s.splitLine(data)
	}
	return 1, nil, fmt.Errorf("arnavi: byte %#02x starts no frame: %w",
		data[0], protocols.ErrMalformed)
}

func (s *Session) splitHeader(data []byte) (int, []byte, error) {
	if len(data) < 2 {
		return 0, nil, nil
	}
	n := Version(data[1]).headerLen()
	if n == 0 {
		return 1, nil, fmt.Errorf("arnavi: header version %#02x: %w",
			data[1], protocols.ErrMalformed)
	}
	if len(data) < n {
		return 0, nil, nil
	}
	return n, data[:n], nil
}

func (s *Session) splitPackage(data []byte) (int, []byte, error) {
	if len(data) < 2 {
		return 0, nil, nil
	}
	if data[1] == resultNumber {
		if len(data) < 4 {
			return 0, nil, nil
		}
		if data[3] != packageEnd {
			return 1, nil, fmt.Errorf("arnavi: command result without end mark: %w",
				protocols.ErrMalformed)
		}
		return 4, data[:4], nil
	}
	i := 2
	for {
		if i >= s.maxFrame {
			return 0, nil, fmt.Errorf("arnavi: %w",
				protocols.Limit("package length", i, s.maxFrame))
		}
		if i >= len(data) {
			return 0, nil, nil
		}
		if data[i] == packageEnd {
			return i + 1, data[:i+1], nil
		}
		if i+3 > len(data) {
			return 0, nil, nil
		}
		i += 8 + int(binary.LittleEndian.Uint16(data[i+1:]))
	}
}

func (s *Session) splitLine(data []byte) (int, []byte, error) {
	end := bytes.IndexByte(data, '\n')
	if end < 0 {
		if len(data) > s.maxFrame {
			return 0, nil, fmt.Errorf("arnavi: %w",
				protocols.Limit("text line", len(data), s.maxFrame))
		}
		return 0, nil, nil
	}
	line := data[:end]
	if len(line) > 0 && line[len(line)-1] == '\r' {
		line = line[:len(line)-1]
	}
	return end + 1, line, nil
}

// Decode decodes a header, a package or a text line.
func (s *Session) Decode(frame []byte, m *protocols.Message) error {
	if len(frame) == 0 {
		return fmt.Errorf("arnavi: empty frame: %w", protocols.ErrTruncated)
	}
	switch frame[0] {
	case headerStart:
		return s.decodeHeader(frame, m)
	case packageStart:
		return s.decodePackage(frame, m)
	case '$':
		return s.decodeText(frame, m)
	}
	return fmt.Errorf("arnavi: frame starts with %#02x: %w", frame[0], protocols.ErrMalformed)
}

func (s *Session) decodeHeader(frame []byte, m *protocols.Message) error {
	if len(frame) < 2 {
		return fmt.Errorf("arnavi: header of %d bytes: %w", len(frame), protocols.ErrTruncated)
	}
	v := Version(frame[1])
	if n := v.headerLen(); n == 0 || len(frame) != n {
		return protocols.At(1, fmt.Errorf("arnavi: header %v of %d bytes: %w",
			v, len(frame), protocols.ErrMalformed))
	}
	imei := binary.LittleEndian.Uint64(frame[2:10])
	if imei == 0 || imei > 999_999_999_999_999 {
		return protocols.At(2, fmt.Errorf("arnavi: IMEI %d out of range: %w",
			imei, protocols.ErrMalformed))
	}
	s.version = v
	s.imei = strconv.FormatUint(imei, 10)
	m.Type = protocols.MsgLogin
	m.Identity = s.imei
	m.Reply.Aux = replyHeader
	m.Reply.ID = uint64(v)
	return nil
}

// AppendReply confirms an accepted header or package:
//
//	header v1:       7B 00 00 7D
//	header v2/v3:    7B 04 00 <sum of time bytes> <Unix time, 4 LE> 7D
//	package:         7B 00 <package number> 7D
//
// Text lines and command results get no answer; neither do refused or
// invalid frames.
func (s *Session) AppendReply(dst []byte, m *protocols.Message, v protocols.Verdict, _ error) []byte {
	if v != protocols.Accepted {
		return dst
	}
	switch m.Reply.Aux {
	case replyHeader:
		if Version(m.Reply.ID) == Version1 {
			return append(dst, replyStart, 0x00, 0x00, replyEnd)
		}
		var t [4]byte
		binary.LittleEndian.PutUint32(t[:], uint32(s.Now().Unix()))
		sum := t[0] + t[1] + t[2] + t[3]
		dst = append(dst, replyStart, 0x04, 0x00, sum)
		dst = append(dst, t[:]...)
		return append(dst, replyEnd)
	case replyPackage:
		return append(dst, replyStart, 0x00, byte(m.Reply.ID), replyEnd)
	}
	return dst
}
