package wialon

import (
	"bytes"
	"errors"
	"fmt"

	"dozor/protocols"
	"dozor/protocols/wire"
)

// Packet is a packet type, the TYPE of #TYPE#.
type Packet uint8

// Packet types a device sends.
const (
	PacketLogin     Packet = iota + 1 // #L#: login
	PacketShortData                   // #SD#: position
	PacketData                        // #D#: position, sensors and parameters
	PacketBlackBox                    // #B#: several SD or D bodies separated by |
	PacketPing                        // #P#: keep-alive
	PacketMessage                     // #M#: text message for the dispatcher
)

func (p Packet) String() string {
	switch p {
	case PacketLogin:
		return "L"
	case PacketShortData:
		return "SD"
	case PacketData:
		return "D"
	case PacketBlackBox:
		return "B"
	case PacketPing:
		return "P"
	case PacketMessage:
		return "M"
	}
	return fmt.Sprintf("packet(%d)", uint8(p))
}

// Field counts of the SD and D bodies, without the 2.0 CRC.
const (
	shortFields = 10
	dataFields  = 16
)

// ReplyError is a decode error with the result code the server answers
// for it (#AL#10, #ASD#-1, #AD#12, ...). Decode returns it for every packet
// whose type could be read.
type ReplyError struct {
	Packet Packet
	Code   string // result code of the answer, as sent ("-1", "0", "10", ...)
	Err    error  // cause; wraps a protocols sentinel
}

func (e *ReplyError) Error() string {
	return fmt.Sprintf("wialon #%s# packet: %v (answer code %s)", e.Packet, e.Err, e.Code)
}

// Unwrap returns the cause.
func (e *ReplyError) Unwrap() error { return e.Err }

// refuse builds the error of a packet refused with result code at a byte
// offset of the frame.
func refuse(p Packet, code string, off int, sentinel error, format string, args ...any) error {
	cause := fmt.Errorf("%s: %w", fmt.Sprintf(format, args...), sentinel)
	return protocols.At(off, &ReplyError{Packet: p, Code: code, Err: cause})
}

// Decode decodes one packet (a line without its terminator, or a UDP
// datagram, which may end in CR LF). The UDP form, "[version;]id#TYPE#msg",
// sets m.Identity on every packet; on TCP the identity comes from #L#.
// Errors name the result code the answer carries (see ReplyError).
func (s *Session) Decode(frame []byte, m *protocols.Message) error {
	line := bytes.TrimRight(frame, "\r\n")
	ver := s.version
	off := 0
	if len(line) > 0 && line[0] != '#' {
		i := bytes.IndexByte(line, '#')
		if i <= 0 {
			return protocols.At(0, fmt.Errorf("wialon: line %.20q has no #TYPE#: %w",
				line, protocols.ErrMalformed))
		}
		var id []byte
		ver, id = udpPrefix(line[:i])
		m.Identity = s.identity(id)
		line, off = line[i:], i
	}
	if len(line) < 3 || line[0] != '#' {
		return protocols.At(off, fmt.Errorf("wialon: line %.20q has no #TYPE#: %w",
			line, protocols.ErrMalformed))
	}
	j := bytes.IndexByte(line[1:], '#')
	if j < 0 {
		return protocols.At(off, fmt.Errorf("wialon: packet type not closed by #: %w",
			protocols.ErrMalformed))
	}
	typ, body := line[1:1+j], line[2+j:]
	d := decoder{s: s, m: m, ver: ver, base: off + 2 + j}
	return d.packet(typ, body)
}

// udpPrefix splits the UDP prefix "2.0;id" (or "id" in 1.1).
func udpPrefix(p []byte) (Version, []byte) {
	i := bytes.LastIndexByte(p, ';')
	if i < 0 {
		return Version11, p
	}
	return parseVersion(p[:i]), p[i+1:]
}

// parseVersion reads "2.0", "2.1", ... as Version20 and "1.x" as 1.1.
func parseVersion(v []byte) Version {
	if len(v) > 0 && v[0] >= '2' && v[0] <= '9' {
		return Version20
	}
	return Version11
}

// identity returns id as a string, reusing the last copy while it is the
// same so that a UDP peer's datagrams do not allocate it again.
func (s *Session) identity(id []byte) string {
	if string(id) != s.ident {
		s.ident = string(id)
	}
	return s.ident
}

// decoder decodes one packet.
type decoder struct {
	s    *Session
	m    *protocols.Message
	ver  Version
	base int // offset of the body in the frame
}

