package check

import (
	"math"
	"slices"
	"testing"
	"time"
)

// line puts locations on a line, one unit of time and distance apart.
func line(a, b int) (float64, float64) {
	d := math.Abs(float64(a - b))
	return d, d
}

func problem() *Problem {
	return &Problem{
		Travel: line,
		Collectors: []Collector{
			{Start: 0, End: 0, Shift: Window{0, 100}, Capacity: 10,
				Breaks: []Break{{Window: Window{10, 20}, Duration: 5}}},
			{Start: 0, End: -1, Shift: Window{0, 100}},
		},
		Visits: []Visit{
			{ID: "a", Location: 1, Service: 2, Windows: []Window{{0, 50}}, Demand: 4, Value: 3},
			{ID: "b", Location: 3, Service: 2, Windows: []Window{{5, 8}}, Demand: 4, Value: 1,
				Presence: []float64{0.5, 0.25}},
			{ID: "c", Location: 5, Service: 1, Mandatory: true, Demand: 4},
		},
		PresenceStep: 6,
	}
}

func kinds(r *Report) []Kind {
	var out []Kind
	for _, v := range r.Violations {
		out = append(out, v.Kind)
	}
	slices.Sort(out)
	return out
}

func TestFeasiblePlanKPIs(t *testing.T) {
	p := problem()
	routes := []Route{
		{Collector: 0, Stops: []Stop{{Visit: 0}, {Visit: 1}, {Visit: -1, Break: 0}}},
		{Collector: 1, Stops: []Stop{{Visit: 2}}},
	}
	r := Check(p, routes)
	if !r.Feasible {
		t.Fatalf("violations: %v", r.Violations)
	}
	// Route 0: 0->1 (arrive 1, serve to 3), ->3 (arrive 5, start 5, presence
	// bucket 0), break 10-15, back home at 18. Route 1: 0->5, no return.
	k := r.Routes[0]
	if k.Visits != 2 || k.Distance != 6 || k.Duty != 18 || k.Wait != 0 {
		t.Errorf("route 0 KPIs %+v", k)
	}
	if math.Abs(r.Total.ExpectedContacts-2.5) > 1e-9 {
		t.Errorf("expected contacts %.3f", r.Total.ExpectedContacts)
	}
	if math.Abs(r.Total.ExpectedValue-(3+0.5+0)) > 1e-9 || r.Total.Distance != 11 {
		t.Errorf("totals %+v", r.Total)
	}
}

func TestViolations(t *testing.T) {
	cases := []struct {
		name   string
		edit   func(p *Problem)
		routes []Route
		want   []Kind
	}{
		{"late window", func(p *Problem) {
			p.Collectors[0].Breaks[0].Window.Close = 12
		}, []Route{{Collector: 0, Stops: []Stop{{Visit: 2}, {Visit: 0}, {Visit: 1},
			{Visit: -1}}}},
			[]Kind{BreakWindow, Capacity, WindowMissed}},
		{"duplicate and capacity", nil, []Route{{Collector: 0, Stops: []Stop{{Visit: 0},
			{Visit: 1}, {Visit: -1}, {Visit: 2}}}, {Collector: 1, Stops: []Stop{{Visit: 0}}}},
			[]Kind{Capacity, Duplicate}},
		{"missing mandatory and break", nil, []Route{{Collector: 0, Stops: []Stop{{Visit: 0}}}},
			[]Kind{MissingVisit, MissingBreak}},
		{"excluded, weekly, pin", func(p *Problem) {
			p.Visits[0].Excluded = true
			p.Visits[2].MeetingsThisWeek = 1
			p.WeeklyLimit = 1
			p.Visits[2].Pinned, p.Visits[2].Collector = true, 0
		}, []Route{{Collector: 1, Stops: []Stop{{Visit: 0}, {Visit: 2}}}},
			[]Kind{Excluded, PinViolated, WeeklyLimit}},
		{"timed start before arrival and overtime", func(p *Problem) {
			p.Collectors[1].Shift.Close = 1.5
		}, []Route{{Collector: 1, Timed: true, Stops: []Stop{{Visit: 2, Start: 1}}}},
			[]Kind{StartTooEarly, Overtime}},
		{"unknown ids", nil, []Route{{Collector: 7}, {Collector: 1,
			Stops: []Stop{{Visit: 9}, {Visit: 2}}}},
			[]Kind{UnknownRoute, UnknownVisit}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			p := problem()
			if c.edit != nil {
				c.edit(p)
			}
			r := Check(p, c.routes)
			want := slices.Clone(c.want)
			slices.Sort(want)
			if got := kinds(r); !slices.Equal(got, want) || r.Feasible {
				t.Errorf("got %v, want %v (%v)", got, want, r.Violations)
			}
		})
	}
}

func TestLegalHours(t *testing.T) {
	moscow := time.FixedZone("MSK", 3*3600)
	p := &Problem{Travel: line, Unit: time.Minute,
		Origin:     time.Date(2026, 3, 7, 0, 0, 0, 0, moscow), // a Saturday
		Collectors: []Collector{{Start: 0, End: -1, Shift: Window{0, 24 * 60}}},
		Visits: []Visit{
			{ID: "early", Location: 0, Service: 30, Zone: moscow},
			{ID: "ok", Location: 0, Service: 30, Zone: moscow},
			{ID: "late", Location: 0, Service: 30, Zone: moscow},
		},
	}
	routes := []Route{{Collector: 0, Timed: true, Stops: []Stop{
		{Visit: 0, Start: 8*60 + 30}, // 08:30: legal on a weekday, not on Saturday
		{Visit: 1, Start: 12 * 60},
		{Visit: 2, Start: 19*60 + 45}, // ends 20:15
	}}}
	r := Check(p, routes)
	if got := kinds(r); !slices.Equal(got, []Kind{LegalHours, LegalHours}) {
		t.Fatalf("got %v", r.Violations)
	}
	p.Origin = p.Origin.Add(-24 * time.Hour) // Friday: 08:00-22:00
	if r := Check(p, routes); !r.Feasible {
		t.Fatalf("weekday: %v", r.Violations)
	}
	p.Visits[0].Holiday = true
	if r := Check(p, routes); len(r.Violations) != 1 || r.Violations[0].Visit != 0 {
		t.Fatalf("holiday: %v", r.Violations)
	}
}
