// Package corpus loads the captured device messages that protocol tests
// replay (testdata/corpus.jsonl in each protocol package, copied from the
// project's shared corpus with each entry's source kept), and checks decoded
// fixes against what the capture's source asserted.
package corpus

import (
	"bufio"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"math"
	"os"
	"time"

	"dozor/protocols"
)

// Entry is one captured message. See the corpus README for the fields.
type Entry struct {
	ID        string          `json:"id"`
	Protocol  string          `json:"protocol"`
	Transport string          `json:"transport"`
	Kind      string          `json:"kind"` // decode, frame, negative
	Source    string          `json:"source"`
	Test      string          `json:"test"`
	Seq       int             `json:"seq"`
	Config    map[string]any  `json:"decoder_config"`
	Hex       string          `json:"payload_hex"`
	Text      *string         `json:"payload_text"`
	HTTP      *HTTP           `json:"http"`
	Prelude   []Prelude       `json:"session_prelude"`
	Expect    Expect          `json:"expect"`
	Derived   json.RawMessage `json:"derived"`
	Notes     string          `json:"notes"`
}

// HTTP is the request of an HTTP protocol sample.
type HTTP struct {
	Method    string            `json:"method"`
	PathQuery string            `json:"path_query"`
	Headers   map[string]string `json:"headers"`
	Body      *string           `json:"body"`
}

// Prelude is an earlier message of the same session (login, handshake).
type Prelude struct {
	Hex  string  `json:"payload_hex"`
	Text *string `json:"payload_text"`
}

// Expect is what the source asserted. Pointers are nil where it asserted
// nothing.
type Expect struct {
	Result      string         `json:"result"`
	Records     *int           `json:"records"`
	RecordsMin  *int           `json:"records_min"`
	Time        *string        `json:"time"`
	Valid       *bool          `json:"valid"`
	Lat         *float64       `json:"lat"`
	Lon         *float64       `json:"lon"`
	Tolerance   *float64       `json:"lat_lon_tolerance"`
	AppliesTo   string         `json:"applies_to"`
	AckHex      *string        `json:"ack_hex"`
	ResponseHex *string        `json:"response_hex"`
	FrameHex    *string        `json:"frame_hex"`
	Attributes  map[string]any `json:"attributes"`
	RecordList  []Record       `json:"record_list"`
	Raw         map[string]any `json:"-"`
}

// Record is a per-record expectation (Teltonika sources other than Traccar).
type Record struct {
	Time       string            `json:"time"`
	Lat        float64           `json:"lat"`
	Lon        float64           `json:"lon"`
	Altitude   *float64          `json:"altitude_m"`
	Course     *float64          `json:"course_deg"`
	Satellites *int              `json:"satellites"`
	Speed      *float64          `json:"speed_kmh"`
	IO         map[string]uint64 `json:"io"`
}

// Load reads a JSON Lines corpus file.
func Load(path string) ([]Entry, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("open corpus: %w", err)
	}
	defer f.Close()

	var out []Entry
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 0, 64<<10), 4<<20)
	for line := 1; sc.Scan(); line++ {
		var e Entry
		if err := json.Unmarshal(sc.Bytes(), &e); err != nil {
			return nil, fmt.Errorf("corpus line %d: %w", line, err)
		}
		_ = json.Unmarshal(sc.Bytes(), &struct {
			Expect *map[string]any `json:"expect"`
		}{&e.Expect.Raw})
		out = append(out, e)
	}
	return out, sc.Err()
}

// Payload returns the message bytes: decoded hex, or the text as is.
func (e *Entry) Payload() []byte { return payload(e.Hex, e.Text) }

// Bytes returns a prelude message's bytes.
func (p Prelude) Bytes() []byte { return payload(p.Hex, p.Text) }

func payload(h string, text *string) []byte {
	if text != nil {
		return []byte(*text)
	}
	b, err := hex.DecodeString(h)
	if err != nil {
		panic(fmt.Sprintf("corpus: bad hex: %v", err))
	}
	return b
}

// Negative reports whether a strict decoder must refuse the entry.
func (e *Entry) Negative() bool {
	switch e.Expect.Result {
	case "reject", "incomplete", "inconsistent":
		return true
	}
	return e.Kind == "negative"
}

