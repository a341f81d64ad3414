package egts

import (
	"bytes"
	"encoding/hex"
	"errors"
	"testing"

	"dozor/protocols"
	"dozor/protocols/internal/corpus"
	"dozor/protocols/wire"
)

// packets returns every whole packet of the corpus (payloads and preludes).
func packets(t testing.TB) [][]byte {
	var out [][]byte
	for _, e := range load(t) {
		for _, p := range e.Prelude {
			out = append(out, p.Bytes())
		}
		if e.Kind == "decode" {
			out = append(out, e.Payload())
		}
	}
	return out
}

// TestSplitBoundaries feeds the corpus as one stream in several chunkings
// (byte by byte, odd sizes, whole) and cuts every pair of packets at every
// byte: the frames must always be the packets themselves.
func TestSplitBoundaries(t *testing.T) {
	pkts := packets(t)
	stream := bytes.Join(pkts, nil)
	for _, chunk := range []int{1, 2, 3, 7, 64, len(stream)} {
		frames, err := corpus.Frames(newSession(), stream, chunk)
		if err != nil {
			t.Fatalf("chunk %d: %v", chunk, err)
		}
		if len(frames) != len(pkts) {
			t.Fatalf("chunk %d: %d frames, want %d", chunk, len(frames), len(pkts))
		}
		for i := range pkts {
			if !bytes.Equal(frames[i], pkts[i]) {
				t.Fatalf("chunk %d frame %d: %x, want %x", chunk, i, frames[i], pkts[i])
			}
		}
	}
	for i := 0; i+1 < len(pkts); i++ {
		two := append(append([]byte(nil), pkts[i]...), pkts[i+1]...)
		for cut := 1; cut < len(two); cut++ {
			frames, err := corpus.Frames(newSession(), two, cut, len(two))
			if err != nil || len(frames) != 2 || !bytes.Equal(frames[1], pkts[i+1]) {
				t.Fatalf("pair %d cut %d: %d frames, err %v", i, cut, len(frames), err)
			}
		}
	}
}

// TestSplitGarbage: bytes that cannot start a header are skipped up to the
// next 0x01, and framing resumes on the packet after them.
func TestSplitGarbage(t *testing.T) {
	pkt := packets(t)[0]
	stream := append([]byte{0xFF, 0x02, 0x01, 0x00, 0x00, 0x07}, pkt...)
	frames, err := corpus.Frames(newSession(), stream, 1)
	if err != nil || len(frames) != 1 || !bytes.Equal(frames[0], pkt) {
		t.Fatalf("frames %x, err %v", frames, err)
	}
}

func TestSplitLimit(t *testing.T) {
	s := NewSession(protocols.TCP, protocols.Options{MaxFrame: 64}).(*Session)
	pkt := packets(t)[0]
	big := append([]byte(nil), pkt[:11]...)
	big[5], big[6] = 0xFF, 0x00 // FDL 255
	big[10] = wire.CRC8EGTS(big[:10])
	n, _, err := s.Split(big)
	if n != 0 || !errors.Is(err, protocols.ErrTooLarge) {
		t.Fatalf("advance %d, err %v; want a fatal limit error", n, err)
	}
}

// refusal builds a packet with a fault and names the PR the reply must carry.
type refusal struct {
	name  string
	edit  func(p []byte) []byte
	pr    Result
	cause error
	// direct: Split does not frame this packet (it skips a header whose
	// PRV is not 1 as garbage), so it is given to Decode as is.
	direct bool
}

func TestRefusals(t *testing.T) {
	base, _ := hex.DecodeString("0100030b0023008a0001491800610099b00902000202101500" +
		"d53f01106f1c059e7ab53c3501d0872c0100000000cc27")
	cases := []refusal{
		{"header crc", func(p []byte) []byte { p[10] ^= 1; return p }, ResultHeaderCRC, protocols.ErrChecksum, false},
		{"data crc", func(p []byte) []byte { p[len(p)-1] ^= 1; return p }, ResultDataCRC, protocols.ErrChecksum, false},
		{"version", func(p []byte) []byte { p[0] = 2; return rehead(p) }, ResultUnsProtocol, protocols.ErrUnsupported, true},
		{"encrypted", func(p []byte) []byte { p[2] |= 0x08; return rehead(p) }, ResultDecryptError, protocols.ErrUnsupported, false},
		{"compressed", func(p []byte) []byte { p[2] |= 0x04; return rehead(p) }, ResultIncDataForm, protocols.ErrUnsupported, false},
		{"route flag without route", func(p []byte) []byte { p[2] |= 0x20; return rehead(p) }, ResultIncHeaderForm, protocols.ErrMalformed, false},
		{"packet type", func(p []byte) []byte { p[9] = 7; return rehead(p) }, ResultUnsType, protocols.ErrUnsupported, false},
		{"record overruns data", func(p []byte) []byte { p[11] = 0x40; return rebody(p) }, ResultIncDataForm, protocols.ErrTruncated, false},
		{"short pos data", func(p []byte) []byte { p[22] = 20; p[11]--; return rebody(p[:len(p)-1]) }, ResultIncDataForm, protocols.ErrTruncated, false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			s := newSession()
			var m protocols.Message
			p := c.edit(append([]byte(nil), base...))
			frame := p
			if !c.direct {
				n, f, err := s.Split(p)
				if err != nil || f == nil {
					t.Fatalf("split: advance %d err %v", n, err)
				}
				frame = f
			}
			err := s.Decode(frame, &m)
			if !errors.Is(err, c.cause) {
				t.Fatalf("err %v, want %v", err, c.cause)
			}
			if protocols.Offset(err) < 0 {
				t.Errorf("error has no offset: %v", err)
			}
			r, perr := parseResponse(s.AppendReply(nil, &m, protocols.Invalid, err))
			if perr != nil {
				t.Fatal(perr)
			}
			if r.rpid != 0x008a || Result(r.pr) != c.pr || len(r.crn) != 0 {
				t.Fatalf("reply rpid %#x pr %d records %d, want rpid 0x8a pr %d", r.rpid, r.pr, len(r.crn), c.pr)
			}
		})
	}
}

