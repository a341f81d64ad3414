package osmand

import (
	"math"
	"strings"
	"testing"
	"time"

	"dozor/protocols"
)

func sampleFixes() []protocols.Fix {
	t0 := time.Date(2025, 3, 1, 8, 30, 0, 0, time.UTC)
	return []protocols.Fix{{
		Device: "phone-1", Time: t0, Lat: 55.751244, Lon: 37.618423, Altitude: 144.5,
		Speed: 42.3, Course: 271.5, Accuracy: 4.8, Valid: true, Protocol: Name,
		Attrs: protocols.Attrs{
			protocols.Float(protocols.AttrBatteryLevel, 87),
			protocols.Bool(protocols.AttrCharging, true),
			protocols.Bool(protocols.AttrMock, false),
			protocols.String(protocols.AttrAlarm, "sos"),
			protocols.String(protocols.AttrDriver, "DRV 7&8"),
		},
	}, {
		Device: "phone 2 & co", Time: t0.Add(1500 * time.Millisecond), Lat: -33.86,
		Lon: 151.21, Speed: 0, HDOP: 1.2, Valid: false, Protocol: Name,
		Attrs: protocols.Attrs{
			protocols.Int("rpm", -933),
			protocols.Uint("odo", math.MaxUint64),
			protocols.Float("temp", 21.5),
			protocols.String("note", "quote \" backslash \\ tab \t é"),
			protocols.Bool(protocols.AttrIsMoving, true),
			// The decoder adds the cell list last, after the fix's other keys.
			protocols.String(AttrCell, "250,01,1,2;250,01,1,3,-70"),
		},
	}}
}

func TestAppendQuery(t *testing.T) {
	f := sampleFixes()[0]
	got := string(AppendQuery([]byte("/?"), f.Device, &f))
	want := "/?id=phone-1&timestamp=1740817800&lat=55.751244&lon=37.618423" +
		"&speed=22.840172786177103&bearing=271.5&altitude=144.5&accuracy=4.8&batt=87" +
		"&charge=true&mock=false&alarm=sos&driverUniqueId=DRV%207%268"
	if got != want {
		t.Errorf("got  %s\nwant %s", got, want)
	}
}

// sameFix compares fixes, allowing for the knots round trip of the speed.
func sameFix(t *testing.T, got, want *protocols.Fix) {
	t.Helper()
	if math.Abs(got.Speed-want.Speed) > 1e-9 {
		t.Errorf("speed %v, want %v", got.Speed, want.Speed)
	}
	g, w := *got, *want
	g.Speed, w.Speed = 0, 0
	if render(&g) != render(&w) {
		t.Errorf("got  %s\nwant %s", render(&g), render(&w))
	}
}

func TestQueryRoundTrip(t *testing.T) {
	for _, want := range sampleFixes() {
		t.Run(want.Device, func(t *testing.T) {
			want.Attrs = queryAttrs(want.Attrs)
			var m protocols.Message
			target := string(AppendQuery([]byte("/?"), want.Device, &want))
			if _, err := DecodeRequest(get(target), &m); err != nil {
				t.Fatal(err)
			}
			if len(m.Fixes) != 1 {
				t.Fatalf("%d fixes", len(m.Fixes))
			}
			sameFix(t, &m.Fixes[0], &want)
		})
	}
}

// queryAttrs keeps the attributes the query form carries.
func queryAttrs(as protocols.Attrs) protocols.Attrs {
	var out protocols.Attrs
	for _, a := range as {
		if queryName(a.Key) != "" {
			out = append(out, a)
		}
	}
	return out
}

func TestBatchRoundTrip(t *testing.T) {
	fixes := sampleFixes()
	body, err := MarshalBatch(fixes)
	if err != nil {
		t.Fatal(err)
	}
	var m protocols.Message
	res, err := DecodeRequest(postJSON("/", string(body)), &m)
	if err != nil || len(res.Rejected) > 0 {
		t.Fatalf("error %v, rejected %v\n%s", err, res.Rejected, body)
	}
	if len(m.Fixes) != len(fixes) {
		t.Fatalf("%d fixes, want %d", len(m.Fixes), len(fixes))
	}
	for i := range fixes {
		sameFix(t, &m.Fixes[i], &fixes[i])
	}
}

// TestUnixEncoding checks that every time survives the decoder's
// seconds/milliseconds rule.
func TestUnixEncoding(t *testing.T) {
	for _, tm := range []time.Time{
		time.Unix(0, 0), time.Unix(1, 500e6), time.Unix(maxUnixSeconds-1, 0),
		time.Unix(maxUnixSeconds, 0), time.Unix(maxUnixSeconds/1000, 1e6),
		time.Date(2100, 1, 1, 0, 0, 0, 0, time.UTC), time.Date(9999, 1, 1, 0, 0, 0, 0, time.UTC),
	} {
		f := protocols.Fix{Time: tm}
		text := appendUnix(nil, &f)
		got, reason := parseTime(value{kind: valText, text: text})
		if reason != "" || !got.Equal(tm) {
			t.Errorf("%v encoded %s decoded %v (%s)", tm.UTC(), text, got, reason)
		}
	}
}

func TestMarshalBatchErrors(t *testing.T) {
	tests := []struct {
		name string
		fix  protocols.Fix
		msg  string
	}{
		{"no device", protocols.Fix{Lat: 1, Lon: 2}, "fix 0 has no device"},
		{"nan", protocols.Fix{Device: "a", Lat: math.NaN()}, "fix 0: value not finite"},
		{"inf speed", protocols.Fix{Device: "a", Speed: math.Inf(1)}, "not finite"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := MarshalBatch([]protocols.Fix{tt.fix})
			if err == nil || !strings.Contains(err.Error(), tt.msg) {
				t.Errorf("error %v, want %q", err, tt.msg)
			}
		})
	}
}
