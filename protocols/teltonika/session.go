package teltonika

import (
	"encoding/binary"
	"fmt"

	"dozor/protocols"
	"dozor/protocols/wire"
)

// DefaultMaxFrame is the largest TCP packet or UDP datagram accepted when
// protocols.Options.MaxFrame is 0. The wiki gives 1280 bytes as the largest
// AVL packet of FMB devices, but Codec 8E records with NX (BLE) elements and
// Codec 12 photo chunks (2079 bytes in the corpus) are larger; 16 KiB leaves
// room for those while bounding what one connection can make us buffer.
const DefaultMaxFrame = 16 << 10

const (
	keepAlive  = 0xFF // lone byte some devices send between packets
	minIMEI    = 15   // an IMEI has 15 digits
	maxIMEI    = 17   // longest identity accepted (IMEISV has 16)
	headerLen  = 8    // preamble and data field length
	crcLen     = 4    // CRC field: two zero bytes and the CRC-16
	minDataLen = 3    // codec ID, number of data 1, number of data 2
)

// Protocol describes Teltonika for the registry.
var Protocol = protocols.Protocol{
	Name:       "teltonika",
	Title:      "Teltonika Codec 8, 8 Extended and 16 (FMB, FMC, FMM, FMU)",
	Port:       5027,
	Transports: []protocols.Transport{protocols.TCP, protocols.UDP},
	NewSession: NewSession,
}

// NewSession returns the state of one TCP connection, or of one UDP peer
// when t is protocols.UDP.
func NewSession(t protocols.Transport, o protocols.Options) protocols.Session {
	s := &session{udp: t == protocols.UDP, maxFrame: o.MaxFrame, opts: o}
	if s.maxFrame <= 0 {
		s.maxFrame = DefaultMaxFrame
	}
	return s
}

// session implements protocols.Session. No state carries meaning from one
// frame to the next; the session only keeps the last identity, reused so
// that a UDP peer repeating its IMEI costs no allocation, and the decoder's
// cache of IO names.
type session struct {
	udp      bool
	maxFrame int
	opts     protocols.Options
	imei     string
	dec      decoder
}

// Split cuts one TCP frame: the IMEI handshake, an AVL or command packet, or
// a keep-alive byte. Bytes that cannot start a frame are skipped with an
// error; a data length over the frame limit is fatal. On a UDP session the
// whole datagram is the frame.
func (s *session) Split(data []byte) (int, []byte, error) {
	switch {
	case len(data) == 0:
		return 0, nil, nil
	case s.udp:
		return len(data), data, nil
	case data[0] == keepAlive:
		return 1, data[:1], nil
	case data[0] != 0:
		return skip(data)
	case len(data) < 2:
		return 0, nil, nil
	case data[1] != 0:
		return splitIMEI(data)
	}
	return s.splitPacket(data)
}

func splitIMEI(data []byte) (int, []byte, error) {
	n := 2 + int(binary.BigEndian.Uint16(data))
	switch {
	case n-2 < minIMEI || n-2 > maxIMEI:
		return skip(data)
	case len(data) < n:
		return 0, nil, nil
	}
	return n, data[:n], nil
}

func (s *session) splitPacket(data []byte) (int, []byte, error) {
	for i := 2; i < min(len(data), 4); i++ {
		if data[i] != 0 {
			return skip(data)
		}
	}
	if len(data) < headerLen {
		return 0, nil, nil
	}
	size := int64(binary.BigEndian.Uint32(data[4:]))
	if limit := int64(s.maxFrame - headerLen - crcLen); size > limit {
		return 0, nil, fmt.Errorf("teltonika: %w", protocols.At(4,
			protocols.Limit("data field length", int(min(size, 1<<31)), int(max(limit, 0)))))
	}
	if size < minDataLen {
		return headerLen, nil, fmt.Errorf("teltonika: %w", protocols.At(4,
			fmt.Errorf("data field length %d below %d: %w",
				size, minDataLen, protocols.ErrMalformed)))
	}
	n := headerLen + int(size) + crcLen
	if len(data) < n {
		return 0, nil, nil
	}
	return n, data[:n], nil
}

