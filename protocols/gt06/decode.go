package gt06

import (
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"time"

	"dozor/protocols"
	"dozor/protocols/wire"
)

// Reply context kept in protocols.Message.Reply between Decode and
// AppendReply.
const (
	replyNone = 0 // nothing to send
	replyEcho = 1 // start, 05, type, serial, CRC, 0D 0A
	replyTime = 2 // time calibration answer (0x8A)

	auxLong = 1 << 8 // Reply.Aux flag: the frame was a 0x7979 frame
)

// packet is a checked frame split into its fields; body aliases the frame.
type packet struct {
	long   bool
	typ    PacketType
	body   []byte
	serial uint16
	bodyAt int // offset of body in the frame, for error offsets
}

// Decode decodes one frame cut by Split into m. It checks the stop bytes
// and the CRC, requires a login before any other packet, and fills m.Fixes
// for packets that carry a GPS position. Strings kept in m are copies.
func (s *Session) Decode(frame []byte, m *protocols.Message) error {
	p, err := s.parse(frame)
	if err != nil {
		return err
	}
	m.Reply.ID = uint64(p.serial)
	m.Reply.Aux = uint64(p.typ)
	if p.long {
		m.Reply.Aux |= auxLong
	}
	if p.typ == Login {
		return s.decodeLogin(p, m)
	}
	if s.identity == "" {
		return fmt.Errorf("gt06: %v packet before login: %w", p.typ, protocols.ErrNoIdentity)
	}
	if p.typ.needsEcho() {
		m.Reply.N = replyEcho
	}
	if err := s.decodeBody(p, m); err != nil {
		return fmt.Errorf("gt06: %v packet: %w", p.typ, err)
	}
	return nil
}

// parse checks the frame envelope and returns its fields.
func (s *Session) parse(frame []byte) (packet, error) {
	var p packet
	head := 3
	if len(frame) >= 2 && frame[0] == startLong {
		head, p.long = 4, true
	}
	if len(frame) < head+7 {
		return p, fmt.Errorf("gt06: frame of %d bytes: %w", len(frame), protocols.ErrTruncated)
	}
	if frame[0] != frame[1] || (frame[0] != startShort && frame[0] != startLong) {
		err := fmt.Errorf("gt06: start %x: %w", frame[:2], protocols.ErrMalformed)
		return p, protocols.At(0, err)
	}
	n := len(frame)
	if frame[n-2] != '\r' || frame[n-1] != '\n' {
		return p, protocols.At(n-2, fmt.Errorf("gt06: stop %x, want 0d0a: %w",
			frame[n-2:], protocols.ErrMalformed))
	}
	p.typ = PacketType(frame[head])
	p.bodyAt = head + 1
	if declared := declaredLen(frame); declared != n {
		// Old firmware sends a wrong length and no serial or CRC. Such a
		// frame cannot be checked; only a lenient listener takes it, with
		// everything up to the stop bytes as the body and serial 0.
		if !s.cfg.AcceptBad() {
			err := fmt.Errorf("gt06: length field says %d bytes, frame has %d: %w",
				declared, n, protocols.ErrMalformed)
			return p, protocols.At(2, err)
		}
		p.body = frame[head+1 : n-2]
		return p, nil
	}
	got := binary.BigEndian.Uint16(frame[n-4:])
	if want := wire.CRC16X25(frame[2 : n-4]); got != want && !s.cfg.AcceptBad() {
		return p, protocols.At(n-4, fmt.Errorf("gt06: crc %04x, computed %04x: %w",
			got, want, protocols.ErrChecksum))
	}
	p.body = frame[head+1 : n-6]
	p.serial = binary.BigEndian.Uint16(frame[n-6:])
	return p, nil
}

// decodeLogin reads the 8-byte BCD terminal id and the optional type and
// time-zone words.
func (s *Session) decodeLogin(p packet, m *protocols.Message) error {
	m.Type = protocols.MsgLogin
	if len(p.body) < 8 {
		return protocols.At(p.bodyAt, fmt.Errorf("gt06: login of %d bytes: %w",
			len(p.body), protocols.ErrTruncated))
	}
	var digits [16]byte
	hex.Encode(digits[:], p.body[:8])
	for i, c := range digits {
		if c > '9' {
			return protocols.At(p.bodyAt+i/2, fmt.Errorf("gt06: terminal id %x is not BCD: %w",
				p.body[:8], protocols.ErrMalformed))
		}
	}
	id := digits[:]
	if id[0] == '0' {
		id = id[1:] // 15-digit IMEI after a leading 0
	}
	m.Identity = string(id)
	s.identity = m.Identity
	m.Reply.N = replyEcho
	if s.cfg.LoginTimeZone && len(p.body) >= 12 {
		s.loc = loginZone(binary.BigEndian.Uint16(p.body[10:]))
	}
	return nil
}

// loginZone decodes the time-zone word: bits 15..4 are the offset as
// hhmm (800 = 8:00), bit 3 set means west of Greenwich.
func loginZone(w uint16) *time.Location {
	v := int(w >> 4)
	off := (v/100*60 + v%100) * 60
	if w&0x08 != 0 {
		off = -off
	}
	if off == 0 {
		return time.UTC
	}
	return time.FixedZone("", off)
}

// declaredLen returns the frame size the length field announces.
func declaredLen(frame []byte) int {
	if frame[0] == startLong {
		return int(binary.BigEndian.Uint16(frame[2:])) + 6
	}
	return int(frame[2]) + 5
}
