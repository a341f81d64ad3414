package osmand

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	"dozor/protocols"
	"dozor/protocols/internal/corpus"
)

func loadCorpus(tb testing.TB) []corpus.Entry {
	tb.Helper()
	entries, err := corpus.Load("testdata/corpus.jsonl")
	if err != nil {
		tb.Fatal(err)
	}
	if len(entries) == 0 {
		tb.Fatal("empty corpus")
	}
	return entries
}

// request builds the HTTPRequest of a corpus entry.
func request(e *corpus.Entry) protocols.HTTPRequest {
	r := protocols.HTTPRequest{Method: e.HTTP.Method, Target: e.HTTP.PathQuery}
	for k, v := range e.HTTP.Headers {
		if strings.EqualFold(k, "Content-Type") {
			r.ContentType = v
		}
	}
	if e.HTTP.Body != nil {
		r.Body = []byte(*e.HTTP.Body)
	}
	return r
}

// traccarAttr maps Traccar attribute names in the corpus to ours.
var traccarAttr = map[string]string{
	"batteryLevel":   protocols.AttrBatteryLevel,
	"charge":         protocols.AttrCharging,
	"driverUniqueId": protocols.AttrDriver,
	"motion":         protocols.AttrIsMoving,
}

// TestCorpus replays every corpus entry. The decoder is stateless, so the
// entries' session_prelude (a request without an id that Traccar needs only
// to have a "last location") is not replayed.
//
// Two entries are decoded differently from Traccar, on purpose:
//   - osmand-S-0004 (id, time, cells and Wi-Fi, no coordinates): Traccar
//     returns a position at the device's last known location. We do not
//     invent a position: it is a heartbeat naming the device (the corpus
//     asserts only "something").
//   - osmand-S-0005 (coordinates but no id): Traccar returns null and
//     answers 400; we return ErrNoDevice, which maps to 400 (the corpus
//     asserts no position, which holds).
func TestCorpus(t *testing.T) {
	for _, e := range loadCorpus(t) {
		t.Run(e.ID, func(t *testing.T) {
			if e.HTTP == nil {
				t.Fatal("entry has no http request")
			}
			var m protocols.Message
			res, err := DecodeRequest(request(&e), &m)
			for _, p := range checkEntry(&e, &m, res, err) {
				t.Error(p)
			}
		})
	}
}

func checkEntry(e *corpus.Entry, m *protocols.Message, res Result, err error) []string {
	switch {
	case e.Negative():
		if err == nil && len(m.Fixes) > 0 {
			return []string{"negative entry decoded to fixes"}
		}
		return nil
	case e.Expect.Result == "none":
		if len(m.Fixes) != 0 {
			return []string{fmt.Sprintf("got %d fixes, want none", len(m.Fixes))}
		}
		if err != nil && !errors.Is(err, ErrNoDevice) {
			return []string{fmt.Sprintf("error %v, want nil or ErrNoDevice", err)}
		}
		return nil
	case e.Expect.Result == "something":
		if err != nil {
			return []string{fmt.Sprintf("error %v", err)}
		}
		if m.Type == 0 || m.Identity == "" {
			return []string{fmt.Sprintf("type %v identity %q: want a message", m.Type, m.Identity)}
		}
		return nil
	}
	if err != nil {
		return []string{fmt.Sprintf("error %v", err)}
	}
	bad := e.CheckFixes(m.Fixes)
	if len(res.Rejected) > 0 {
		bad = append(bad, fmt.Sprintf("rejected %v", res.Rejected))
	}
	for _, f := range m.Fixes {
		if !f.Plausible() || f.Device == "" || f.Protocol != Name {
			bad = append(bad, fmt.Sprintf("fix not plausible or unnamed: %+v", f))
		}
	}
	return append(bad, checkAttrs(e, m)...)
}

// checkAttrs compares the attributes the entry asserts on the first fix.
func checkAttrs(e *corpus.Entry, m *protocols.Message) []string {
	var bad []string
	types, _ := e.Expect.Raw["attribute_types"].(map[string]any)
	for name, want := range e.Expect.Attributes {
		key := name
		if k, ok := traccarAttr[name]; ok {
			key = k
		}
		a, ok := m.Fixes[0].Attrs.Get(key)
		if !ok {
			bad = append(bad, "missing attribute "+key)
			continue
		}
		if got := string(a.AppendValue(nil)); got != fmt.Sprint(want) {
			bad = append(bad, fmt.Sprintf("attribute %s = %s, want %v", key, got, want))
		}
		if types[name] == "Long" || types[name] == "Integer" {
			if a.Kind != protocols.KindInt {
				bad = append(bad, fmt.Sprintf("attribute %s kind %d, want int", key, a.Kind))
			}
		}
	}
	return bad
}
