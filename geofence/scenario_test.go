package geofence_test

import (
	"fmt"
	"os"
	"slices"
	"sort"
	"testing"
	"time"

	"dozor/geofence"
	"dozor/geofence/scenario"
)

// collect folds events into the visits a consumer ends up with.
type collect struct {
	visits map[int64]geofence.Visit
	events map[geofence.EventType]int
}

func newCollect() *collect {
	return &collect{visits: map[int64]geofence.Visit{}, events: map[geofence.EventType]int{}}
}

func (c *collect) Emit(e geofence.Event) {
	c.events[e.Type]++
	if e.Visit.Status == geofence.StatusCancelled {
		delete(c.visits, e.Visit.ID)
		return
	}
	c.visits[e.Visit.ID] = e.Visit
}

func (c *collect) list() []geofence.Visit {
	out := make([]geofence.Visit, 0, len(c.visits))
	for _, v := range c.visits {
		out = append(out, v)
	}
	sort.Slice(out, func(i, j int) bool {
		a, b := out[i], out[j]
		if a.Collector != b.Collector {
			return a.Collector < b.Collector
		}
		if !a.ArrivedAt.Equal(b.ArrivedAt) {
			return a.ArrivedAt.Before(b.ArrivedAt)
		}
		return a.Zone < b.Zone
	})
	return out
}

// replay runs the engine over points delivered in chunks.
func replay(
	t testing.TB, sc *scenario.Scenario, pts []geofence.Point, chunk int,
) (*collect, *geofence.Engine) {
	t.Helper()
	ix := geofence.NewIndex(geofence.IndexConfig{})
	if err := ix.AddAll(sc.Zones); err != nil {
		t.Fatalf("seed %d: add zones: %v", sc.Seed, err)
	}
	c := newCollect()
	e := geofence.NewEngine(ix, geofence.Config{}, c)
	for i := 0; i < len(pts); i += chunk {
		e.Process(pts[i:min(i+chunk, len(pts))])
	}
	return c, e
}

type score struct {
	truth, got, matched, split int
	arrErr, depErr             []time.Duration
}

func (s *score) add(truth []scenario.Visit, got []geofence.Visit) {
	s.truth += len(truth)
	s.got += len(got)
	hits := make([]int, len(truth))
	for _, v := range got {
		best := -1
		for i, tv := range truth {
			if tv.Collector != v.Collector || tv.Zone != v.Zone {
				continue
			}
			dep := v.ArrivedAt.Add(time.Hour)
			if v.DepartedAt != nil {
				dep = *v.DepartedAt
			}
			if !dep.Before(tv.Arrived) && !v.ArrivedAt.After(tv.Departed) {
				best = i
				break
			}
		}
		if best < 0 {
			continue
		}
		hits[best]++
		if hits[best] == 1 {
			s.matched++
			tv := truth[best]
			s.arrErr = append(s.arrErr, absDur(v.ArrivedAt.Sub(tv.Arrived)))
			if v.DepartedAt != nil {
				s.depErr = append(s.depErr, absDur(v.DepartedAt.Sub(tv.Departed)))
			}
		} else {
			s.split++
		}
	}
}

func (s *score) precision() float64 { return ratio(s.matched, s.got-s.split) }
func (s *score) recall() float64    { return ratio(s.matched, s.truth) }

func ratio(a, b int) float64 {
	if b == 0 {
		return 1
	}
	return float64(a) / float64(b)
}

func absDur(d time.Duration) time.Duration {
	if d < 0 {
		return -d
	}
	return d
}

func medianDur(d []time.Duration) time.Duration {
	if len(d) == 0 {
		return 0
	}
	s := slices.Clone(d)
	slices.Sort(s)
	return s[len(s)/2]
}

func p90Dur(d []time.Duration) time.Duration {
	if len(d) == 0 {
		return 0
	}
	s := slices.Clone(d)
	slices.Sort(s)
	return s[len(s)*9/10]
}

// TestScenarioScore scores the engine against the generator's ground
// truth over many seeds, delivering fixes in arrival order (late batches
// and duplicates included). DOZOR_GEOFENCE_SEEDS=first:count scores other
// seeds, e.g. 1000:500 for a long run.
func TestScenarioScore(t *testing.T) {
	first, seeds := 0, 24
	if testing.Short() {
		seeds = 6
	}
	if env := os.Getenv("DOZOR_GEOFENCE_SEEDS"); env != "" {
		if _, err := fmt.Sscanf(env, "%d:%d", &first, &seeds); err != nil {
			t.Fatalf("DOZOR_GEOFENCE_SEEDS=%q: want first:count", env)
		}
	}
	var s score
	for seed := first; seed < first+seeds; seed++ {
		sc := scenario.Generate(scenario.Config{Seed: int64(seed), Collectors: 6})
		c, _ := replay(t, sc, sc.Points(), 40)
		var one score
		one.add(sc.Truth, c.list())
		if one.matched != one.truth || one.got != one.matched {
			t.Logf("seed %d (%s): truth %d got %d matched %d split %d", seed, sc.City,
				one.truth, one.got, one.matched, one.split)
		}
		s.add(sc.Truth, c.list())
	}
	t.Logf("visits: truth %d, reported %d, matched %d, split %d; precision %.4f recall %.4f",
		s.truth, s.got, s.matched, s.split, s.precision(), s.recall())
	t.Logf("arrival error median %v p90 %v; departure error median %v p90 %v",
		medianDur(s.arrErr), p90Dur(s.arrErr), medianDur(s.depErr), p90Dur(s.depErr))
	if s.precision() < 0.99 || s.recall() < 0.99 {
		t.Errorf("precision %.4f recall %.4f, want >= 0.99", s.precision(), s.recall())
	}
	if s.split > 0 {
		t.Errorf("%d visits split in two", s.split)
	}
	if m := medianDur(s.arrErr); m > 30*time.Second {
		t.Errorf("median arrival error %v, want < 30s", m)
	}
	if m := medianDur(s.depErr); m > 30*time.Second {
		t.Errorf("median departure error %v, want < 30s", m)
	}
}
