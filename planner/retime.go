package planner

// schedule returns the service start of every position of r. With constant
// prizes that is the earliest start. With time-dependent prizes (presence
// profiles) waiting can pay: each visit in turn may be delayed to the start
// of a later bucket when the total prize of the route grows and the route
// stays feasible (coordinate ascent over "not before" times, O(n²·buckets)).
func (m *model) schedule(r *route) []int64 {
	starts := append([]int64(nil), r.e...)
	if m.step <= 0 || !m.anyProfile(r) {
		return starts
	}
	notBefore := make([]int64, len(r.nodes))
	best, _ := m.simulate(r, notBefore, starts)
	trial := make([]int64, len(r.nodes))
	for q := 1; q < len(r.nodes)-1; q++ {
		u := r.nodes[q]
		if u < 0 || m.isBreak(u) || m.prizeTab[u] == nil {
			continue
		}
		first := starts[q]
		for b := first/m.step + 1; b*m.step <= r.l[q]; b++ {
			notBefore[q] = b * m.step
			if pr, ok := m.simulate(r, notBefore, trial); ok && pr > best {
				best = pr
				copy(starts, trial)
				first = notBefore[q]
			}
		}
		notBefore[q] = first
	}
	return starts
}

func (m *model) anyProfile(r *route) bool {
	for _, u := range r.nodes {
		if u >= 0 && !m.isBreak(u) && m.prizeTab[u] != nil {
			return true
		}
	}
	return false
}

// simulate times r with the extra lower bounds notBefore, writes the starts
// and returns the total prize and whether every window and the shift end
// hold.
func (m *model) simulate(r *route, notBefore, starts []int64) (int64, bool) {
	var prize int64
	starts[0] = r.e[0]
	for q := 1; q < len(r.nodes); q++ {
		arr := starts[q-1] + m.svcAt(r, q-1) + m.d(r.loc[q-1], r.loc[q])
		open, cl := m.window(r, q)
		if r.nodes[q] == nodeEnd {
			open = arr
		}
		starts[q] = max(arr, open, notBefore[q])
		if starts[q] > cl {
			return 0, false
		}
		if u := r.nodes[q]; u >= 0 && !m.isBreak(u) {
			prize += m.prizeAt(u, starts[q])
		}
	}
	return prize, true
}
