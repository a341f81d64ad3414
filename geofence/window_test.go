package geofence_test

import (
	"testing"
	"time"

	"dozor/geofence"
	"dozor/geofence/scenario"
)

// TestWindowTrim checks that folding old fixes into the snapshot changes
// nothing for in-order data, even with a window far shorter than a day and
// a small fix limit, and that a fix older than the window is counted and
// ignored.
func TestWindowTrim(t *testing.T) {
	sc := scenario.Generate(scenario.Config{Seed: 300, Collectors: 4})
	pts := byFixTime(sc.Points())
	want, _ := replay(t, sc, pts, 1)

	ix := geofence.NewIndex(geofence.IndexConfig{})
	if err := ix.AddAll(sc.Zones); err != nil {
		t.Fatal(err)
	}
	got := newCollect()
	e := geofence.NewEngine(ix, geofence.Config{Window: 40 * time.Minute, MaxFixes: 300}, got)
	for i := range pts {
		e.Process(pts[i : i+1])
	}
	if !sameVisits(want.list(), got.list()) {
		t.Errorf("short window: %d visits, want %d", len(got.list()), len(want.list()))
		logDiff(t, want.list(), got.list())
	}
	e.Process(pts[:1]) // hours older than the window now
	if st := e.Stats(); st.TooLate != 1 {
		t.Errorf("stats %+v, want one fix too late", st)
	}
}
