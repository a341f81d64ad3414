package planner_test

import (
	"context"
	"math/rand/v2"
	"os"
	"reflect"
	"testing"
	"time"

	"dozor/planner"
	"dozor/planner/bench"
	"dozor/planner/check"
	"dozor/planner/exact"
	"dozor/planner/matrix"
)

// solve runs the solver with an iteration budget and passes the plan
// through the independent checker.
func solve(t *testing.T, p *planner.Problem, opt planner.Options) (*planner.Plan, *check.Report) {
	t.Helper()
	if opt.TimeLimit == 0 {
		opt.TimeLimit = 20 * time.Second
	}
	plan, err := planner.Solve(context.Background(), p, opt)
	if err != nil {
		t.Fatalf("solve: %v", err)
	}
	rep := check.Check(p.CheckProblem(nil), plan.CheckRoutes())
	for _, v := range rep.Violations {
		t.Errorf("checker: %s", v)
	}
	return plan, rep
}

// randomInstance builds a small single-depot instance with integer
// coordinates, windows and profits, in both the planner's and the oracle's
// form.
func randomInstance(rng *rand.Rand, n int, tight bool) (*planner.Problem, *exact.Instance) {
	type pt struct{ x, y int64 }
	pts := make([]pt, n+1)
	for i := range pts {
		pts[i] = pt{rng.Int64N(50), rng.Int64N(50)}
	}
	tab := matrix.NewTable(n + 1)
	ex := &exact.Instance{Dur: make([][]int64, n+1), Dist: make([][]int64, n+1)}
	for a := range pts {
		ex.Dur[a] = make([]int64, n+1)
		ex.Dist[a] = make([]int64, n+1)
		for b := range pts {
			dx, dy := pts[a].x-pts[b].x, pts[a].y-pts[b].y
			d := abs(dx) + abs(dy) // Manhattan keeps everything integral
			tab.Set(a, b, d, d)
			ex.Dur[a][b], ex.Dist[a][b] = d, d
		}
	}
	horizon := int64(400)
	if tight {
		horizon = 200
	}
	p := &planner.Problem{Matrix: tab}
	ex.Service = append(ex.Service, 0)
	ex.Open = append(ex.Open, 0)
	ex.Close = append(ex.Close, horizon)
	ex.Demand = append(ex.Demand, 0)
	ex.Profit = append(ex.Profit, 0)
	for i := 1; i <= n; i++ {
		open := rng.Int64N(horizon / 2)
		w := planner.Window{Open: open, Close: open + 30 + rng.Int64N(horizon/2)}
		v := planner.Visit{Location: i, Service: 5 + rng.Int64N(10), Window: w,
			Demand: 1 + rng.Int64N(5), Value: float64(1 + rng.IntN(20))}
		p.Visits = append(p.Visits, v)
		ex.Service = append(ex.Service, v.Service)
		ex.Open = append(ex.Open, w.Open)
		ex.Close = append(ex.Close, w.Close)
		ex.Demand = append(ex.Demand, v.Demand)
		ex.Profit = append(ex.Profit, int64(v.Value))
	}
	return p, ex
}

func abs(x int64) int64 {
	if x < 0 {
		return -x
	}
	return x
}

func collectors(m int, horizon, capacity int64) []planner.Collector {
	cs := make([]planner.Collector, m)
	for k := range cs {
		cs[k] = planner.Collector{Start: 0, End: 0, Capacity: capacity,
			Shift: planner.Window{Open: 0, Close: horizon}}
	}
	return cs
}

// TestOrienteeringMatchesExact compares the solver with the exact dynamic
// programme on random small TOPTW instances (one and two tours).
func TestOrienteeringMatchesExact(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 7))
	for trial := range 12 {
		p, ex := randomInstance(rng, 10, true)
		tours := 1 + trial%2
		p.Collectors = collectors(tours, ex.Close[0], 0)
		want, err := exact.MaxProfit(ex, tours)
		if err != nil {
			t.Fatal(err)
		}
		_, rep := solve(t, p, planner.Options{Iterations: 3000, Seed: uint64(trial)})
		if got := int64(rep.Total.Value); got != want {
			t.Errorf("trial %d (m=%d): profit %d, optimum %d", trial, tours, got, want)
		}
	}
}

// TestVRPTWMatchesExact compares the solver with the exact minimum distance
// when every customer must be served, with capacities.
func TestVRPTWMatchesExact(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 9))
	for trial := range 10 {
		p, ex := randomInstance(rng, 9, false)
		ex.Capacity = 15
		p.Collectors = collectors(9, ex.Close[0], ex.Capacity)
		for i := range p.Visits {
			p.Visits[i].Mandatory = true
		}
		want, ok, err := exact.MinDistance(ex, 9)
		if err != nil || !ok {
			t.Fatalf("trial %d: oracle: ok=%v err=%v", trial, ok, err)
		}
		_, rep := solve(t, p, planner.Options{Iterations: 3000, Seed: uint64(trial)})
		if got := int64(rep.Total.Distance); got != want || rep.Total.Visits != 9 {
			t.Errorf("trial %d: distance %d with %d visits, optimum %d", trial, got,
				rep.Total.Visits, want)
		}
	}
}

func readSolomon(t *testing.T, path string) *bench.Instance {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	in, err := bench.ReadSolomon(f)
	if err != nil {
		t.Fatal(err)
	}
	return in
}

// TestDeterministic checks that the same seed and worker count give the
// same plan.
func TestDeterministic(t *testing.T) {
	in := readSolomon(t, "testdata/R101.txt")
	opt := planner.Options{Iterations: 1500, Seed: 42, Workers: 2}
	a, _ := solve(t, in.SolomonProblem(bench.DistanceOnly), opt)
	b, _ := solve(t, in.SolomonProblem(bench.DistanceOnly), opt)
	if !reflect.DeepEqual(a, b) {
		t.Fatalf("two runs differ: cost %d vs %d", a.Cost, b.Cost)
	}
	opt.Seed = 43
	c, _ := solve(t, in.SolomonProblem(bench.DistanceOnly), opt)
	t.Logf("seed 42: %d, seed 43: %d", a.Distance, c.Distance)
}

// TestSolomonFeasible solves a Solomon instance briefly, checked in the
// benchmark's double-precision arithmetic.
func TestSolomonFeasible(t *testing.T) {
	in := readSolomon(t, "testdata/RC201.txt")
	plan, _ := solve(t, in.SolomonProblem(bench.Hierarchical),
		planner.Options{Iterations: 2000, Seed: 1})
	var routes []check.Route
	for _, rt := range plan.Routes {
		cr := check.Route{Collector: rt.Collector}
		for _, st := range rt.Stops {
			cr.Stops = append(cr.Stops, check.Stop{Visit: st.Visit})
		}
		routes = append(routes, cr)
	}
	rep := check.Check(in.CheckProblem(in.Vehicles, true), routes)
	for _, v := range rep.Violations {
		t.Errorf("exact arithmetic: %s", v)
	}
	if len(plan.Unplanned) != 0 {
		t.Errorf("unplanned customers: %v", plan.Unplanned)
	}
}
