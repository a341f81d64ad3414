// Package check validates a collector day plan independently of the solver
// that produced it: it re-times every route from the travel function, checks
// windows, shifts, breaks, capacity, locks and the legal limits on contacting
// debtors, and computes the plan's KPIs.
//
// The package deliberately shares no code with planner (it must not import
// it): its own types, its own float arithmetic, its own reading of the legal
// rules. Every solver test passes its output through Check.
package check

import (
	"fmt"
	"math"
	"time"
)

// DefaultTolerance absorbs float rounding when comparing times.
const DefaultTolerance = 1e-6

// Legal contact hours in the debtor's local time (issue 8).
const (
	weekdayOpen  = 8 * time.Hour
	weekdayClose = 22 * time.Hour
	weekendOpen  = 9 * time.Hour
	weekendClose = 20 * time.Hour
)

// Kind names a class of violation.
type Kind string

// Violation kinds.
const (
	UnknownVisit  Kind = "unknown_visit"
	UnknownBreak  Kind = "unknown_break"
	Duplicate     Kind = "duplicate"
	Excluded      Kind = "excluded"
	WeeklyLimit   Kind = "weekly_limit"
	PinViolated   Kind = "pin_violated"
	MissingVisit  Kind = "missing_mandatory"
	StartTooEarly Kind = "start_before_arrival"
	WindowMissed  Kind = "window"
	LegalHours    Kind = "legal_hours"
	Overtime      Kind = "overtime"
	MissingBreak  Kind = "missing_break"
	BreakWindow   Kind = "break_window"
	Capacity      Kind = "capacity"
	TooManyVisits Kind = "max_visits"
	UnknownRoute  Kind = "unknown_collector"
)

// Window is a closed interval of allowed service start times.
type Window struct{ Open, Close float64 }

// Break is a pause of Duration starting inside Window, taken where the
// collector is.
type Break struct {
	Window   Window
	Duration float64
}

// Collector is a member of the field team. End < 0 means the day ends with
// the last visit.
type Collector struct {
	ID         string
	Start, End int
	Shift      Window
	Capacity   float64 // 0: none
	MaxVisits  int     // 0: none
	Breaks     []Break
}

// Visit is a candidate visit.
type Visit struct {
	ID       string
	Location int
	Service  float64
	// Windows bound the start of service; the start must lie in one of
	// them. None means any time.
	Windows []Window
	Demand  float64
	Value   float64
	// Presence per PresenceStep bucket; nil means 1.
	Presence         []float64
	Mandatory        bool
	MeetingsThisWeek int
	Excluded         bool
	Pinned           bool
	Collector        int // with Pinned
	// Zone, when set together with Problem.Origin, enables the legal-hours
	// check; Holiday marks the plan day as a public holiday there.
	Zone    *time.Location
	Holiday bool
}

// Problem is the day as the checker sees it.
type Problem struct {
	Collectors []Collector
	Visits     []Visit
	// Travel returns the duration and distance from one location to another.
	Travel       func(from, to int) (duration, distance float64)
	PresenceStep float64
	WeeklyLimit  int
	// Origin is the instant of plan time 0 and Unit the length of one time
	// unit (default one second); both are only used for legal hours.
	Origin    time.Time
	Unit      time.Duration
	Tolerance float64
}

// Stop is one element of a route: a visit index, or a break (Visit < 0)
// with its index in Collector.Breaks.
type Stop struct {
	Visit int
	Break int
	Start float64 // used when Route.Timed
}

// Route is a collector's day. When Timed, the given start times are checked;
// otherwise every stop starts as early as possible.
type Route struct {
	Collector int
	Stops     []Stop
	Timed     bool
}

// KPI sums up a route or a plan.
type KPI struct {
	Visits           int
	Routes           int
	Distance         float64
	Travel           float64
	Wait             float64
	Duty             float64
	Overtime         float64
	Value            float64
	ExpectedContacts float64
	ExpectedValue    float64
}

func (k *KPI) add(o KPI) {
	k.Visits += o.Visits
	k.Routes += o.Routes
	k.Distance += o.Distance
	k.Travel += o.Travel
	k.Wait += o.Wait
	k.Duty += o.Duty
	k.Overtime += o.Overtime
	k.Value += o.Value
	k.ExpectedContacts += o.ExpectedContacts
	k.ExpectedValue += o.ExpectedValue
}

// Violation is one broken rule. Route and Stop are -1 when not applicable.
type Violation struct {
	Kind   Kind
	Route  int
	Stop   int
	Visit  int
	Detail string
}

func (v Violation) String() string {
	return fmt.Sprintf("%s (route %d, stop %d, visit %d): %s", v.Kind, v.Route, v.Stop,
		v.Visit, v.Detail)
}

// Report is the outcome of Check.
type Report struct {
	Feasible   bool
	Violations []Violation
	Total      KPI
	Routes     []KPI
}

// Check validates plan against p. It never fails: problems with the plan
// are reported as violations. Routes of unknown collectors are reported and
// skipped.
func Check(p *Problem, routes []Route) *Report {
	c := checker{p: p, rep: &Report{}, seen: make(map[int]int), tol: p.Tolerance}
	if c.tol == 0 {
		c.tol = DefaultTolerance
	}
	for ri := range routes {
		c.route(ri, &routes[ri])
	}
	c.global()
	c.rep.Feasible = len(c.rep.Violations) == 0
	return c.rep
}

type checker struct {
	p    *Problem
	rep  *Report
	seen map[int]int // visit -> collector
	tol  float64
}

func (c *checker) bad(k Kind, route, stop, visit int, format string, args ...any) {
	c.rep.Violations = append(c.rep.Violations, Violation{Kind: k, Route: route,
		Stop: stop, Visit: visit, Detail: fmt.Sprintf(format, args...)})
}

// global checks the rules about visits that are not in any route.
func (c *checker) global() {
	for i, v := range c.p.Visits {
		k, planned := c.seen[i]
		switch {
		case !planned && (v.Mandatory || v.Pinned):
			c.bad(MissingVisit, -1, -1, i, "mandatory or pinned visit %q not planned", v.ID)
		case planned && v.Pinned && k != v.Collector:
			c.bad(PinViolated, -1, -1, i, "visit %q pinned to collector %d, made by %d",
				v.ID, v.Collector, k)
		}
	}
}

// presence returns the probability that visit v's debtor is present at t.
func (c *checker) presence(v *Visit, t float64) float64 {
	if len(v.Presence) == 0 {
		return 1
	}
	k := 0
	if t > 0 && c.p.PresenceStep > 0 {
		k = int(math.Floor(t / c.p.PresenceStep))
	}
	if k >= len(v.Presence) {
		k = len(v.Presence) - 1
	}
	return v.Presence[k]
}
