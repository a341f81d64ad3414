package main

import (
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"
)

// TestOsmAndCorpus sends every OsmAnd sample as the phone would and checks
// the answer and that the positions are stored.
func TestOsmAndCorpus(t *testing.T) {
	entries, err := loadCorpus(corpusPath("osmand"))
	if err != nil {
		t.Fatal(err)
	}
	s := startServer(t, "")
	for _, e := range entries {
		t.Run(e.ID, func(t *testing.T) {
			h := e.HTTP
			body := ""
			if h.Body != nil {
				body = *h.Body
			}
			req, _ := http.NewRequest(h.Method, "http://"+s.osmand+h.PathQuery, strings.NewReader(body))
			for k, v := range h.Headers {
				req.Header.Set(k, v)
			}
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			noID := !strings.Contains(h.PathQuery+body, "id")
			if noID {
				// Traccar answers null; we answer 400 so the phone's
				// operator sees the misconfiguration.
				if resp.StatusCode != http.StatusBadRequest {
					t.Fatalf("request without a device id: status %d, want 400", resp.StatusCode)
				}
				return
			}
			if resp.StatusCode != http.StatusOK {
				t.Fatalf("status %d", resp.StatusCode)
			}
			// Samples of one source test repeat a fix: a duplicate is kept once.
			kept := resp.Header.Get("X-Dozor-Stored") + resp.Header.Get("X-Dozor-Duplicates")
			if e.WantsPosition() && kept != "10" && kept != "01" {
				t.Fatalf("stored+duplicates %q, want one fix", kept)
			}
		})
	}
}

// TestOsmAndForms covers the query, JSON and batch forms, duplicates and a
// permanently invalid fix, and reads the fixes back through the API.
func TestOsmAndForms(t *testing.T) {
	s := startServer(t, "")
	post := func(target, ctype, body string) *http.Response {
		t.Helper()
		resp, err := http.Post("http://"+s.osmand+target, ctype, strings.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		_, _ = io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		return resp
	}

	r := post("/?id=phone-7&timestamp=1764756000&lat=55.751&lon=37.618&speed=10&accuracy=8", "", "")
	if r.StatusCode != 200 || r.Header.Get("X-Dozor-Stored") != "1" {
		t.Fatalf("query form: %d stored %s", r.StatusCode, r.Header.Get("X-Dozor-Stored"))
	}
	r = post("/?id=phone-7&timestamp=1764756000&lat=55.751&lon=37.618&speed=10&accuracy=8", "", "")
	if r.StatusCode != 200 || r.Header.Get("X-Dozor-Duplicates") != "1" {
		t.Fatalf("duplicate: %d dups %s", r.StatusCode, r.Header.Get("X-Dozor-Duplicates"))
	}
	batch := `[{"id":"phone-7","timestamp":1764756060,"lat":55.752,"lon":37.619},
		{"id":"phone-7","timestamp":1764756120,"lat":95.0,"lon":37.619},
		{"id":"phone-7","timestamp":1764756180,"lat":55.753,"lon":37.62}]`
	r = post("/", "application/json", batch)
	if r.StatusCode != 200 || r.Header.Get("X-Dozor-Stored") != "2" ||
		r.Header.Get("X-Dozor-Rejected") != "1" {
		t.Fatalf("batch: %d stored %s rejected %s", r.StatusCode,
			r.Header.Get("X-Dozor-Stored"), r.Header.Get("X-Dozor-Rejected"))
	}
	if r := post("/?lat=1&lon=2", "", ""); r.StatusCode != http.StatusBadRequest {
		t.Fatalf("no id: status %d, want 400", r.StatusCode)
	}
	if r := post("/", "application/json", `{"location":`); r.StatusCode != http.StatusBadRequest {
		t.Fatalf("broken JSON: status %d, want 400", r.StatusCode)
	}

	fixes := s.fixes("phone-7")
	if len(fixes) != 3 {
		t.Fatalf("stored %d fixes, want 3", len(fixes))
	}
	if fixes[0].Speed < 18.51 || fixes[0].Speed > 18.53 {
		t.Fatalf("speed %v km/h, want 18.52 (10 knots)", fixes[0].Speed)
	}
	if fixes[0].Cell == "" {
		t.Fatal("stored fix has no H3 cell")
	}
}

// TestAPIHostileInput: every API call refuses what it cannot use with a
// clear 4xx and keeps serving.
func TestAPIHostileInput(t *testing.T) {
	s := startServer(t, "")
	call := func(path, token string) (int, string) {
		req, _ := http.NewRequest("GET", "http://"+s.http+path, nil)
		if token != "" {
			req.Header.Set("Authorization", "Bearer "+token)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}
	cases := []struct {
		name, path, token string
		code              int
		msg               string
	}{
		{"no token", "/api/v1/devices", "", 401, "bearer"},
		{"forged token", "/api/v1/devices", "x" + testToken, 401, "bearer"},
		{"unknown device", "/api/v1/devices/nope", testToken, 404, "not found"},
		{"traversal", "/api/v1/devices/..%2F..%2Fetc%2Fpasswd/fixes", testToken, 404, ""},
		{"bad from", "/api/v1/devices/x/fixes?from=yesterday", testToken, 400, "RFC 3339"},
		{"bad limit", "/api/v1/devices/x/fixes?limit=-5", testToken, 400, "limit"},
		{"huge limit", "/api/v1/devices?limit=99999999999999999999", testToken, 400, "limit"},
		{"inverted range", "/api/v1/devices/x/fixes?from=2026-01-02T00:00:00Z&to=2026-01-01T00:00:00Z",
			testToken, 400, "before"},
		{"injection", "/api/v1/devices/1'%20OR%20'1'='1", testToken, 404, ""},
		{"no such endpoint", "/api/v1/nothing", testToken, 404, ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			code, body := call(c.path, c.token)
			if code != c.code || !strings.Contains(body, c.msg) {
				t.Fatalf("%s: %d %s, want %d with %q", c.path, code, body, c.code, c.msg)
			}
			var v map[string]any
			if code != 404 || strings.HasPrefix(body, "{") {
				if err := json.Unmarshal([]byte(body), &v); err != nil {
					t.Fatalf("error body is not JSON: %s", body)
				}
			}
		})
	}
	if code, _ := call("/healthz", ""); code != 200 {
		t.Fatal("server unhealthy after hostile input")
	}
}
