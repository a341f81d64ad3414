package teltonika

import (
	"bytes"
	"encoding/binary"
	"testing"

	"dozor/protocols"
)

const fuzzMaxInput = 8 << 10

func addSeeds(f *testing.F) {
	for _, e := range loadCorpus(f) {
		f.Add(e.Payload())
		for _, p := range e.Prelude {
			f.Add(p.Bytes())
		}
	}
	f.Add(benchPacket(Codec16, 2))
	f.Add(benchPacket(Codec8E, 2))
}

// FuzzSplit frames arbitrary streams: Split must respect its contract and
// never panic, and every frame it cuts must decode or fail cleanly.
//
//	go test -run='^$' -fuzz=FuzzSplit -fuzztime=60s ./protocols/teltonika/
func FuzzSplit(f *testing.F) {
	addSeeds(f)
	f.Fuzz(func(t *testing.T, data []byte) {
		if len(data) > fuzzMaxInput {
			return
		}
		s := NewSession(protocols.TCP, protocols.Options{MaxFrame: 4 << 10})
		for len(data) > 0 {
			adv, frame, err := s.Split(data)
			if adv < 0 || adv > len(data) {
				t.Fatalf("advance %d of %d bytes", adv, len(data))
			}
			if adv == 0 {
				if frame != nil {
					t.Fatal("frame without advance")
				}
				return
			}
			if err == nil {
				if len(frame) != adv || !bytes.Equal(frame, data[:adv]) || len(frame) > 4<<10 {
					t.Fatalf("frame of %d bytes for advance %d", len(frame), adv)
				}
				if checkDecode(t, s, frame, false) {
					checkReencode(t, frame, false)
				}
			}
			data = data[adv:]
		}
	})
}

// FuzzDecode decodes arbitrary frames as TCP frames (strict, and lenient so
// that mutations get past the CRC) and as UDP datagrams. Whatever decodes as
// data must encode back to the same bytes, the CRC aside when lenient.
//
//	go test -run='^$' -fuzz=FuzzDecode -fuzztime=60s ./protocols/teltonika/
func FuzzDecode(f *testing.F) {
	addSeeds(f)
	f.Fuzz(func(t *testing.T, frame []byte) {
		if len(frame) > fuzzMaxInput {
			return
		}
		if checkDecode(t, NewSession(protocols.TCP, protocols.Options{}), frame, false) {
			checkReencode(t, frame, false)
		}
		lenient := protocols.Options{LenientChecksum: true}
		if checkDecode(t, NewSession(protocols.TCP, lenient), frame, false) {
			again := reencodeFrame(t, frame, false)
			if !bytes.Equal(again[:len(again)-4], frame[:len(frame)-4]) {
				t.Fatalf("re-encoded\n%x\nwant\n%x", again, frame)
			}
		}
		if checkDecode(t, NewSession(protocols.UDP, protocols.Options{}), frame, true) {
			checkReencode(t, frame, true)
		}
	})
}

// checkDecode decodes frame and checks the reply and the record count; it
// reports whether the frame decoded as data.
func checkDecode(t *testing.T, s protocols.Session, frame []byte, udp bool) bool {
	t.Helper()
	var m protocols.Message
	err := s.Decode(frame, &m)
	reply := s.AppendReply(nil, &m, protocols.Accepted, err)
	if err != nil {
		if m.Type != protocols.MsgLogin && len(reply) != 0 {
			t.Fatalf("reply %x to a frame that failed: %v", reply, err)
		}
		return false
	}
	if m.Type != protocols.MsgData {
		return false
	}
	if len(m.Fixes) != m.Reply.N || len(m.Fixes) == 0 || len(reply) == 0 {
		t.Fatalf("%d fixes, reply count %d, reply %x", len(m.Fixes), m.Reply.N, reply)
	}
	return true
}

func checkReencode(t *testing.T, frame []byte, udp bool) {
	t.Helper()
	if again := reencodeFrame(t, frame, udp); again != nil && !bytes.Equal(again, frame) {
		t.Fatalf("re-encoded\n%x\nwant\n%x", again, frame)
	}
}

// reencodeFrame decodes a data frame into Records and encodes it again; nil
// when the frame has fields the encoder does not reproduce (the unused UDP
// byte when it is not 01).
func reencodeFrame(t *testing.T, frame []byte, udp bool) []byte {
	if !udp {
		recs, err := AppendRecords(nil, frame[8:len(frame)-4])
		if err != nil {
			t.Fatalf("AppendRecords after Decode: %v", err)
		}
		return AppendAVL(nil, Codec(frame[8]), recs)
	}
	if frame[4] != 1 {
		return nil
	}
	n := 8 + int(binary.BigEndian.Uint16(frame[6:]))
	recs, err := AppendRecords(nil, frame[n:])
	if err != nil {
		t.Fatalf("AppendRecords after Decode: %v", err)
	}
	return AppendUDP(nil, binary.BigEndian.Uint16(frame[2:]), frame[5], string(frame[8:n]),
		Codec(frame[n]), recs)
}
