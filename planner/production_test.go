package planner_test

import (
	"context"
	"flag"
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"
	"time"

	"dozor/planner"
	"dozor/planner/check"
	"dozor/planner/matrix"
)

// Run the production-size day (30 collectors, 2,000 candidates) with
//
//	go test ./planner -run TestProductionDay -v -args -production
var production = flag.Bool("production", false, "plan a full production-size day")

// day is a generated planning day with what the checker needs for the
// legal-hours rule.
type day struct {
	p     *planner.Problem
	legal *planner.Legal
}

// newDay builds a synthetic day in Moscow: collectors living around the
// centre (shift 09:00-19:00, lunch break of 45 minutes starting between
// 12:00 and 14:00), debtors in a 20 km square, some of them in another time
// zone or on a regional holiday, some already met this week, hourly presence
// profiles peaking in the evening or the morning.
func newDay(collectors, visits int, seed uint64) day {
	rng := rand.New(rand.NewPCG(seed, 99))
	moscow, _ := time.LoadLocation("Europe/Moscow")
	samara, _ := time.LoadLocation("Europe/Samara")
	origin := time.Date(2026, 3, 4, 0, 0, 0, 0, moscow) // a Wednesday
	pts := make([]matrix.Point, 0, collectors+visits)
	jitter := func() matrix.Point {
		return matrix.Point{Lat: 55.75 + (rng.Float64()-0.5)*0.18,
			Lon: 37.62 + (rng.Float64()-0.5)*0.32}
	}
	p := &planner.Problem{PresenceStep: 3600, WeeklyLimit: 1}
	legal := &planner.Legal{Origin: origin, Unit: time.Second}
	h := int64(3600)
	for k := range collectors {
		pts = append(pts, jitter())
		p.Collectors = append(p.Collectors, planner.Collector{ID: fmt.Sprint("c", k),
			Start: k, End: k, Shift: planner.Window{Open: 9 * h, Close: 19 * h},
			Breaks: []planner.Break{{Window: planner.Window{Open: 12 * h, Close: 14 * h},
				Duration: 45 * 60}}})
	}
	for i := range visits {
		pts = append(pts, jitter())
		zone, holiday := moscow, false
		if i%10 == 0 {
			zone = samara // legal hours shift by an hour
		}
		if i%17 == 0 {
			holiday = true
		}
		service := int64(15+rng.IntN(16)) * 60
		w := planner.ContactWindow(origin, time.Second, zone, holiday, service)
		pres := make([]float64, 24)
		evening := rng.IntN(2) == 0
		for hr := range pres {
			pres[hr] = 0.15 + 0.1*rng.Float64()
			if (evening && hr >= 17) || (!evening && hr < 12) {
				pres[hr] += 0.4
			}
		}
		v := planner.Visit{ID: fmt.Sprint("v", i), Location: collectors + i,
			Service: service, Window: w, Value: float64(1 + rng.IntN(5)), Presence: pres}
		if rng.IntN(20) == 0 {
			v.MeetingsThisWeek = 1
		}
		p.Visits = append(p.Visits, v)
		legal.Zones = append(legal.Zones, zone)
		legal.Holidays = append(legal.Holidays, holiday)
	}
	p.Matrix = matrix.Haversine{}.Compute(pts)
	return day{p: p, legal: legal}
}

func checkDay(t *testing.T, d day, plan *planner.Plan) *check.Report {
	t.Helper()
	rep := check.Check(d.p.CheckProblem(d.legal), plan.CheckRoutes())
	for _, v := range rep.Violations {
		t.Errorf("checker: %s", v)
	}
	return rep
}

func TestProductionDay(t *testing.T) {
	collectors, visits, limit := 6, 400, 1500*time.Millisecond
	if *production {
		collectors, visits, limit = 30, 2000, 25*time.Second
	}
	d := newDay(collectors, visits, 1)
	d.p.Visits[3].Lock = planner.Lock{Pinned: true, Collector: 2}
	d.p.Visits[5].Lock = planner.Lock{Excluded: true}
	began, cpu := time.Now(), cpuTime()
	plan, err := planner.Solve(context.Background(), d.p,
		planner.Options{TimeLimit: limit, Seed: 1, Workers: 1})
	if err != nil {
		t.Fatal(err)
	}
	elapsed := time.Since(began)
	t.Logf("%d collectors, %d candidates: planned in %v (CPU %v, %d iterations)", collectors,
		visits, elapsed.Round(time.Millisecond), (cpuTime() - cpu).Round(time.Millisecond),
		plan.Iterations)
	began, cpu = time.Now(), cpuTime()
	rep := checkDay(t, d, plan)
	t.Logf("checked in %v (CPU %v): %d visits, %.1f expected contacts, %.0f km",
		time.Since(began), cpuTime()-cpu, rep.Total.Visits, rep.Total.ExpectedContacts,
		rep.Total.Distance/1000)
	if elapsed > limit+5*time.Second {
		t.Errorf("planning took %v for a limit of %v", elapsed, limit)
	}
	assertLocks(t, d.p, plan)
	edit(t, d, plan)
}

