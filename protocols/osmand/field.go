package osmand

import (
	"bytes"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"dozor/protocols"
)

const knotsToKmh = 1.852

// valKind is the type of a parameter value.
type valKind uint8

const (
	valText   valKind = iota + 1 // query or form text: the type is inferred
	valString                    // JSON string
	valNumber                    // JSON number
	valBool                      // JSON true or false
	valNull                      // JSON null: treated as absent
	valObject                    // JSON object or array (already skipped)
)

// value is one parameter value; text aliases the request or a scratch
// buffer and is valid until the next value is read.
type value struct {
	kind valKind
	text []byte
}

// fixState is what the decoder learns about one fix besides the Fix itself.
type fixState struct {
	index   int    // element index in the request
	id      string // device id the element named
	hasLat  bool
	hasLon  bool
	hasTime bool
	params  int   // parameters seen, against MaxParams
	attrs   int   // free-form attributes kept, against MaxAttrs
	err     error // first reason the fix is invalid
}

// fail records the first reason the fix cannot be stored.
func (st *fixState) fail(key string, v value, reason string) {
	if st.err == nil {
		st.err = fmt.Errorf("%w: %s %s: %s", ErrInvalidFix, key, clip(v), reason)
	}
}

// clip renders a value for an error message, shortened.
func clip(v value) string {
	const n = 40
	b := v.text
	if len(b) > n {
		return strconv.Quote(string(b[:n])) + "..."
	}
	switch v.kind {
	case valObject:
		return "(object)"
	case valNull:
		return "null"
	}
	return strconv.Quote(string(b))
}

// param applies one key=value of the query/form vocabulary (also used by
// flat JSON objects) to f. It returns an error only for an absurd request.
func (d *decoder) param(f *protocols.Fix, key []byte, v value) error {
	st := &d.cur
	st.params++
	if st.params > MaxParams {
		return protocols.Limit("parameters in one fix", st.params, MaxParams)
	}
	if v.kind == valNull {
		return nil
	}
	switch string(key) {
	case "id", "deviceid", "device_id":
		return d.setID(key, v)
	case "valid":
		if b, ok := d.boolField("valid", v); ok {
			f.Valid = b
		}
	case "timestamp":
		d.setTime(f, v)
	case "lat":
		f.Lat, st.hasLat = d.coord("lat", v, 90)
	case "lon":
		f.Lon, st.hasLon = d.coord("lon", v, 180)
	case "location":
		d.setLocation(f, v)
	case "cell":
		d.cells = appendList(d.cells, v)
	case "wifi":
		d.wifis = appendList(d.wifis, v)
	default:
		d.measure(f, key, v)
	}
	return nil
}

// measure applies the numeric and flag fields, and keeps anything else as
// a free-form attribute.
func (d *decoder) measure(f *protocols.Fix, key []byte, v value) {
	switch string(key) {
	case "speed":
		if x, ok := d.num("speed", v); ok && x >= 0 {
			f.Speed = x * knotsToKmh
			d.finite("speed", v, f.Speed)
		}
	case "bearing":
		if x, ok := d.num("bearing", v); ok {
			f.Course = course(x)
		}
	case "heading":
		if x, ok := d.num("heading", v); ok {
			f.Course = course(x)
		}
	case "altitude":
		f.Altitude, _ = d.num("altitude", v)
	case "accuracy":
		if x, ok := d.num("accuracy", v); ok && x >= 0 {
			f.Accuracy = x
		}
	case "hdop":
		if x, ok := d.num("hdop", v); ok && x >= 0 {
			f.HDOP = x
		}
	case "batt":
		if x, ok := d.num("batt", v); ok && x >= 0 {
			f.Attrs = append(f.Attrs, protocols.Float(protocols.AttrBatteryLevel, x))
		}
	default:
		d.flag(f, key, v)
	}
}

