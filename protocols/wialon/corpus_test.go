package wialon

import (
	"encoding/json"
	"errors"
	"math"
	"testing"

	"dozor/protocols"
	"dozor/protocols/internal/corpus"
)

func load(t testing.TB) []corpus.Entry {
	t.Helper()
	entries, err := corpus.Load("testdata/corpus.jsonl")
	if err != nil {
		t.Fatal(err)
	}
	return entries
}

func newSession(tr protocols.Transport) *Session {
	return NewSession(tr, protocols.Options{}).(*Session)
}

func transportOf(e corpus.Entry) protocols.Transport {
	if e.Transport == "udp" {
		return protocols.UDP
	}
	return protocols.TCP
}

// feed frames a TCP line (with its CR LF, as on the wire) or passes a UDP
// datagram as is, decodes it and returns the answer for the verdict ingest
// would give: Accepted when it decodes, Invalid with the error otherwise.
func feed(s *Session, payload []byte, m *protocols.Message) ([]byte, error) {
	m.Reset()
	frame := payload
	if s.transport == protocols.TCP {
		wire := append(append([]byte(nil), payload...), '\r', '\n')
		n, f, err := s.Split(wire)
		if err != nil || n != len(wire) {
			return nil, err
		}
		frame = f
	}
	if err := s.Decode(frame, m); err != nil {
		return s.AppendReply(nil, m, protocols.Invalid, err), err
	}
	return s.AppendReply(nil, m, protocols.Accepted, nil), nil
}

type derived struct {
	Ack   string `json:"ack_text_per_spec"`
	CRCOK *bool  `json:"crc16_ok"`
}

// traccarAttrs maps the Traccar attribute names the corpus asserts to ours.
var traccarAttrs = map[string]string{
	"deviceTemp":   protocols.AttrTemperature,
	"batteryLevel": protocols.AttrBatteryLevel,
}

// specRefusals are corpus samples that the specification refuses although
// their source accepts them, with the answer the device gets.
var specRefusals = map[string]string{
	// Traccar's black-box samples put 64.0167 minutes in a DDMM.MMMM
	// latitude (5364.0167;N). Minutes run to 60; Traccar silently reads
	// 54.0669 degrees. The message is refused (coordinates error), and as
	// it is the first of its black box, the whole packet is: #AB#0.
	"wialon-S-0014": "#AB#0\r\n",
	"wialon-S-0015": "#AB#0\r\n",
}

// TestCorpus replays every entry after its session_prelude, in a session
// of the entry's transport.
//
// Where the corpus and the specification disagree the test follows the
// specification: wialon-S-0001 is the Traccar login "#L#2.0;42001300083;;CE45"
// whose CRC-16 is wrong (the bytes give DBEB; Traccar never checks), so it
// is refused with #AL#10 instead of being accepted. The packets after it
// in the same Traccar test still decode: the login fixed the 2.0 syntax.
func TestCorpus(t *testing.T) {
	for _, e := range load(t) {
		t.Run(e.ID, func(t *testing.T) {
			s := newSession(transportOf(e))
			var m protocols.Message
			for _, p := range e.Prelude {
				_, _ = feed(s, p.Bytes(), &m)
			}
			var d derived
			_ = json.Unmarshal(e.Derived, &d)
			reply, err := feed(s, e.Payload(), &m)
			switch {
			case e.Negative():
				if err == nil || len(reply) != 0 {
					t.Fatalf("negative sample: err %v, reply %q", err, reply)
				}
			case specRefusals[e.ID] != "":
				if err == nil || string(reply) != specRefusals[e.ID] {
					t.Fatalf("err %v, reply %q; want a refusal answered %q", err, reply, specRefusals[e.ID])
				}
			case d.CRCOK != nil && !*d.CRCOK:
				if !errors.Is(err, protocols.ErrChecksum) || string(reply) != "#AL#10\r\n" {
					t.Fatalf("bad CRC: err %v, reply %q; want ErrChecksum and #AL#10", err, reply)
				}
			default:
				if err != nil {
					t.Fatalf("decode: %v", err)
				}
				if d.Ack != "" && string(reply) != d.Ack {
					t.Errorf("reply %q, want %q", reply, d.Ack)
				}
				checkFixes(t, e, &m)
			}
		})
	}
}

func checkFixes(t *testing.T, e corpus.Entry, m *protocols.Message) {
	for _, bad := range e.CheckFixes(m.Fixes) {
		t.Error(bad)
	}
	if r := e.Expect.Result; r == "position" || r == "positions" {
		for i := range m.Fixes {
			if !m.Fixes[i].Plausible() {
				t.Errorf("fix %d implausible: %+v", i, m.Fixes[i])
			}
		}
	}
	for name, want := range e.Expect.Attributes {
		key := traccarAttrs[name]
		a, ok := m.Fixes[0].Attrs.Get(key)
		if !ok || a.Float64() != want.(float64) {
			t.Errorf("%s (%s) = %v, want %v", key, name, a.Str(), want)
		}
	}
	if e.Expect.Raw["network"] != nil {
		// Cell towers stay as the device's own parameters.
		for key, want := range map[string]int64{"mcc1": 250, "mnc1": 2, "lac1": 5901, "cell_id1": 45542} {
			if a, ok := m.Fixes[0].Attrs.Get(key); !ok || a.Int64() != want {
				t.Errorf("%s = %v, want %d", key, a.Str(), want)
			}
		}
	}
	if e.Source[:len("kuznetsovin")] == "kuznetsovin" && len(m.Fixes) > 0 {
		// The corpus notes give the right reading of 5355.09260;N;02732.40990;E
		// (the source's own unit test swaps and misreads it).
		f := m.Fixes[0]
		if math.Abs(f.Lat-(53+55.09260/60)) > 1e-9 || math.Abs(f.Lon-(27+32.40990/60)) > 1e-9 {
			t.Errorf("at %v,%v", f.Lat, f.Lon)
		}
	}
}
