package planner

import (
	"fmt"
	"math"
	"slices"

	"dozor/planner/check"
)

// EditKind names a supervisor's change to a plan.
type EditKind int

// Edit kinds.
const (
	// EditMove puts Visit at Position (an index into the stops, -1 or past
	// the end meaning last) of Collector's route, taking it out of its
	// current route if any.
	EditMove EditKind = iota + 1
	// EditReorder sets the order of the visits of Collector's route to
	// Visits, which must be a permutation of them; breaks keep their index.
	EditReorder
	// EditPin pins Visit to Collector (Fixed also freezes its place); a
	// visit planned elsewhere or not at all is appended to that route.
	EditPin
	// EditUnpin removes the pin of Visit.
	EditUnpin
	// EditDrop removes Visit from the plan and excludes it from the day.
	EditDrop
)

// Edit is one supervisor change.
type Edit struct {
	Kind      EditKind
	Visit     int
	Collector int
	Position  int
	Fixed     bool
	Visits    []int
}

// ApplyEdits applies edits in order to copies of p and plan and returns the
// copies; p and plan are not modified. Locks set by edits end up in the
// returned problem, so a later Solve with Options.Initial respects them. The
// result is not re-timed: call Evaluate.
func ApplyEdits(p *Problem, plan *Plan, edits []Edit) (*Problem, *Plan, error) {
	np := *p
	np.Visits = slices.Clone(p.Visits)
	pl := clonePlan(plan, len(p.Collectors))
	for i, e := range edits {
		if err := applyEdit(&np, pl, e); err != nil {
			return nil, nil, fmt.Errorf("apply edit %d: %w", i, err)
		}
	}
	return &np, pl, nil
}

func clonePlan(plan *Plan, collectors int) *Plan {
	pl := &Plan{Routes: make([]Route, collectors)}
	for k := range pl.Routes {
		pl.Routes[k].Collector = k
	}
	for _, rt := range plan.Routes {
		if rt.Collector >= 0 && rt.Collector < collectors {
			pl.Routes[rt.Collector].Stops = slices.Clone(rt.Stops)
		}
	}
	return pl
}

func applyEdit(p *Problem, pl *Plan, e Edit) error {
	if e.Kind != EditReorder && (e.Visit < 0 || e.Visit >= len(p.Visits)) {
		return fmt.Errorf("%w: unknown visit %d", ErrInvalidEdit, e.Visit)
	}
	needRoute := e.Kind == EditMove || e.Kind == EditReorder || e.Kind == EditPin
	if needRoute && (e.Collector < 0 || e.Collector >= len(p.Collectors)) {
		return fmt.Errorf("%w: unknown collector %d", ErrInvalidEdit, e.Collector)
	}
	switch e.Kind {
	case EditMove:
		takeOut(pl, e.Visit)
		putIn(&pl.Routes[e.Collector], e.Visit, e.Position)
	case EditReorder:
		return reorder(&pl.Routes[e.Collector], e.Visits)
	case EditPin:
		p.Visits[e.Visit].Lock = Lock{Pinned: true, Collector: e.Collector, Fixed: e.Fixed}
		if k, _ := find(pl, e.Visit); k != e.Collector {
			takeOut(pl, e.Visit)
			putIn(&pl.Routes[e.Collector], e.Visit, -1)
		}
	case EditUnpin:
		p.Visits[e.Visit].Lock = Lock{}
	case EditDrop:
		takeOut(pl, e.Visit)
		p.Visits[e.Visit].Lock = Lock{Excluded: true}
	default:
		return fmt.Errorf("%w: unknown kind %d", ErrInvalidEdit, e.Kind)
	}
	return nil
}

// find returns the route and stop index of visit v, or -1, -1.
func find(pl *Plan, v int) (int, int) {
	for k, rt := range pl.Routes {
		for s, st := range rt.Stops {
			if st.Visit == v {
				return k, s
			}
		}
	}
	return -1, -1
}

func takeOut(pl *Plan, v int) {
	if k, s := find(pl, v); k >= 0 {
		pl.Routes[k].Stops = slices.Delete(pl.Routes[k].Stops, s, s+1)
	}
}

func putIn(rt *Route, v, pos int) {
	if pos < 0 || pos > len(rt.Stops) {
		pos = len(rt.Stops)
	}
	rt.Stops = slices.Insert(rt.Stops, pos, Stop{Visit: v})
}

