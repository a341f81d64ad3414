package planner

import (
	"errors"
	"fmt"
)

// NoLocation as a collector's End means the day ends at the last visit: the
// trip home is neither timed nor counted.
const NoLocation = -1

// maxVisits bounds the number of candidate visits of one problem.
const maxVisits = 1 << 21

// Sentinel errors returned (wrapped) by Solve, Evaluate and ApplyEdits.
var (
	// ErrInvalidProblem reports an inconsistent problem description.
	ErrInvalidProblem = errors.New("planner: invalid problem")
	// ErrInvalidPlan reports a plan that does not fit its problem.
	ErrInvalidPlan = errors.New("planner: invalid plan")
	// ErrInvalidEdit reports an edit that cannot be applied.
	ErrInvalidEdit = errors.New("planner: invalid edit")
)

// Matrix gives travel durations and distances between locations 0..Len()-1.
// It may be asymmetric. Durations are in the problem's time unit; distances
// are in any unit, multiplied by Objective.TravelWeight.
type Matrix interface {
	Len() int
	Duration(from, to int) int64
	Distance(from, to int) int64
}

// Window is a closed interval of allowed service start times.
type Window struct {
	Open, Close int64
}

// Contains reports whether t lies in the window.
func (w Window) Contains(t int64) bool { return t >= w.Open && t <= w.Close }

// Intersect returns the intersection of two windows; it is empty
// (Open > Close) when they do not overlap.
func (w Window) Intersect(o Window) Window {
	return Window{Open: max(w.Open, o.Open), Close: min(w.Close, o.Close)}
}

// Empty reports whether the window contains no time.
func (w Window) Empty() bool { return w.Open > w.Close }

// Break is a pause a collector must take: it starts inside Window and lasts
// Duration. It is taken where the collector is (after the previous stop), so
// it adds no travel.
type Break struct {
	Window   Window
	Duration int64
}

// Collector is one member of the field team for the day.
type Collector struct {
	ID string
	// Start and End are locations; End may be NoLocation.
	Start, End int
	// Shift bounds the day: leave Start not before Open, be back at End
	// (or finish the last visit when End is NoLocation) not after Close.
	Shift Window
	// Capacity bounds the sum of Visit.Demand on the route; 0 means none.
	Capacity int64
	// MaxVisits bounds the number of visits; 0 means none.
	MaxVisits int
	// Breaks, each taken once, anywhere in the route where it fits.
	Breaks []Break
}

// Lock is a supervisor's constraint on one visit. The zero value means no
// lock.
type Lock struct {
	// Excluded visits are never planned.
	Excluded bool
	// Collector, when Pinned, is the index of the only collector allowed to
	// make the visit, and the visit must be made.
	Pinned    bool
	Collector int
	// Fixed (with Pinned) keeps the visit in its place in Options.Initial:
	// it is never removed and fixed visits keep their relative order.
	Fixed bool
}

// Visit is a candidate visit of one debtor address.
type Visit struct {
	ID       string
	Location int
	// Service is the expected duration of the visit.
	Service int64
	// Window bounds the start of service (legal contact hours intersected
	// with appointments); see ContactWindow.
	Window Window
	// Demand counts against Collector.Capacity.
	Demand int64
	// Value is the worth of a successful contact (priority, amount
	// overdue, or 1 to count contacts).
	Value float64
	// Presence[k] is the probability that the debtor is at the address when
	// the visit starts in [k*PresenceStep, (k+1)*PresenceStep); times past
	// the end use the last entry. Nil means 1 everywhere.
	Presence []float64
	// Mandatory visits must be planned (VRPTW); the solver prefers an
	// infeasible-free plan that serves them over any optional value.
	Mandatory bool
	// MeetingsThisWeek counts personal meetings already made this week;
	// with Problem.WeeklyLimit > 0 a debtor at the limit is not planned.
	MeetingsThisWeek int
	Lock             Lock
}

// Objective weighs the terms of the cost the solver minimises:
// TravelWeight*distance + RouteCost*(routes used) - sum of prizes, where the
// prize of a visit is round(ValueScale * Value * presence(start)).
type Objective struct {
	// TravelWeight multiplies Matrix.Distance; default 1.
	TravelWeight int64
	// ValueScale converts Value into cost units; default DefaultValueScale.
	ValueScale float64
	// RouteCost is charged per collector with at least one visit.
	RouteCost int64
	// Stability is charged for every visit of Options.Initial that ends up
	// with another collector or unplanned, so that re-planning after an edit
	// keeps the supervisor's plan where it can.
	Stability int64
}

