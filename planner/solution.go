package planner

import "math"

// solution is the solver's working state.
type solution struct {
	routes []route
	where  []int32 // route of each node, -1 when unplanned (visits only)
	pos    []int32 // position of each node in its route
	cost   int64   // sum of route costs plus prizes of unplanned mandatory visits
}

func newSolution(m *model) *solution {
	s := &solution{
		routes: make([]route, m.nR),
		where:  make([]int32, m.nV+m.nB),
		pos:    make([]int32, m.nV+m.nB),
	}
	for i := range s.where {
		s.where[i] = -1
	}
	for k := range s.routes {
		s.routes[k] = newRoute(m, k)
		m.update(&s.routes[k], s.where, s.pos, k)
	}
	s.recost(m)
	return s
}

// copyFrom makes s an independent copy of o, reusing s's storage.
func (s *solution) copyFrom(o *solution) {
	for k := range o.routes {
		s.routes[k].copyFrom(&o.routes[k])
	}
	copy(s.where, o.where)
	copy(s.pos, o.pos)
	s.cost = o.cost
}

// infeasibleCost marks a solution that must not be accepted.
const infeasibleCost = math.MaxInt64 / 4

// recost recomputes the total cost from the route costs. Unplanned
// mandatory visits cost their (large) prize so that serving them always
// pays; optional ones cost nothing. An infeasible route makes the solution
// cost infeasibleCost.
func (s *solution) recost(m *model) {
	var c int64
	for k := range s.routes {
		if !m.feasibleRoute(&s.routes[k]) {
			s.cost = infeasibleCost
			return
		}
		c += s.routes[k].cost
	}
	for _, u := range m.eligibleList {
		if s.where[u] < 0 && m.mandatory[u] {
			c += m.prize[u]
		}
	}
	s.cost = c
}

// remove takes visit u out of its route and re-times the route.
func (s *solution) remove(m *model, u int32) {
	ri := s.where[u]
	r := &s.routes[ri]
	r.removeAt(int(s.pos[u]))
	s.where[u] = -1
	m.update(r, s.where, s.pos, int(ri))
	if !r.feasible {
		s.replaceBreaks(m, int(ri))
	}
}

// replaceBreaks moves the breaks of route ri to the first positions where
// they fit. A break is taken where the collector is, so removing the visit
// before a break changes where the collector waits and can delay the rest of
// the route; moving the break usually restores feasibility. The route may
// stay infeasible (recost then rejects the solution).
func (s *solution) replaceBreaks(m *model, ri int) {
	r := &s.routes[ri]
	if len(m.breakNodes[r.k]) == 0 {
		return
	}
	out := r.nodes[:0]
	for _, u := range r.nodes {
		if u < 0 || !m.isBreak(u) {
			out = append(out, u)
		}
	}
	r.nodes = out
	m.update(r, s.where, s.pos, ri)
	for _, b := range m.breakNodes[r.k] {
		placeBreak(m, s, r.k, b)
	}
}

// insert puts visit u after position q of route ri and re-times the route.
func (s *solution) insert(m *model, u int32, ri, q int) {
	r := &s.routes[ri]
	r.insertAt(u, q)
	m.update(r, s.where, s.pos, ri)
}

// unplannedCount counts eligible visits not in any route.
func (s *solution) unplannedCount(m *model) int {
	n := 0
	for _, u := range m.eligibleList {
		if s.where[u] < 0 {
			n++
		}
	}
	return n
}
