package main

import (
	"fmt"
	"net/http"
	"net/url"
	"testing"
	"time"

	"dozor/geofence/cell"
)

// TestAreaQueryE2E: phones report over OsmAnd to the real binary; the
// fixes API answers who was inside a cell, on both stores.
func TestAreaQueryE2E(t *testing.T) {
	t.Run("sqlite", func(t *testing.T) { areaQueryE2E(t, startServer(t, "")) })
	t.Run("postgres", func(t *testing.T) {
		base, schema := pgTarget(t)
		areaQueryE2E(t, startServer(t, "", "--store", withSchema(base, schema, "")))
	})
}

func areaQueryE2E(t *testing.T, s *server) {
	at := time.Now().UTC().Add(-time.Hour).Truncate(time.Second)
	send := func(id string, sec int, lat, lon float64) {
		u := fmt.Sprintf("http://%s/?id=%s&timestamp=%d&lat=%f&lon=%f&accuracy=5",
			s.osmand, id, at.Add(time.Duration(sec)*time.Second).Unix(), lat, lon)
		resp, err := http.Post(u, "", nil)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != 200 {
			t.Fatalf("fix of %s: status %d", id, resp.StatusCode)
		}
	}
	send("area-1", 0, 55.7501, 37.6102)
	send("area-1", 60, 55.80, 37.50)
	send("area-2", 30, 55.7502, 37.6101)

	// H3 cells only roughly tile their parents: the res-9 cell of a point
	// need not hold the point's res-12 cell, so ask with its parent.
	there := cell.Parent(cell.FromLatLng(55.7501, 37.6102, 12), 9)
	q := url.Values{"cells": {cell.String(there)}, "from": {at.Format(time.RFC3339)},
		"to": {at.Add(time.Hour).Format(time.RFC3339)}}
	var got []apiFix
	if code := s.get("/api/v1/fixes?"+q.Encode(), &got); code != 200 {
		t.Fatalf("fixes in area: status %d", code)
	}
	if len(got) != 2 || !got[0].Time.Equal(at) || !got[1].Time.Equal(at.Add(30*time.Second)) {
		t.Fatalf("fixes in area %x: %+v, want area-1's first fix and area-2's", there, got)
	}
	if code := s.get("/api/v1/fixes?cells=nonsense", nil); code != 400 {
		t.Fatalf("bad cells: status %d, want 400", code)
	}
}
