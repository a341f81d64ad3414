package planner

// plan converts a solution into the public Plan form with the earliest
// start times.
func (m *model) plan(s *solution) *Plan {
	pl := &Plan{Routes: make([]Route, m.nR)}
	for k := range s.routes {
		r := &s.routes[k]
		rt := Route{Collector: k}
		starts := m.schedule(r)
		var prize int64
		for q := 1; q < len(r.nodes)-1; q++ {
			st := m.stop(r, q, starts)
			if st.Visit >= 0 {
				prize += m.prizeAt(int32(st.Visit), st.Start) + m.stayBonus(int32(st.Visit), k)
			}
			rt.Stops = append(rt.Stops, st)
		}
		last := len(r.nodes) - 1
		rt.End = starts[last]
		if r.nVisits > 0 {
			pl.Vehicles++
			pl.Distance += r.dist
			pl.Prize += prize - m.artificialPrize(r)
		}
		pl.Routes[k] = rt
	}
	pl.Cost = m.travelW*pl.Distance + m.routeCost*int64(pl.Vehicles) - pl.Prize
	for _, u := range m.eligibleList {
		if s.where[u] < 0 {
			pl.Unplanned = append(pl.Unplanned, int(u))
		}
	}
	for i := range m.p.Visits {
		if !m.eligible[i] {
			pl.Unplanned = append(pl.Unplanned, i)
		}
	}
	return pl
}

func (m *model) stop(r *route, q int, starts []int64) Stop {
	u := r.nodes[q]
	arr := starts[q-1] + m.svcAt(r, q-1) + m.d(r.loc[q-1], r.loc[q])
	st := Stop{Visit: int(u), Arrival: arr, Start: starts[q]}
	if m.isBreak(u) {
		st.Visit = -1
		for b, id := range m.breakNodes[r.k] {
			if id == u {
				st.Break = b
			}
		}
	}
	return st
}

// artificialPrize is the share of a route's prizes that only steers the
// search: the bonus of mandatory visits and the stability bonus.
func (m *model) artificialPrize(r *route) int64 {
	var extra int64
	for _, u := range r.nodes {
		if u < 0 || m.isBreak(u) {
			continue
		}
		extra += m.stayBonus(u, r.k)
		if m.mandatory[u] {
			extra += m.big
		}
	}
	return extra
}