// WantsPosition reports whether the entry asserts at least one position.
func (e *Entry) WantsPosition() bool {
	switch e.Expect.Result {
	case "position", "positions", "position_attribute", "position_with_attributes":
		return true
	}
	return false
}

// CheckFixes compares decoded fixes with the entry's assertions and returns
// a description of each disagreement. Time must be exact and coordinates
// within the asserted tolerance (1e-5 degrees by default).
func (e *Entry) CheckFixes(fixes []protocols.Fix) []string {
	var bad []string
	x := e.Expect
	if e.WantsPosition() && len(fixes) == 0 {
		return []string{"no fix decoded"}
	}
	if x.Records != nil && e.WantsPosition() && len(fixes) != *x.Records {
		bad = append(bad, fmt.Sprintf("got %d fixes, want %d", len(fixes), *x.Records))
	}
	if x.RecordsMin != nil && len(fixes) < *x.RecordsMin {
		bad = append(bad, fmt.Sprintf("got %d fixes, want at least %d", len(fixes), *x.RecordsMin))
	}
	for i := range fixes {
		if i > 0 && x.AppliesTo != "every_record" {
			break
		}
		bad = append(bad, e.checkOne(&fixes[i])...)
	}
	for i, r := range x.RecordList {
		if i >= len(fixes) {
			bad = append(bad, fmt.Sprintf("record %d missing", i))
			break
		}
		bad = append(bad, checkRecord(i, r, &fixes[i])...)
	}
	return bad
}

func (e *Entry) checkOne(f *protocols.Fix) []string {
	var bad []string
	x := e.Expect
	tol := 1e-5
	if x.Tolerance != nil {
		tol = *x.Tolerance
	}
	if x.Time != nil {
		want, err := time.Parse(time.RFC3339Nano, *x.Time)
		if err != nil {
			bad = append(bad, "bad expected time "+*x.Time)
		} else if !f.Time.Equal(want) {
			bad = append(bad, fmt.Sprintf("time %s, want %s", f.Time.UTC().Format(time.RFC3339Nano), *x.Time))
		}
	}
	if x.Lat != nil && math.Abs(f.Lat-*x.Lat) > tol {
		bad = append(bad, fmt.Sprintf("lat %.7f, want %.7f", f.Lat, *x.Lat))
	}
	if x.Lon != nil && math.Abs(f.Lon-*x.Lon) > tol {
		bad = append(bad, fmt.Sprintf("lon %.7f, want %.7f", f.Lon, *x.Lon))
	}
	if x.Valid != nil && f.Valid != *x.Valid {
		bad = append(bad, fmt.Sprintf("valid %v, want %v", f.Valid, *x.Valid))
	}
	return bad
}

func checkRecord(i int, r Record, f *protocols.Fix) []string {
	var bad []string
	want, err := time.Parse(time.RFC3339Nano, r.Time)
	if err == nil && !f.Time.Equal(want) {
		bad = append(bad, fmt.Sprintf("record %d time %s, want %s", i, f.Time.Format(time.RFC3339Nano), r.Time))
	}
	if math.Abs(f.Lat-r.Lat) > 1e-5 || math.Abs(f.Lon-r.Lon) > 1e-5 {
		bad = append(bad, fmt.Sprintf("record %d at %.7f,%.7f, want %.7f,%.7f", i, f.Lat, f.Lon, r.Lat, r.Lon))
	}
	if r.Altitude != nil && f.Altitude != *r.Altitude {
		bad = append(bad, fmt.Sprintf("record %d altitude %v, want %v", i, f.Altitude, *r.Altitude))
	}
	if r.Course != nil && f.Course != *r.Course {
		bad = append(bad, fmt.Sprintf("record %d course %v, want %v", i, f.Course, *r.Course))
	}
	if r.Satellites != nil && f.Satellites != *r.Satellites {
		bad = append(bad, fmt.Sprintf("record %d satellites %v, want %v", i, f.Satellites, *r.Satellites))
	}
	if r.Speed != nil && f.Speed != *r.Speed {
		bad = append(bad, fmt.Sprintf("record %d speed %v, want %v", i, f.Speed, *r.Speed))
	}
	for id, v := range r.IO {
		a, ok := f.Attrs.Get("io" + id)
		if !ok || a.Uint64() != v {
			bad = append(bad, fmt.Sprintf("record %d io%s = %v, want %d", i, id, a.Str(), v))
		}
	}
	return bad
}
