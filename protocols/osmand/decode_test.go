package osmand

import (
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"dozor/protocols"
)

// render prints a fix on one line for comparisons.
func render(f *protocols.Fix) string {
	return fmt.Sprintf("%s %s %.7f,%.7f spd=%.4g crs=%g alt=%g acc=%g hdop=%g valid=%v %s",
		f.Device, f.Time.Format(time.RFC3339Nano), f.Lat, f.Lon, f.Speed, f.Course,
		f.Altitude, f.Accuracy, f.HDOP, f.Valid, f.Attrs.AppendJSON(nil))
}

func get(target string) protocols.HTTPRequest {
	return protocols.HTTPRequest{Method: "GET", Target: target}
}

func postJSON(target, body string) protocols.HTTPRequest {
	return protocols.HTTPRequest{Method: "POST", Target: target,
		ContentType: "application/json", Body: []byte(body)}
}

func postForm(target, ct, body string) protocols.HTTPRequest {
	return protocols.HTTPRequest{Method: "POST", Target: target, ContentType: ct,
		Body: []byte(body)}
}

// transistor is the body of corpus entry osmand-S-0001.
const transistor = `{"location":{"timestamp":"2025-06-15T13:45:12.862Z",` +
	`"coords":{"latitude":37.4219983,"longitude":-122.084,"accuracy":5,"speed":0,` +
	`"heading":-1,"altitude":5},"is_moving":false,"odometer":0,"event":"motionchange",` +
	`"battery":{"level":1,"is_charging":false},"activity":{"type":"still"},"extras":{},` +
	`"_":"&id=48241179&lat=37.4219983&lon=-122.084&timestamp=2025-06-15T13:45:12.862Z&"},` +
	`"device_id":"48241179"}`

