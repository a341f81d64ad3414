package main

import (
	"bufio"
	"net/http"
	"strings"
	"testing"
	"time"
)

// liveStream opens GET /api/v1/live with a bearer token.
func liveStream(t *testing.T, s *server, token, query, lastID string) (*http.Response, *bufio.Scanner) {
	t.Helper()
	req, _ := http.NewRequest("GET", "http://"+s.http+"/api/v1/live"+query, nil)
	req.Header.Set("Authorization", "Bearer "+token)
	if lastID != "" {
		req.Header.Set("Last-Event-ID", lastID)
	}
	// A bound on the whole stream: a test waiting for an event that never
	// comes fails instead of hanging the suite.
	resp, err := (&http.Client{Timeout: 30 * time.Second}).Do(req)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { resp.Body.Close() })
	sc := bufio.NewScanner(resp.Body)
	sc.Buffer(nil, 1<<20)
	return resp, sc
}

// nextEvent reads the next SSE event: its id, name and data.
func nextEvent(t *testing.T, sc *bufio.Scanner) (id, event, data string) {
	t.Helper()
	for sc.Scan() {
		line := sc.Text()
		switch {
		case line == "" && event != "":
			return id, event, data
		case strings.HasPrefix(line, "id: "):
			id = line[4:]
		case strings.HasPrefix(line, "event: "):
			event = line[7:]
		case strings.HasPrefix(line, "data: "):
			data = line[6:]
		}
	}
	t.Fatalf("stream ended: %v", sc.Err())
	return
}

// TestLiveStreamRoles checks the stream through the real server: nothing
// without credentials, a supervisor sees only their team and cannot ask
// for another, and a reconnect resumes after Last-Event-ID.
func TestLiveStreamRoles(t *testing.T) {
	s := startServer(t, "")
	lt := setupTeam(t, s, 2)
	tk := s.mustLogin("sup-north", "north-password-1")

	for _, path := range []string{"/api/v1/live", "/api/v1/live/collectors", "/api/v1/live/zones"} {
		if code := s.call("GET", path, "", nil, nil); code != http.StatusUnauthorized {
			t.Errorf("%s without credentials: %d", path, code)
		}
	}
	if resp, _ := liveStream(t, s, tk.Access, "?team=south", ""); resp.StatusCode != http.StatusNotFound {
		t.Errorf("another team's stream: %d, want 404", resp.StatusCode)
	}
	var cs []struct {
		Team string `json:"team"`
	}
	s.call("GET", "/api/v1/live/collectors", tk.Access, nil, &cs)
	if len(cs) != 2 || cs[0].Team != "north" {
		t.Errorf("collectors of a north supervisor: %+v", cs)
	}

	resp, sc := liveStream(t, s, tk.Access, "", "")
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("stream: %d", resp.StatusCode)
	}
	if _, ev, _ := nextEvent(t, sc); ev != "snapshot" {
		t.Fatalf("first event %q", ev)
	}
	now := time.Now()
	livePhoneFix(t, s, lt.south, now, 55.70, 37.50, 0)
	livePhoneFix(t, s, lt.phones[0], now, 55.75, 37.58, 90)
	id, ev, data := nextEvent(t, sc)
	if ev != "fix" || !strings.Contains(data, `"team":"north"`) {
		t.Fatalf("got %s %s, want north's fix (south filtered out)", ev, data)
	}
	resp.Body.Close()

	livePhoneFix(t, s, lt.phones[1], now, 55.76, 37.59, 90)
	time.Sleep(time.Second)
	_, sc = liveStream(t, s, tk.Access, "", id)
	if _, ev, data := nextEvent(t, sc); ev != "fix" || !strings.Contains(data, "55.76") {
		t.Fatalf("resumed with %s %s, want the missed fix", ev, data)
	}
}
