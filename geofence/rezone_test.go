package geofence_test

import (
	"testing"
	"time"

	"github.com/paulmach/orb"

	"dozor/geofence"
	"dozor/protocols"
)

// TestRezone: a collector stays 20 minutes at an address before its zone
// is imported. Rezone gives the visit, arrived at the first fix there;
// removing the zone and rezoning cancels it.
func TestRezone(t *testing.T) {
	home := orb.Point{37.61, 55.75}
	ix := geofence.NewIndex(geofence.IndexConfig{})
	got := newCollect()
	e := geofence.NewEngine(ix, geofence.Config{}, got)

	t0 := time.Date(2026, 12, 3, 9, 0, 0, 0, time.UTC)
	for i := range 41 {
		tm := t0.Add(time.Duration(i) * 30 * time.Second)
		e.Process([]geofence.Point{{FixID: int64(i + 1), Collector: 7, Device: 1, Carried: true,
			Fix: &protocols.Fix{Time: tm, Received: tm, Lat: home.Lat(), Lon: home.Lon(),
				Accuracy: 5, Valid: true}}})
	}
	if vs := got.list(); len(vs) != 0 {
		t.Fatalf("%d visits before the zone existed", len(vs))
	}

	if err := ix.Add(geofence.Zone{ID: 1, Debtor: 1, Shape: geofence.ShapeCircle,
		Center: home, Radius: 40}); err != nil {
		t.Fatal(err)
	}
	e.Rezone()
	vs := got.list()
	if len(vs) != 1 || vs[0].Zone != 1 || !vs[0].ArrivedAt.Equal(t0) {
		t.Fatalf("after the import: %+v, want one visit arrived at %v", vs, t0)
	}

	ix.Remove(1)
	e.Rezone()
	if vs := got.list(); len(vs) != 0 {
		t.Fatalf("after the removal: %+v, want the visit cancelled", vs)
	}
	e.Rezone() // nothing changed: no events
	if n := got.events[geofence.EventArrived]; n != 1 {
		t.Errorf("%d arrivals, want 1", n)
	}
}