func TestDecodeForms(t *testing.T) {
	tests := []struct {
		name string
		req  protocols.HTTPRequest
		want []string // rendered fixes
	}{
		{"query classic", get("/?id=abc&timestamp=1377177267&lat=60.0&lon=30.0&speed=10" +
			"&bearing=90&altitude=100&accuracy=5&batt=87&charge=true&mock=true&alarm=sos" +
			"&driverUniqueId=D1"), []string{
			`abc 2013-08-22T13:14:27Z 60.0000000,30.0000000 spd=18.52 crs=90 alt=100 acc=5 ` +
				`hdop=0 valid=true {"battery_level":87,"charging":true,"mock":true,` +
				`"alarm":"sos","driver":"D1"}`}},
		{"query iso time S-0006", get("/?id=902064&lat=42.06288&lon=-88.23412" +
			"&timestamp=2016-01-27T18%3A55%3A47Z&hdop=6.0&altitude=224.0&speed=0.0"), []string{
			`902064 2016-01-27T18:55:47Z 42.0628800,-88.2341200 spd=0 crs=0 alt=224 acc=0 ` +
				`hdop=6 valid=true {}`}},
		{"query ms time S-0007", get("/?id=902064&lat=42.06288&lon=-88.23412" +
			"&timestamp=1442068686579&hdop=6.0&altitude=224.0&speed=0.0"), []string{
			`902064 2015-09-12T14:38:06.579Z 42.0628800,-88.2341200 spd=0 crs=0 alt=224 ` +
				`acc=0 hdop=6 valid=true {}`}},
		{"query datetime S-0008", get("/?lat=49.60688&lon=6.15788" +
			"&timestamp=2014-06-04+09%3A10%3A11&altitude=384.7&speed=0.0&id=353861053849681"),
			[]string{`353861053849681 2014-06-04T09:10:11Z 49.6068800,6.1578800 spd=0 crs=0 ` +
				`alt=384.7 acc=0 hdop=0 valid=true {}`}},
		{"query attributes S-0011", get("/?id=123456789012345&timestamp=1504763810" +
			"&lat=40.7232948571&lon=-74.0061408571&bearing=7.19889788244&speed=40" +
			"&ignition=true&rpm=933&fuel=24"), []string{
			`123456789012345 2017-09-07T05:56:50Z 40.7232949,-74.0061409 spd=74.08 ` +
				`crs=7.19889788244 alt=0 acc=0 hdop=0 valid=true ` +
				`{"ignition":true,"rpm":933,"fuel":24}`}},
		{"query location pair", get("/?deviceid=d1&location=55.75,37.62&timestamp=1700000000"),
			[]string{`d1 2023-11-14T22:13:20Z 55.7500000,37.6200000 spd=0 crs=0 alt=0 acc=0 ` +
				`hdop=0 valid=true {}`}},
		{"query heading and course range", get("/?id=d&lat=1&lon=2&timestamp=1700000000" +
			"&heading=370&valid=0"), []string{`d 2023-11-14T22:13:20Z 1.0000000,2.0000000 ` +
			`spd=0 crs=10 alt=0 acc=0 hdop=0 valid=false {}`}},
		{"query informative flag dropped", get("/?id=d&lat=1&lon=2&timestamp=1700000000" +
			"&charge=yes"), []string{`d 2023-11-14T22:13:20Z 1.0000000,2.0000000 spd=0 ` +
			`crs=0 alt=0 acc=0 hdop=0 valid=true {}`}},
		{"query negative bearing unknown", get("/?id=d&lat=1&lon=2&timestamp=1700000000" +
			"&bearing=-1&speed=-1&accuracy=-1"), []string{`d 2023-11-14T22:13:20Z ` +
			`1.0000000,2.0000000 spd=0 crs=0 alt=0 acc=0 hdop=0 valid=true {}`}},
		{"query cells and wifi", get("/?id=123456&timestamp=1377177267&lat=1&lon=2" +
			"&cell=257,02,16,2224&cell=257,02,16,2223,-90&wifi=00-14-22-01-23-45,-80" +
			"&wifi=00-1C-B3-09-85-15,-70"), []string{`123456 2013-08-22T13:14:27Z ` +
			`1.0000000,2.0000000 spd=0 crs=0 alt=0 acc=0 hdop=0 valid=true ` +
			`{"cell":"257,02,16,2224;257,02,16,2223,-90",` +
			`"wifi":"00-14-22-01-23-45,-80;00-1C-B3-09-85-15,-70"}`}},
		{"query typed attributes", get("/?id=d&lat=1&lon=2&timestamp=1700000000&n=5" +
			"&x=-1.5e2&b=false&s=hello+world&z=007&big=1e999&nan=NaN&u=18446744073709551615" +
			"&empty=&flag"), []string{`d 2023-11-14T22:13:20Z 1.0000000,2.0000000 spd=0 ` +
			`crs=0 alt=0 acc=0 hdop=0 valid=true {"n":5,"x":-150,"b":false,` +
			`"s":"hello world","z":"007","big":"1e999","nan":"NaN",` +
			`"u":18446744073709551615,"empty":"","flag":""}`}},
		{"form body wins over query", postForm("/?id=q&lat=1&lon=2&batt=10",
			"application/x-www-form-urlencoded; charset=utf-8",
			"id=b&lat=3&lon=4&timestamp=1700000000&batt=20"), []string{
			`b 2023-11-14T22:13:20Z 3.0000000,4.0000000 spd=0 crs=0 alt=0 acc=0 hdop=0 ` +
				`valid=true {"battery_level":20}`}},
		{"form body sniffed", postForm("/", "", "id=s&lat=3&lon=4&timestamp=1700000000"),
			[]string{`s 2023-11-14T22:13:20Z 3.0000000,4.0000000 spd=0 crs=0 alt=0 acc=0 ` +
				`hdop=0 valid=true {}`}},
		{"time seconds below int32 max", get("/?id=d&lat=1&lon=2&timestamp=2147483646"),
			[]string{`d 2038-01-19T03:14:06Z 1.0000000,2.0000000 spd=0 crs=0 alt=0 acc=0 ` +
				`hdop=0 valid=true {}`}},
		{"time int32 max is ms", get("/?id=d&lat=1&lon=2&timestamp=2147483647"),
			[]string{`d 1970-01-25T20:31:23.647Z 1.0000000,2.0000000 spd=0 crs=0 alt=0 ` +
				`acc=0 hdop=0 valid=true {}`}},
		{"time decimal seconds", get("/?id=d&lat=1&lon=2&timestamp=1377177267.25"),
			[]string{`d 2013-08-22T13:14:27.25Z 1.0000000,2.0000000 spd=0 crs=0 alt=0 ` +
				`acc=0 hdop=0 valid=true {}`}},
		{"time iso offset", get("/?id=d&lat=1&lon=2&timestamp=2016-01-27T21:55:47%2B03:00"),
			[]string{`d 2016-01-27T18:55:47Z 1.0000000,2.0000000 spd=0 crs=0 alt=0 acc=0 ` +
				`hdop=0 valid=true {}`}},
		{"time iso no zone is utc", get("/?id=d&lat=1&lon=2&timestamp=2016-01-27T18:55:47.5"),
			[]string{`d 2016-01-27T18:55:47.5Z 1.0000000,2.0000000 spd=0 crs=0 alt=0 acc=0 ` +
				`hdop=0 valid=true {}`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			checkDecode(t, tt.req, protocols.MsgData, tt.want)
		})
	}
}

