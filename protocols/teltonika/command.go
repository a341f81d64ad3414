package teltonika

import (
	"bytes"
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"strings"
	"time"

	"dozor/protocols"
	"dozor/protocols/wire"
)

// CommandType is the type byte of a Codec 12 to 15 message.
type CommandType uint8

// Command types.
const (
	TypeCommand  CommandType = 0x05 // server to device: a command
	TypeResponse CommandType = 0x06 // device to server: the answer
	TypeSerial   CommandType = 0x0B // Codec 15: serial port data
	TypeCamera   CommandType = 0x0D // camera and photo transfer (Codec 12)
	TypeNack     CommandType = 0x11 // Codec 14: the IMEI did not match
)

// String names the command type, for logs.
func (t CommandType) String() string {
	switch t {
	case TypeCommand:
		return "command"
	case TypeResponse:
		return "response"
	case TypeSerial:
		return "serial data"
	case TypeCamera:
		return "camera"
	case TypeNack:
		return "nack"
	}
	return fmt.Sprintf("type 0x%02x", uint8(t))
}

// Attribute names of a command message (protocols.MsgOther). Each command in
// the frame becomes one Fix without a position that carries them.
const (
	AttrCommandType = "command_type" // CommandType byte
	AttrCommand     = "command"      // text of a type 5 command
	AttrResult      = "result"       // text of any other type, or hex if not printable
	AttrIMEI        = "imei"         // Codec 14 and 15: the IMEI the message names
	AttrPayloadSize = "payload_size" // camera messages: payload bytes, not kept
)

// isCommand reports whether c is one of the command codecs.
func isCommand(c Codec) bool { return c >= Codec12 && c <= Codec15 }

// decodeCommands decodes n commands (type, 4-byte size, payload) into m as
// protocols.MsgOther. Every command becomes a Fix with no position.
func decodeCommands(r *wire.Reader, codec Codec, n int, m *protocols.Message) error {
	m.Type = protocols.MsgOther
	for i := range n {
		typ := CommandType(r.U8())
		sizeAt := r.Offset()
		size := r.U32()
		if err := r.Err(); err != nil {
			return fmt.Errorf("command %d: %w", i, err)
		}
		if int64(size) > int64(r.Len()) {
			return protocols.At(sizeAt, fmt.Errorf("command %d size %d, %d bytes left: %w",
				i, size, r.Len(), protocols.ErrTruncated))
		}
		payload := r.Bytes(int(size))
		if err := decodeCommand(codec, typ, payload, m.NextFix()); err != nil {
			return protocols.At(sizeAt+4, fmt.Errorf("command %d: %w", i, err))
		}
	}
	return nil
}

// decodeCommand fills f from one command payload.
func decodeCommand(codec Codec, typ CommandType, p []byte, f *protocols.Fix) error {
	f.Protocol = Protocol.Name
	f.Attrs = append(f.Attrs, protocols.Uint(AttrCommandType, uint64(typ)))
	if codec == Codec13 || codec == Codec15 {
		if len(p) < 4 {
			return fmt.Errorf("%d bytes, no room for the timestamp: %w",
				len(p), protocols.ErrTruncated)
		}
		f.Time = time.Unix(int64(binary.BigEndian.Uint32(p)), 0).UTC()
		p = p[4:]
	}
	if codec == Codec14 || codec == Codec15 {
		if len(p) < 8 {
			return fmt.Errorf("%d bytes, no room for the IMEI: %w",
				len(p), protocols.ErrTruncated)
		}
		imei := strings.TrimLeft(hex.EncodeToString(p[:8]), "0")
		f.Attrs = append(f.Attrs, protocols.String(AttrIMEI, imei))
		p = p[8:]
	}
	switch {
	case typ == TypeCamera:
		f.Attrs = append(f.Attrs, protocols.Uint(AttrPayloadSize, uint64(len(p))))
	case typ == TypeCommand:
		f.Attrs = append(f.Attrs, protocols.String(AttrCommand, text(p)))
	default:
		f.Attrs = append(f.Attrs, protocols.String(AttrResult, text(p)))
	}
	return nil
}

// text copies printable ASCII out of the frame without surrounding blanks,
// or hex-encodes bytes that are not printable.
func text(p []byte) string {
	for _, c := range p {
		if (c < 0x20 || c > 0x7E) && c != '\r' && c != '\n' && c != '\t' {
			return hex.EncodeToString(p)
		}
	}
	return string(bytes.TrimSpace(p))
}

// AppendCommand appends a TCP Codec 12 frame carrying one type 5 command
// (for example "getinfo"), with its CRC, as the server sends it.
func AppendCommand(dst []byte, cmd string) []byte {
	start := len(dst)
	dst = append(dst, 0, 0, 0, 0, 0, 0, 0, 0)
	body := len(dst)
	dst = append(dst, byte(Codec12), 1, byte(TypeCommand))
	dst = binary.BigEndian.AppendUint32(dst, uint32(len(cmd)))
	dst = append(dst, cmd...)
	dst = append(dst, 1)
	return finishTCP(dst, start, body)
}
