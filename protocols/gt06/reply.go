package gt06

import (
	"encoding/binary"

	"dozor/protocols"
	"dozor/protocols/wire"
)

// AppendReply appends the reply for m to dst.
//
// For an accepted login, status, heartbeat or alarm packet it is the echo
// start, length 05, protocol number, the packet's serial, CRC-ITU, 0D 0A,
// in the frame form (0x7878 or 0x7979) the device used. A time request
// (0x8A) gets the current UTC time. A refused login, an invalid frame and
// plain position packets get nothing: GT06 has no negative reply, and a
// device without a login echo drops the connection and retries.
func (s *Session) AppendReply(
	dst []byte, m *protocols.Message, v protocols.Verdict, _ error,
) []byte {
	if v != protocols.Accepted {
		if v == protocols.Refused && m.Type == protocols.MsgLogin {
			s.identity = ""
		}
		return dst
	}
	long := m.Reply.Aux&auxLong != 0
	typ := byte(m.Reply.Aux)
	serial := uint16(m.Reply.ID)
	switch m.Reply.N {
	case replyEcho:
		return appendFrame(dst, long, typ, nil, serial)
	case replyTime:
		t := s.now().UTC()
		content := [6]byte{byte(t.Year() - 2000), byte(t.Month()), byte(t.Day()),
			byte(t.Hour()), byte(t.Minute()), byte(t.Second())}
		return appendFrame(dst, false, typ, content[:], serial)
	}
	return dst
}

// appendFrame appends a server frame: start, length, type, content, serial,
// CRC-ITU over length..serial, 0D 0A.
func appendFrame(dst []byte, long bool, typ byte, content []byte, serial uint16) []byte {
	start := len(dst)
	n := 5 + len(content) // type, content, serial, CRC
	if long {
		dst = append(dst, startLong, startLong, byte(n>>8), byte(n))
	} else {
		dst = append(dst, startShort, startShort, byte(n))
	}
	dst = append(dst, typ)
	dst = append(dst, content...)
	dst = binary.BigEndian.AppendUint16(dst, serial)
	dst = binary.BigEndian.AppendUint16(dst, wire.CRC16X25(dst[start+2:]))
	return append(dst, '\r', '\n')
}