func checkDecode(t *testing.T, r protocols.HTTPRequest, typ protocols.MessageType,
	want []string) {
	t.Helper()
	var m protocols.Message
	res, err := DecodeRequest(r, &m)
	if err != nil {
		t.Fatalf("error %v", err)
	}
	if len(res.Rejected) > 0 {
		t.Errorf("rejected %v", res.Rejected)
	}
	if m.Type != typ || res.Fixes != len(m.Fixes) {
		t.Errorf("type %v, result %d fixes for %d: want %v", m.Type, res.Fixes,
			len(m.Fixes), typ)
	}
	var got []string
	for i := range m.Fixes {
		got = append(got, render(&m.Fixes[i]))
		if m.Fixes[i].Protocol != Name {
			t.Errorf("fix %d protocol %q", i, m.Fixes[i].Protocol)
		}
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("got\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

func TestDecodeJSON(t *testing.T) {
	const flat = `{"id":"a","lat":1.5,"lon":2.5,"timestamp":1700000000,"speed":10,` +
		`"batt":"55","charge":true,"custom":{"nested":1},"n":3}`
	tests := []struct {
		name string
		req  protocols.HTTPRequest
		want []string
	}{
		{"transistorsoft S-0001", postJSON("/", transistor), []string{
			`48241179 2025-06-15T13:45:12.862Z 37.4219983,-122.0840000 spd=0 crs=0 alt=5 ` +
				`acc=5 hdop=0 valid=true {"is_moving":false,"odometer":0,` +
				`"event":"motionchange","battery_level":100,"charging":false,` +
				`"activity":"still"}`}},
		{"transistorsoft mock S-0003", postJSON("/", `{"location":{"extras":{},`+
			`"mock":true,"coords":{"speed_accuracy":-1,"speed":-1,"longitude":-122.406417,`+
			`"floor":null,"latitude":37.785834000000001,"accuracy":5,"altitude":0,`+
			`"heading":-1},"is_moving":false,"age":188,"odometer":0,`+
			`"uuid":"2FB04C65-99CF-42AB-8DD3-EBCB4B108BF8","event":"motionchange",`+
			`"battery":{"level":-1,"is_charging":false},"activity":{"type":"unknown",`+
			`"confidence":100},"timestamp":"2025-05-09T04:11:30.579Z"},"device_id":"658765"}`),
			[]string{`658765 2025-05-09T04:11:30.579Z 37.7858340,-122.4064170 spd=0 crs=0 ` +
				`alt=0 acc=5 hdop=0 valid=true {"mock":true,"is_moving":false,"odometer":0,` +
				`"uuid":"2FB04C65-99CF-42AB-8DD3-EBCB4B108BF8","event":"motionchange",` +
				`"charging":false,"activity":"unknown"}`}},
		{"transistorsoft units and extras", postJSON("/", `{"device_id":7,"location":{`+
			`"timestamp":"2025-01-01T00:00:00Z","coords":{"latitude":1,"longitude":2,`+
			`"speed":10,"heading":45},"battery":{"level":0.42},"extras":{"s":"x","i":12,`+
			`"f":1.345,"b":true,"o":{"deep":1},"nul":null}}}`), []string{
			`7 2025-01-01T00:00:00Z 1.0000000,2.0000000 spd=36 crs=45 alt=0 acc=0 hdop=0 ` +
				`valid=true {"battery_level":42,"s":"x","i":12,"f":1.345,"b":true}`}},
		{"transistorsoft location array", postJSON("/", `{"location":[`+
			`{"timestamp":"2025-01-01T00:00:00Z","coords":{"latitude":1,"longitude":2}},`+
			`{"timestamp":"2025-01-01T00:00:01Z","coords":{"latitude":3,"longitude":4}}],`+
			`"device_id":"X"}`), []string{
			`X 2025-01-01T00:00:00Z 1.0000000,2.0000000 spd=0 crs=0 alt=0 acc=0 hdop=0 ` +
				`valid=true {}`,
			`X 2025-01-01T00:00:01Z 3.0000000,4.0000000 spd=0 crs=0 alt=0 acc=0 hdop=0 ` +
				`valid=true {}`}},
		{"flat object", postJSON("/", flat), []string{
			`a 2023-11-14T22:13:20Z 1.5000000,2.5000000 spd=18.52 crs=0 alt=0 acc=0 hdop=0 ` +
				`valid=true {"battery_level":55,"charging":true,"n":3}`}},
		{"flat batch mixing devices", postJSON("/", `[`+flat+`,`+
			`{"deviceid":"b","location":"5,6","timestamp":"2023-11-14 22:13:21"},`+
			`{"device_id":"c","lat":"7","lon":"8","timestamp":1700000002000}]`), []string{
			`a 2023-11-14T22:13:20Z 1.5000000,2.5000000 spd=18.52 crs=0 alt=0 acc=0 hdop=0 ` +
				`valid=true {"battery_level":55,"charging":true,"n":3}`,
			`b 2023-11-14T22:13:21Z 5.0000000,6.0000000 spd=0 crs=0 alt=0 acc=0 hdop=0 ` +
				`valid=true {}`,
			`c 2023-11-14T22:13:22Z 7.0000000,8.0000000 spd=0 crs=0 alt=0 acc=0 hdop=0 ` +
				`valid=true {}`}},
		{"array of transistorsoft objects", postJSON("/", `[`+transistor+`,`+
			strings.Replace(transistor, "48241179\"}", "other\"}", 1)+`]`), []string{
			`48241179 2025-06-15T13:45:12.862Z 37.4219983,-122.0840000 spd=0 crs=0 alt=5 ` +
				`acc=5 hdop=0 valid=true {"is_moving":false,"odometer":0,` +
				`"event":"motionchange","battery_level":100,"charging":false,` +
				`"activity":"still"}`,
			`other 2025-06-15T13:45:12.862Z 37.4219983,-122.0840000 spd=0 crs=0 alt=5 ` +
				`acc=5 hdop=0 valid=true {"is_moving":false,"odometer":0,` +
				`"event":"motionchange","battery_level":100,"charging":false,` +
				`"activity":"still"}`}},
		{"query id is the fallback", postJSON("/?id=q",
			`[{"lat":1,"lon":2,"timestamp":1700000000},{"id":"own","lat":1,"lon":2,`+
				`"timestamp":1700000000}]`), []string{
			`q 2023-11-14T22:13:20Z 1.0000000,2.0000000 spd=0 crs=0 alt=0 acc=0 hdop=0 ` +
				`valid=true {}`,
			`own 2023-11-14T22:13:20Z 1.0000000,2.0000000 spd=0 crs=0 alt=0 acc=0 hdop=0 ` +
				`valid=true {}`}},
		{"json sniffed without content type", postForm("/", "text/plain",
			` {"id":"a","lat":1,"lon":2,"timestamp":1700000000}`), []string{
			`a 2023-11-14T22:13:20Z 1.0000000,2.0000000 spd=0 crs=0 alt=0 acc=0 hdop=0 ` +
				`valid=true {}`}},
		{"json escapes", postJSON("/", `{"id":"\u00e9\ud83d\ude00\ud800x\/\"\\\n",`+
			`"lat":1,"lon":2,"timestamp":1700000000}`), []string{
			"é😀\uFFFDx/\"\\\n 2023-11-14T22:13:20Z 1.0000000,2.0000000 spd=0 crs=0 alt=0 " +
				"acc=0 hdop=0 valid=true {}"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			checkDecode(t, tt.req, protocols.MsgData, tt.want)
		})
	}
}

func TestIdentity(t *testing.T) {
	tests := []struct {
		name string
		req  protocols.HTTPRequest
		typ  protocols.MessageType
		id   string
	}{
		{"single", get("/?id=a&lat=1&lon=2"), protocols.MsgData, "a"},
		{"heartbeat", get("/?id=a&timestamp=1377177267&cell=1,2,3,4"),
			protocols.MsgHeartbeat, "a"},
		{"json heartbeat", postJSON("/", `{"device_id":"a","batt":5}`),
			protocols.MsgHeartbeat, "a"},
		{"batch one device", postJSON("/", `[{"id":"a","lat":1,"lon":2},`+
			`{"id":"a","lat":1,"lon":2}]`), protocols.MsgData, "a"},
		{"batch two devices", postJSON("/", `[{"id":"a","lat":1,"lon":2},`+
			`{"id":"b","lat":1,"lon":2}]`), protocols.MsgData, ""},
		{"empty batch", postJSON("/", `[]`), protocols.MsgData, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var m protocols.Message
			if _, err := DecodeRequest(tt.req, &m); err != nil {
				t.Fatal(err)
			}
			if m.Type != tt.typ || m.Identity != tt.id {
				t.Errorf("type %v identity %q, want %v %q", m.Type, m.Identity, tt.typ, tt.id)
			}
			if tt.typ == protocols.MsgHeartbeat && len(m.Fixes) != 0 {
				t.Errorf("heartbeat with %d fixes", len(m.Fixes))
			}
		})
	}
}

func TestServerTime(t *testing.T) {
	before := time.Now()
	var m protocols.Message
	r := get("/?id=861001000719969&lat=41.666667&lon=-0.883333") // S-0010
	if _, err := DecodeRequest(r, &m); err != nil {
		t.Fatal(err)
	}
	f := &m.Fixes[0]
	if f.Time.Before(before.Add(-time.Second)) || f.Time.After(time.Now()) ||
		f.Time.Location() != time.UTC {
		t.Errorf("time %v, want now in UTC", f.Time)
	}
	if a, ok := f.Attrs.Get(AttrServerTime); !ok || !a.BoolValue() {
		t.Errorf("attrs %s, want server_time", f.Attrs.AppendJSON(nil))
	}
}

func TestRejections(t *testing.T) {
	fix := func(id, extra string) string {
		return `{"id":"` + id + `","timestamp":1700000000` + extra + `}`
	}
	batch := `[` + strings.Join([]string{
		fix("ok", `,"lat":1,"lon":2`),                      // 0 kept
		fix("a", `,"lat":91,"lon":2`),                      // 1
		fix("a", `,"lat":1,"lon":181`),                     // 2
		fix("a", ``),                                       // 3
		fix("a", `,"lat":0,"lon":0`),                       // 4
		`{"lat":1,"lon":2}`,                                // 5
		`42`,                                               // 6
		fix("a", `,"lat":1`),                               // 7
		fix("a", `,"lat":"x","lon":2`),                     // 8
		fix("a", `,"lat":true,"lon":2`),                    // 9
		fix("a", `,"lat":{"v":1},"lon":2`),                 // 10
		fix("a", `,"lat":1,"lon":2,"timestamp":"garbage"`), // 11
		fix("a", `,"lat":1,"lon":2,"timestamp":-5`),        // 12
		fix("a", `,"lat":1,"lon":2,"timestamp":99999999999999999999`), // 13
		fix("a", `,"lat":1,"lon":2,"speed":1e308`),                    // 14
		fix("a", `,"lat":1e308,"lon":2`),                              // 15
		fix("a", `,"location":{"coords":[]}`),                         // 16
		fix("a", `,"location":[{"coords":{"latitude":1}}]`),           // 17
		fix("a", `,"lat":1,"lon":2,"mock":"maybe"`),                   // 18
		fix("ok2", `,"lon":2,"lat":1`),                                // 19 kept
	}, ",") + `]`
	want := []string{
		`1 a: osmand: invalid fix: lat "91": out of range -90..90`,
		`2 a: osmand: invalid fix: lon "181": out of range -180..180`,
		`3 a: osmand: invalid fix: no coordinates`,
		`4 a: osmand: invalid fix: position 0,0 (no fix)`,
		`5 : osmand: invalid fix: osmand: no device identity (no id, deviceid or device_id)`,
		`6 : osmand: invalid fix: osmand: no device identity (no id, deviceid or device_id)`,
		`7 a: osmand: invalid fix: lat without lon`,
		`8 a: osmand: invalid fix: lat "x": not a finite number`,
		`9 a: osmand: invalid fix: lat "true": not a number`,
		`10 a: osmand: invalid fix: lat (object): not a number`,
		`11 a: osmand: invalid fix: timestamp "garbage": not a time`,
		`12 a: osmand: invalid fix: timestamp "-5": out of range 1970..9999`,
		`13 a: osmand: invalid fix: timestamp "99999999999999999999": out of range`,
		`14 a: osmand: invalid fix: speed "1e308": out of range`,
		`15 a: osmand: invalid fix: lat "1e308": out of range -90..90`,
		`16 a: osmand: invalid fix: coords (object): not an object`,
		`17 a: osmand: invalid fix: location (object): array inside a batch element`,
		`18 a: osmand: invalid fix: mock "maybe": not a boolean`,
	}
	var m protocols.Message
	res, err := DecodeRequest(postJSON("/", batch), &m)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, r := range res.Rejected {
		if !errors.Is(r.Err, ErrInvalidFix) {
			t.Errorf("rejection %d does not wrap ErrInvalidFix", r.Index)
		}
		got = append(got, fmt.Sprintf("%d %s: %v", r.Index, r.Device, r.Err))
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("rejections\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	if res.Fixes != 2 || len(m.Fixes) != 2 || m.Fixes[0].Device != "ok" ||
		m.Fixes[1].Device != "ok2" {
		t.Errorf("kept %d fixes %+v, want ok and ok2", res.Fixes, m.Fixes)
	}
	if m.Identity != "" {
		t.Errorf("identity %q for a mixed batch", m.Identity)
	}
}

func TestSingleRejection(t *testing.T) {
	var m protocols.Message
	err := Decode(get("/?id=a&lat=91&lon=0&timestamp=1700000000"), &m)
	if err != nil || HTTPStatus(err) != 200 {
		t.Fatalf("error %v, want nil (200)", err)
	}
	if len(m.Fixes) != 0 || m.Reply.N != 1 || m.Type != protocols.MsgData {
		t.Errorf("fixes %d rejected %d type %v, want 0, 1, data", len(m.Fixes), m.Reply.N, m.Type)
	}
}

func TestProtocol(t *testing.T) {
	p := Protocol
	if p.Name != "osmand" || p.Port != 5055 || !p.Has(protocols.HTTP) || p.Has(protocols.TCP) ||
		p.DecodeHTTP == nil {
		t.Errorf("descriptor %+v", p)
	}
}

// TestAppendsToMessage checks that fixes are appended after those the
// Message already holds and that Result counts only the new ones.
func TestAppendsToMessage(t *testing.T) {
	var m protocols.Message
	m.NextFix().Device = "old"
	res, err := DecodeRequest(postJSON("/", `[{"id":"a","lat":1,"lon":2},{"id":"b"},`+
		`{"id":"c","lat":3,"lon":4}]`), &m)
	if err != nil {
		t.Fatal(err)
	}
	var devs []string
	for _, f := range m.Fixes {
		devs = append(devs, f.Device)
	}
	if got := strings.Join(devs, ","); got != "old,a,c" || res.Fixes != 2 ||
		len(res.Rejected) != 1 || res.Rejected[0].Index != 1 {
		t.Errorf("devices %s, result %+v", got, res)
	}
}

// TestAlarmWithoutPosition: an SOS sent with no GPS fix, with no
// coordinates or with 0,0, is kept as a record without a position, in a
// single request and in a batch; the same without an alarm is not.
func TestAlarmWithoutPosition(t *testing.T) {
	for name, req := range map[string]protocols.HTTPRequest{
		"query, no coordinates": get("/?id=a&timestamp=1764756000&alarm=sos"),
		"query, 0,0":            get("/?id=a&timestamp=1764756000&lat=0&lon=0&alarm=sos"),
		"batch, no coordinates": postJSON("/", `[{"id":"a","timestamp":1764756000,"alarm":"sos"},`+
			`{"id":"a","timestamp":1764756001}]`),
	} {
		t.Run(name, func(t *testing.T) {
			var m protocols.Message
			res, err := DecodeRequest(req, &m)
			if err != nil {
				t.Fatal(err)
			}
			if len(m.Fixes) != 1 || m.Fixes[0].Valid || m.Fixes[0].Lat != 0 ||
				!m.Fixes[0].Time.Equal(time.Unix(1764756000, 0)) {
				t.Fatalf("fixes %+v, want one position-less record at the alarm's time", m.Fixes)
			}
			if a, ok := m.Fixes[0].Attrs.Get(protocols.AttrAlarm); !ok || a.Str() != "sos" {
				t.Fatalf("attrs %v, want alarm sos", m.Fixes[0].Attrs)
			}
			if strings.HasPrefix(name, "batch") && len(res.Rejected) != 1 {
				t.Fatalf("rejected %v, want the fix with no position and no alarm", res.Rejected)
			}
		})
	}
}