// flag applies the boolean and text fields, and keeps anything else as a
// free-form attribute.
func (d *decoder) flag(f *protocols.Fix, key []byte, v value) {
	switch string(key) {
	case "charge":
		if b, ok := parseBool(v); ok {
			f.Attrs = append(f.Attrs, protocols.Bool(protocols.AttrCharging, b))
		}
	case "mock":
		if b, ok := d.boolField("mock", v); ok {
			f.Attrs = append(f.Attrs, protocols.Bool(protocols.AttrMock, b))
		}
	case "alarm":
		d.text(f, protocols.AttrAlarm, v)
	case "driverUniqueId":
		d.text(f, protocols.AttrDriver, v)
	default:
		d.attr(f, key, v)
	}
}

// setID records the device id the fix names.
func (d *decoder) setID(key []byte, v value) error {
	switch v.kind {
	case valText, valString, valNumber:
	default:
		d.cur.fail(string(key), v, "device id is not a string")
		return nil
	}
	if len(v.text) > 0 {
		id, err := d.deviceID(v.text)
		d.cur.id = id
		return err
	}
	return nil
}

// deviceID returns the device id in b as an owned string. An id over
// MaxIDLen, before or after replacing invalid UTF-8, refuses the request.
func (d *decoder) deviceID(b []byte) (string, error) {
	if len(b) > MaxIDLen {
		return "", protocols.Limit("device id length", len(b), MaxIDLen)
	}
	id := d.idString(b)
	if len(id) > MaxIDLen {
		return "", protocols.Limit("device id length", len(id), MaxIDLen)
	}
	return id, nil
}

// idString returns b as a string, reusing the previous id's string when it
// is the same device (batches usually are).
func (d *decoder) idString(b []byte) string {
	if d.lastID != "" && string(b) == d.lastID {
		return d.lastID
	}
	d.lastID = owned(b)
	return d.lastID
}

// num parses a numeric field. A string holding a number is accepted; a
// value that is not a finite number fails the fix.
func (d *decoder) num(key string, v value) (float64, bool) {
	switch v.kind {
	case valText, valString, valNumber:
	default:
		d.cur.fail(key, v, "not a number")
		return 0, false
	}
	x, err := strconv.ParseFloat(string(v.text), 64)
	if err != nil || math.IsNaN(x) || math.IsInf(x, 0) {
		d.cur.fail(key, v, "not a finite number")
		return 0, false
	}
	return x, true
}

// finite fails the fix when a converted value overflowed.
func (d *decoder) finite(key string, v value, x float64) {
	if math.IsInf(x, 0) {
		d.cur.fail(key, v, "out of range")
	}
}

// coord parses a latitude or longitude; limit is 90 or 180. It reports the
// coordinate as present even when it is bad, so that the fix is rejected
// for the bad value rather than taken for a heartbeat.
func (d *decoder) coord(key string, v value, limit float64) (float64, bool) {
	x, ok := d.num(key, v)
	if ok && (x < -limit || x > limit) {
		d.cur.fail(key, v, fmt.Sprintf("out of range -%g..%g", limit, limit))
	}
	return x, true
}

// setLocation parses "location=lat,lon".
func (d *decoder) setLocation(f *protocols.Fix, v value) {
	if v.kind != valText && v.kind != valString {
		d.cur.fail("location", v, "want \"lat,lon\"")
		return
	}
	comma := bytes.IndexByte(v.text, ',')
	if comma < 0 {
		d.cur.fail("location", v, "want \"lat,lon\"")
		return
	}
	f.Lat, d.cur.hasLat = d.coord("location", value{v.kind, v.text[:comma]}, 90)
	f.Lon, d.cur.hasLon = d.coord("location", value{v.kind, v.text[comma+1:]}, 180)
}

// boolField parses a flag that matters for trusting the fix (valid, mock):
// anything but true/false/1/0 fails the fix.
func (d *decoder) boolField(key string, v value) (bool, bool) {
	b, ok := parseBool(v)
	if !ok {
		d.cur.fail(key, v, "not a boolean")
	}
	return b, ok
}

