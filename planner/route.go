package planner

// route is one collector's sequence with the data that makes insertion
// checks constant-time: for every position the effective location, the
// earliest service start e and the latest start l that keeps the rest of the
// route feasible. Position 0 is the start sentinel, the last position the end
// sentinel. A break has no location of its own: it takes the location of the
// stop before it.
type route struct {
	k        int
	nodes    []int32
	loc      []int32
	e, l     []int64
	dep      []int64 // e plus service: earliest departure
	load     int64
	nVisits  int
	dist     int64
	prize    int64
	cost     int64
	feasible bool
}

func newRoute(m *model, k int) route {
	r := route{k: k}
	r.nodes = append(r.nodes, nodeStart)
	r.nodes = append(r.nodes, m.breakNodes[k]...)
	r.nodes = append(r.nodes, nodeEnd)
	return r
}

// copyFrom makes r an independent copy of o, reusing r's storage.
func (r *route) copyFrom(o *route) {
	nodes, loc, e, l, dep := r.nodes, r.loc, r.e, r.l, r.dep
	*r = *o
	r.nodes = append(nodes[:0], o.nodes...)
	r.loc = append(loc[:0], o.loc...)
	r.e = append(e[:0], o.e...)
	r.l = append(l[:0], o.l...)
	r.dep = append(dep[:0], o.dep...)
}

func (m *model) nodeLoc(r *route, q int) int32 {
	switch u := r.nodes[q]; {
	case u == nodeStart:
		return m.startLoc[r.k]
	case u == nodeEnd:
		return m.endLoc[r.k]
	case m.isBreak(u):
		return r.loc[q-1]
	default:
		return m.loc[u]
	}
}

func (m *model) svcAt(r *route, q int) int64 {
	if u := r.nodes[q]; u >= 0 {
		return m.svc[u]
	}
	return 0
}

func (m *model) window(r *route, q int) (int64, int64) {
	switch u := r.nodes[q]; u {
	case nodeStart:
		return m.shiftOpen[r.k], m.shiftClose[r.k]
	case nodeEnd:
		return m.shiftOpen[r.k], m.shiftClose[r.k]
	default:
		return m.open[u], m.close[u]
	}
}

// update recomputes all position data, totals and the cost of r and records
// the position of every node in pos. O(len(r.nodes)).
func (m *model) update(r *route, where, pos []int32, ri int) {
	n := len(r.nodes)
	r.loc = grow(r.loc, n)
	r.e = growI(r.e, n)
	r.l = growI(r.l, n)
	r.dep = growI(r.dep, n)
	r.load, r.nVisits, r.dist, r.prize, r.feasible = 0, 0, 0, 0, true
	r.loc[0] = m.startLoc[r.k]
	r.e[0] = m.shiftOpen[r.k]
	r.dep[0] = r.e[0]
	for q := 1; q < n; q++ {
		r.loc[q] = m.nodeLoc(r, q)
		arr := r.dep[q-1] + m.d(r.loc[q-1], r.loc[q])
		r.dist += m.c(r.loc[q-1], r.loc[q])
		open, cl := m.window(r, q)
		if r.nodes[q] == nodeEnd {
			open = arr
		}
		r.e[q] = max(arr, open)
		r.dep[q] = r.e[q] + m.svcAt(r, q)
		if r.e[q] > cl {
			r.feasible = false
		}
		if u := r.nodes[q]; u >= 0 {
			pos[u] = int32(q)
			if !m.isBreak(u) {
				where[u] = int32(ri)
				r.nVisits++
				r.load += m.demand[u]
				r.prize += m.prizeAt(u, r.e[q]) + m.stayBonus(u, r.k)
			}
		}
	}
	r.l[n-1] = m.shiftClose[r.k]
	for q := n - 2; q >= 0; q-- {
		_, cl := m.window(r, q)
		r.l[q] = min(cl, r.l[q+1]-m.d(r.loc[q], r.loc[q+1])-m.svcAt(r, q))
	}
	r.cost = m.routeCostOf(r)
}

func (m *model) routeCostOf(r *route) int64 {
	if r.nVisits == 0 {
		return 0
	}
	return m.travelW*r.dist + m.routeCost - r.prize
}

// capacityOK reports whether u fits r's capacity and visit limit.
func (m *model) capacityOK(r *route, u int32) bool {
	if c := m.capacity[r.k]; c > 0 && r.load+m.demand[u] > c {
		return false
	}
	if mv := m.maxVisits[r.k]; mv > 0 && r.nVisits+1 > mv {
		return false
	}
	return true
}

// evalInsert evaluates inserting visit u between positions q and q+1 of r.
// It returns whether the result is feasible and the approximate cost change
// (exact unless prizes depend on time: then the shift of later visits is
// ignored). Constant time when no break follows q.
func (m *model) evalInsert(r *route, u int32, q int) (bool, int64) {
	lu := m.loc[u]
	from := r.loc[q]
	arr := r.dep[q] + m.d(from, lu)
	s := max(arr, m.open[u])
	if s > m.close[u] {
		return false, 0
	}
	t := s + m.svc[u]
	next := q + 1
	for m.isBreakPos(r, next) {
		b := r.nodes[next]
		bs := max(t, m.open[b])
		if bs > m.close[b] {
			return false, 0
		}
		t = bs + m.svc[b]
		next++
	}
	to := r.loc[next]
	if t+m.d(lu, to) > r.l[next] {
		return false, 0
	}
	var dd int64
	if r.nVisits == 0 {
		dd = m.c(m.startLoc[r.k], lu) + m.c(lu, m.endLoc[r.k])
		return true, m.travelW*dd + m.routeCost - m.prizeAt(u, s) - m.stayBonus(u, r.k)
	}
	dd = m.c(from, lu) + m.c(lu, to) - m.c(from, to)
	return true, m.travelW*dd - m.prizeAt(u, s) - m.stayBonus(u, r.k)
}

// stayBonus rewards visit u for staying with collector k of the initial
// plan (Objective.Stability).
func (m *model) stayBonus(u int32, k int) int64 {
	if m.initial == nil || m.initial[u] != int32(k) {
		return 0
	}
	return m.p.Objective.Stability
}

func (m *model) isBreakPos(r *route, q int) bool {
	u := r.nodes[q]
	return u >= 0 && m.isBreak(u)
}

// insertAt inserts u after position q; the caller must call update.
func (r *route) insertAt(u int32, q int) {
	r.nodes = append(r.nodes, 0)
	copy(r.nodes[q+2:], r.nodes[q+1:])
	r.nodes[q+1] = u
}

// removeAt removes the node at position q; the caller must call update.
func (r *route) removeAt(q int) {
	r.nodes = append(r.nodes[:q], r.nodes[q+1:]...)
}

func grow(s []int32, n int) []int32 {
	if cap(s) < n {
		return make([]int32, n, n+8)
	}
	return s[:n]
}

func growI(s []int64, n int) []int64 {
	if cap(s) < n {
		return make([]int64, n, n+8)
	}
	return s[:n]
}
