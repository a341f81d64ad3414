package main

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"dozor/store"
)

// TestVisitSurvivesRestart: a collector arrives at a debtor's address, the
// server is killed mid-visit, and after the restart the departure closes
// the same stored visit instead of leaving it open and starting a new one.
func TestVisitSurvivesRestart(t *testing.T) {
	s := startServer(t, "")
	const js = "application/json"
	_, body := s.send("POST", "/api/v1/collectors", js, `{"name":"Orlov","team":"north"}`)
	col := idOf(t, body)
	_, body = s.send("POST", "/api/v1/debtors", js, `{"name":"Debtor"}`)
	debtor := idOf(t, body)
	code, body := s.send("POST", "/api/v1/zones", js, fmt.Sprintf(
		`{"debtor_id":%d,"shape":"circle","lat":55.75,"lon":37.61,"radius_m":50}`, debtor))
	if code != 201 {
		t.Fatalf("zone: %d %s", code, body)
	}
	code, body = s.send("POST", "/api/v1/devices", js, fmt.Sprintf(
		`{"uid":"phone-r","protocol":"osmand","collector_id":%d}`, col))
	if code != 201 {
		t.Fatalf("device: %d %s", code, body)
	}

	now := time.Now().UTC().Truncate(time.Second)
	// Ten minutes inside the zone, one fix every 30 s.
	for i := 20; i >= 10; i-- {
		phoneFix(t, s, now.Add(-time.Duration(i)*time.Minute), 55.75, 37.61)
		phoneFix(t, s, now.Add(-time.Duration(i)*time.Minute+30*time.Second), 55.75001, 37.61)
	}
	before := waitVisit(t, s, func(v store.Visit) bool { return v.DepartedAt == nil })

	s.kill()
	s.start()

	// Then five minutes 500 m away.
	for i := 9; i >= 0; i-- {
		phoneFix(t, s, now.Add(-time.Duration(i)*30*time.Second), 55.755, 37.61)
	}
	after := waitVisit(t, s, func(v store.Visit) bool { return v.DepartedAt != nil })
	if after.ID != before.ID {
		t.Fatalf("departure opened visit %d, the open visit was %d", after.ID, before.ID)
	}
	var all []store.Visit
	s.get("/api/v1/visits", &all)
	if len(all) != 1 {
		t.Fatalf("%d visits after the restart, want 1: %+v", len(all), all)
	}
}

func phoneFix(t *testing.T, s *server, at time.Time, lat, lon float64) {
	t.Helper()
	url := fmt.Sprintf("http://%s/?id=phone-r&timestamp=%d&lat=%f&lon=%f&accuracy=5",
		s.osmand, at.Unix(), lat, lon)
	resp, err := http.Post(url, "", nil)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Fatalf("fix at %s: status %d", at, resp.StatusCode)
	}
}

func waitVisit(t *testing.T, s *server, ok func(store.Visit) bool) store.Visit {
	t.Helper()
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); {
		var vs []store.Visit
		s.get("/api/v1/visits", &vs)
		for _, v := range vs {
			if ok(v) {
				return v
			}
		}
		time.Sleep(100 * time.Millisecond)
	}
	t.Fatal("visit not seen")
	return store.Visit{}
}

func idOf(t *testing.T, body string) int64 {
	t.Helper()
	var x struct {
		ID int64 `json:"id"`
	}
	if err := jsonUnmarshal(body, &x); err != nil || x.ID == 0 {
		t.Fatalf("no id in %s", strings.TrimSpace(body))
	}
	return x.ID
}

func jsonUnmarshal(s string, v any) error { return json.Unmarshal([]byte(s), v) }

// TestZoneAddedAfterTheVisit: the collector stood at an address for ten
// minutes before its zone was created; the zone's creation brings the
// visit, arrived at the first fix there.
func TestZoneAddedAfterTheVisit(t *testing.T) {
	s := startServer(t, "")
	const js = "application/json"
	_, body := s.send("POST", "/api/v1/collectors", js, `{"name":"Orlov","team":"north"}`)
	col := idOf(t, body)
	code, body := s.send("POST", "/api/v1/devices", js, fmt.Sprintf(
		`{"uid":"phone-r","protocol":"osmand","collector_id":%d}`, col))
	if code != 201 {
		t.Fatalf("device: %d %s", code, body)
	}
	now := time.Now().UTC().Truncate(time.Second)
	first := now.Add(-20 * time.Minute)
	for i := range 21 {
		phoneFix(t, s, first.Add(time.Duration(i)*30*time.Second), 55.75, 37.61)
	}

	_, body = s.send("POST", "/api/v1/debtors", js, `{"name":"Debtor"}`)
	code, body = s.send("POST", "/api/v1/zones", js, fmt.Sprintf(
		`{"debtor_id":%d,"shape":"circle","lat":55.75,"lon":37.61,"radius_m":50}`, idOf(t, body)))
	if code != 201 {
		t.Fatalf("zone: %d %s", code, body)
	}
	v := waitVisit(t, s, func(store.Visit) bool { return true })
	if !v.ArrivedAt.Equal(first) || v.CollectorID != col {
		t.Fatalf("visit %+v, want collector %d arrived at %v", v, col, first)
	}
}