// parseBool parses true/false/1/0, in JSON or as text. Informative flags
// (charge, is_moving) use it directly and are dropped when it fails.
func parseBool(v value) (bool, bool) {
	switch string(v.text) {
	case "true", "1":
		return true, true
	case "false", "0":
		return false, true
	}
	return false, false
}

// text keeps a string field under a fixed attribute name.
func (d *decoder) text(f *protocols.Fix, name string, v value) {
	if v.kind == valObject || len(v.text) > MaxValueLen {
		return
	}
	if s, ok := ownedValue(v.text); ok {
		f.Attrs = append(f.Attrs, protocols.String(name, s))
	}
}

// ownedValue copies an attribute value, reporting false when it is over
// MaxValueLen once invalid UTF-8 is replaced.
func ownedValue(b []byte) (string, bool) {
	s := owned(b)
	return s, len(s) <= MaxValueLen
}

// attr keeps a free-form parameter as a typed attribute, within limits:
// JSON values keep their JSON type; query text that reads as a JSON number
// becomes a number, "true"/"false" a boolean, anything else a string.
// Objects, arrays and nulls are not kept.
func (d *decoder) attr(f *protocols.Fix, key []byte, v value) {
	st := &d.cur
	if len(key) == 0 || len(key) > MaxKeyLen || len(v.text) > MaxValueLen ||
		st.attrs >= MaxAttrs || v.kind == valObject || v.kind == valNull {
		return
	}
	if hasControl(key) {
		return // protocols.Attrs.AppendJSON would quote it as Go, not JSON
	}
	name := d.intern(key)
	if len(name) > MaxKeyLen {
		return // grew when invalid UTF-8 was replaced
	}
	a, ok := typedAttr(name, v)
	if ok {
		st.attrs++
		f.Attrs = append(f.Attrs, a)
	}
}

// hasControl reports whether b holds an ASCII control character.
func hasControl(b []byte) bool {
	for _, c := range b {
		if c < 0x20 || c == 0x7f {
			return true
		}
	}
	return false
}

// typedAttr types a free-form value (see attr).
func typedAttr(name string, v value) (protocols.Attr, bool) {
	switch {
	case v.kind == valBool:
		return protocols.Bool(name, v.text[0] == 't'), true
	case v.kind == valNumber:
		return numberAttr(name, v.text), true
	case v.kind == valString:
	case string(v.text) == "true" || string(v.text) == "false":
		return protocols.Bool(name, v.text[0] == 't'), true
	case len(v.text) > 0 && jsonNumberLen(v.text) == len(v.text):
		return numberAttr(name, v.text), true
	}
	s, ok := ownedValue(v.text)
	return protocols.String(name, s), ok
}

// numberAttr types a JSON number: integers as Int (Uint past int64),
// others as Float; a number too large for float64 stays text.
func numberAttr(name string, b []byte) protocols.Attr {
	if bytes.IndexAny(b, ".eE") < 0 {
		if n, err := strconv.ParseInt(string(b), 10, 64); err == nil {
			return protocols.Int(name, n)
		}
		if n, err := strconv.ParseUint(string(b), 10, 64); err == nil {
			return protocols.Uint(name, n)
		}
	}
	x, err := strconv.ParseFloat(string(b), 64)
	if err != nil || math.IsInf(x, 0) {
		return protocols.String(name, string(b))
	}
	return protocols.Float(name, x)
}

// intern returns key as a string, sharing one copy per distinct key across
// the fixes of a request (and later requests, up to a bound).
func (d *decoder) intern(key []byte) string {
	if s, ok := d.keys[string(key)]; ok {
		return s
	}
	if len(d.keys) >= maxInterned {
		clear(d.keys)
	}
	s := owned(key)
	d.keys[string(key)] = s
	return s
}