// skip advances to the next byte that could start a frame, reporting the
// skipped bytes.
func skip(data []byte) (int, []byte, error) {
	n := 1
	for n < len(data) && !couldStart(data[n:]) {
		n++
	}
	return n, nil, fmt.Errorf("teltonika: skipped %d bytes before a frame (%s): %w",
		n, protocols.Snippet(data, 0, min(n, 16)), protocols.At(0, protocols.ErrMalformed))
}

// couldStart reports whether b, as far as it goes, begins like a frame.
func couldStart(b []byte) bool {
	switch {
	case b[0] == keepAlive:
		return true
	case b[0] != 0:
		return false
	case len(b) == 1:
		return true
	case b[1] != 0:
		return b[1] >= minIMEI && b[1] <= maxIMEI
	}
	for i := 2; i < min(len(b), 4); i++ {
		if b[i] != 0 {
			return false
		}
	}
	return true
}

// Decode decodes one frame cut by Split (TCP) or one datagram (UDP) into m.
// Data packets fill one Fix per record; m.Reply keeps what the ACK needs.
// The Fixes' attributes reference no frame memory.
func (s *session) Decode(frame []byte, m *protocols.Message) error {
	var err error
	if s.udp {
		err = s.decodeUDP(frame, m)
	} else {
		err = s.decodeTCP(frame, m)
	}
	if err != nil {
		return fmt.Errorf("teltonika: %w", err)
	}
	return nil
}

func (s *session) decodeTCP(frame []byte, m *protocols.Message) error {
	switch {
	case len(frame) == 1 && frame[0] == keepAlive:
		m.Type = protocols.MsgHeartbeat
		return nil
	case len(frame) >= 2 && frame[0] == 0 && frame[1] != 0:
		m.Type = protocols.MsgLogin
		return s.decodeIMEI(frame, m)
	}
	return s.decodePacket(frame, m)
}

// decodeIMEI decodes the handshake: a 2-byte length and ASCII digits.
func (s *session) decodeIMEI(frame []byte, m *protocols.Message) error {
	n := int(binary.BigEndian.Uint16(frame))
	if n < minIMEI || n > maxIMEI {
		return protocols.At(0, fmt.Errorf("IMEI length %d, want %d to %d: %w",
			n, minIMEI, maxIMEI, protocols.ErrMalformed))
	}
	if len(frame) != 2+n {
		return protocols.At(0, fmt.Errorf("IMEI length %d, frame carries %d bytes: %w",
			n, len(frame)-2, protocols.ErrMalformed))
	}
	id, err := s.identity(frame[2:], 2)
	if err != nil {
		return err
	}
	m.Identity = id
	return nil
}

// decodePacket checks the envelope of a TCP packet (preamble, length, CRC)
// and decodes its data field.
func (s *session) decodePacket(frame []byte, m *protocols.Message) error {
	if len(frame) < headerLen+minDataLen+crcLen {
		return protocols.At(len(frame), fmt.Errorf("packet of %d bytes: %w",
			len(frame), protocols.ErrTruncated))
	}
	if p := binary.BigEndian.Uint32(frame); p != 0 {
		return protocols.At(0, fmt.Errorf("preamble %08x, want 00000000: %w",
			p, protocols.ErrMalformed))
	}
	size := int64(binary.BigEndian.Uint32(frame[4:]))
	if have := int64(len(frame) - headerLen - crcLen); size != have {
		err := protocols.ErrMalformed
		if size > have {
			err = protocols.ErrTruncated
		}
		return protocols.At(4, fmt.Errorf("data field length %d, packet carries %d: %w",
			size, have, err))
	}
	end := headerLen + int(size)
	got := binary.BigEndian.Uint32(frame[end:])
	if want := uint32(wire.CRC16ARC(frame[headerLen:end])); got != want && !s.opts.AcceptBad() {
		return protocols.At(end, fmt.Errorf("CRC field %08x, computed %08x: %w",
			got, want, protocols.ErrChecksum))
	}
	return s.dec.decodeData(frame, headerLen, end, m)
}

