package wialon

import (
	"bytes"
	"errors"
	"fmt"
	"strings"
	"testing"

	"dozor/protocols"
	"dozor/protocols/internal/corpus"
	"dozor/protocols/wire"
)

// lines returns every TCP line of the corpus, as sent (no terminator).
func lines(t testing.TB) [][]byte {
	var out [][]byte
	for _, e := range load(t) {
		if e.Transport == "tcp" {
			out = append(out, e.Payload())
		}
	}
	return out
}

// TestSplitBoundaries feeds the corpus lines with CR LF as one stream in
// several chunkings, and cuts every pair of lines at every byte.
func TestSplitBoundaries(t *testing.T) {
	ls := lines(t)
	var stream []byte
	for _, l := range ls {
		stream = append(append(stream, l...), '\r', '\n')
	}
	for _, chunk := range []int{1, 2, 5, 64, len(stream)} {
		frames, err := corpus.Frames(newSession(protocols.TCP), stream, chunk)
		if err != nil || len(frames) != len(ls) {
			t.Fatalf("chunk %d: %d frames of %d, err %v", chunk, len(frames), len(ls), err)
		}
		for i := range ls {
			if !bytes.Equal(frames[i], ls[i]) {
				t.Fatalf("chunk %d frame %d: %q, want %q", chunk, i, frames[i], ls[i])
			}
		}
	}
	for i := 0; i+1 < len(ls); i++ {
		two := []byte(fmt.Sprintf("%s\r\n%s\r\n", ls[i], ls[i+1]))
		for cut := 1; cut < len(two); cut++ {
			frames, err := corpus.Frames(newSession(protocols.TCP), two, cut, len(two))
			if err != nil || len(frames) != 2 || !bytes.Equal(frames[1], ls[i+1]) {
				t.Fatalf("pair %d cut %d: %q, err %v", i, cut, frames, err)
			}
		}
	}
}

func TestSplitLimit(t *testing.T) {
	s := NewSession(protocols.TCP, protocols.Options{MaxFrame: 16}).(*Session)
	n, _, err := s.Split([]byte(strings.Repeat("#D#", 10)))
	if n != 0 || !errors.Is(err, protocols.ErrTooLarge) {
		t.Fatalf("advance %d err %v; want a fatal limit error", n, err)
	}
	if n, f, err := s.Split([]byte("\r\n#P#")); n != 2 || f != nil || err == nil {
		t.Fatalf("empty line: advance %d frame %q err %v", n, f, err)
	}
}

// withCRC appends the CRC-16/ARC of body (the text after #TYPE#).
func withCRC(body string) string {
	return fmt.Sprintf("%s%04X", body, wire.CRC16ARC([]byte(body)))
}

const (
	sd = "270413;205601;5544.6025;N;03739.6834;E;1;2;3;4"
	dd = sd + ";1.5;3;0;12.5,NA,3;NA;fuel:2:45.8,hw:3:V4.5,pwr_ext:2:12.7"
)