// appendList adds cell or wifi entries (one, or several joined by ';') to
// a ';'-joined list. Entries that are not text, empty, longer than
// MaxKeyLen, not valid UTF-8 or overflowing the list are dropped.
func appendList(list []byte, v value) []byte {
	if v.kind != valText && v.kind != valString {
		return list
	}
	rest := v.text
	for len(rest) > 0 {
		end := indexByteFrom(rest, 0, ';')
		item := rest[:end]
		if end < len(rest) {
			end++
		}
		rest = rest[end:]
		if len(item) == 0 || len(item) > MaxKeyLen || !utf8.Valid(item) ||
			len(list)+1+len(item) > maxListLen {
			continue
		}
		if len(list) > 0 {
			list = append(list, ';')
		}
		list = append(list, item...)
	}
	return list
}

// course normalises a bearing to 0..360; negative means unknown (0).
func course(x float64) float64 {
	if x < 0 {
		return 0
	}
	return math.Mod(x, 360)
}

// setTime parses the fix time (see parseTime).
func (d *decoder) setTime(f *protocols.Fix, v value) {
	t, reason := parseTime(v)
	if reason != "" {
		d.cur.fail("timestamp", v, reason)
		return
	}
	f.Time = t
	d.cur.hasTime = true
}

// maxUnixSeconds is Traccar's bound: an integer timestamp below it is in
// seconds, any other in milliseconds (OsmAndProtocolDecoder compares with
// Java's Integer.MAX_VALUE).
const maxUnixSeconds = math.MaxInt32

var (
	minTime = time.Unix(0, 0).UTC()
	maxTime = time.Date(9999, 12, 31, 23, 59, 59, 0, time.UTC)
)

// parseTime reads a timestamp: Unix seconds or milliseconds (integer, or
// decimal seconds), RFC 3339 / ISO 8601 with 'T' (UTC when no zone is
// given), or "yyyy-MM-dd HH:mm:ss" in UTC. It returns a reason when the
// value is not a time between 1970 and 9999.
func parseTime(v value) (time.Time, string) {
	if v.kind != valText && v.kind != valString && v.kind != valNumber {
		return time.Time{}, "not a time"
	}
	s := string(v.text)
	var t time.Time
	switch {
	case len(s) > 0 && jsonNumberLen(v.text) == len(s):
		var ok bool
		if t, ok = unixTime(s); !ok {
			return time.Time{}, "out of range"
		}
	case strings.IndexByte(s, 'T') >= 0:
		var err error
		if t, err = time.Parse(time.RFC3339Nano, s); err != nil {
			if t, err = time.Parse("2006-01-02T15:04:05.999999999", s); err != nil {
				return time.Time{}, "not an ISO 8601 time"
			}
		}
	default:
		var err error
		if t, err = time.Parse(time.DateTime, s); err != nil {
			return time.Time{}, "not a time"
		}
	}
	if t.Before(minTime) || t.After(maxTime) {
		return time.Time{}, "out of range 1970..9999"
	}
	return t.UTC(), ""
}

// unixTime converts a numeric timestamp with Traccar's seconds/ms rule.
func unixTime(s string) (time.Time, bool) {
	if n, err := strconv.ParseInt(s, 10, 64); err == nil {
		if n < maxUnixSeconds {
			return time.Unix(n, 0), true
		}
		if n > maxTime.UnixMilli() {
			return time.Time{}, false
		}
		return time.UnixMilli(n), true
	}
	x, err := strconv.ParseFloat(s, 64)
	if err != nil || x < 0 || x > float64(maxTime.UnixMilli()) {
		return time.Time{}, false
	}
	if x >= maxUnixSeconds {
		x /= 1000
	}
	sec, frac := math.Modf(x)
	return time.Unix(int64(sec), int64(math.Round(frac*1e9/1e3))*1e3), true
}

// owned copies b into a string, replacing invalid UTF-8 so that every
// string a Fix keeps is valid text.
func owned(b []byte) string {
	if utf8.Valid(b) {
		return string(b)
	}
	return strings.ToValidUTF8(string(b), "\uFFFD")
}