func reorder(rt *Route, order []int) error {
	var cur []int
	for _, st := range rt.Stops {
		if st.Visit >= 0 {
			cur = append(cur, st.Visit)
		}
	}
	a, b := slices.Clone(cur), slices.Clone(order)
	slices.Sort(a)
	slices.Sort(b)
	if !slices.Equal(a, b) {
		return fmt.Errorf("%w: reorder is not a permutation of the route", ErrInvalidEdit)
	}
	next := 0
	for s := range rt.Stops {
		if rt.Stops[s].Visit >= 0 {
			rt.Stops[s] = Stop{Visit: order[next]}
			next++
		}
	}
	return nil
}

// Evaluate re-times every route of plan, recomputes its totals and checks
// it with the independent checker. Stops start as early as possible, except
// that a planned Start later than that (a wait for a better presence hour,
// or a time the supervisor set) is kept while it stays inside the window;
// edits reset the Start of the stops they move. Breaks stay where the plan
// puts them; late stops are kept late and reported. It never refuses a plan: an infeasible one
// comes back with its violations. legal may be nil. It does not build the
// solver's data, so it costs O(plan size) plus the checker.
func Evaluate(p *Problem, plan *Plan, legal *Legal) (*Plan, *check.Report, error) {
	if err := p.Validate(); err != nil {
		return nil, nil, fmt.Errorf("evaluate: %w", err)
	}
	pl := clonePlan(plan, len(p.Collectors))
	planned := make([]bool, len(p.Visits))
	for k := range pl.Routes {
		if err := retime(p, &pl.Routes[k], planned); err != nil {
			return nil, nil, fmt.Errorf("evaluate: %w", err)
		}
	}
	totals(p, pl, planned)
	rep := check.Check(p.CheckProblem(legal), pl.CheckRoutes())
	return pl, rep, nil
}

// retime sets earliest arrival and start times along rt.
func retime(p *Problem, rt *Route, planned []bool) error {
	c := &p.Collectors[rt.Collector]
	mx := p.Matrix
	loc, t := c.Start, c.Shift.Open
	for s := range rt.Stops {
		st := &rt.Stops[s]
		if st.Visit < 0 {
			if st.Break < 0 || st.Break >= len(c.Breaks) {
				return fmt.Errorf("%w: route %d: unknown break %d", ErrInvalidPlan,
					rt.Collector, st.Break)
			}
			b := c.Breaks[st.Break]
			st.Arrival, st.Start = t, notBefore(t, b.Window, st.Start)
			t = st.Start + b.Duration
			continue
		}
		if st.Visit >= len(p.Visits) {
			return fmt.Errorf("%w: unknown visit %d", ErrInvalidPlan, st.Visit)
		}
		v := &p.Visits[st.Visit]
		planned[st.Visit] = true
		st.Arrival = t + mx.Duration(loc, v.Location)
		st.Start = notBefore(st.Arrival, v.Window, st.Start)
		t, loc = st.Start+v.Service, v.Location
	}
	if c.End != NoLocation {
		t += mx.Duration(loc, c.End)
	}
	rt.End = t
	return nil
}

// notBefore is the start of a stop reached at arrival: the planned start
// when it is a later time inside the window (a deliberate wait), otherwise
// the earliest start.
func notBefore(arrival int64, w Window, planned int64) int64 {
	start := max(arrival, w.Open)
	if planned > start && planned <= w.Close {
		return planned
	}
	return start
}

// totals fills the plan's objective figures from its timed routes.
func totals(p *Problem, pl *Plan, planned []bool) {
	tw := p.Objective.TravelWeight
	if tw == 0 {
		tw = 1
	}
	scale := p.Objective.ValueScale
	if scale == 0 {
		scale = DefaultValueScale
	}
	for _, rt := range pl.Routes {
		c := &p.Collectors[rt.Collector]
		loc, n := c.Start, 0
		for _, st := range rt.Stops {
			if st.Visit < 0 {
				continue
			}
			v := &p.Visits[st.Visit]
			pl.Distance += p.Matrix.Distance(loc, v.Location)
			pl.Prize += int64(math.Round(scale * v.Value * p.PresenceAt(st.Visit, st.Start)))
			loc = v.Location
			n++
		}
		if n > 0 {
			if c.End != NoLocation {
				pl.Distance += p.Matrix.Distance(loc, c.End)
			}
			pl.Vehicles++
		}
	}
	pl.Cost = tw*pl.Distance + p.Objective.RouteCost*int64(pl.Vehicles) - pl.Prize
	for i := range p.Visits {
		if !planned[i] {
			pl.Unplanned = append(pl.Unplanned, i)
		}
	}
}
