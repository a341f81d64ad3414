package teltonika

import (
	"encoding/hex"
	"strings"
	"testing"
	"time"

	"dozor/protocols"
	"dozor/protocols/internal/corpus"
)

// refusedBySpec lists corpus entries whose source decodes them although they
// break the specification. Traccar never checks the CRC or the declared
// lengths (notes/protocols.md, section 1); a strict server must refuse such
// packets without an ACK so that the device sends them again. lenient marks
// the entries whose only fault is the CRC: they decode with LenientChecksum.
var refusedBySpec = map[string]struct {
	why     string
	lenient bool
}{
	"teltonika-S-0010": {why: "Codec 13 command size 16 for 20 bytes, and a wrong CRC"},
	"teltonika-S-0017": {why: "wrong CRC (00003fca, data gives 00004837)", lenient: true},
	"teltonika-S-0022": {why: "data field length 0"},
	"teltonika-S-0029": {why: "data field length 166 for a 33-byte data field"},
	"teltonika-S-0035": {why: "Codec 12 camera frame with a wrong CRC", lenient: true},
	"teltonika-S-0036": {why: "Codec 12 photo chunk with a wrong CRC", lenient: true},
}

// nxChecks are the Traccar attribute assertions we can only check on the raw
// NX element: Traccar decodes Teltonika EYE sensor data out of it, which is
// model-specific and belongs to a layer above this package. want is a hex
// fragment of the element that holds the asserted value.
var nxChecks = map[string]struct{ key, want string }{
	"teltonika-S-0002": {"io548", "0202806d"}, // tag1Voltage 3090 = 2000 + 0x6d*10 mV
	"teltonika-S-0004": {"io10831", "0bd6"},   // tag1Battery 3030 = 0x0bd6
}

func TestCorpus(t *testing.T) {
	for _, e := range loadCorpus(t) {
		t.Run(e.ID, func(t *testing.T) {
			s, udp := sessionFor(&e, protocols.Options{})
			for i, p := range e.Prelude {
				// Preludes only set up the session; one of them (S-0035
				// before S-0036) is itself refused for its CRC.
				if out := replay(s, udp, p.Bytes()); len(out.errs) > 0 {
					t.Logf("prelude %d: %v", i, out.errs[0])
				}
			}
			out := replay(s, udp, e.Payload())
			if d, ok := refusedBySpec[e.ID]; ok {
				t.Logf("refused against the source: %s", d.why)
				checkRefused(t, &e, s, udp, out)
				if d.lenient {
					checkLenient(t, &e)
				}
				return
			}
			checkEntry(t, &e, out)
		})
	}
}

func checkEntry(t *testing.T, e *corpus.Entry, out replayed) {
	t.Helper()
	switch {
	case e.Kind == "frame":
		checkFrame(t, e)
		return
	case e.Negative():
		s, udp := sessionFor(e, protocols.Options{})
		checkRefused(t, e, s, udp, out)
		return
	}
	if len(out.errs) > 0 || out.rest > 0 {
		t.Fatalf("errors %v, %d bytes unframed", out.errs, out.rest)
	}
	switch {
	case isCommandEntry(e):
		checkCommand(t, e, out)
	case e.WantsPosition():
		checkPositions(t, e, out)
	case e.Expect.Result == "none":
		if fs := out.fixes(protocols.MsgData); len(fs) > 0 {
			t.Fatalf("%d fixes from a message with no position", len(fs))
		}
	case e.Expect.Result == "decoded_ok":
		if len(out.msgs) == 0 {
			t.Fatal("nothing decoded")
		}
	default:
		t.Fatalf("unhandled expectation %q", e.Expect.Result)
	}
	checkAck(t, e, out)
}

// isCommandEntry reports a Codec 12/13 frame. Traccar reports those as
// positions at the last known location; we follow the specification: a
// command answer is protocols.MsgOther, carries no position and gets no ACK.
func isCommandEntry(e *corpus.Entry) bool {
	if e.Expect.Result == "command" {
		return true
	}
	return strings.Contains(string(e.Derived), `"command_or_response"`)
}

func checkCommand(t *testing.T, e *corpus.Entry, out replayed) {
	t.Helper()
	if len(out.msgs) != 1 || out.msgs[0].Type != protocols.MsgOther {
		t.Fatalf("got %d messages, want one MsgOther", len(out.msgs))
	}
	f := &out.msgs[0].Fixes[0]
	if f.Valid || f.Lat != 0 || f.Lon != 0 {
		t.Errorf("command answer has a position: %+v", f)
	}
	r, ok := attr(f, AttrResult)
	if !ok {
		r, ok = attr(f, AttrCommand)
	}
	if !ok && e.ID != "teltonika-S-0034" { // camera frame: payload size only
		t.Errorf("no %s or %s attribute: %s", AttrResult, AttrCommand, f.Attrs.AppendJSON(nil))
	}
	if want, _ := e.Expect.Raw["command_text"].(string); want != "" {
		if r.Str() != want {
			t.Errorf("command %q, want %q", r.Str(), want)
		}
		if got := AppendCommand(nil, want); hex.EncodeToString(got) != e.Hex {
			t.Errorf("AppendCommand = %x, want %s", got, e.Hex)
		}
	}
	id, ok := e.Expect.Attributes["driverUniqueId"].(string)
	if ok && !strings.Contains(r.Str(), id) {
		t.Errorf("result %q does not hold driver id %s", r.Str(), id)
	}
	if len(out.acks) != 0 {
		t.Errorf("command answer acknowledged with %x", out.acks)
	}
}

