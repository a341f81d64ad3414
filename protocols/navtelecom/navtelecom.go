package navtelecom

import (
	"encoding/binary"
	"fmt"

	"dozor/protocols"
	"dozor/protocols/wire"
)

// Name is the registry name of the protocol.
const Name = "navtelecom"

// DefaultMaxFrame bounds a frame when Options.MaxFrame is 0. An NTCB
// length field allows 64 KiB; archives seen in practice are under 2 KiB.
const DefaultMaxFrame = 16 << 10

// Protocol is the registry descriptor.
var Protocol = protocols.Protocol{
	Name:       Name,
	Title:      "NavTelecom NTCB and FLEX 1.0/2.0/3.0",
	Port:       5019,
	Transports: []protocols.Transport{protocols.TCP},
	NewSession: NewSession,
}

const (
	ntcbHeaderLen = 16
	flexKeepAlive = 0x7f
	flexStart     = '~'
	ntcbStart     = '@'
)

// Kind is what a decoded frame was, kept in Reply.Aux to build the answer.
type Kind uint8

// Frame kinds.
const (
	KindNone      Kind = iota // keep-alive or command answer: no reply
	KindHandshake             // *>S:<IMEI>        -> *<S
	KindFlex                  // *>FLEX ...        -> *<FLEX B0 ver struct
	KindNtcbT                 // *>T record        -> *<T index
	KindNtcbA                 // *>A n records     -> *<A n
	KindFlexA                 // ~A n records      -> ~A n crc
	KindFlexT                 // ~T index record   -> ~T index crc
	KindFlexC                 // ~C record         -> ~C crc
	KindFlexE                 // ~E n ext records  -> ~E n crc
	KindFlexX                 // ~X index record   -> ~X index crc
)

func (k Kind) String() string {
	names := [...]string{"none", "*>S", "*>FLEX", "*>T", "*>A", "~A", "~T", "~C", "~E", "~X"}
	if int(k) < len(names) {
		return names[k]
	}
	return fmt.Sprintf("kind(%d)", uint8(k))
}

// Session is one connection: the identity from the handshake, the NTCB
// addresses to answer with, and the negotiated FLEX record layout.
type Session struct {
	opts     protocols.Options
	maxFrame int
	imei     string

	prefix   [4]byte // NTCB prefix of the device's frames, echoed back
	device   uint32  // the device's address (sender of its frames)
	server   uint32  // our address as the device knows it
	flex     flexLayout
	haveFlex bool
}

// NewSession returns a session for one TCP connection.
func NewSession(_ protocols.Transport, o protocols.Options) protocols.Session {
	s := &Session{opts: o, maxFrame: o.MaxFrame, prefix: [4]byte{'@', 'N', 'T', 'C'}}
	if s.maxFrame <= 0 {
		s.maxFrame = DefaultMaxFrame
	}
	return s
}

// Split cuts an NTCB frame (16-byte header + data), the one-byte FLEX
// keep-alive, or a FLEX frame whose size follows from the negotiated bit
// field. FLEX frames before a negotiation cannot be framed and close the
// connection.
func (s *Session) Split(data []byte) (int, []byte, error) {
	if len(data) == 0 {
		return 0, nil, nil
	}
	var n int
	var err error
	switch data[0] {
	case ntcbStart:
		if len(data) < ntcbHeaderLen {
			return 0, nil, nil
		}
		if xor(data[:15]) != data[15] && !s.opts.LenientChecksum {
			// Not a header, or a corrupt one: resynchronise on the next byte
			// rather than wait for a length that may be garbage.
			return 1, nil, fmt.Errorf("navtelecom: NTCB header xor %#02x, computed %#02x: %w",
				data[15], xor(data[:15]), protocols.ErrChecksum)
		}
		n = ntcbHeaderLen + int(binary.LittleEndian.Uint16(data[12:14]))
	case flexKeepAlive:
		return 1, data[:1], nil
	case flexStart:
		if !s.haveFlex {
			return 0, nil, fmt.Errorf("navtelecom: FLEX frame before *>FLEX negotiation: %w",
				protocols.ErrMalformed)
		}
		if n, err = s.flexSize(data); err != nil || n == 0 {
			return 0, nil, err
		}
	default:
		return 1, nil, fmt.Errorf("navtelecom: byte %#02x starts no frame: %w",
			data[0], protocols.ErrMalformed)
	}
	if n > s.maxFrame {
		return 0, nil, fmt.Errorf("navtelecom: %w", protocols.Limit("frame length", n, s.maxFrame))
	}
	if len(data) < n {
		return 0, nil, nil
	}
	return n, data[:n], nil
}