// TestAnswers checks the answer to each packet type and error: the result
// codes of the Wialon IPS 2.0 specification.
func TestAnswers(t *testing.T) {
	login20 := "#L#" + withCRC("2.0;356307042441013;NA;")
	cases := []struct {
		name, login, line, want string
		verdict                 protocols.Verdict
		fixes                   int
	}{
		{"login 2.0", "", login20, "#AL#1", protocols.Accepted, 0},
		{"login refused", "", login20, "#AL#0", protocols.Refused, 0},
		{"login bad crc", "", "#L#2.0;356307042441013;NA;0000", "#AL#10", protocols.Invalid, 0},
		{"login 1.1", "", "#L#356307042441013;pass", "#AL#1", protocols.Accepted, 0},
		{"ping", "", "#P#", "#AP#", protocols.Accepted, 0},
		{"sd 1.1", "#L#1;1", "#SD#" + sd, "#ASD#1", protocols.Accepted, 1},
		{"sd 2.0", login20, "#SD#" + withCRC(sd+";"), "#ASD#1", protocols.Accepted, 1},
		{"sd bad crc", login20, "#SD#" + sd + ";1234", "#ASD#13", protocols.Invalid, 0},
		{"sd no crc in 2.0", login20, "#SD#" + sd, "#ASD#-1", protocols.Invalid, 0},
		{"sd time", "#L#1;1", "#SD#270413;256001;5544.6025;N;03739.6834;E;1;2;3;4", "#ASD#0", protocols.Invalid, 0},
		{"sd date", "#L#1;1", "#SD#310213;205601;5544.6025;N;03739.6834;E;1;2;3;4", "#ASD#0", protocols.Invalid, 0},
		{"sd coordinates", "#L#1;1", "#SD#270413;205601;5544.6025;X;03739.6834;E;1;2;3;4", "#ASD#10", protocols.Invalid, 0},
		{"sd speed", "#L#1;1", "#SD#270413;205601;5544.6025;N;03739.6834;E;fast;2;3;4", "#ASD#11", protocols.Invalid, 0},
		{"sd satellites", "#L#1;1", "#SD#270413;205601;5544.6025;N;03739.6834;E;1;2;3;x", "#ASD#12", protocols.Invalid, 0},
		{"d 1.1", "#L#1;1", "#D#" + dd, "#AD#1", protocols.Accepted, 1},
		{"d 2.0", login20, "#D#" + withCRC(dd+";"), "#AD#1", protocols.Accepted, 1},
		{"d bad crc", login20, "#D#" + dd + ";0BAD", "#AD#16", protocols.Invalid, 0},
		{"d structure", "#L#1;1", "#D#" + sd + ";1.5;3;0", "#AD#-1", protocols.Invalid, 0},
		{"d hdop", "#L#1;1", "#D#" + sd + ";x;3;0;NA;NA;NA", "#AD#12", protocols.Invalid, 0},
		{"d inputs", "#L#1;1", "#D#" + sd + ";1;x;0;NA;NA;NA", "#AD#13", protocols.Invalid, 0},
		{"d adc", "#L#1;1", "#D#" + sd + ";1;3;0;1,x;NA;NA", "#AD#14", protocols.Invalid, 0},
		{"d params", "#L#1;1", "#D#" + sd + ";1;3;0;NA;NA;fuel:9:1", "#AD#15", protocols.Invalid, 0},
		{"b 1.1", "#L#1;1", "#B#" + sd + "|" + dd + "|" + sd, "#AB#3", protocols.Accepted, 3},
		{"b 2.0", login20, "#B#" + withCRC(sd+"|"+dd+"|"), "#AB#2", protocols.Accepted, 2},
		{"b bad crc", login20, "#B#" + sd + "|" + dd + "|FFFF", "#AB#", protocols.Invalid, 0},
		{"b stops at bad message", "#L#1;1", "#B#" + sd + "|1;2|" + sd, "#AB#1", protocols.Accepted, 1},
		{"b first message bad", "#L#1;1", "#B#1;2|" + sd, "#AB#0", protocols.Invalid, 0},
		{"m 1.1", "#L#1;1", "#M#hello", "#AM#1", protocols.Accepted, 0},
		{"m 2.0", login20, "#M#" + withCRC("hello;"), "#AM#1", protocols.Accepted, 0},
		{"m bad crc", login20, "#M#hello;0000", "#AM#01", protocols.Invalid, 0},
		{"unknown type", "#L#1;1", "#ZZ#1", "", protocols.Invalid, 0},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			s := newSession(protocols.TCP)
			var m protocols.Message
			if c.login != "" {
				if _, err := feed(s, []byte(c.login), &m); err != nil {
					t.Fatal(err)
				}
			}
			m.Reset()
			err := s.Decode([]byte(c.line), &m)
			if (err == nil) != (c.verdict != protocols.Invalid) {
				t.Fatalf("err %v, verdict %v", err, c.verdict)
			}
			if err != nil && protocols.Offset(err) < 0 {
				t.Errorf("error without offset: %v", err)
			}
			reply := s.AppendReply(nil, &m, c.verdict, err)
			want := c.want
			if want != "" {
				want += "\r\n"
			}
			if string(reply) != want || len(m.Fixes) != c.fixes && err == nil {
				t.Fatalf("reply %q with %d fixes (err %v), want %q with %d", reply, len(m.Fixes), err, want, c.fixes)
			}
		})
	}
}

// TestDataFields checks the decoded values of a D packet.
func TestDataFields(t *testing.T) {
	s := newSession(protocols.TCP)
	var m protocols.Message
	if err := s.Decode([]byte("#D#"+dd), &m); err != nil {
		t.Fatal(err)
	}
	f := m.Fixes[0]
	if f.Speed != 1 || f.Course != 2 || f.Altitude != 3 || f.Satellites != 4 || f.HDOP != 1.5 || !f.Valid {
		t.Fatalf("fix %+v", f)
	}
	for key, want := range map[string]string{
		"input": "3", "output": "0", "adc1": "12.5", "adc3": "3", "fuel": "45.8",
		"hw": "V4.5", "pwr_ext": "12.7", "power": "12.7",
	} {
		if a, ok := f.Attrs.Get(key); !ok || a.Str() != want {
			t.Errorf("%s = %q, want %q", key, a.Str(), want)
		}
	}
	if _, ok := f.Attrs.Get("adc2"); ok {
		t.Error("adc2 is NA and must be absent")
	}
}

// TestUDP: each datagram names its device, in the 1.1 and 2.0 forms.
func TestUDP(t *testing.T) {
	s := newSession(protocols.UDP)
	for _, c := range []struct{ dgram, id, reply string }{
		{"356307042441013#SD#" + sd + "\r\n", "356307042441013", "#ASD#1\r\n"},
		{"2.0;777#SD#" + withCRC(sd+";"), "777", "#ASD#1\r\n"},
		{"2.0;777#SD#" + sd + ";0000", "777", "#ASD#13\r\n"},
	} {
		var m protocols.Message
		err := s.Decode([]byte(c.dgram), &m)
		v := protocols.Accepted
		if err != nil {
			v = protocols.Invalid
		}
		if m.Identity != c.id || string(s.AppendReply(nil, &m, v, err)) != c.reply {
			t.Errorf("%q: identity %q, err %v", c.dgram, m.Identity, err)
		}
	}
}

func TestLenientChecksum(t *testing.T) {
	s := NewSession(protocols.TCP, protocols.Options{LenientChecksum: true}).(*Session)
	var m protocols.Message
	if err := s.Decode([]byte("#L#2.0;42001300083;;CE45"), &m); err != nil {
		t.Fatal(err)
	}
	if s.BadChecksums() != 1 || m.Identity != "42001300083" {
		t.Fatalf("bad checksums %d identity %q", s.BadChecksums(), m.Identity)
	}
}
