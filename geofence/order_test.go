package geofence_test

import (
	"math/rand/v2"
	"slices"
	"testing"

	"dozor/geofence"
	"dozor/geofence/scenario"
)

// TestOrderIndependence checks that the same fixes give the same visits
// whether they arrive in fix-time order, in the scenario's arrival order,
// shuffled, or with each collector's phone held back and sent as one late
// batch at the end of the day.
func TestOrderIndependence(t *testing.T) {
	seeds := 6
	if testing.Short() {
		seeds = 2
	}
	for seed := range seeds {
		sc := scenario.Generate(scenario.Config{Seed: int64(100 + seed), Collectors: 4})
		pts := sc.Points()
		inOrder, _ := replay(t, sc, byFixTime(pts), 1)
		want := inOrder.list()
		orders := map[string]struct {
			pts   []geofence.Point
			chunk int
		}{
			"arrival":    {pts, 25},
			"shuffled":   {shuffled(pts, uint64(seed)), 300},
			"late batch": {phonesLast(sc, pts), 500},
		}
		for name, o := range orders {
			c, e := replay(t, sc, o.pts, o.chunk)
			got := c.list()
			if !sameVisits(want, got) {
				t.Errorf("seed %d, %s: %d visits, in order %d", seed, name, len(got), len(want))
				logDiff(t, want, got)
			}
			if st := e.Stats(); st.TooLate != 0 {
				t.Errorf("seed %d, %s: %d fixes too late", seed, name, st.TooLate)
			}
		}
	}
}

func byFixTime(pts []geofence.Point) []geofence.Point {
	out := slices.Clone(pts)
	slices.SortStableFunc(out, func(a, b geofence.Point) int {
		return a.Fix.Time.Compare(b.Fix.Time)
	})
	return out
}

func shuffled(pts []geofence.Point, seed uint64) []geofence.Point {
	out := slices.Clone(pts)
	rng := rand.New(rand.NewPCG(seed, 7))
	rng.Shuffle(len(out), func(i, j int) { out[i], out[j] = out[j], out[i] })
	return out
}

func phonesLast(sc *scenario.Scenario, pts []geofence.Point) []geofence.Point {
	phone := map[int64]bool{}
	for _, d := range sc.Devices {
		phone[d.ID] = d.Kind == scenario.Phone
	}
	var first, last []geofence.Point
	for _, p := range pts {
		if phone[p.Device] {
			last = append(last, p)
		} else {
			first = append(first, p)
		}
	}
	return append(first, last...)
}

func sameVisits(a, b []geofence.Visit) bool {
	return slices.EqualFunc(a, b, geofence.SameVisit)
}

func logDiff(t *testing.T, want, got []geofence.Visit) {
	t.Helper()
	for i := range max(len(want), len(got)) {
		var w, g geofence.Visit
		if i < len(want) {
			w = want[i]
		}
		if i < len(got) {
			g = got[i]
		}
		if !geofence.SameVisit(w, g) {
			t.Logf("  want %v\n        got  %v", w, g)
		}
	}
}