func checkPositions(t *testing.T, e *corpus.Entry, out replayed) {
	t.Helper()
	fixes := out.fixes(protocols.MsgData)
	for _, bad := range e.CheckFixes(fixes) {
		t.Error(bad)
	}
	if len(fixes) == 0 {
		t.Fatal("no fix")
	}
	for i := range fixes {
		f := &fixes[i]
		if f.Protocol != Protocol.Name || f.Device != "" {
			t.Errorf("fix %d: protocol %q, device %q", i, f.Protocol, f.Device)
		}
		if f.Time.IsZero() || f.Time.Location() != time.UTC {
			t.Errorf("fix %d: time %v", i, f.Time)
		}
		if f.Lat < -90 || f.Lat > 90 || f.Lon < -180 || f.Lon > 180 {
			t.Errorf("fix %d: coordinates %v,%v out of range", i, f.Lat, f.Lon)
		}
	}
	if checked, _ := e.Expect.Raw["location_checked"].(bool); checked && !anyPlausible(fixes) {
		t.Error("no fix with plausible coordinates")
	}
	checkRecordList(t, e, fixes)
	if c, ok := nxChecks[e.ID]; ok {
		a, ok := attr(&fixes[0], c.key)
		if !ok || !strings.Contains(a.Str(), c.want) {
			t.Errorf("%s = %q, want it to hold %s", c.key, a.Str(), c.want)
		}
	}
}

func anyPlausible(fixes []protocols.Fix) bool {
	for i := range fixes {
		if fixes[i].Plausible() {
			return true
		}
	}
	return false
}

// checkRecordList checks what corpus.CheckFixes does not: priority, event
// IO id and generation type.
func checkRecordList(t *testing.T, e *corpus.Entry, fixes []protocols.Fix) {
	t.Helper()
	list, _ := e.Expect.Raw["record_list"].([]any)
	for i, r := range list {
		rec, _ := r.(map[string]any)
		if i >= len(fixes) {
			return
		}
		for key, name := range map[string]string{
			"priority":        protocols.AttrPriority,
			"event_io_id":     protocols.AttrEventID,
			"generation_type": protocols.AttrGeneration,
		} {
			want, ok := rec[key].(float64)
			if !ok {
				continue
			}
			if a, ok := attr(&fixes[i], name); !ok || a.Uint64() != uint64(want) {
				t.Errorf("record %d %s = %s, want %v", i, name, a.Str(), want)
			}
		}
	}
}

func checkAck(t *testing.T, e *corpus.Entry, out replayed) {
	t.Helper()
	if want := e.Expect.AckHex; want != nil && hex.EncodeToString(out.acks) != *want {
		t.Errorf("ack %x, want %s", out.acks, *want)
	}
	if want := e.Expect.ResponseHex; want != nil && hex.EncodeToString(out.acks) != *want {
		t.Errorf("response %x, want %s", out.acks, *want)
	}
	if strings.Contains(string(e.Derived), `"imei_handshake"`) {
		if len(out.msgs) != 1 || out.msgs[0].Type != protocols.MsgLogin ||
			out.msgs[0].Identity == "" || hex.EncodeToString(out.logins) != "01" {
			t.Errorf("handshake: messages %+v, reply %x", out.msgs, out.logins)
		}
	}
}

// checkRefused asserts that the payload yields an error somewhere and never
// an ACK, both through the framer and when decoded whole.
func checkRefused(t *testing.T, e *corpus.Entry, s protocols.Session, udp bool, out replayed) {
	t.Helper()
	if len(out.errs) == 0 && out.rest == 0 {
		t.Error("accepted without error")
	}
	if len(out.acks) > 0 {
		t.Errorf("acknowledged with %x", out.acks)
	}
	var m protocols.Message
	err := s.Decode(e.Payload(), &m)
	if err == nil {
		t.Fatal("whole payload decoded without error")
	}
	if ack := s.AppendReply(nil, &m, protocols.Invalid, err); len(ack) > 0 {
		t.Errorf("invalid frame answered with %x", ack)
	}
	t.Logf("refused: %v", err)
}

// checkLenient decodes an entry refused for its CRC alone with
// LenientChecksum on.
func checkLenient(t *testing.T, e *corpus.Entry) {
	t.Helper()
	s, udp := sessionFor(e, protocols.Options{LenientChecksum: true})
	out := replay(s, udp, e.Payload())
	if len(out.errs) > 0 || len(out.msgs) != 1 {
		t.Fatalf("lenient: errors %v, %d messages", out.errs, len(out.msgs))
	}
	if e.WantsPosition() && !isCommandEntry(e) {
		checkPositions(t, e, out)
	}
}

func checkFrame(t *testing.T, e *corpus.Entry) {
	t.Helper()
	s, _ := sessionFor(e, protocols.Options{})
	adv, frame, err := s.Split(e.Payload())
	want := e.Expect.FrameHex
	switch {
	case err != nil:
		t.Fatalf("split: %v", err)
	case want == nil && adv != 0:
		t.Fatalf("cut %x, want need-more", frame)
	case want != nil && hex.EncodeToString(frame) != *want:
		t.Fatalf("cut %x, want %s", frame, *want)
	}
}
