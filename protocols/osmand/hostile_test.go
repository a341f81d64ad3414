package osmand

import (
	"errors"
	"strconv"
	"strings"
	"testing"
	"unicode/utf8"

	"dozor/protocols"
)

func TestRequestErrors(t *testing.T) {
	many := func(n int, elem string) string {
		return "[" + strings.TrimSuffix(strings.Repeat(elem+",", n), ",") + "]"
	}
	tests := []struct {
		name   string
		req    protocols.HTTPRequest
		is     error
		status int
		msg    string // substring of the error
	}{
		{"no id S-0005", get("/?timestamp=1377177267&lat=60.0&lon=30.0"), ErrNoDevice, 400,
			"no device identity"},
		{"empty id", get("/?id=&lat=1&lon=2"), ErrNoDevice, 400, ""},
		{"no params", get("/"), ErrNoDevice, 400, ""},
		{"json no id", postJSON("/", `{"lat":1,"lon":2}`), ErrNoDevice, 400, ""},
		{"batch no id at all", postJSON("/", `[{"lat":1,"lon":2},{"lat":3,"lon":4}]`),
			ErrNoDevice, 400, ""},
		{"json type, form body", postJSON("/", "id=a&lat=1&lon=2"), protocols.ErrMalformed,
			400, `at byte 0: malformed: want an object or an array, got 'i'`},
		{"json scalar", postJSON("/", `"id"`), protocols.ErrMalformed, 400, ""},
		{"json truncated", postJSON("/", `{"id":"a","lat":1`), protocols.ErrMalformed, 400,
			"at byte 17: malformed: unexpected end of json"},
		{"json trailing comma", postJSON("/", `{"id":"a",}`), protocols.ErrMalformed, 400,
			"want object key"},
		{"json trailing data", postJSON("/", `{"id":"a"} x`), protocols.ErrMalformed, 400,
			"at byte 11: malformed: data after the json value"},
		{"json NaN literal", postJSON("/", `{"id":"a","lat":NaN}`), protocols.ErrMalformed,
			400, "want a json value, got 'N'"},
		{"json leading zero", postJSON("/", `{"id":"a","lat":01}`), protocols.ErrMalformed,
			400, ""},
		{"json bad escape", postJSON("/", `{"id":"\x"}`), protocols.ErrMalformed, 400,
			`bad escape \x`},
		{"json control char", postJSON("/", "{\"id\":\"a\x01\"}"), protocols.ErrMalformed,
			400, "control character"},
		{"json unterminated", postJSON("/", `{"id":"a`), protocols.ErrMalformed, 400,
			"unterminated string"},
		{"json deep nesting", postJSON("/", strings.Repeat("[", 100000)),
			protocols.ErrMalformed, 400, "nested deeper than 16"},
		{"json deep object", postJSON("/", `{"id":"a","x":`+strings.Repeat(`{"a":`, 50)),
			protocols.ErrMalformed, 400, "nested deeper than 16"},
		{"bad percent escape", get("/?id=a&lat=%zz"), protocols.ErrMalformed, 400,
			`osmand: query: at byte 11: malformed: bad percent escape "%zz"`},
		{"truncated percent escape", get("/?id=a&lat=1%2"), protocols.ErrMalformed, 400,
			"truncated percent escape"},
		{"bad escape in form body", postForm("/", "application/x-www-form-urlencoded",
			"id=a&x=%"), protocols.ErrMalformed, 400, "osmand: form body: at byte 7"},
		{"body over limit", postJSON("/", strings.Repeat(" ", MaxBody+1)),
			protocols.ErrTooLarge, 413, "body length 2097153 over limit 2097152"},
		{"target over limit", get("/?id=" + strings.Repeat("a", MaxTarget)),
			protocols.ErrTooLarge, 413, "target length"},
		{"batch 1001", postJSON("/", many(MaxFixes+1, `{"id":"a","lat":1,"lon":2}`)),
			protocols.ErrTooLarge, 413, "batch length 1001 over limit 1000"},
		{"batch 10k", postJSON("/", many(10000, `{}`)), protocols.ErrTooLarge, 413,
			"batch length 10000 over limit 1000"},
		{"location batch 1001", postJSON("/", `{"device_id":"a","location":`+
			many(MaxFixes+1, `{}`)+`}`), protocols.ErrTooLarge, 413, "batch length 1001"},
		{"id over limit", get("/?lat=1&lon=2&id=" + strings.Repeat("i", MaxIDLen+1)),
			protocols.ErrTooLarge, 413, "device id length 129 over limit 128"},
		{"json id over limit", postJSON("/", `[{"id":"`+strings.Repeat("i", 200)+`"}]`),
			protocols.ErrTooLarge, 413, "device id length 200"},
		{"too many params", get("/?id=a" + strings.Repeat("&k=1", MaxParams)),
			protocols.ErrTooLarge, 413, "parameters in one fix 1025 over limit 1024"},
		{"too many extras", postJSON("/", `{"device_id":"a","location":{"extras":{`+
			strings.TrimSuffix(strings.Repeat(`"k":1,`, MaxParams+1), ",")+`}}}`),
			protocols.ErrTooLarge, 413, "parameters in one fix"},
		{"multipart", postForm("/", "multipart/form-data; boundary=x", "--x"),
			protocols.ErrUnsupported, 415, `content type "multipart/form-data"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var m protocols.Message
			m.NextFix().Device = "kept" // a fix from before must survive
			m.Fixes[0].Protocol = "x"
			err := Decode(tt.req, &m)
			if !errors.Is(err, tt.is) {
				t.Fatalf("error %v, want %v", err, tt.is)
			}
			if HTTPStatus(err) != tt.status {
				t.Errorf("status %d, want %d", HTTPStatus(err), tt.status)
			}
			if !strings.Contains(err.Error(), tt.msg) {
				t.Errorf("error %q, want it to contain %q", err, tt.msg)
			}
			if len(m.Fixes) != 1 || m.Fixes[0].Device != "kept" {
				t.Errorf("fixes %+v after a refused request", m.Fixes)
			}
		})
	}
}

// TestOpaqueStrings checks that ids and attributes are kept as opaque text:
// SQL and script text unchanged, invalid UTF-8 replaced so that every kept
// string is valid UTF-8.
func TestOpaqueStrings(t *testing.T) {
	tests := []struct {
		name string
		req  protocols.HTTPRequest
		id   string
		attr string // value of attribute "note"
	}{
		{"sql in query", get("/?id=1%27%3B+DROP+TABLE+fixes%3B--&lat=1&lon=2" +
			"&note=%27+OR+1%3D1"), "1'; DROP TABLE fixes;--", "' OR 1=1"},
		{"script in json", postJSON("/", `{"id":"<script>alert(1)</script>","lat":1,`+
			`"lon":2,"note":"</script>"}`), "<script>alert(1)</script>", "</script>"},
		{"invalid utf8 in query", get("/?id=%FF%FEab&lat=1&lon=2&note=%C3"),
			"\uFFFDab", "\uFFFD"}, // a run of bad bytes is one U+FFFD
		{"invalid utf8 in json", postJSON("/", "{\"id\":\"\xff\",\"lat\":1,\"lon\":2,"+
			"\"note\":\"a\xc3\"}"), "\uFFFD", "a\uFFFD"},
		{"nul byte", get("/?id=a%00b&lat=1&lon=2&note=%00"), "a\x00b", "\x00"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var m protocols.Message
			if _, err := DecodeRequest(tt.req, &m); err != nil {
				t.Fatal(err)
			}
			f := &m.Fixes[0]
			a, _ := f.Attrs.Get("note")
			if f.Device != tt.id || m.Identity != tt.id || a.Str() != tt.attr {
				t.Errorf("id %q attr %q, want %q %q", f.Device, a.Str(), tt.id, tt.attr)
			}
			if !utf8.ValidString(f.Device) || !utf8.ValidString(a.Str()) {
				t.Error("kept invalid UTF-8")
			}
		})
	}
}

func TestAttributeLimits(t *testing.T) {
	var q strings.Builder
	q.WriteString("/?id=a&lat=1&lon=2&timestamp=1700000000")
	for i := range MaxAttrs + 6 {
		q.WriteString("&k" + strconv.Itoa(i) + "=1")
	}
	q.WriteString("&" + strings.Repeat("k", MaxKeyLen+1) + "=1")
	q.WriteString("&long=" + strings.Repeat("v", MaxValueLen+1))
	q.WriteString("&batt=50&mock=true") // known fields are not counted
	var m protocols.Message
	if _, err := DecodeRequest(get(q.String()), &m); err != nil {
		t.Fatal(err)
	}
	as := m.Fixes[0].Attrs
	if len(as) != MaxAttrs+2 {
		t.Errorf("%d attributes, want %d", len(as), MaxAttrs+2)
	}
	if _, ok := as.Get("k" + strconv.Itoa(MaxAttrs-1)); !ok {
		t.Error("attribute within the limit dropped")
	}
	for _, k := range []string{"k" + strconv.Itoa(MaxAttrs), "long"} {
		if _, ok := as.Get(k); ok {
			t.Errorf("attribute %s over the limit kept", k)
		}
	}
	if a, ok := as.Get(protocols.AttrMock); !ok || !a.BoolValue() {
		t.Error("mock dropped after the attribute limit")
	}
}

// TestControlInNames drops attribute names with control characters, which
// protocols.Attrs.AppendJSON would not quote as valid JSON.
func TestControlInNames(t *testing.T) {
	var m protocols.Message
	r := get("/?id=a&lat=1&lon=2&timestamp=1700000000&a%01b=1&c%0Ad=2&e%7F=3&ok=4")
	if _, err := DecodeRequest(r, &m); err != nil {
		t.Fatal(err)
	}
	if got := string(m.Fixes[0].Attrs.AppendJSON(nil)); got != `{"ok":4}` {
		t.Errorf("attributes %s, want only ok", got)
	}
}

func TestCellListLimit(t *testing.T) {
	var q strings.Builder
	q.WriteString("/?id=a&lat=1&lon=2")
	for range 200 {
		q.WriteString("&cell=250,01,1234,56789,-70")
	}
	q.WriteString("&wifi=" + strings.Repeat("f", MaxKeyLen+1) + "&wifi=aa-bb,-50")
	var m protocols.Message
	if _, err := DecodeRequest(get(q.String()), &m); err != nil {
		t.Fatal(err)
	}
	cell, _ := m.Fixes[0].Attrs.Get(AttrCell)
	if n := len(cell.Str()); n == 0 || n > maxListLen {
		t.Errorf("cell list %d bytes, want 1..%d", n, maxListLen)
	}
	if wifi, _ := m.Fixes[0].Attrs.Get(AttrWifi); wifi.Str() != "aa-bb,-50" {
		t.Errorf("wifi %q, want the short entry only", wifi.Str())
	}
}

// TestReuse decodes into the same Message many times: no state may leak
// from one request into the next.
func TestReuse(t *testing.T) {
	var m protocols.Message
	reqs := []protocols.HTTPRequest{
		postJSON("/", `[{"id":"a","lat":1,"lon":2,"x":1,"mock":true},{"id":"b","lat":91,"lon":2}]`),
		get("/?id=c&lat=3&lon=4&timestamp=1700000000"),
		postJSON("/", `{"id":"`+strings.Repeat("i", 300)+`"}`),
		get("/?id=c&lat=3&lon=4&timestamp=1700000000"),
	}
	var first string
	for round := range 3 {
		for i, r := range reqs {
			m.Reset()
			res, err := DecodeRequest(r, &m)
			if i == 2 {
				if err == nil {
					t.Fatal("want an error")
				}
				continue
			}
			if err != nil {
				t.Fatal(err)
			}
			if i == 0 && (len(m.Fixes) != 1 || len(res.Rejected) != 1) {
				t.Fatalf("round %d: %d fixes %d rejected", round, len(m.Fixes), len(res.Rejected))
			}
			if i == 3 {
				got := render(&m.Fixes[0])
				if first == "" {
					first = got
				} else if got != first {
					t.Errorf("round %d: %s, want %s", round, got, first)
				}
				if len(m.Fixes[0].Attrs) != 0 {
					t.Errorf("attributes leaked: %s", m.Fixes[0].Attrs.AppendJSON(nil))
				}
			}
		}
	}
}