// flexSize returns the length of the FLEX frame at the start of data, 0 if
// more bytes are needed to know it.
func (s *Session) flexSize(data []byte) (int, error) {
	if len(data) < 3 {
		return 0, nil
	}
	rec := s.flex.size
	switch data[1] {
	case 'A':
		return 3 + int(data[2])*rec + 1, nil
	case 'T':
		return 2 + 4 + rec + 1, nil
	case 'C':
		return 2 + rec + 1, nil
	case 'E':
		return s.extSize(data, 3, int(data[2]))
	case 'X':
		return s.extSize(data, 6, 1)
	}
	return 0, fmt.Errorf("navtelecom: FLEX frame type %q: %w", data[1], protocols.ErrMalformed)
}

// extSize walks n FLEX 2.0 extended records, each a 2-byte LE length and
// that many bytes, starting at off.
func (s *Session) extSize(data []byte, off, n int) (int, error) {
	for i := 0; i < n; i++ {
		if off > s.maxFrame {
			return 0, fmt.Errorf("navtelecom: %w", protocols.Limit("frame length", off, s.maxFrame))
		}
		if off+2 > len(data) {
			return 0, nil
		}
		off += 2 + int(binary.LittleEndian.Uint16(data[off:]))
	}
	return off + 1, nil
}

// Decode decodes one frame. Data before the *>S handshake is refused with
// protocols.ErrNoIdentity.
func (s *Session) Decode(frame []byte, m *protocols.Message) error {
	if len(frame) == 0 {
		return fmt.Errorf("navtelecom: empty frame: %w", protocols.ErrTruncated)
	}
	switch frame[0] {
	case ntcbStart:
		return s.decodeNTCB(frame, m)
	case flexKeepAlive:
		if len(frame) != 1 {
			return fmt.Errorf("navtelecom: keep-alive of %d bytes: %w",
				len(frame), protocols.ErrMalformed)
		}
		m.Type = protocols.MsgHeartbeat
		return nil
	case flexStart:
		return s.decodeFlex(frame, m)
	}
	return fmt.Errorf("navtelecom: frame starts with %#02x: %w", frame[0], protocols.ErrMalformed)
}

// AppendReply appends the answer for an accepted frame: NTCB answers inside
// an NTCB header addressed back to the device, FLEX answers followed by
// their CRC-8. Refused and invalid frames get nothing.
func (s *Session) AppendReply(dst []byte, m *protocols.Message, v protocols.Verdict, _ error) []byte {
	if v != protocols.Accepted {
		return dst
	}
	k := Kind(m.Reply.Aux)
	switch k {
	case KindHandshake:
		return s.appendNTCB(dst, "*<S", nil)
	case KindFlex:
		return s.appendNTCB(dst, "*<FLEX", m.Reply.Data)
	case KindNtcbT:
		var idx [4]byte
		binary.LittleEndian.PutUint32(idx[:], uint32(m.Reply.ID))
		return s.appendNTCB(dst, "*<T", idx[:])
	case KindNtcbA:
		return s.appendNTCB(dst, "*<A", []byte{byte(m.Reply.N)})
	case KindFlexA, KindFlexE:
		return appendFlex(dst, k.String(), byte(m.Reply.N))
	case KindFlexT, KindFlexX:
		start := len(dst)
		dst = append(dst, k.String()...)
		dst = binary.LittleEndian.AppendUint32(dst, uint32(m.Reply.ID))
		return append(dst, wire.CRC8EGTS(dst[start:]))
	case KindFlexC:
		start := len(dst)
		dst = append(dst, "~C"...)
		return append(dst, wire.CRC8EGTS(dst[start:]))
	}
	return dst
}

func appendFlex(dst []byte, head string, n byte) []byte {
	start := len(dst)
	dst = append(dst, head...)
	dst = append(dst, n)
	return append(dst, wire.CRC8EGTS(dst[start:]))
}

// appendNTCB wraps head+body in an NTCB header from the server to the device.
func (s *Session) appendNTCB(dst []byte, head string, body []byte) []byte {
	n := len(head) + len(body)
	var x byte
	for i := 0; i < len(head); i++ {
		x ^= head[i]
	}
	for _, c := range body {
		x ^= c
	}
	start := len(dst)
	dst = append(dst, s.prefix[:]...)
	dst = binary.LittleEndian.AppendUint32(dst, s.device)
	dst = binary.LittleEndian.AppendUint32(dst, s.server)
	dst = binary.LittleEndian.AppendUint16(dst, uint16(n))
	dst = append(dst, x)
	dst = append(dst, xor(dst[start:]))
	dst = append(dst, head...)
	return append(dst, body...)
}

func xor(b []byte) byte {
	var x byte
	for _, c := range b {
		x ^= c
	}
	return x
}
