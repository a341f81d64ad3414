package egts

import (
	"encoding/binary"

	"dozor/protocols"
	"dozor/protocols/wire"
)

// rflToDevice is the RFL of the records the server sends: RSOD set (the
// recipient service is on the terminal), no optional fields, top priority.
const rflToDevice = 0x40

// AppendReply appends what the terminal expects for m:
//
//   - Accepted: an EGTS_PT_RESPONSE with RPID = the packet's PID, PR = 0 and
//     one EGTS_SR_RECORD_RESPONSE (CRN = RN, RST = 0) per record, grouped in
//     one service record per run of records of the same service; after a
//     TERM_IDENTITY, also an APPDATA packet with EGTS_SR_RESULT_CODE = 0.
//   - Refused: the same, with RST and RESULT_CODE = EGTS_PC_AUTH_DENIED.
//   - Invalid: an EGTS_PT_RESPONSE with no records and PR = the processing
//     result carried by err (header or data CRC error, bad header form, ...)
//     when the packet header could be read; nothing otherwise.
//
// A terminal's own RESPONSE packets get no reply. Each packet and record
// the server sends takes the next value of the session's PID and RN
// counters.
func (s *Session) AppendReply(
	dst []byte, m *protocols.Message, v protocols.Verdict, err error,
) []byte {
	switch v {
	case protocols.Invalid:
		re, ok := resultOf(err)
		if !ok {
			return dst
		}
		return s.appendResponse(dst, re.PID, re.Result, nil, ResultOK)
	case protocols.Accepted, protocols.Refused:
		if m.Reply.Aux&replyResponse == 0 {
			return dst
		}
		rst := ResultOK
		if v == protocols.Refused {
			rst = ResultAuthDenied
		}
		dst = s.appendResponse(dst, uint16(m.Reply.ID), ResultOK, m.Reply.Data, rst)
		if m.Reply.Aux&replyResult != 0 {
			dst = s.appendResultCode(dst, rst)
		}
	}
	return dst
}

// appendResponse appends an EGTS_PT_RESPONSE packet confirming the records
// listed in entries (replyEntry bytes each) with status rst.
func (s *Session) appendResponse(
	dst []byte, rpid uint16, pr Result, entries []byte, rst Result,
) []byte {
	start := len(dst)
	dst = s.appendHeader(dst, PacketResponse)
	dst = binary.LittleEndian.AppendUint16(dst, rpid)
	dst = append(dst, byte(pr))
	for i := 0; i < len(entries); {
		sst, rsv := entries[i+2], entries[i+3]
		j := i
		for j < len(entries) && entries[j+2] == sst && entries[j+3] == rsv {
			j += replyEntry
		}
		n := (j - i) / replyEntry
		// The response flows the other way: our source is their recipient.
		dst = s.appendRecordHeader(dst, 6*n, rsv, sst)
		for ; i < j; i += replyEntry {
			dst = append(dst, byte(SrRecordResponse), 3, 0, entries[i], entries[i+1], byte(rst))
		}
	}
	return finishPacket(dst, start)
}

// appendResultCode appends an APPDATA packet carrying EGTS_SR_RESULT_CODE,
// the auth service's verdict on a TERM_IDENTITY.
func (s *Session) appendResultCode(dst []byte, code Result) []byte {
	start := len(dst)
	dst = s.appendHeader(dst, PacketAppData)
	dst = s.appendRecordHeader(dst, 4, byte(ServiceAuth), byte(ServiceAuth))
	dst = append(dst, byte(SrResultCode), 1, 0, byte(code))
	return finishPacket(dst, start)
}

// appendHeader appends an 11-byte transport header with the next PID; FDL
// and HCS are filled by finishPacket.
func (s *Session) appendHeader(dst []byte, pt PacketType) []byte {
	pid := s.pid
	s.pid++
	return append(dst, 0x01, 0, 0, headerLen, 0, 0, 0, byte(pid), byte(pid>>8), byte(pt), 0)
}

// appendRecordHeader appends a service data record header with the next RN.
func (s *Session) appendRecordHeader(dst []byte, rl int, sst, rst byte) []byte {
	rn := s.rn
	s.rn++
	return append(dst, byte(rl), byte(rl>>8), byte(rn), byte(rn>>8), rflToDevice, sst, rst)
}

// finishPacket fills FDL and HCS of the packet at dst[start:] and appends
// SFRCS.
func finishPacket(dst []byte, start int) []byte {
	body := dst[start+headerLen:]
	binary.LittleEndian.PutUint16(dst[start+5:], uint16(len(body)))
	dst[start+headerLen-1] = wire.CRC8EGTS(dst[start : start+headerLen-1])
	return binary.LittleEndian.AppendUint16(dst, crc16(body))
}