// DefaultValueScale makes one unit of value worth 10^6 distance units, so
// that (with metres) a contact is never traded for travel.
const DefaultValueScale = 1e6

// Problem is one planning day.
type Problem struct {
	Collectors []Collector
	Visits     []Visit
	Matrix     Matrix
	// PresenceStep is the bucket length of Visit.Presence, in time units
	// (3600 for hourly profiles in seconds). Required when any visit has a
	// presence profile.
	PresenceStep int64
	// WeeklyLimit is the maximum number of personal meetings per debtor per
	// week (1 by law); 0 disables the rule.
	WeeklyLimit int
	Objective   Objective
}

// Stop is one element of a planned route.
type Stop struct {
	// Visit is an index into Problem.Visits, or -1 for a break.
	Visit int
	// Break is the index into Collector.Breaks when Visit is -1.
	Break int
	// Arrival and Start are filled by the planner (Start is the start of
	// service); Evaluate re-computes them.
	Arrival, Start int64
}

// Route is the day of one collector.
type Route struct {
	Collector int
	Stops     []Stop
	// End is the time the collector is back at End (or finishes).
	End int64
}

// Plan is a solution: one route per collector, in collector order.
type Plan struct {
	Routes []Route
	// Unplanned lists the visits not in any route.
	Unplanned []int
	// Cost is the objective value (lower is better):
	// TravelWeight*Distance + RouteCost*Vehicles - Prize. It leaves out the
	// search's internal terms (mandatory visits, stability).
	Cost int64
	// Distance is the total travelled distance; Prize the sum of prizes.
	Distance, Prize int64
	// Vehicles counts routes with at least one visit.
	Vehicles int
	// Iterations is the number of ruin-and-recreate iterations run (all
	// workers); 0 for plans built by Evaluate.
	Iterations int
}

// Validate checks the internal consistency of the problem.
func (p *Problem) Validate() error {
	if p.Matrix == nil {
		return fmt.Errorf("%w: no matrix", ErrInvalidProblem)
	}
	n := p.Matrix.Len()
	if len(p.Collectors) == 0 {
		return fmt.Errorf("%w: no collectors", ErrInvalidProblem)
	}
	for k, c := range p.Collectors {
		if c.Start < 0 || c.Start >= n || c.End < NoLocation || c.End >= n {
			return fmt.Errorf("%w: collector %d: location out of range", ErrInvalidProblem, k)
		}
		if c.Shift.Empty() {
			return fmt.Errorf("%w: collector %d: empty shift", ErrInvalidProblem, k)
		}
	}
	if len(p.Visits) >= maxVisits {
		return fmt.Errorf("%w: more than %d visits", ErrInvalidProblem, maxVisits-1)
	}
	for i, v := range p.Visits {
		if v.Location < 0 || v.Location >= n {
			return fmt.Errorf("%w: visit %d: location out of range", ErrInvalidProblem, i)
		}
		if v.Service < 0 {
			return fmt.Errorf("%w: visit %d: negative service", ErrInvalidProblem, i)
		}
		if v.Lock.Pinned && (v.Lock.Collector < 0 || v.Lock.Collector >= len(p.Collectors)) {
			return fmt.Errorf("%w: visit %d: pinned to unknown collector", ErrInvalidProblem, i)
		}
		if len(v.Presence) > 0 && p.PresenceStep <= 0 {
			return fmt.Errorf("%w: visit %d: presence without PresenceStep", ErrInvalidProblem, i)
		}
	}
	return nil
}

// Eligible reports whether visit i may be planned at all: not excluded, not
// over the weekly limit and with a non-empty window.
func (p *Problem) Eligible(i int) bool {
	v := &p.Visits[i]
	if v.Lock.Excluded || v.Window.Empty() {
		return false
	}
	return p.WeeklyLimit <= 0 || v.MeetingsThisWeek < p.WeeklyLimit
}

// PresenceAt returns the probability that visit i's debtor is present when
// service starts at t.
func (p *Problem) PresenceAt(i int, t int64) float64 {
	pr := p.Visits[i].Presence
	if len(pr) == 0 {
		return 1
	}
	k := 0
	if t > 0 {
		k = int(t / p.PresenceStep)
	}
	return pr[min(k, len(pr)-1)]
}
