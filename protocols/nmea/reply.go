package nmea

import (
	"hash/fnv"
	"strconv"

	"dozor/protocols"
)

// AppendReply appends the GpsGate login answer: $FRSES,<session>*hh when
// accepted, $FRERR,AuthError,Unknown device*hh when refused, and
// $FRERR,AuthError,Parse error*hh when the login could not be decoded,
// each with CR LF. The session id is derived from the identity (8 hex
// digits), so it is stable for a device. Every other message gets nothing.
func (s *Session) AppendReply(
	dst []byte, m *protocols.Message, v protocols.Verdict, _ error,
) []byte {
	if m.Reply.N != replyLogin {
		return dst
	}
	switch v {
	case protocols.Accepted:
		h := fnv.New32a()
		h.Write([]byte(m.Identity))
		id := strconv.AppendUint(make([]byte, 0, 8), uint64(h.Sum32()), 16)
		return appendSentence(dst, "FRSES,", id)
	case protocols.Refused:
		s.identity = ""
		return appendSentence(dst, "FRERR,AuthError,Unknown device", nil)
	}
	return appendSentence(dst, "FRERR,AuthError,Parse error", nil)
}

// appendSentence appends $<head><tail>*hh\r\n.
func appendSentence(dst []byte, head string, tail []byte) []byte {
	dst = append(dst, '$')
	start := len(dst)
	dst = append(dst, head...)
	dst = append(dst, tail...)
	var cs byte
	for _, c := range dst[start:] {
		cs ^= c
	}
	const digits = "0123456789ABCDEF"
	return append(dst, '*', digits[cs>>4], digits[cs&0x0F], '\r', '\n')
}
