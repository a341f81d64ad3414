package teltonika

import (
	"encoding/binary"
	"encoding/hex"
	"errors"
	"strings"
	"testing"

	"dozor/protocols"
	"dozor/protocols/wire"
)

// TestDecodeErrors checks that broken frames are refused with the right
// sentinel, the offset of the fault and a message that names it.
func TestDecodeErrors(t *testing.T) {
	good := AppendAVL(nil, Codec8, []Record{testRecord(0)})
	mutate := func(f func(b []byte) []byte) []byte {
		return f(append([]byte(nil), good...))
	}
	withCRC := func(b []byte) []byte { // recompute the CRC after an edit
		binary.BigEndian.PutUint32(b[len(b)-4:], uint32(wire.CRC16ARC(b[8:len(b)-4])))
		return b
	}
	cases := []struct {
		name   string
		udp    bool
		frame  []byte
		want   error
		offset int
		text   string
	}{
		{"bad crc", false, mutate(func(b []byte) []byte { b[len(b)-1] ^= 1; return b }),
			protocols.ErrChecksum, len(good) - 4, "CRC field"},
		{"n1 n2 differ", false,
			withCRC(mutate(func(b []byte) []byte { b[len(b)-5] = 2; return b })),
			protocols.ErrMalformed, len(good) - 5, "number of data 2 is 2"},
		{"preamble", false, mutate(func(b []byte) []byte { b[3] = 1; return b }),
			protocols.ErrMalformed, 0, "preamble"},
		{"length short", false, good[:len(good)-1], protocols.ErrTruncated, 4, "data field length"},
		{"codec 7", false, withCRC(mutate(func(b []byte) []byte { b[8] = 7; return b })),
			protocols.ErrUnsupported, 8, "GH3000"},
		{"io count", false, withCRC(mutate(func(b []byte) []byte { b[8+2+25] = 9; return b })),
			protocols.ErrMalformed, 8 + 2 + 25, "total IO count is 9"},
		{"records overflow", false, withCRC(mutate(func(b []byte) []byte {
			b[9], b[len(b)-5] = 9, 9
			return b
		})), protocols.ErrTooLarge, 9, "record count 9"},
		{"imei letters", false, AppendIMEI(nil, "35630704244101x"),
			protocols.ErrMalformed, 16, "not a digit"},
		{"udp length", true, udpFrame()[:40], protocols.ErrTruncated, 0, "udp length"},
		{"udp imei", true, []byte{0, 9, 0xCA, 0xFE, 1, 5, 0, 3, '1', '2', '3'},
			protocols.ErrMalformed, 6, "IMEI length 3"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			tr := protocols.TCP
			if c.udp {
				tr = protocols.UDP
			}
			var m protocols.Message
			err := NewSession(tr, protocols.Options{}).Decode(c.frame, &m)
			if !errors.Is(err, c.want) {
				t.Fatalf("error %v, want %v", err, c.want)
			}
			if got := protocols.Offset(err); got != c.offset {
				t.Errorf("offset %d, want %d (%v)", got, c.offset, err)
			}
			msg := err.Error()
			if !strings.HasPrefix(msg, "teltonika: ") || !strings.Contains(msg, c.text) {
				t.Errorf("message %q lacks %q", err, c.text)
			}
		})
	}
}

func udpFrame() []byte {
	return AppendUDP(nil, 0xCAFE, 5, "352093086403655", Codec8, []Record{testRecord(0)})
}

func TestLoginDecode(t *testing.T) {
	raw, _ := hex.DecodeString("000f333536333037303432343431303133")
	var m protocols.Message
	if err := NewSession(protocols.TCP, protocols.Options{}).Decode(raw, &m); err != nil {
		t.Fatal(err)
	}
	if m.Type != protocols.MsgLogin || m.Identity != "356307042441013" {
		t.Fatalf("type %v identity %q", m.Type, m.Identity)
	}
}
