package navtelecom

import (
	"bytes"
	"encoding/binary"
	"fmt"

	"dozor/protocols"
	"dozor/protocols/wire"
)

// maxNtcbRecords bounds the record count of one *>A archive.
const maxNtcbRecords = 255

// decodeNTCB checks the header's two XOR sums and dispatches on the
// three-byte message type.
func (s *Session) decodeNTCB(frame []byte, m *protocols.Message) error {
	if len(frame) < ntcbHeaderLen {
		return fmt.Errorf("navtelecom: NTCB frame of %d bytes: %w",
			len(frame), protocols.ErrTruncated)
	}
	n := int(binary.LittleEndian.Uint16(frame[12:14]))
	if len(frame) != ntcbHeaderLen+n {
		return protocols.At(12, fmt.Errorf("navtelecom: NTCB length %d for %d bytes: %w",
			n, len(frame)-ntcbHeaderLen, protocols.ErrMalformed))
	}
	data := frame[ntcbHeaderLen:]
	if err := s.checkNTCB(frame, data); err != nil {
		return err
	}
	copy(s.prefix[:], frame[:4])
	s.server = binary.LittleEndian.Uint32(frame[4:8])
	s.device = binary.LittleEndian.Uint32(frame[8:12])
	if n == 0 {
		m.Type = protocols.MsgHeartbeat
		return nil
	}
	if n < 3 {
		return protocols.At(ntcbHeaderLen, fmt.Errorf("navtelecom: NTCB message %q: %w",
			data, protocols.ErrMalformed))
	}
	typ := string(data[:3])
	if typ == "*>S" {
		return s.decodeHandshake(data, m)
	}
	if s.imei == "" {
		return fmt.Errorf("navtelecom: %s before the *>S handshake: %w",
			typ, protocols.ErrNoIdentity)
	}
	var err error
	switch typ {
	case "*>F":
		err = s.decodeNegotiation(data, m)
	case "*>T":
		err = s.decodeNtcbT(data[3:], m)
	case "*>A":
		err = s.decodeNtcbA(data[3:], m)
	case "*@C":
		m.Type = protocols.MsgOther // answer to a server command; nothing to store
	default:
		err = fmt.Errorf("navtelecom: NTCB message %q: %w", typ, protocols.ErrUnsupported)
	}
	return shift(err, ntcbHeaderLen)
}

func (s *Session) checkNTCB(frame, data []byte) error {
	if got := xor(data); got != frame[14] && !s.opts.AcceptBad() {
		return protocols.At(14, fmt.Errorf("navtelecom: data xor %#02x, computed %#02x: %w",
			frame[14], got, protocols.ErrChecksum))
	}
	if got := xor(frame[:15]); got != frame[15] && !s.opts.AcceptBad() {
		return protocols.At(15, fmt.Errorf("navtelecom: header xor %#02x, computed %#02x: %w",
			frame[15], got, protocols.ErrChecksum))
	}
	return nil
}

func (s *Session) decodeHandshake(data []byte, m *protocols.Message) error {
	if len(data) < 5 || data[3] != ':' {
		return fmt.Errorf("navtelecom: handshake %q: %w", data, protocols.ErrMalformed)
	}
	id := bytes.TrimRight(data[4:], "\x00")
	if len(id) == 0 || len(id) > 20 || !digits(id) {
		return fmt.Errorf("navtelecom: handshake IMEI %q: %w", id, protocols.ErrMalformed)
	}
	if s.imei != string(id) {
		s.imei = string(id)
	}
	m.Type = protocols.MsgLogin
	m.Identity = s.imei
	m.Reply.Aux = uint64(KindHandshake)
	return nil
}

// decodeNegotiation reads *>FLEX B0 <protocol> <structure> <bits> <field>.
// The layout is kept at once, because the frames that follow can only be
// cut with it.
func (s *Session) decodeNegotiation(data []byte, m *protocols.Message) error {
	rd := wire.NewReader(data)
	if string(rd.Bytes(6)) != "*>FLEX" || rd.U8() != 0xb0 {
		return fmt.Errorf("navtelecom: negotiation %q: %w", data, protocols.ErrMalformed)
	}
	proto, structure, bits := rd.U8(), rd.U8(), int(rd.U8())
	field := rd.Bytes((bits + 7) / 8)
	if err := rd.Err(); err != nil {
		return fmt.Errorf("navtelecom: negotiation: %w", err)
	}
	if err := s.flex.set(proto, structure, bits, field); err != nil {
		return err
	}
	s.haveFlex = true
	m.Type = protocols.MsgOther
	m.Reply.Aux = uint64(KindFlex)
	m.Reply.Data = append(m.Reply.Data[:0], 0xb0, proto, structure)
	return nil
}

func (s *Session) decodeNtcbT(b []byte, m *protocols.Message) error {
	rd := wire.NewReader(b)
	idx, err := decodeNtcbRecord(&rd, m)
	if err != nil {
		return protocols.At(3, err)
	}
	if rd.Len() != 0 {
		return protocols.At(3+rd.Offset(), fmt.Errorf("navtelecom: %d bytes after the record: %w",
			rd.Len(), protocols.ErrMalformed))
	}
	m.Type = dataType(m)
	m.Reply.Aux = uint64(KindNtcbT)
	m.Reply.ID = uint64(idx)
	return nil
}

func (s *Session) decodeNtcbA(b []byte, m *protocols.Message) error {
	rd := wire.NewReader(b)
	n := int(rd.U8())
	if n == 0 || n > maxNtcbRecords {
		return protocols.At(3, fmt.Errorf("navtelecom: archive of %d records: %w",
			n, protocols.ErrMalformed))
	}
	for i := 0; i < n; i++ {
		if _, err := decodeNtcbRecord(&rd, m); err != nil {
			return protocols.At(3, fmt.Errorf("record %d: %w", i, err))
		}
	}
	if rd.Len() != 0 {
		return protocols.At(3+rd.Offset(), fmt.Errorf("navtelecom: %d bytes after %d records: %w",
			rd.Len(), n, protocols.ErrMalformed))
	}
	m.Type = dataType(m)
	m.Reply.Aux = uint64(KindNtcbA)
	m.Reply.N = n
	return nil
}

func dataType(m *protocols.Message) protocols.MessageType {
	if len(m.Fixes) == 0 {
		return protocols.MsgOther
	}
	return protocols.MsgData
}

func shift(err error, base int) error {
	if err == nil {
		return nil
	}
	if oe, ok := err.(*protocols.OffsetError); ok {
		return protocols.At(base+oe.Offset, oe.Err)
	}
	return err
}

func digits(b []byte) bool {
	for _, c := range b {
		if c < '0' || c > '9' {
			return false
		}
	}
	return true
}
