package geofence_test

import (
	"testing"
	"time"

	"github.com/paulmach/orb"

	"dozor/geofence"
	"dozor/protocols"
)

// TestParkedCar: the collector drives to debtor A, parks inside A's zone
// and walks with the phone to debtor B, 400 m away, for half an hour. The
// car keeps reporting from A. The phone is where the person is: the visit
// at A ends when the phone leaves, and B gets its visit.
func TestParkedCar(t *testing.T) {
	const car, phone = 1, 2
	a := orb.Point{37.6100, 55.7500}
	b := orb.Point{37.6100, 55.7536} // 400 m north

	ix := geofence.NewIndex(geofence.IndexConfig{})
	if err := ix.AddAll([]geofence.Zone{
		{ID: 1, Debtor: 1, Shape: geofence.ShapeCircle, Center: a, Radius: 50},
		{ID: 2, Debtor: 2, Shape: geofence.ShapeCircle, Center: b, Radius: 50},
	}); err != nil {
		t.Fatal(err)
	}
	got := newCollect()
	e := geofence.NewEngine(ix, geofence.Config{}, got)

	t0 := time.Date(2026, 12, 3, 10, 0, 0, 0, time.UTC)
	var pts []geofence.Point
	id := int64(0)
	at := func(dev int64, carried bool, sec int, p orb.Point) {
		id++
		tm := t0.Add(time.Duration(sec) * time.Second)
		pts = append(pts, geofence.Point{FixID: id, Collector: 7, Device: dev, Carried: carried,
			Fix: &protocols.Fix{Time: tm, Received: tm, Lat: p.Lat(), Lon: p.Lon(),
				Accuracy: 5, Valid: true}})
	}
	// 0-10 min: both at A. 10-12 min: the phone walks to B. 12-45 min:
	// the phone at B, the car still at A. Both report every 30 s.
	for s := 0; s <= 45*60; s += 30 {
		at(car, false, s, a)
		switch {
		case s <= 10*60:
			at(phone, true, s+1, a)
		case s < 12*60:
			f := float64(s-600) / 120
			at(phone, true, s+1, orb.Point{a.Lon(), a.Lat() + f*(b.Lat()-a.Lat())})
		default:
			at(phone, true, s+1, b)
		}
	}
	for i := range pts {
		e.Process(pts[i : i+1])
	}

	vs := got.list()
	if len(vs) != 2 {
		t.Fatalf("%d visits, want A (ended when the phone left) and B: %+v", len(vs), vs)
	}
	if vs[0].Zone != 1 || vs[0].DepartedAt == nil ||
		vs[0].DepartedAt.After(t0.Add(12*time.Minute)) {
		t.Errorf("visit A: %+v, want it departed by the time the phone reached B", vs[0])
	}
	if vs[1].Zone != 2 || vs[1].DepartedAt != nil {
		t.Errorf("visit B: %+v, want it open", vs[1])
	}
}
