package live

import (
	"bufio"
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"dozor/geofence"
	"dozor/store"
)

// sseFrame is one parsed SSE event.
type sseFrame struct{ id, event, data string }

// readFrames reads n events (comments and retry-only blocks skipped).
func readFrames(t *testing.T, sc *bufio.Scanner, n int) []sseFrame {
	t.Helper()
	var out []sseFrame
	var f sseFrame
	for len(out) < n && sc.Scan() {
		line := sc.Text()
		switch {
		case line == "":
			if f.event != "" {
				out = append(out, f)
			}
			f = sseFrame{}
		case strings.HasPrefix(line, "id: "):
			f.id = line[4:]
		case strings.HasPrefix(line, "event: "):
			f.event = line[7:]
		case strings.HasPrefix(line, "data: "):
			f.data = line[6:]
		}
	}
	if len(out) < n {
		t.Fatalf("stream ended after %d events: %v", len(out), sc.Err())
	}
	return out
}

func TestServeStream(t *testing.T) {
	h := New(Config{Heartbeat: 50 * time.Millisecond}, testDir, nil, nil)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	fixes := make(chan []store.FixRecord)
	visits := make(chan geofence.Event)
	go func() { _ = h.Run(ctx, fixes, visits) }()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h.ServeStream(w, r, Filter{AllTeams: true})
	}))
	defer srv.Close()

	open := func(lastID string) (*bufio.Scanner, func()) {
		req, _ := http.NewRequest("GET", srv.URL, nil)
		if lastID != "" {
			req.Header.Set("Last-Event-ID", lastID)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		if ct := resp.Header.Get("Content-Type"); ct != "text/event-stream" {
			t.Fatalf("Content-Type %q", ct)
		}
		sc := bufio.NewScanner(resp.Body)
		sc.Buffer(nil, 1<<20)
		return sc, func() { resp.Body.Close() }
	}

	sc, closeFirst := open("")
	if f := readFrames(t, sc, 1); f[0].event != "snapshot" {
		t.Fatalf("first event %q, want snapshot", f[0].event)
	}
	now := time.Now()
	fixes <- []store.FixRecord{rec(1, now, 55.7, 37.6)}
	f := readFrames(t, sc, 1)[0]
	if f.event != "fix" || !strings.Contains(f.data, `"collector":10`) {
		t.Fatalf("got %+v, want collector 10's fix", f)
	}
	closeFirst()

	// Missed while away: resumed with Last-Event-ID, no snapshot.
	fixes <- []store.FixRecord{rec(3, now, 55.75, 37.65)}
	visits <- geofence.Event{Type: geofence.EventArrived, Visit: geofence.Visit{ID: 3,
		Collector: 20}}
	for h.Seq() < 3 {
		time.Sleep(time.Millisecond)
	}
	sc, closeSecond := open(f.id)
	defer closeSecond()
	got := readFrames(t, sc, 2)
	if got[0].event != "fix" || got[1].event != "visit" ||
		!strings.Contains(got[1].data, `"team":"south"`) {
		t.Fatalf("resumed %+v", got)
	}
}