// rehead recomputes HCS after a header edit.
func rehead(p []byte) []byte {
	p[10] = wire.CRC8EGTS(p[:10])
	return p
}

// rebody recomputes FDL, HCS and SFRCS after a body edit (p ends in SFRCS).
func rebody(p []byte) []byte {
	fdl := len(p) - 13
	p[5], p[6] = byte(fdl), byte(fdl>>8)
	rehead(p)
	c := wire.CRC16CCITTFalse(p[11 : 11+fdl])
	p[len(p)-2], p[len(p)-1] = byte(c), byte(c>>8)
	return p
}

func TestLenientChecksum(t *testing.T) {
	pkt := packets(t)[10]
	bad := append([]byte(nil), pkt...)
	bad[len(bad)-1] ^= 0xFF
	s := NewSession(protocols.TCP, protocols.Options{LenientChecksum: true}).(*Session)
	var m protocols.Message
	if err := s.Decode(splitOne(t, s, bad), &m); err != nil {
		t.Fatalf("lenient decode: %v", err)
	}
	if s.BadChecksums() != 1 {
		t.Fatalf("bad checksums %d, want 1", s.BadChecksums())
	}
}

// TestAuthExchange: TERM_IDENTITY makes a login with the TID as identity,
// answered by a record response and then RESULT_CODE; a refusal answers
// EGTS_PC_AUTH_DENIED in both. The server's PID and RN counters advance.
func TestAuthExchange(t *testing.T) {
	login, _ := hex.DecodeString("0100010b002200c06401f21700c1640171360d0001010114" +
		"0071360d000238363539303500000000000000000047fc")
	for _, v := range []protocols.Verdict{protocols.Accepted, protocols.Refused} {
		s := newSession()
		var m protocols.Message
		if err := s.Decode(splitOne(t, s, login), &m); err != nil {
			t.Fatal(err)
		}
		if m.Type != protocols.MsgLogin || m.Identity != "865905" {
			t.Fatalf("type %v identity %q", m.Type, m.Identity)
		}
		reply := s.AppendReply(nil, &m, v, nil)
		ack, err := parseResponse(reply)
		if err != nil {
			t.Fatal(err)
		}
		result, err := parseResponse(reply[ack.size:])
		if err != nil {
			t.Fatal(err)
		}
		want := 0
		if v == protocols.Refused {
			want = int(ResultAuthDenied)
		}
		if ack.pt != 0 || ack.rpid != 25792 || len(ack.crn) != 1 || ack.crn[0] != 25793 || ack.rst[0] != want {
			t.Errorf("%v: ack %+v", v, ack)
		}
		if result.pt != 1 || len(result.codes) != 1 || result.codes[0] != want || result.pid != ack.pid+1 {
			t.Errorf("%v: result %+v", v, result)
		}
	}
}

// TestMultiRecordResponse: a packet of several records gets one record
// response per record, in order.
func TestMultiRecordResponse(t *testing.T) {
	pkt := packets(t)[12] // a single-record teledata packet
	rec := pkt[11 : len(pkt)-2]
	body := bytes.Repeat(rec, 3)
	for i := 0; i < 3; i++ { // renumber RN 1..3
		off := i * len(rec)
		body[off+2], body[off+3] = byte(i+1), 0
	}
	p := append(append(append([]byte(nil), pkt[:11]...), body...), 0, 0)
	p = rebody(p)
	s := newSession()
	var m protocols.Message
	if err := s.Decode(splitOne(t, s, p), &m); err != nil {
		t.Fatal(err)
	}
	r, err := parseResponse(s.AppendReply(nil, &m, protocols.Accepted, nil))
	if err != nil {
		t.Fatal(err)
	}
	if len(r.crn) != 3 || r.crn[0] != 1 || r.crn[2] != 3 {
		t.Fatalf("record responses %v", r.crn)
	}
}

// TestZeroAllocs: decoding a teledata packet allocates nothing once the
// Message's storage has grown.
func TestZeroAllocs(t *testing.T) {
	pkt := packets(t)[14]
	s := newSession()
	var m protocols.Message
	var dst []byte
	allocs := testing.AllocsPerRun(100, func() {
		m.Reset()
		_, frame, _ := s.Split(pkt)
		if err := s.Decode(frame, &m); err != nil {
			t.Fatal(err)
		}
		dst = s.AppendReply(dst[:0], &m, protocols.Accepted, nil)
	})
	if allocs != 0 {
		t.Fatalf("%v allocations per packet", allocs)
	}
}
