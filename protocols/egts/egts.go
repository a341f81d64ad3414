package egts

import (
	"encoding/binary"
	"fmt"

	"dozor/protocols"
	"dozor/protocols/wire"
)

// Name is the registry name of the protocol.
const Name = "egts"

// Transport header sizes: HL is 11 bytes, or 16 when routing (RTE) adds
// PRA, RCA and TTL.
const (
	headerLen      = 11
	headerLenRoute = 16
)

// DefaultMaxFrame bounds a packet when Options.MaxFrame is 0: the largest
// routed header, the largest FDL a 16-bit field can hold, and SFRCS.
const DefaultMaxFrame = headerLenRoute + 0xFFFF + 2

// maxRecords bounds the service data records of one packet, so that the
// response (up to 13 bytes per record) always fits one packet.
const maxRecords = 4096

// Protocol is the registry descriptor.
var Protocol = protocols.Protocol{
	Name:       Name,
	Title:      "EGTS (GOST 33472-2015 / Приказ Минтранса №285): auth and teledata services",
	Port:       5162,
	Transports: []protocols.Transport{protocols.TCP},
	NewSession: NewSession,
}

// Reply.Aux flags: what AppendReply must send for a decoded packet.
const (
	replyResponse = 1 << iota // an EGTS_PT_RESPONSE with one record response per record
	replyResult               // then an EGTS_SR_RESULT_CODE (after TERM_IDENTITY)
)

// Session is the state of one terminal connection: the counters of the
// packets and records the server sends, and the identity learned so far.
// It is used by one goroutine at a time.
type Session struct {
	opts     protocols.Options
	maxFrame int

	pid uint16 // next PID of a server packet
	rn  uint16 // next RN of a server record

	identified bool   // a TERM_IDENTITY was decoded on this connection
	oid        uint32 // last object id turned into oidStr
	oidStr     string

	badChecksums uint64 // frames accepted with a wrong checksum (lenient mode)
}

// NewSession returns a session for one TCP connection.
func NewSession(_ protocols.Transport, o protocols.Options) protocols.Session {
	s := &Session{opts: o, maxFrame: o.MaxFrame}
	if s.maxFrame <= 0 {
		s.maxFrame = DefaultMaxFrame
	}
	return s
}

// BadChecksums returns how many frames this session accepted although a
// checksum was wrong (only with Options.LenientChecksum).
func (s *Session) BadChecksums() uint64 { return s.badChecksums }

// Split cuts one transport packet: HL header bytes, FDL data bytes and the
// 2-byte SFRCS when FDL > 0. EGTS has no start marker, so a header is
// recognised by PRV 0x01 and HL 11 or 16; other bytes are skipped up to the
// next 0x01. A header whose HCS is wrong cannot be trusted for its FDL: the
// frame is then the header alone, which Decode refuses with
// EGTS_PC_HEADERCRC_ERROR, and framing resumes after it.
func (s *Session) Split(data []byte) (int, []byte, error) {
	if len(data) == 0 {
		return 0, nil, nil
	}
	if data[0] != 0x01 {
		return skipGarbage(data)
	}
	if len(data) < 4 {
		return 0, nil, nil
	}
	hl := int(data[3])
	if hl != headerLen && hl != headerLenRoute {
		return skipGarbage(data)
	}
	if len(data) < hl {
		return 0, nil, nil
	}
	if wire.CRC8EGTS(data[:hl-1]) != data[hl-1] && !s.opts.AcceptBad() {
		return hl, data[:hl], nil
	}
	fdl := int(binary.LittleEndian.Uint16(data[5:]))
	n := frameLen(hl, fdl)
	if n > s.maxFrame {
		return 0, nil, fmt.Errorf("egts: %w", protocols.Limit("packet length", n, s.maxFrame))
	}
	if len(data) < n {
		return 0, nil, nil
	}
	return n, data[:n], nil
}

// frameLen is the size of a packet with header hl and data fdl.
func frameLen(hl, fdl int) int {
	if fdl == 0 {
		return hl
	}
	return hl + fdl + 2
}

// skipGarbage skips to the next byte that may start a header.
func skipGarbage(data []byte) (int, []byte, error) {
	n := 1
	for n < len(data) && data[n] != 0x01 {
		n++
	}
	err := fmt.Errorf("egts: %d bytes before a packet header (first %#02x): %w",
		n, data[0], protocols.ErrMalformed)
	return n, nil, protocols.At(0, err)
}
