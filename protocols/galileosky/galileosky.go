package galileosky

import (
	"encoding/binary"
	"fmt"

	"dozor/protocols"
	"dozor/protocols/wire"
)

// Name is the registry name of the protocol.
const Name = "galileosky"

// DefaultMaxFrame bounds a frame when Options.MaxFrame is 0. The vendor
// manual caps a main packet at 1000 bytes; photo chunks are about as large.
// The 15-bit length field could announce up to 32 KiB, which a device never
// sends, so anything over this closes the connection.
const DefaultMaxFrame = 2048

// Protocol is the registry descriptor.
var Protocol = protocols.Protocol{
	Name:       Name,
	Title:      "Galileosky tagged binary protocol (CRC-16/MODBUS)",
	Port:       5034,
	Transports: []protocols.Transport{protocols.TCP},
	NewSession: NewSession,
}

// Header is the first byte of a packet.
type Header uint8

// Packet headers.
const (
	HeaderMain       Header = 0x01 // tags and CRC (also Iridium SBD revision 1)
	HeaderGarmin     Header = 0x06 // Garmin FMI tunnel, no confirmation
	HeaderPhoto      Header = 0x07 // one chunk of a camera picture
	HeaderCompressed Header = 0x08 // bit-packed minimal data set
)

func (h Header) String() string {
	switch h {
	case HeaderMain:
		return "main"
	case HeaderGarmin:
		return "garmin"
	case HeaderPhoto:
		return "photo"
	case HeaderCompressed:
		return "compressed"
	}
	return fmt.Sprintf("header(%#02x)", uint8(h))
}

// Reply.Aux values: what kind of answer a decoded message needs.
const (
	replyCRC  = 1 // 0x02 + the packet's CRC
	replyNone = 2 // nothing (Iridium gateway, Garmin tunnel)
)

// Session is the state of one device connection: the identity learned from
// tag 0x03 and the options of the listener.
type Session struct {
	opts     protocols.Options
	maxFrame int
	imei     string // identity from the last tag 0x03; reused while unchanged
}

// NewSession returns a session for one TCP connection.
func NewSession(_ protocols.Transport, o protocols.Options) protocols.Session {
	s := &Session{opts: o, maxFrame: o.MaxFrame}
	if s.maxFrame <= 0 {
		s.maxFrame = DefaultMaxFrame
	}
	return s
}

// Split cuts one packet: header, 2-byte length, body and CRC. An Iridium
// SBD message (header 0x01 followed by MO header IEI 01 00 1C at offset 3)
// carries a big-endian length and no CRC. A byte that starts no known
// packet is skipped with an error.
func (s *Session) Split(data []byte) (int, []byte, error) {
	if len(data) < 3 {
		return 0, nil, nil
	}
	var n int
	switch Header(data[0]) {
	case HeaderMain:
		if len(data) < 6 {
			return 0, nil, nil
		}
		if isIridium(data) {
			n = 3 + int(binary.BigEndian.Uint16(data[1:3]))
		} else {
			n = 3 + int(binary.LittleEndian.Uint16(data[1:3])&0x7fff) + 2
		}
	case HeaderGarmin, HeaderPhoto, HeaderCompressed:
		n = 3 + int(binary.LittleEndian.Uint16(data[1:3])&0x7fff) + 2
	default:
		return 1, nil, fmt.Errorf("galileosky: byte %#02x starts no packet: %w",
			data[0], protocols.ErrMalformed)
	}
	if n > s.maxFrame {
		return 0, nil, fmt.Errorf("galileosky: %w", protocols.Limit("frame length", n, s.maxFrame))
	}
	if len(data) < n {
		return 0, nil, nil
	}
	return n, data[:n], nil
}

func isIridium(b []byte) bool {
	return len(b) >= 6 && b[0] == 0x01 && b[3] == 0x01 && b[4] == 0x00 && b[5] == 0x1c
}

// Decode decodes one packet cut by Split (or one whole packet). Records of a
// main packet become fixes; a head packet (identity only) is a login.
func (s *Session) Decode(frame []byte, m *protocols.Message) error {
	if len(frame) < 5 {
		return fmt.Errorf("galileosky: packet of %d bytes: %w", len(frame), protocols.ErrTruncated)
	}
	if isIridium(frame) {
		return s.decodeIridium(frame, m)
	}
	body, err := s.checkFrame(frame)
	if err != nil {
		return err
	}
	m.Reply.ID = uint64(binary.LittleEndian.Uint16(frame[len(frame)-2:]))
	m.Reply.Aux = replyCRC
	switch Header(frame[0]) {
	case HeaderMain:
		return s.decodeMain(body, 3, m)
	case HeaderPhoto:
		m.Type = protocols.MsgOther
		return nil
	case HeaderGarmin:
		m.Type = protocols.MsgOther
		m.Reply.Aux = replyNone
		return nil
	}
	return fmt.Errorf("galileosky: %v packet: %w", Header(frame[0]), protocols.ErrUnsupported)
}

// checkFrame verifies the declared length and the CRC and returns the tags.
func (s *Session) checkFrame(frame []byte) ([]byte, error) {
	n := int(binary.LittleEndian.Uint16(frame[1:3]) & 0x7fff)
	if n+5 != len(frame) {
		return nil, protocols.At(1, fmt.Errorf("galileosky: length %d for a %d-byte packet: %w",
			n, len(frame), protocols.ErrMalformed))
	}
	want := binary.LittleEndian.Uint16(frame[len(frame)-2:])
	got := wire.CRC16Modbus(frame[:len(frame)-2])
	if got != want && !s.opts.AcceptBad() {
		return nil, protocols.At(len(frame)-2, fmt.Errorf(
			"galileosky: crc %#04x, computed %#04x: %w", want, got, protocols.ErrChecksum))
	}
	return frame[3 : len(frame)-2], nil
}

// AppendReply appends the confirmation: 0x02 and the packet's CRC as
// received, for every accepted packet. Refused and invalid packets get no
// answer, so the device keeps them and sends them again.
func (s *Session) AppendReply(dst []byte, m *protocols.Message, v protocols.Verdict, _ error) []byte {
	if v != protocols.Accepted || m.Reply.Aux != replyCRC {
		return dst
	}
	return append(dst, 0x02, byte(m.Reply.ID), byte(m.Reply.ID>>8))
}

// identity returns the IMEI as a string, allocating only when it changed.
func (s *Session) identity(b []byte) string {
	if s.imei != string(b) {
		s.imei = string(b)
	}
	return s.imei
}
