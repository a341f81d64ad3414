package egts

import (
	"bytes"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"math"
	"testing"
	"time"

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

func newSession() *Session {
	return NewSession(protocols.TCP, protocols.Options{}).(*Session)
}

// splitOne frames b, which must be exactly one packet.
func splitOne(t *testing.T, s *Session, b []byte) []byte {
	t.Helper()
	n, frame, err := s.Split(b)
	if err != nil || n != len(b) || frame == nil {
		t.Fatalf("split: advance %d of %d, frame %v, err %v", n, len(b), frame != nil, err)
	}
	return frame
}

// decodeAck splits and decodes b and returns the reply for an Accepted verdict.
func decodeAck(t *testing.T, s *Session, b []byte, m *protocols.Message) []byte {
	t.Helper()
	m.Reset()
	if err := s.Decode(splitOne(t, s, b), m); err != nil {
		t.Fatalf("decode %x: %v", b, err)
	}
	return s.AppendReply(nil, m, protocols.Accepted, nil)
}

// TestCorpus replays every corpus entry in a fresh session, after its
// session_prelude. Entries of the kuznetsovin test set assert a parse tree:
// checkStructure compares it with what this decoder produced.
func TestCorpus(t *testing.T) {
	for _, e := range load(t) {
		t.Run(e.ID, func(t *testing.T) {
			s := newSession()
			var m protocols.Message
			for _, p := range e.Prelude {
				decodeAck(t, s, p.Bytes(), &m)
			}
			switch {
			case e.Kind == "frame":
				checkFrameEntry(t, e)
			case e.Negative():
				checkRefused(t, s, e.Payload())
			default:
				reply := decodeAck(t, s, e.Payload(), &m)
				checkDecoded(t, e, &m, reply)
			}
		})
	}
}

func checkFrameEntry(t *testing.T, e corpus.Entry) {
	frames, err := corpus.Frames(newSession(), e.Payload())
	if err != nil {
		t.Fatal(err)
	}
	if e.Expect.FrameHex == nil {
		return
	}
	if len(frames) == 0 || hex.EncodeToString(frames[0]) != *e.Expect.FrameHex {
		t.Fatalf("first frame %x, want %s", frames, *e.Expect.FrameHex)
	}
}

// checkRefused asserts that a negative sample is refused and never gets a
// PR = 0 response.
func checkRefused(t *testing.T, s *Session, b []byte) {
	var m protocols.Message
	n, frame, err := s.Split(b)
	if err == nil && frame != nil {
		err = s.Decode(frame, &m)
	}
	if err == nil {
		t.Fatalf("accepted (advance %d)", n)
	}
	reply := s.AppendReply(nil, &m, protocols.Invalid, err)
	if len(reply) >= 14 && reply[13] == 0 {
		t.Fatalf("refused packet answered with PR 0: %x", reply)
	}
}

func checkDecoded(t *testing.T, e corpus.Entry, m *protocols.Message, reply []byte) {
	for _, bad := range e.CheckFixes(m.Fixes) {
		t.Error(bad)
	}
	if e.WantsPosition() {
		for i := range m.Fixes {
			if !m.Fixes[i].Plausible() {
				t.Errorf("fix %d implausible: %+v", i, m.Fixes[i])
			}
		}
	}
	if n, ok := e.Expect.Raw["stored_points"].(float64); ok && len(m.Fixes) != int(n) {
		t.Errorf("%d fixes, want %v stored points", len(m.Fixes), n)
	}
	checkDerived(t, e, m)
	if st, ok := e.Expect.Raw["structure"].(map[string]any); ok {
		checkStructure(t, st, m)
	}
	if mand, ok := e.Expect.Raw["response_mandatory"].(map[string]any); ok {
		checkMandatory(t, mand, reply)
	}
}

// derived is the corpus builder's reading of the bytes (a hint, not an
// assertion of the source): the record numbers and subrecord types.
type derived struct {
	PacketType int `json:"packet_type"`
	Records    []struct {
		RN    int   `json:"rn"`
		OID   *int  `json:"oid"`
		Types []int `json:"subrecord_types"`
	} `json:"records"`
}

// checkDerived checks the record count, and that every POS_DATA subrecord
// of an APPDATA packet became exactly one fix.
func checkDerived(t *testing.T, e corpus.Entry, m *protocols.Message) {
	if len(e.Derived) == 0 {
		return
	}
	var d derived
	if err := json.Unmarshal(e.Derived, &d); err != nil {
		t.Fatal(err)
	}
	if d.PacketType == 0 {
		return
	}
	if m.Reply.N != len(d.Records) {
		t.Errorf("%d records, derived %d", m.Reply.N, len(d.Records))
	}
	pos := 0
	for i, r := range d.Records {
		if got := int(m.Reply.Data[i*replyEntry]) | int(m.Reply.Data[i*replyEntry+1])<<8; got != r.RN {
			t.Errorf("record %d: RN %d, derived %d", i, got, r.RN)
		}
		for _, srt := range r.Types {
			if srt == int(SrPosData) {
				pos++
			}
		}
	}
	if len(m.Fixes) != pos {
		t.Errorf("%d fixes from %d POS_DATA subrecords", len(m.Fixes), pos)
	}
}

// checkStructure compares the kuznetsovin parse tree with the decoded
// message: packet id, record numbers and every POS_DATA and liquid level
// field. Two known disagreements, where this decoder follows the GOST:
// the library sets the high direction bit DIRH as bit 7 of Direction (the
// standard makes it bit 8, so the course is DIR + 256), and the corpus note
// calls Speed raw 0.1 km/h units while the library already divided by ten
// (SPD 0x07D0 = 2000 tenths is its Speed 200), so Speed is compared in km/h.
func checkStructure(t *testing.T, st map[string]any, m *protocols.Message) {
	if got, want := m.Reply.ID, uint64(num(st["PacketIdentifier"])); got != want {
		t.Errorf("packet id %d, want %d", got, want)
	}
	recs, _ := st["ServicesFrameData"].([]any)
	fix := 0
	for i, r := range recs {
		rec := r.(map[string]any)
		if rn, ok := rec["RecordNumber"]; ok && i*replyEntry+1 < len(m.Reply.Data) {
			got := int(m.Reply.Data[i*replyEntry]) | int(m.Reply.Data[i*replyEntry+1])<<8
			if got != int(num(rn)) {
				t.Errorf("record %d: RN %d, want %v", i, got, rn)
			}
		}
		set, _ := rec["RecordDataSet"].([]any)
		for _, sr := range set {
			data, _ := sr.(map[string]any)["SubrecordData"].(map[string]any)
			switch data["_type"] {
			case "SrPosData":
				if fix >= len(m.Fixes) {
					t.Fatalf("POS_DATA %d not decoded", fix)
				}
				checkPos(t, data, &m.Fixes[fix])
				fix++
			case "SrLiquidLevelSensor":
				checkLiquid(t, data, &m.Fixes[max(fix-1, 0)])
			}
		}
	}
}

func checkPos(t *testing.T, p map[string]any, f *protocols.Fix) {
	want, _ := time.Parse(time.RFC3339, p["NavigationTime"].(string))
	if !f.Time.Equal(want) {
		t.Errorf("time %v, want %v", f.Time, want)
	}
	if math.Abs(f.Lat-num(p["Latitude"])) > 1e-6 || math.Abs(f.Lon-num(p["Longitude"])) > 1e-6 {
		t.Errorf("at %v,%v, want %v,%v", f.Lat, f.Lon, p["Latitude"], p["Longitude"])
	}
	if f.Speed != num(p["Speed"]) {
		t.Errorf("speed %v, want %v", f.Speed, p["Speed"])
	}
	dir, dirh := int(num(p["Direction"])), int(num(p["DirectionHighestBit"]))
	if c := int(f.Course); c%128 != dir%128 || (c >= 256) != (dirh == 1) {
		t.Errorf("course %d, want direction %d with high bit %d", c, dir, dirh)
	}
	if f.Valid != (p["VLD"] == "1") {
		t.Errorf("valid %v, want VLD %v", f.Valid, p["VLD"])
	}
	if alt, ok := p["Altitude"]; ok && f.Altitude != num(alt) {
		t.Errorf("altitude %v, want %v", f.Altitude, alt)
	}
	checkAttr(t, f, protocols.AttrOdometer, num(p["Odometer"])*100)
	checkAttr(t, f, protocols.AttrInput, num(p["DigitalInputs"]))
	checkAttr(t, f, protocols.AttrEvent, num(p["Source"]))
	checkAttr(t, f, protocols.AttrMotion, b2f(p["MV"] == "1"))
	checkAttr(t, f, AttrArchive, b2f(p["BB"] == "1"))
}

// checkLiquid: an error-flagged reading is not kept; others are fuelN.
func checkLiquid(t *testing.T, p map[string]any, f *protocols.Fix) {
	key := fuelKeys[int(num(p["LiquidLevelSensorNumber"]))]
	_, kept := f.Attrs.Get(key)
	if p["LiquidLevelSensorErrorFlag"] == "1" {
		if kept {
			t.Errorf("%s kept although flagged as an error", key)
		}
		return
	}
	checkAttr(t, f, key, num(p["LiquidLevelSensorData"]))
}

func checkAttr(t *testing.T, f *protocols.Fix, key string, want float64) {
	t.Helper()
	a, ok := f.Attrs.Get(key)
	if !ok || a.Float64() != want {
		t.Errorf("%s = %v (present %v), want %v", key, a.Float64(), ok, want)
	}
}

func num(v any) float64 { f, _ := v.(float64); return f }

func b2f(b bool) float64 {
	if b {
		return 1
	}
	return 0
}

// checkMandatory parses the reply and compares what any compliant server
// must send: a RESPONSE packet with RPID, PR and the record responses.
func checkMandatory(t *testing.T, mand map[string]any, reply []byte) {
	r, err := parseResponse(reply)
	if err != nil {
		t.Fatalf("reply %x: %v", reply, err)
	}
	if r.pt != int(num(mand["packet_type"])) || r.rpid != int(num(mand["response_to_packet_id"])) ||
		r.pr != int(num(mand["processing_result"])) {
		t.Errorf("reply type %d rpid %d pr %d, want %v", r.pt, r.rpid, r.pr, mand)
	}
	want, _ := mand["record_responses"].([]any)
	if len(r.crn) != len(want) {
		t.Fatalf("%d record responses, want %d", len(r.crn), len(want))
	}
	for i, w := range want {
		w := w.(map[string]any)
		if r.crn[i] != int(num(w["confirmed_record_number"])) || r.rst[i] != int(num(w["record_status"])) {
			t.Errorf("record response %d: crn %d rst %d, want %v", i, r.crn[i], r.rst[i], w)
		}
	}
}

// response is a parsed server packet, read independently of the encoder.
type response struct {
	pt, pid, rpid, pr int
	crn, rst          []int // EGTS_SR_RECORD_RESPONSE values, in order
	codes             []int // EGTS_SR_RESULT_CODE values
	size              int   // bytes of this packet
}

func parseResponse(b []byte) (response, error) {
	var r response
	var m protocols.Message
	s := newSession()
	n, frame, err := s.Split(b)
	if err != nil || frame == nil {
		return r, fmt.Errorf("split: %v", err)
	}
	if err := s.Decode(frame, &m); err != nil {
		return r, err
	}
	r.size = n
	r.pt, r.pid = int(frame[9]), int(frame[7])|int(frame[8])<<8
	body := frame[11 : len(frame)-2]
	if r.pt == int(PacketResponse) {
		r.rpid, r.pr = int(body[0])|int(body[1])<<8, int(body[2])
		body = body[3:]
	}
	for len(body) > 0 {
		rl := int(body[0]) | int(body[1])<<8
		rd := body[7 : 7+rl]
		for len(rd) > 0 {
			srl := int(rd[1]) | int(rd[2])<<8
			switch rd[0] {
			case byte(SrRecordResponse):
				r.crn = append(r.crn, int(rd[3])|int(rd[4])<<8)
				r.rst = append(r.rst, int(rd[5]))
			case byte(SrResultCode):
				r.codes = append(r.codes, int(rd[3]))
			}
			rd = rd[3+srl:]
		}
		body = body[7+rl:]
	}
	return r, nil
}

// TestResponseHexShape checks that the reply to the kuznetsovin server
// exchange differs from its response_hex only in the server's own
// counters (PID, RN) and the RFL flags, and so in the checksums.
func TestResponseHexShape(t *testing.T) {
	for _, e := range load(t) {
		if e.Expect.ResponseHex == nil {
			continue
		}
		t.Run(e.ID, func(t *testing.T) {
			var m protocols.Message
			got := decodeAck(t, newSession(), e.Payload(), &m)
			want, _ := hex.DecodeString(*e.Expect.ResponseHex)
			if len(got) != len(want) {
				t.Fatalf("reply %x, want %x", got, want)
			}
			// Mask PID (7-8), HCS (10), RN (16-17), RFL (18), SFRCS (last 2).
			for _, i := range []int{7, 8, 10, 16, 17, 18, len(want) - 2, len(want) - 1} {
				got[i], want[i] = 0, 0
			}
			if !bytes.Equal(got, want) {
				t.Fatalf("reply %x, want %x (counters masked)", got, want)
			}
		})
	}
}