func (d *decoder) packet(typ, body []byte) error {
	switch string(typ) {
	case "L":
		return d.login(body)
	case "SD":
		return d.data(PacketShortData, body)
	case "D":
		return d.data(PacketData, body)
	case "B":
		return d.blackBox(body)
	case "P":
		d.m.Type = protocols.MsgHeartbeat
		d.m.Reply.ID = uint64(PacketPing)
		return nil
	case "M":
		return d.message(body)
	}
	return protocols.At(d.base-len(typ)-1, fmt.Errorf("wialon: packet type %.8q: %w",
		typ, protocols.ErrUnsupported))
}

// login decodes "imei;password" (1.1) or "2.0;imei;password;crc16" (2.0)
// and records the version for the packets that follow.
func (d *decoder) login(body []byte) error {
	d.m.Type = protocols.MsgLogin
	d.m.Reply.ID = uint64(PacketLogin)
	f := split(body, ';', d.s.fields[:0])
	d.s.fields = f
	var imei []byte
	switch {
	case len(f) == 4 && bytes.IndexByte(f[0], '.') > 0:
		d.s.version = Version20
		if err := d.checkCRC(PacketLogin, "10", body); err != nil {
			return err
		}
		imei = f[1]
	case len(f) == 2:
		d.s.version = Version11
		imei = f[0]
	default:
		return refuse(PacketLogin, "0", d.base, protocols.ErrMalformed,
			"login has %d fields, want imei;password or 2.0;imei;password;crc16", len(f))
	}
	if len(imei) == 0 || isNA(imei) {
		return refuse(PacketLogin, "0", d.base, protocols.ErrMalformed, "login without an id")
	}
	d.m.Identity = d.s.identity(imei)
	return nil
}

// message decodes #M#text (1.1) or #M#text;crc16 (2.0). The text is not
// kept: a Message has no place for it.
func (d *decoder) message(body []byte) error {
	d.m.Type = protocols.MsgOther
	d.m.Reply.ID = uint64(PacketMessage)
	if d.ver == Version20 {
		return d.checkCRC(PacketMessage, "01", body)
	}
	return nil
}

// checkCRC verifies the CRC-16/ARC after the last ';' of body, computed
// over everything before it, the ';' included.
func (d *decoder) checkCRC(p Packet, code string, body []byte) error {
	i := bytes.LastIndexByte(body, ';')
	if i < 0 {
		return refuse(p, "-1", d.base, protocols.ErrMalformed, "no crc16 field")
	}
	return d.verify(p, code, body[:i+1], body[i+1:], d.base+i+1)
}

// verify compares the CRC field (4 hex digits; "0x" and fewer digits are
// tolerated) with the CRC-16/ARC of covered.
func (d *decoder) verify(p Packet, code string, covered, field []byte, at int) error {
	got, ok := parseHex16(field)
	if !ok {
		return refuse(p, code, at, protocols.ErrMalformed, "crc16 field %.8q is not hex", field)
	}
	if want := wire.CRC16ARC(covered); got != want {
		if !d.s.opts.AcceptBad() {
			return refuse(p, code, at, protocols.ErrChecksum,
				"crc16 %04X, computed %04X", got, want)
		}
		d.s.badChecksums++
	}
	return nil
}

func parseHex16(b []byte) (uint16, bool) {
	if len(b) > 2 && b[0] == '0' && (b[1] == 'x' || b[1] == 'X') {
		b = b[2:]
	}
	if len(b) == 0 || len(b) > 4 {
		return 0, false
	}
	var v uint16
	for _, c := range b {
		switch {
		case c >= '0' && c <= '9':
			v = v<<4 | uint16(c-'0')
		case c >= 'a' && c <= 'f':
			v = v<<4 | uint16(c-'a'+10)
		case c >= 'A' && c <= 'F':
			v = v<<4 | uint16(c-'A'+10)
		default:
			return 0, false
		}
	}
	return v, true
}

// split appends the sep-separated parts of b to dst.
func split(b []byte, sep byte, dst [][]byte) [][]byte {
	for {
		i := bytes.IndexByte(b, sep)
		if i < 0 {
			return append(dst, b)
		}
		dst = append(dst, b[:i])
		b = b[i+1:]
	}
}

func isNA(b []byte) bool { return len(b) == 0 || string(b) == "NA" }

// replyOf extracts the ReplyError from err, if any.
func replyOf(err error) (*ReplyError, bool) {
	var re *ReplyError
	ok := errors.As(err, &re)
	return re, ok
}
