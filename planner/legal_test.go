package planner_test

import (
	"testing"
	"time"

	"dozor/planner"
	"dozor/planner/check"
)

func TestContactWindow(t *testing.T) {
	moscow := time.FixedZone("MSK", 3*3600)
	samara := time.FixedZone("SAMT", 4*3600)
	wed := time.Date(2026, 3, 4, 0, 0, 0, 0, moscow)
	sat := time.Date(2026, 3, 7, 0, 0, 0, 0, moscow)
	h := int64(3600)
	cases := []struct {
		name    string
		origin  time.Time
		zone    *time.Location
		holiday bool
		want    planner.Window
	}{
		{"weekday", wed, moscow, false, planner.Window{Open: 8 * h, Close: 22*h - 1800}},
		{"saturday", sat, moscow, false, planner.Window{Open: 9 * h, Close: 20*h - 1800}},
		{"holiday", wed, moscow, true, planner.Window{Open: 9 * h, Close: 20*h - 1800}},
		{"an hour east", wed, samara, false, planner.Window{Open: 7 * h, Close: 21*h - 1800}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			w := planner.ContactWindow(c.origin, time.Second, c.zone, c.holiday, 1800)
			if w != c.want {
				t.Fatalf("window %+v, want %+v", w, c.want)
			}
			// The independent checker agrees at both ends and one second out.
			for _, at := range []struct {
				start int64
				ok    bool
			}{{w.Open, true}, {w.Close, true}, {w.Open - 1, false}, {w.Close + 1, false}} {
				if got := legalOK(c.origin, c.zone, c.holiday, at.start); got != at.ok {
					t.Errorf("start %d: checker says legal=%v", at.start, got)
				}
			}
		})
	}
}

func legalOK(origin time.Time, zone *time.Location, holiday bool, start int64) bool {
	p := &check.Problem{Origin: origin, Unit: time.Second,
		Travel:     func(int, int) (float64, float64) { return 0, 0 },
		Collectors: []check.Collector{{End: -1, Shift: check.Window{Close: 48 * 3600}}},
		Visits:     []check.Visit{{Service: 1800, Zone: zone, Holiday: holiday}}}
	r := check.Check(p, []check.Route{{Timed: true,
		Stops: []check.Stop{{Visit: 0, Start: float64(start)}}}})
	return r.Feasible
}
