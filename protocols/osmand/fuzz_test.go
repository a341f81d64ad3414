package osmand

import (
	"errors"
	"math"
	"testing"
	"time"
	"unicode/utf8"

	"dozor/protocols"
)

// Run each for about a minute:
//
//	go test -run=^$ -fuzz=FuzzDecodeQuery -fuzztime=60s ./protocols/osmand/
//	go test -run=^$ -fuzz=FuzzDecodeJSON -fuzztime=60s ./protocols/osmand/

func FuzzDecodeQuery(f *testing.F) {
	for _, e := range loadCorpus(f) {
		if e.HTTP.Body == nil {
			f.Add(e.HTTP.PathQuery, "")
		}
	}
	f.Add("/?id=a&lat=1&lon=2&timestamp=2014-06-04+09%3A10%3A11&cell=1,2,3,4&wifi=a,-1", "")
	f.Add("/?id=q", "id=b&location=3,4&timestamp=1442068686579&batt=5&mock=1&x=%C3")
	f.Fuzz(func(t *testing.T, target, body string) {
		r := get(target)
		if body != "" {
			r = postForm(target, "application/x-www-form-urlencoded", body)
		}
		checkInvariants(t, r)
	})
}

func FuzzDecodeJSON(f *testing.F) {
	for _, e := range loadCorpus(f) {
		if e.HTTP.Body != nil {
			f.Add([]byte(*e.HTTP.Body))
		}
	}
	batch, _ := MarshalBatch(sampleFixes())
	f.Add(batch)
	f.Add([]byte(`{"device_id":"X","location":[{"timestamp":"2025-01-01T00:00:00Z",` +
		`"coords":{"latitude":1,"longitude":2,"speed":3}},42]}`))
	f.Add([]byte(`[{"id":"\u00e9\ud83d\ude00","lat":"1","lon":2,"timestamp":1.5e9},` +
		`{"id":7,"location":"1,2","extras":{"a":[1,{"b":null}]}}]`))
	f.Fuzz(func(t *testing.T, body []byte) {
		checkInvariants(t, postJSON("/?id=fallback", string(body)))
	})
}

// checkInvariants decodes r and checks what must hold for any input: a
// classified error, or fixes that can be stored and that re-encode.
func checkInvariants(t *testing.T, r protocols.HTTPRequest) {
	var m protocols.Message
	res, err := DecodeRequest(r, &m)
	if err != nil {
		if !errors.Is(err, ErrNoDevice) && !errors.Is(err, protocols.ErrMalformed) &&
			!errors.Is(err, protocols.ErrTooLarge) && !errors.Is(err, protocols.ErrUnsupported) {
			t.Fatalf("unclassified error %v", err)
		}
		if len(m.Fixes) != 0 {
			t.Fatalf("%d fixes left after error %v", len(m.Fixes), err)
		}
		return
	}
	if res.Fixes != len(m.Fixes) {
		t.Fatalf("result says %d fixes, message has %d", res.Fixes, len(m.Fixes))
	}
	for _, rej := range res.Rejected {
		if !errors.Is(rej.Err, ErrInvalidFix) {
			t.Fatalf("rejection %v does not wrap ErrInvalidFix", rej.Err)
		}
	}
	for i := range m.Fixes {
		checkFix(t, &m.Fixes[i])
	}
	if len(m.Fixes) > 0 {
		checkReencode(t, m.Fixes)
	}
}

func checkFix(t *testing.T, f *protocols.Fix) {
	t.Helper()
	alarmOnly := !f.Valid && f.Lat == 0 && f.Lon == 0 && raisesAlarm(f)
	if f.Device == "" || !f.Plausible() && !alarmOnly || f.Protocol != Name {
		t.Fatalf("fix not storable: %s", render(f))
	}
	if !finite(f.Altitude) {
		t.Fatalf("bad altitude in %s", render(f))
	}
	for _, x := range []float64{f.Speed, f.Course, f.Accuracy, f.HDOP} {
		if !finite(x) || x < 0 {
			t.Fatalf("bad measure in %s", render(f))
		}
	}
	if f.Course >= 360 || f.Time.Year() > 9999 || f.Time.Location() != time.UTC {
		t.Fatalf("out of range: %s", render(f))
	}
	if !utf8.ValidString(f.Device) || len(f.Device) > MaxIDLen {
		t.Fatalf("bad device %q", f.Device)
	}
	n := 0
	for _, a := range f.Attrs {
		limit := MaxValueLen
		if a.Key == AttrCell || a.Key == AttrWifi {
			limit = maxListLen
		}
		if !utf8.ValidString(a.Key) || !utf8.ValidString(a.Str()) || len(a.Key) > MaxKeyLen ||
			a.Kind == protocols.KindString && len(a.Str()) > limit {
			t.Fatalf("bad attribute %q=%q", a.Key, a.Str())
		}
		n++
	}
	if n > MaxAttrs+16 { // free-form ones plus the known fields
		t.Fatalf("%d attributes", n)
	}
}

// checkReencode encodes decoded fixes as a batch and decodes them again:
// the same positions must come back.
func checkReencode(t *testing.T, fixes []protocols.Fix) {
	t.Helper()
	body, err := MarshalBatch(fixes)
	if err != nil {
		t.Fatalf("re-encode: %v", err)
	}
	var m protocols.Message
	res, err := DecodeRequest(postJSON("/", string(body)), &m)
	if err != nil || len(res.Rejected) > 0 || len(m.Fixes) != len(fixes) {
		t.Fatalf("re-decode: error %v, rejected %v, %d fixes, want %d\n%s",
			err, res.Rejected, len(m.Fixes), len(fixes), body)
	}
	for i := range fixes {
		a, b := &fixes[i], &m.Fixes[i]
		if a.Device != b.Device || a.Lat != b.Lat || a.Lon != b.Lon || a.Valid != b.Valid ||
			!a.Time.Truncate(time.Millisecond).Equal(b.Time) ||
			math.Abs(a.Speed-b.Speed) > 1e-9*math.Max(1, a.Speed) {
			t.Fatalf("round trip\n%s\n%s", render(a), render(b))
		}
	}
}
