package check

import (
	"math"
	"time"
)

// route re-times one route and records its violations and KPIs.
func (c *checker) route(ri int, rt *Route) {
	var kpi KPI
	if rt.Collector < 0 || rt.Collector >= len(c.p.Collectors) {
		c.bad(UnknownRoute, ri, -1, -1, "collector %d does not exist", rt.Collector)
		c.rep.Routes = append(c.rep.Routes, kpi)
		return
	}
	col := &c.p.Collectors[rt.Collector]
	w := walk{c: c, ri: ri, rt: rt, col: col, loc: col.Start, t: col.Shift.Open,
		taken: make([]bool, len(col.Breaks))}
	for si := range rt.Stops {
		if rt.Stops[si].Visit < 0 {
			w.pause(si)
		} else {
			w.visit(si, &kpi)
		}
	}
	if kpi.Visits > 0 {
		w.finish(&kpi)
	}
	c.rep.Routes = append(c.rep.Routes, kpi)
	c.rep.Total.add(kpi)
}

// walk is the state of re-timing one route.
type walk struct {
	c     *checker
	ri    int
	rt    *Route
	col   *Collector
	loc   int
	t     float64
	load  float64
	taken []bool
}

func (w *walk) pause(si int) {
	st := w.rt.Stops[si]
	if st.Break < 0 || st.Break >= len(w.col.Breaks) {
		w.c.bad(UnknownBreak, w.ri, si, -1, "break %d does not exist", st.Break)
		return
	}
	if w.taken[st.Break] {
		w.c.bad(Duplicate, w.ri, si, -1, "break %d taken twice", st.Break)
	}
	w.taken[st.Break] = true
	b := w.col.Breaks[st.Break]
	start := math.Max(w.t, b.Window.Open)
	if w.rt.Timed {
		start = w.timedStart(si, st.Start, w.t, -1)
	}
	if start < b.Window.Open-w.c.tol || start > b.Window.Close+w.c.tol {
		w.c.bad(BreakWindow, w.ri, si, -1, "break %d starts at %.3f outside [%.3f, %.3f]",
			st.Break, start, b.Window.Open, b.Window.Close)
	}
	w.t = start + b.Duration
}

func (w *walk) timedStart(si int, start, arrival float64, visit int) float64 {
	if start < arrival-w.c.tol {
		w.c.bad(StartTooEarly, w.ri, si, visit, "starts at %.3f before arrival %.3f",
			start, arrival)
	}
	return start
}

func (w *walk) visit(si int, kpi *KPI) {
	c := w.c
	i := w.rt.Stops[si].Visit
	if i >= len(c.p.Visits) {
		c.bad(UnknownVisit, w.ri, si, i, "visit %d does not exist", i)
		return
	}
	v := &c.p.Visits[i]
	if _, dup := c.seen[i]; dup {
		c.bad(Duplicate, w.ri, si, i, "visit %q planned twice", v.ID)
	}
	c.seen[i] = w.rt.Collector
	w.rules(si, i, v)
	dur, dist := c.p.Travel(w.loc, v.Location)
	arrival := w.t + dur
	start := earliest(v.Windows, arrival, c.tol)
	if w.rt.Timed {
		start = w.timedStart(si, w.rt.Stops[si].Start, arrival, i)
	}
	if !inWindows(v.Windows, start, c.tol) {
		c.bad(WindowMissed, w.ri, si, i, "visit %q starts at %.3f outside its windows",
			v.ID, start)
	}
	c.legal(w.ri, si, i, v, start)
	pr := c.presence(v, start)
	kpi.Visits++
	kpi.Travel += dur
	kpi.Distance += dist
	kpi.Wait += start - arrival
	kpi.Value += v.Value
	kpi.ExpectedContacts += pr
	kpi.ExpectedValue += v.Value * pr
	w.load += v.Demand
	w.t = start + v.Service
	w.loc = v.Location
}

// rules checks the per-visit rules that do not depend on timing.
func (w *walk) rules(si, i int, v *Visit) {
	c := w.c
	if v.Excluded {
		c.bad(Excluded, w.ri, si, i, "visit %q is excluded", v.ID)
	}
	if c.p.WeeklyLimit > 0 && v.MeetingsThisWeek >= c.p.WeeklyLimit {
		c.bad(WeeklyLimit, w.ri, si, i, "debtor of %q already met %d times this week",
			v.ID, v.MeetingsThisWeek)
	}
}

func (w *walk) finish(kpi *KPI) {
	c := w.c
	if w.col.End >= 0 {
		dur, dist := c.p.Travel(w.loc, w.col.End)
		w.t += dur
		kpi.Travel += dur
		kpi.Distance += dist
	}
	if w.t > w.col.Shift.Close+c.tol {
		kpi.Overtime = w.t - w.col.Shift.Close
		c.bad(Overtime, w.ri, -1, -1, "day ends at %.3f after shift end %.3f",
			w.t, w.col.Shift.Close)
	}
	for b, ok := range w.taken {
		if !ok {
			c.bad(MissingBreak, w.ri, -1, -1, "break %d not taken", b)
		}
	}
	if w.col.Capacity > 0 && w.load > w.col.Capacity+c.tol {
		c.bad(Capacity, w.ri, -1, -1, "load %.3f over capacity %.3f", w.load, w.col.Capacity)
	}
	if w.col.MaxVisits > 0 && kpi.Visits > w.col.MaxVisits {
		c.bad(TooManyVisits, w.ri, -1, -1, "%d visits over the limit %d", kpi.Visits,
			w.col.MaxVisits)
	}
	kpi.Routes = 1
	kpi.Duty = w.t - w.col.Shift.Open
}

// earliest is the first start not before arrival inside a window, or
// arrival when no window fits (the caller reports it).
func earliest(ws []Window, arrival, tol float64) float64 {
	for _, win := range ws {
		if arrival <= win.Close+tol {
			return math.Max(arrival, win.Open)
		}
	}
	return arrival
}

func inWindows(ws []Window, t, tol float64) bool {
	if len(ws) == 0 {
		return true
	}
	for _, win := range ws {
		if t >= win.Open-tol && t <= win.Close+tol {
			return true
		}
	}
	return false
}

// legal checks that the whole visit lies in the legal contact hours of the
// debtor's local day: 08:00-22:00 on working days, 09:00-20:00 on Saturdays,
// Sundays and holidays.
func (c *checker) legal(ri, si, i int, v *Visit, start float64) {
	if v.Zone == nil || c.p.Origin.IsZero() {
		return
	}
	unit := c.p.Unit
	if unit == 0 {
		unit = time.Second
	}
	at := c.p.Origin.Add(time.Duration(start * float64(unit)))
	end := at.Add(time.Duration(v.Service * float64(unit)))
	local := at.In(v.Zone)
	open, closing := weekdayOpen, weekdayClose
	if wd := local.Weekday(); wd == time.Saturday || wd == time.Sunday || v.Holiday {
		open, closing = weekendOpen, weekendClose
	}
	day := time.Date(local.Year(), local.Month(), local.Day(), 0, 0, 0, 0, v.Zone)
	if at.Before(day.Add(open)) || end.After(day.Add(closing)) {
		c.bad(LegalHours, ri, si, i, "visit %q at %s-%s local is outside %v-%v", v.ID,
			local.Format("Mon 15:04"), end.In(v.Zone).Format("15:04"), open, closing)
	}
}
