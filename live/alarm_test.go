package live

import (
	"context"
	"encoding/json"
	"testing"
	"time"

	"dozor/geofence/cell"
	"dozor/protocols"
	"dozor/store"
)

// TestHubAlarms: an SOS reaches every subscriber of the collector's team,
// with a position or without one, whatever their viewport, and two alarms
// in a row are two events, not one merged.
func TestHubAlarms(t *testing.T) {
	h, _ := newTestHub(t, Config{})
	elsewhere := cell.FromLatLng(59.93, 30.31, 7)
	north, _ := h.Subscribe(Filter{Teams: []string{"north"}, Cells: []uint64{elsewhere}}, "")
	defer north.Close()
	south, _ := h.Subscribe(Filter{Teams: []string{"south"}}, "")
	defer south.Close()

	withFix := rec(1, t0, 55.70, 37.60)
	withFix.Fix.Attrs = protocols.Attrs{protocols.String(protocols.AttrAlarm, "sos")}
	noFix := rec(2, t0.Add(time.Second), 0, 0)
	noFix.Fix.Cell = 0
	noFix.Fix.Attrs = protocols.Attrs{protocols.String(protocols.AttrAlarm, "sos")}
	h.Fixes(context.Background(), []store.FixRecord{withFix, noFix})

	var alarms []Alarm
	for _, e := range take(t, north) {
		if e.Kind != KindAlarm {
			continue
		}
		var a Alarm
		if err := json.Unmarshal(e.Data(), &a); err != nil {
			t.Fatal(err)
		}
		alarms = append(alarms, a)
	}
	if len(alarms) != 2 {
		t.Fatalf("north got %d alarms, want both", len(alarms))
	}
	if a := alarms[0]; a.Alarm != "sos" || a.Collector != 10 || a.Lat == nil || *a.Lat != 55.70 {
		t.Errorf("first alarm %+v, want collector 10's SOS at its position", a)
	}
	if a := alarms[1]; a.Device != 2 || a.Lat != nil || a.Time != t0.Add(time.Second).UnixMilli() {
		t.Errorf("second alarm %+v, want device 2's SOS with no position", a)
	}
	for _, e := range take(t, south) {
		if e.Kind == KindAlarm {
			t.Fatalf("team south got north's alarm: %s", e.Data())
		}
	}
}
