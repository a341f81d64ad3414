package main

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"dozor/store"
)

// send calls the API with a body and returns the status and body.
func (s *server) send(method, path, ctype, body string) (int, string) {
	s.t.Helper()
	req, _ := http.NewRequest(method, "http://"+s.http+path, strings.NewReader(body))
	req.Header.Set("Authorization", "Bearer "+testToken)
	if ctype != "" {
		req.Header.Set("Content-Type", ctype)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		s.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

// TestZonesAPI creates debtors and zones, imports zones from GeoJSON and
// CSV (all or nothing), and refuses hostile input with clear errors.
func TestZonesAPI(t *testing.T) {
	s := startServer(t, "")
	const js = "application/json"

	code, body := s.send("POST", "/api/v1/debtors", js,
		`{"name":"Сидоров С.","phones":["+79990001122"],"external_id":"CRM-7"}`)
	if code != 201 {
		t.Fatalf("create debtor: %d %s", code, body)
	}
	var d store.Debtor
	_ = json.Unmarshal([]byte(body), &d)

	code, body = s.send("POST", "/api/v1/zones", js,
		`{"debtor_id":`+itoa(d.ID)+`,"shape":"circle","lat":55.75,"lon":37.61,"radius_m":60}`)
	if code != 201 {
		t.Fatalf("circle zone: %d %s", code, body)
	}
	poly := `{"type":"Polygon","coordinates":[[[37.6,55.7],[37.61,55.7],[37.61,55.71],[37.6,55.71],[37.6,55.7]]]}`
	code, body = s.send("POST", "/api/v1/zones", js,
		`{"debtor_id":`+itoa(d.ID)+`,"shape":"polygon","polygon":`+poly+`}`)
	if code != 201 {
		t.Fatalf("polygon zone: %d %s", code, body)
	}
	bowtie := `{"type":"Polygon","coordinates":[[[37.6,55.7],[37.61,55.71],[37.61,55.7],[37.6,55.71],[37.6,55.7]]]}`
	code, body = s.send("POST", "/api/v1/zones", js,
		`{"debtor_id":`+itoa(d.ID)+`,"shape":"polygon","polygon":`+bowtie+`}`)
	if code != 400 || !strings.Contains(body, "intersect") {
		t.Fatalf("self-intersecting polygon: %d %s", code, body)
	}

	// A GeoJSON import with one bad row stores nothing.
	fc := `{"type":"FeatureCollection","features":[
	 {"type":"Feature","id":1,"geometry":{"type":"Point","coordinates":[37.62,55.76]},"properties":{"debtor":` + itoa(d.ID) + `,"radius":50}},
	 {"type":"Feature","id":2,"geometry":{"type":"Point","coordinates":[37.62,95]},"properties":{"debtor":` + itoa(d.ID) + `}},
	 {"type":"Feature","id":3,"geometry":{"type":"Point","coordinates":[37.63,55.76]},"properties":{"debtor":999999}}]}`
	code, body = s.send("POST", "/api/v1/zones/import", "application/geo+json", fc)
	if code != 422 || !strings.Contains(body, `"row":2`) || !strings.Contains(body, "999999") {
		t.Fatalf("bad import: %d %s", code, body)
	}
	if n := zoneCount(t, s); n != 2 {
		t.Fatalf("%d zones after a refused import, want 2", n)
	}

	// The same through `dozor zones import` with a good CSV.
	csv := "id,debtor,lat,lon,radius\n10," + itoa(d.ID) + ",55.77,37.6,40\n11," + itoa(d.ID) + ",55.78,37.6,45\n"
	path := filepath.Join(t.TempDir(), "zones.csv")
	if err := os.WriteFile(path, []byte(csv), 0o600); err != nil {
		t.Fatal(err)
	}
	out, err := runDozorEnv(t, "DOZOR_ADMIN_TOKEN="+testToken, "zones", "import", "--api",
		"http://"+s.http, path)
	if err != nil || !strings.Contains(out, `"accepted":2`) {
		t.Fatalf("zones import: %v %s", err, out)
	}
	if n := zoneCount(t, s); n != 4 {
		t.Fatalf("%d zones after the CSV import, want 4", n)
	}

	hostile := []struct {
		method, path, ctype, body string
		code                      int
	}{
		{"POST", "/api/v1/debtors", "text/plain", `{"name":"x"}`, 415},
		{"POST", "/api/v1/debtors", js, `{"name":"x","role":"admin"}`, 400},
		{"POST", "/api/v1/debtors", js, `{"name":""}`, 400},
		{"POST", "/api/v1/debtors", js, `{"name":"a\u0000b"}`, 400},
		{"POST", "/api/v1/debtors", js, `{"name":` + strings.Repeat(`"x`, 1) + strings.Repeat("x", 2<<20) + `"}`, 413},
		{"POST", "/api/v1/debtors", js, `{"name":"dup","external_id":"CRM-7"}`, 409},
		{"POST", "/api/v1/debtors", js, `{"name":1}`, 400},
		{"POST", "/api/v1/zones", js, `{"debtor_id":424242,"shape":"circle","lat":1,"lon":1}`, 404},
		{"POST", "/api/v1/zones", js, `{"debtor_id":1,"shape":"hexagon"}`, 400},
		{"GET", "/api/v1/debtors/..%2F..%2Fetc%2Fpasswd", "", "", 404},
		{"GET", "/api/v1/zones/1%20OR%201=1", "", "", 404},
		{"GET", "/api/v1/visits?collector=abc", "", "", 400},
		{"GET", "/api/v1/visits?from=tomorrow", "", "", 400},
		{"PUT", "/api/v1/devices/nope/collector", js, `{"collector_id":1}`, 404},
		{"POST", "/api/v1/zones/import", "application/xml", `<zones/>`, 415},
		{"POST", "/api/v1/zones/import", "application/geo+json", `{"type":"Nope"}`, 400},
	}
	for _, h := range hostile {
		code, body := s.send(h.method, h.path, h.ctype, h.body)
		if code != h.code || !strings.HasPrefix(strings.TrimSpace(body), "{") {
			t.Errorf("%s %s %.40q: %d %.120s, want %d with a JSON error", h.method, h.path,
				h.body, code, body, h.code)
		}
	}
	code, body = s.send("POST", "/api/v1/debtors", js, `{"name":"<script>alert(1)</script>' OR 1=1 --"}`)
	if code != 201 || !strings.Contains(body, `\u003cscript\u003e`) {
		t.Fatalf("injection text must be stored verbatim and escaped in JSON: %d %s", code, body)
	}
}

func zoneCount(t *testing.T, s *server) int {
	var zs []store.Zone
	if code := s.get("/api/v1/zones", &zs); code != 200 {
		t.Fatalf("list zones: %d", code)
	}
	return len(zs)
}

func itoa(n int64) string { return strings.TrimSpace(string(bytes.TrimSpace([]byte(jsonNum(n))))) }

func jsonNum(n int64) string { b, _ := json.Marshal(n); return string(b) }
