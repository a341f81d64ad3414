package egts

import (
	"encoding/binary"

	"dozor/protocols"
	"dozor/protocols/wire"
)

// header is the transport header of a packet.
type header struct {
	hl  int
	fdl int
	pid uint16
	pt  PacketType
}

// Header flag bits (the third byte).
const (
	flagRTE = 0x20 // routing fields present
	flagENA = 0x18 // encryption algorithm
	flagCMP = 0x04 // compressed data
)

// Decode decodes one transport packet into m. An APPDATA packet becomes a
// MsgData message (or MsgLogin when it carries EGTS_SR_TERM_IDENTITY) whose
// fixes are the POS_DATA subrecords of its teledata records; a RESPONSE
// packet (the terminal acknowledging a server packet) is MsgOther. Errors
// found after the header could be read carry a *ResultError with the
// processing result AppendReply reports.
func (s *Session) Decode(frame []byte, m *protocols.Message) error {
	h, err := s.header(frame)
	if err != nil {
		return err
	}
	m.Reply.ID = uint64(h.pid)
	body := frame[h.hl : h.hl+h.fdl]
	d := decoder{s: s, m: m, pid: h.pid, base: h.hl}
	switch h.pt {
	case PacketResponse:
		m.Type = protocols.MsgOther
		if len(body) < 3 {
			return failure(h.pid, ResultIncDataForm, h.hl, protocols.ErrTruncated,
				"response of %d bytes, need 3 for RPID and PR", len(body))
		}
		d.base += 3
		return d.records(body[3:], false)
	case PacketAppData:
		return s.appData(&d, body)
	case PacketSignedAppData:
		if len(body) < 2 {
			return failure(h.pid, ResultIncDataForm, h.hl, protocols.ErrTruncated,
				"signed appdata of %d bytes, need 2 for SIGL", len(body))
		}
		sigl := int(binary.LittleEndian.Uint16(body)) + 2
		if sigl > len(body) {
			return failure(h.pid, ResultIncDataForm, h.hl, protocols.ErrTruncated,
				"signature length %d over data length %d", sigl-2, len(body)-2)
		}
		d.base += sigl
		return s.appData(&d, body[sigl:])
	}
	return failure(h.pid, ResultUnsType, 9, protocols.ErrUnsupported,
		"packet type %d", uint8(h.pt))
}

// appData decodes the records of an APPDATA packet and sets the type.
func (s *Session) appData(d *decoder, body []byte) error {
	d.m.Type = protocols.MsgData
	d.m.Reply.Aux |= replyResponse
	if err := d.records(body, true); err != nil {
		return err
	}
	if d.identity {
		d.m.Type = protocols.MsgLogin
		d.m.Reply.Aux |= replyResult
	}
	return nil
}

// header reads and checks the transport header and the frame checksums.
func (s *Session) header(frame []byte) (header, error) {
	var h header
	if len(frame) < headerLen {
		return h, protocols.At(len(frame), wrapf(protocols.ErrTruncated,
			"egts: packet of %d bytes, shorter than a header", len(frame)))
	}
	h.pid = binary.LittleEndian.Uint16(frame[7:])
	h.hl = int(frame[3])
	if h.hl != headerLen && h.hl != headerLenRoute {
		return h, failure(h.pid, ResultIncHeaderForm, 3, protocols.ErrMalformed,
			"header length %d, want 11 or 16", h.hl)
	}
	if len(frame) < h.hl {
		return h, failure(h.pid, ResultIncHeaderForm, len(frame), protocols.ErrTruncated,
			"packet of %d bytes, shorter than its %d-byte header", len(frame), h.hl)
	}
	if got, want := frame[h.hl-1], wire.CRC8EGTS(frame[:h.hl-1]); got != want {
		if !s.opts.AcceptBad() {
			return h, failure(h.pid, ResultHeaderCRC, h.hl-1, protocols.ErrChecksum,
				"header crc-8 %#02x, computed %#02x", got, want)
		}
		s.badChecksums++
	}
	if err := checkFlags(frame, h); err != nil {
		return h, err
	}
	h.pt = PacketType(frame[9])
	h.fdl = int(binary.LittleEndian.Uint16(frame[5:]))
	if n := frameLen(h.hl, h.fdl); n != len(frame) {
		return h, failure(h.pid, ResultInvDataLen, 5, protocols.ErrTruncated,
			"frame data length %d makes a %d-byte packet, got %d bytes", h.fdl, n, len(frame))
	}
	if h.fdl == 0 {
		return h, nil
	}
	body := frame[h.hl : h.hl+h.fdl]
	got := binary.LittleEndian.Uint16(frame[h.hl+h.fdl:])
	if want := crc16(body); got != want {
		if !s.opts.AcceptBad() {
			return h, failure(h.pid, ResultDataCRC, h.hl+h.fdl, protocols.ErrChecksum,
				"data crc-16 %#04x, computed %#04x", got, want)
		}
		s.badChecksums++
	}
	return h, nil
}

// checkFlags refuses versions, encodings, encryption and compression this
// server does not implement, and a header length that disagrees with RTE.
func checkFlags(frame []byte, h header) error {
	if frame[0] != 0x01 {
		return failure(h.pid, ResultUnsProtocol, 0, protocols.ErrUnsupported,
			"protocol version %d", frame[0])
	}
	flags := frame[2]
	if routed := flags&flagRTE != 0; routed != (h.hl == headerLenRoute) {
		return failure(h.pid, ResultIncHeaderForm, 2, protocols.ErrMalformed,
			"routing flag %v with header length %d", routed, h.hl)
	}
	if flags&flagENA != 0 {
		return failure(h.pid, ResultDecryptError, 2, protocols.ErrUnsupported,
			"encryption algorithm %d", flags&flagENA>>3)
	}
	if flags&flagCMP != 0 {
		return failure(h.pid, ResultIncDataForm, 2, protocols.ErrUnsupported,
			"compressed data")
	}
	if frame[4] != 0 {
		return failure(h.pid, ResultIncHeaderForm, 4, protocols.ErrUnsupported,
			"header encoding %d", frame[4])
	}
	return nil
}