// decodeUDP decodes a datagram: length, packet ID, a byte with no use, AVL
// packet ID, IMEI, then the data field without CRC.
func (s *session) decodeUDP(frame []byte, m *protocols.Message) error {
	if len(frame) > s.maxFrame {
		return protocols.At(0, protocols.Limit("datagram length", len(frame), s.maxFrame))
	}
	r := wire.NewReader(frame)
	size := int(r.U16())
	packetID := r.U16()
	r.Skip(1)
	avlID := r.U8()
	n := int(r.U16())
	if err := r.Err(); err != nil {
		return fmt.Errorf("udp header: %w", err)
	}
	if have := len(frame) - 2; size != have {
		err := protocols.ErrMalformed
		if size > have {
			err = protocols.ErrTruncated
		}
		return protocols.At(0, fmt.Errorf("udp length %d, datagram carries %d: %w",
			size, have, err))
	}
	if n < minIMEI || n > maxIMEI || n > r.Len() {
		return protocols.At(6, fmt.Errorf("IMEI length %d, want %d to %d within %d bytes: %w",
			n, minIMEI, maxIMEI, r.Len(), protocols.ErrMalformed))
	}
	id, err := s.identity(r.Bytes(n), 8)
	if err != nil {
		return err
	}
	m.Identity = id
	m.Reply.ID = uint64(packetID)
	m.Reply.Aux = uint64(avlID)
	return s.dec.decodeData(frame, r.Offset(), len(frame), m)
}

// identity checks that b, found at offset at, is ASCII digits and returns it
// as a string, reusing the previous one when it repeats.
func (s *session) identity(b []byte, at int) (string, error) {
	if len(b) == 0 {
		return "", protocols.At(at, fmt.Errorf("empty IMEI: %w", protocols.ErrMalformed))
	}
	for i, c := range b {
		if c < '0' || c > '9' {
			return "", protocols.At(at+i, fmt.Errorf("IMEI byte %#02x is not a digit: %w",
				c, protocols.ErrMalformed))
		}
	}
	if s.imei != string(b) {
		s.imei = string(b)
	}
	return s.imei, nil
}

// AppendReply appends the reply Teltonika prescribes:
//
//   - login: 01 when Accepted, 00 otherwise (also for a malformed IMEI);
//   - data, Accepted: over TCP the record count as 4 bytes big-endian, over
//     UDP 00 05, the packet ID, 01, the AVL packet ID and the record count.
//     The count is m.Reply.N; ingest may lower it to acknowledge only the
//     records it stored, and the device resends the packet;
//   - anything else (refused or invalid data, heartbeats, command answers):
//     nothing, since the protocol has no negative acknowledgement and a
//     device resends what was not acknowledged.
func (s *session) AppendReply(
	dst []byte, m *protocols.Message, v protocols.Verdict, err error,
) []byte {
	switch m.Type {
	case protocols.MsgLogin:
		if v == protocols.Accepted && err == nil {
			return append(dst, 1)
		}
		return append(dst, 0)
	case protocols.MsgData:
		if v != protocols.Accepted || err != nil {
			return dst
		}
		if s.udp {
			return appendUDPAck(dst, uint16(m.Reply.ID), byte(m.Reply.Aux), m.Reply.N)
		}
		return binary.BigEndian.AppendUint32(dst, uint32(m.Reply.N))
	}
	return dst
}

// appendUDPAck appends the 7-byte UDP acknowledgement. The packet ID is
// echoed as the wiki prescribes (Traccar writes 0000 there).
func appendUDPAck(dst []byte, packetID uint16, avlID byte, n int) []byte {
	dst = append(dst, 0, 5)
	dst = binary.BigEndian.AppendUint16(dst, packetID)
	return append(dst, 1, avlID, byte(n))
}
