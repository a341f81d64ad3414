package planner_test

import (
	"context"
	"testing"

	"dozor/planner"
	"dozor/planner/check"
	"dozor/planner/matrix"
)

// lineProblem puts the depot at 0 and visits at 1..n on a line, ten time
// units apart, with one collector working [0, horizon].
func lineProblem(n int, horizon int64) *planner.Problem {
	tab := matrix.NewTable(n + 1)
	for a := 0; a <= n; a++ {
		for b := 0; b <= n; b++ {
			d := int64(10 * (a - b))
			if d < 0 {
				d = -d
			}
			tab.Set(a, b, d, d)
		}
	}
	p := &planner.Problem{Matrix: tab, Collectors: []planner.Collector{
		{Start: 0, End: 0, Shift: planner.Window{Open: 0, Close: horizon}}}}
	for i := 1; i <= n; i++ {
		p.Visits = append(p.Visits, planner.Visit{Location: i, Service: 5, Value: 1,
			Window: planner.Window{Open: 0, Close: horizon}})
	}
	return p
}

func TestWaitsForPresence(t *testing.T) {
	p := lineProblem(1, 1000)
	p.PresenceStep = 100
	p.Visits[0].Presence = []float64{0.1, 0.2, 0.9, 0.3}
	plan, rep := solve(t, p, planner.Options{Iterations: 50})
	if st := plan.Routes[0].Stops[0]; st.Start != 200 || st.Arrival != 10 {
		t.Fatalf("visit starts at %d (arrival %d), want 200", st.Start, st.Arrival)
	}
	if rep.Total.ExpectedContacts != 0.9 {
		t.Fatalf("expected contacts %.2f", rep.Total.ExpectedContacts)
	}
}

func TestBreakIsTaken(t *testing.T) {
	p := lineProblem(6, 300)
	p.Collectors[0].Breaks = []planner.Break{{Window: planner.Window{Open: 60, Close: 80},
		Duration: 30}}
	plan, rep := solve(t, p, planner.Options{Iterations: 300})
	if rep.Total.Visits != 6 {
		t.Errorf("%d visits, want all 6", rep.Total.Visits)
	}
	breaks := 0
	for _, st := range plan.Routes[0].Stops {
		if st.Visit < 0 {
			breaks++
			if st.Start < 60 || st.Start > 80 {
				t.Errorf("break at %d", st.Start)
			}
		}
	}
	if breaks != 1 {
		t.Errorf("%d breaks in the route", breaks)
	}
}

func TestFixedVisitsKeepOrder(t *testing.T) {
	p := lineProblem(6, 1000)
	p.Collectors = append(p.Collectors, p.Collectors[0])
	// The supervisor fixed 5 before 2 for collector 1 (a detour) and
	// excluded 4.
	for _, i := range []int{4, 1} {
		p.Visits[i].Lock = planner.Lock{Pinned: true, Collector: 1, Fixed: true}
	}
	p.Visits[3].Lock = planner.Lock{Excluded: true}
	init := &planner.Plan{Routes: []planner.Route{{Collector: 1,
		Stops: []planner.Stop{{Visit: 4}, {Visit: 1}}}}}
	plan, _ := solve(t, p, planner.Options{Iterations: 500, Initial: init})
	pos := map[int]int{}
	for s, st := range plan.Routes[1].Stops {
		pos[st.Visit] = s
	}
	a, okA := pos[4]
	b, okB := pos[1]
	if !okA || !okB || a > b {
		t.Fatalf("fixed visits moved: route 1 %v", plan.Routes[1].Stops)
	}
	for _, rt := range plan.Routes {
		for _, st := range rt.Stops {
			if st.Visit == 3 {
				t.Fatalf("excluded visit planned")
			}
		}
	}
}

