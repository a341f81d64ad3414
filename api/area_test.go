package api

import (
	"context"
	"encoding/json"
	"net/url"
	"strings"
	"testing"
	"time"

	"dozor/geofence/cell"
	"dozor/protocols"
	"dozor/store"
)

// TestAreaFixes: both teams' collectors stood at the same address; the
// auditor sees both, north's supervisor only north's, and only inside the
// asked time range.
func TestAreaFixes(t *testing.T) {
	w := newWorld(t)
	at := time.Date(2026, 12, 3, 10, 0, 0, 0, time.UTC)
	c := cell.FromLatLng(55.75, 37.61, 12)
	ids := store.NewIDGen(3)
	var recs []store.FixRecord
	for i, dev := range []int64{w.north["device"], w.south["device"]} {
		recs = append(recs, store.FixRecord{ID: ids.Next(), DeviceID: dev, Fix: protocols.Fix{
			Time: at.Add(time.Duration(i) * time.Minute), Received: at, Lat: 55.75, Lon: 37.61,
			Valid: true, Protocol: "osmand", Cell: c,
		}})
	}
	if err := w.st.Fixes().Append(context.Background(), recs); err != nil {
		t.Fatal(err)
	}

	query := func(who, cells string, from, to time.Time) (int, []FixJSON) {
		t.Helper()
		v := url.Values{"cells": {cells}, "from": {from.Format(time.RFC3339)},
			"to": {to.Format(time.RFC3339)}}
		code, body := w.call("GET", "/api/v1/fixes?"+v.Encode(), who, "")
		var out []FixJSON
		if code == 200 {
			if err := json.Unmarshal([]byte(body), &out); err != nil {
				t.Fatalf("%s: %v", body, err)
			}
		}
		return code, out
	}
	district := cell.String(cell.Parent(c, 8))
	if code, got := query("auditor", district, at, at.Add(time.Hour)); code != 200 || len(got) != 2 {
		t.Fatalf("auditor: %d, %d fixes, want both", code, len(got))
	}
	code, got := query("supervisor", district, at, at.Add(time.Hour))
	if code != 200 || len(got) != 1 || got[0].DeviceID != w.north["device"] {
		t.Fatalf("north's supervisor: %d %+v, want north's fix only", code, got)
	}
	if _, got := query("auditor", district, at.Add(30*time.Second), at.Add(time.Hour)); len(got) != 1 {
		t.Fatalf("from: %d fixes, want the later one", len(got))
	}
	elsewhere := cell.String(cell.FromLatLng(59.93, 30.31, 8))
	if _, got := query("auditor", elsewhere, at, at.Add(time.Hour)); len(got) != 0 {
		t.Fatalf("another city: %d fixes", len(got))
	}
}

// TestAreaFixesHostile: malformed queries get 400 with a reason.
func TestAreaFixesHostile(t *testing.T) {
	w := newWorld(t)
	good := cell.String(cell.FromLatLng(55.75, 37.61, 9))
	span := "&from=2026-12-03T10:00:00Z&to=2026-12-03T11:00:00Z"
	for name, q := range map[string]string{
		"no cells":     "from=2026-12-03T10:00:00Z&to=2026-12-03T11:00:00Z",
		"not hex":      "cells=zzz" + span,
		"not a cell":   "cells=ffffffffffffffff" + span,
		"empty item":   "cells=" + good + ",," + span,
		"too many":     "cells=" + strings.Repeat(good+",", store.MaxAreaCells) + good + span,
		"no range":     "cells=" + good,
		"backwards":    "cells=" + good + "&from=2026-12-03T11:00:00Z&to=2026-12-03T10:00:00Z",
		"over a month": "cells=" + good + "&from=2026-01-01T00:00:00Z&to=2026-03-01T00:00:00Z",
		"bad time":     "cells=" + good + "&from=yesterday&to=2026-12-03T10:00:00Z",
		"bad limit":    "cells=" + good + span + "&limit=-1",
	} {
		code, body := w.call("GET", "/api/v1/fixes?"+q, "auditor", "")
		if code != 400 || !strings.Contains(body, "error") {
			t.Errorf("%s: %d %s, want 400 with a reason", name, code, body)
		}
	}
}
