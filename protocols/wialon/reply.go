package wialon

import (
	"errors"
	"strconv"

	"dozor/protocols"
)

// AppendReply appends the server's answer, ending in CR LF:
//
//   - #L#: #AL#1 when Accepted, #AL#0 when Refused; when Invalid, #AL#10
//     for a CRC error and #AL#0 otherwise.
//   - #SD#: #ASD#1, or the error code (-1 structure, 0 time, 10
//     coordinates, 11 speed/course/height, 12 satellites, 13 CRC).
//   - #D#: #AD#1, or the error code (-1, 0, 10, 11, 12 satellites or hdop,
//     13 inputs/outputs, 14 adc, 15 params, 16 CRC).
//   - #B#: #AB#n with n the messages decoded; #AB#0 when none could be,
//     #AB# (no count) for a CRC error.
//   - #P#: #AP#. #M#: #AM#1, #AM#01 for a CRC error, #AM#0 otherwise.
//
// Nothing is appended for a line whose packet type could not be read, and
// for a Refused verdict on anything but a login (the protocol has no code
// for it). The same answers are sent over TCP and UDP.
func (s *Session) AppendReply(
	dst []byte, m *protocols.Message, v protocols.Verdict, err error,
) []byte {
	switch v {
	case protocols.Invalid:
		re, ok := replyOf(err)
		if !ok {
			return dst
		}
		return appendInvalid(dst, re, err)
	case protocols.Refused:
		if Packet(m.Reply.ID) == PacketLogin {
			return append(dst, "#AL#0\r\n"...)
		}
		return dst
	}
	switch Packet(m.Reply.ID) {
	case PacketLogin:
		return append(dst, "#AL#1\r\n"...)
	case PacketShortData:
		return append(dst, "#ASD#1\r\n"...)
	case PacketData:
		return append(dst, "#AD#1\r\n"...)
	case PacketBlackBox:
		dst = append(dst, "#AB#"...)
		dst = strconv.AppendInt(dst, int64(m.Reply.N), 10)
		return append(dst, "\r\n"...)
	case PacketPing:
		return append(dst, "#AP#\r\n"...)
	case PacketMessage:
		return append(dst, "#AM#1\r\n"...)
	}
	return dst
}

// appendInvalid appends the error answer for a refused packet.
func appendInvalid(dst []byte, re *ReplyError, err error) []byte {
	dst = append(dst, '#', 'A')
	dst = append(dst, re.Packet.String()...)
	dst = append(dst, '#')
	code := re.Code
	if re.Packet == PacketBlackBox {
		code = "0"
		if errors.Is(err, protocols.ErrChecksum) || re.Code == "" {
			code = ""
		}
	}
	dst = append(dst, code...)
	return append(dst, "\r\n"...)
}