func TestEvaluateShowsViolations(t *testing.T) {
	p := lineProblem(3, 50)
	bad := &planner.Plan{Routes: []planner.Route{{Collector: 0,
		Stops: []planner.Stop{{Visit: 2}, {Visit: 0}, {Visit: 1}}}}}
	timed, rep, err := planner.Evaluate(p, bad, nil)
	if err != nil {
		t.Fatal(err)
	}
	if rep.Feasible || len(rep.Violations) == 0 {
		t.Fatalf("infeasible plan reported feasible")
	}
	if timed.Routes[0].Stops[2].Start != 30+5+20+5+10 {
		t.Errorf("re-timed start %d", timed.Routes[0].Stops[2].Start)
	}
	_, _, err = planner.ApplyEdits(p, bad, []planner.Edit{{Kind: planner.EditReorder,
		Collector: 0, Visits: []int{0, 1}}})
	if err == nil {
		t.Errorf("reorder that drops a visit accepted")
	}
}

func TestPlanTotalsExcludeArtificialPrizes(t *testing.T) {
	p := lineProblem(3, 1000)
	for i := range p.Visits {
		p.Visits[i].Mandatory = true
	}
	plan, _ := solve(t, p, planner.Options{Iterations: 100})
	if plan.Prize != 3*planner.DefaultValueScale || plan.Distance != 60 {
		t.Fatalf("prize %d distance %d", plan.Prize, plan.Distance)
	}
}

func TestEvaluateAgreesWithSolve(t *testing.T) {
	d := newDay(3, 60, 5)
	plan, _ := solve(t, d.p, planner.Options{Iterations: 500})
	again, rep, err := planner.Evaluate(d.p, plan, d.legal)
	if err != nil {
		t.Fatal(err)
	}
	if again.Distance != plan.Distance || again.Vehicles != plan.Vehicles {
		t.Errorf("evaluate: distance %d vehicles %d, solve: %d %d", again.Distance,
			again.Vehicles, plan.Distance, plan.Vehicles)
	}
	// Evaluate keeps the solver's waits for better presence hours.
	if again.Prize != plan.Prize || again.Cost != plan.Cost || !rep.Feasible {
		t.Errorf("evaluate prize %d cost %d, solve %d %d; violations %v", again.Prize,
			again.Cost, plan.Prize, plan.Cost, rep.Violations)
	}
}

func TestInfeasibleInitialPlanIsRepaired(t *testing.T) {
	p := lineProblem(4, 60)
	// The supervisor fixed all four visits on a day too short for them.
	init := &planner.Plan{Routes: []planner.Route{{Collector: 0}}}
	for i := range p.Visits {
		p.Visits[i].Lock = planner.Lock{Pinned: true, Collector: 0, Fixed: true}
		init.Routes[0].Stops = append(init.Routes[0].Stops, planner.Stop{Visit: 3 - i})
	}
	plan, err := planner.Solve(context.Background(), p,
		planner.Options{Iterations: 100, Initial: init})
	if err != nil {
		t.Fatal(err)
	}
	_, rep, err := planner.Evaluate(p, plan, nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, v := range rep.Violations {
		if v.Kind != check.MissingVisit {
			t.Errorf("solver returned an infeasible route: %s", v)
		}
	}
	if len(plan.Unplanned) == 0 {
		t.Errorf("all visits planned on a day too short for them")
	}
}

func TestUnreachablePairs(t *testing.T) {
	p := lineProblem(3, 1000)
	tab := p.Matrix.(*matrix.Table)
	tab.Set(1, 2, matrix.Unreachable, matrix.Unreachable)
	p.Visits[0].Lock = planner.Lock{Pinned: true, Collector: 0}
	_, rep := solve(t, p, planner.Options{Iterations: 200})
	if rep.Total.Visits != 3 {
		t.Errorf("%d visits planned", rep.Total.Visits)
	}
}

func TestNothingToPlan(t *testing.T) {
	p := lineProblem(2, 100)
	for i := range p.Visits {
		p.Visits[i].Lock.Excluded = true
	}
	plan, rep := solve(t, p, planner.Options{Iterations: 10})
	if rep.Total.Visits != 0 || len(plan.Unplanned) != 2 {
		t.Fatalf("visits %d unplanned %v", rep.Total.Visits, plan.Unplanned)
	}
	p.Visits = nil
	if _, rep := solve(t, p, planner.Options{Iterations: 10}); rep.Total.Visits != 0 {
		t.Fatalf("no visits: %d planned", rep.Total.Visits)
	}
}