func assertLocks(t *testing.T, p *planner.Problem, plan *planner.Plan) {
	t.Helper()
	for k, rt := range plan.Routes {
		for _, st := range rt.Stops {
			if st.Visit < 0 {
				continue
			}
			v := p.Visits[st.Visit]
			switch {
			case v.Lock.Excluded:
				t.Errorf("excluded visit %d planned", st.Visit)
			case v.Lock.Pinned && v.Lock.Collector != k:
				t.Errorf("visit %d pinned to %d planned for %d", st.Visit, v.Lock.Collector, k)
			case v.MeetingsThisWeek >= p.WeeklyLimit:
				t.Errorf("visit %d over the weekly limit planned", st.Visit)
			}
		}
	}
}

// edit plays a supervisor: move a visit to another collector, reorder a
// route, pin one visit, drop another; the plan is re-timed and re-checked,
// then re-optimised around the locks.
func edit(t *testing.T, d day, plan *planner.Plan) {
	t.Helper()
	r0 := visitsOf(plan.Routes[0])
	r1 := visitsOf(plan.Routes[1])
	if len(r0) < 3 || len(r1) < 2 {
		t.Fatalf("routes too short to edit: %v %v", r0, r1)
	}
	rev := slices.Clone(r1)
	slices.Reverse(rev)
	edits := []planner.Edit{
		{Kind: planner.EditMove, Visit: r0[0], Collector: 1, Position: 1},
		{Kind: planner.EditReorder, Collector: 1, Visits: append([]int{r0[0]}, rev...)},
		{Kind: planner.EditPin, Visit: r0[1], Collector: 0, Fixed: true},
		{Kind: planner.EditDrop, Visit: r0[2]},
	}
	began, cpu := time.Now(), cpuTime()
	p2, edited, err := planner.ApplyEdits(d.p, plan, edits)
	if err != nil {
		t.Fatal(err)
	}
	timed, rep, err := planner.Evaluate(p2, edited, d.legal)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("edit re-timed and checked in %v (CPU %v): feasible=%v, %d violations",
		time.Since(began), cpuTime()-cpu, rep.Feasible, len(rep.Violations))
	for _, v := range rep.Violations {
		t.Logf("  %s", v)
	}
	if d.p.Visits[r0[2]].Lock.Excluded {
		t.Errorf("ApplyEdits modified the caller's problem")
	}
	p2.Objective.Stability = 10 * planner.DefaultValueScale
	began, cpu = time.Now(), cpuTime()
	re, err := planner.Solve(context.Background(), p2,
		planner.Options{TimeLimit: time.Second, Seed: 1, Initial: timed})
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("re-planned around the edit in %v (CPU %v)", time.Since(began),
		(cpuTime() - cpu).Round(time.Millisecond))
	checkDay(t, day{p: p2, legal: d.legal}, re)
	assertLocks(t, p2, re)
	if k, _ := where(re, r0[1]); k != 0 {
		t.Errorf("pinned visit %d ended in route %d", r0[1], k)
	}
	kept, total := 0, 0
	for k, rt := range timed.Routes {
		for _, v := range visitsOf(rt) {
			total++
			if kk, _ := where(re, v); kk == k {
				kept++
			}
		}
	}
	t.Logf("stability: %d of %d edited-plan visits kept their collector", kept, total)
	if kept < total*9/10 {
		t.Errorf("re-plan moved too much: %d of %d kept", kept, total)
	}
}

func visitsOf(rt planner.Route) []int {
	var out []int
	for _, st := range rt.Stops {
		if st.Visit >= 0 {
			out = append(out, st.Visit)
		}
	}
	return out
}

func where(pl *planner.Plan, v int) (int, int) {
	for k, rt := range pl.Routes {
		for s, st := range rt.Stops {
			if st.Visit == v {
				return k, s
			}
		}
	}
	return -1, -1
}

// TestRandomDaysFeasible plans several small random days with breaks,
// presence profiles and legal hours and checks every plan.
func TestRandomDaysFeasible(t *testing.T) {
	for seed := range uint64(5) {
		d := newDay(3+int(seed), 150, seed+10)
		plan, err := planner.Solve(context.Background(), d.p,
			planner.Options{Iterations: 1500, TimeLimit: time.Minute, Seed: seed})
		if err != nil {
			t.Fatal(err)
		}
		rep := checkDay(t, d, plan)
		if rep.Total.Visits == 0 {
			t.Errorf("seed %d: empty plan", seed)
		}
		assertLocks(t, d.p, plan)
	}
}
