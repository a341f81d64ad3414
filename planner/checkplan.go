package planner

import (
	"time"

	"dozor/planner/check"
)

// Legal gives the checker what it needs for the legal-hours rule. The solver
// itself only sees Visit.Window (build it with ContactWindow).
type Legal struct {
	// Origin is the instant of plan time 0; Unit the length of one time
	// unit (default one second).
	Origin time.Time
	Unit   time.Duration
	// Zone and Holiday per visit (by index); a nil zone skips the visit.
	Zones    []*time.Location
	Holidays []bool
}

// CheckProblem describes p for the independent checker. legal may be nil.
func (p *Problem) CheckProblem(legal *Legal) *check.Problem {
	mx := p.Matrix
	cp := &check.Problem{
		Travel: func(a, b int) (float64, float64) {
			return float64(mx.Duration(a, b)), float64(mx.Distance(a, b))
		},
		PresenceStep: float64(p.PresenceStep),
		WeeklyLimit:  p.WeeklyLimit,
	}
	for _, c := range p.Collectors {
		cc := check.Collector{ID: c.ID, Start: c.Start, End: c.End,
			Shift:    check.Window{Open: float64(c.Shift.Open), Close: float64(c.Shift.Close)},
			Capacity: float64(c.Capacity), MaxVisits: c.MaxVisits}
		for _, b := range c.Breaks {
			cc.Breaks = append(cc.Breaks, check.Break{Duration: float64(b.Duration),
				Window: check.Window{Open: float64(b.Window.Open), Close: float64(b.Window.Close)}})
		}
		cp.Collectors = append(cp.Collectors, cc)
	}
	for _, v := range p.Visits {
		cp.Visits = append(cp.Visits, check.Visit{ID: v.ID, Location: v.Location,
			Service: float64(v.Service), Demand: float64(v.Demand), Value: v.Value,
			Windows:   []check.Window{{Open: float64(v.Window.Open), Close: float64(v.Window.Close)}},
			Presence:  v.Presence,
			Mandatory: v.Mandatory, MeetingsThisWeek: v.MeetingsThisWeek,
			Excluded: v.Lock.Excluded, Pinned: v.Lock.Pinned, Collector: v.Lock.Collector})
	}
	if legal != nil {
		cp.Origin, cp.Unit = legal.Origin, legal.Unit
		for i := range cp.Visits {
			if i < len(legal.Zones) {
				cp.Visits[i].Zone = legal.Zones[i]
			}
			if i < len(legal.Holidays) {
				cp.Visits[i].Holiday = legal.Holidays[i]
			}
		}
	}
	return cp
}

// CheckRoutes converts the plan into the checker's timed routes.
func (pl *Plan) CheckRoutes() []check.Route {
	out := make([]check.Route, len(pl.Routes))
	for k, rt := range pl.Routes {
		out[k] = check.Route{Collector: rt.Collector, Timed: true}
		for _, st := range rt.Stops {
			out[k].Stops = append(out[k].Stops, check.Stop{Visit: st.Visit, Break: st.Break,
				Start: float64(st.Start)})
		}
	}
	return out
}
