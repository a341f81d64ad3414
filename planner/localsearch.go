package planner

import "math"

// maxLocalSearchPasses bounds the final local search.
const maxLocalSearchPasses = 10

// localSearch improves s with first-improvement moves until no move
// improves or after maxLocalSearchPasses passes: relocate (each non-fixed
// visit taken out and put back at its cheapest position) and, between
// routes, swap and 2-opt*. s must be feasible and stays feasible.
func (w *worker) localSearch(s *solution) {
	m := w.m
	saved := w.blink
	w.blink, w.blinkIn = 0, math.MaxInt
	defer func() { w.blink, w.blinkIn = saved, w.nextBlink() }()
	backup := newSolution(m)
	for range maxLocalSearchPasses {
		improved := false
		for _, u := range m.eligibleList {
			if s.where[u] < 0 || m.fixed[u] {
				continue
			}
			backup.copyFrom(s)
			s.remove(m, u)
			s.recost(m)
			if ri, q, _ := w.bestInsertion(s, u); ri >= 0 {
				s.insert(m, u, ri, q)
				s.recost(m)
			}
			if s.cost < backup.cost {
				improved = true
			} else {
				s.copyFrom(backup)
			}
		}
		if w.interRoute(s) {
			improved = true
		}
		if !improved {
			return
		}
	}
}

// lsNeighbours bounds the neighbours of a visit tried by the inter-route
// moves.
const lsNeighbours = 20

// interRoute applies improving swap and 2-opt* moves between a visit and
// its nearest neighbours in other routes, evaluated by re-timing the two
// candidate routes (O(route length) per move). It returns whether it
// improved s.
func (w *worker) interRoute(s *solution) bool {
	m := w.m
	w.lsScratch()
	improved := false
	for _, u := range m.eligibleList {
		for k, v := range m.neighbours[u] {
			if k >= lsNeighbours {
				break
			}
			a, b := s.where[u], s.where[v]
			if a < 0 || b < 0 || a == b {
				continue
			}
			if w.trySwap(s, u, v) || w.tryTwoOptStar(s, u, v) {
				improved = true
				break
			}
		}
	}
	return improved
}

func (w *worker) lsScratch() {
	if w.scratchWhere == nil {
		n := w.m.nV + w.m.nB
		w.scratchWhere = make([]int32, n)
		w.scratchPos = make([]int32, n)
	}
}

// movable reports whether node x may go to collector k's route.
func (m *model) movable(x int32, k int) bool {
	if x < 0 || m.isBreak(x) || m.fixed[x] {
		return false
	}
	return m.pin[x] < 0 || int(m.pin[x]) == k
}

func (w *worker) trySwap(s *solution, u, v int32) bool {
	m := w.m
	a, b := int(s.where[u]), int(s.where[v])
	ra, rb := &s.routes[a], &s.routes[b]
	if !m.movable(u, rb.k) || !m.movable(v, ra.k) {
		return false
	}
	w.ta.k, w.tb.k = ra.k, rb.k
	w.ta.nodes = append(w.ta.nodes[:0], ra.nodes...)
	w.tb.nodes = append(w.tb.nodes[:0], rb.nodes...)
	w.ta.nodes[s.pos[u]] = v
	w.tb.nodes[s.pos[v]] = u
	return w.commitIfBetter(s, a, b)
}

// tryTwoOptStar exchanges the tails after u and after v.
func (w *worker) tryTwoOptStar(s *solution, u, v int32) bool {
	m := w.m
	a, b := int(s.where[u]), int(s.where[v])
	ra, rb := &s.routes[a], &s.routes[b]
	i, j := int(s.pos[u]), int(s.pos[v])
	tailA, tailB := ra.nodes[i+1:len(ra.nodes)-1], rb.nodes[j+1:len(rb.nodes)-1]
	for _, x := range tailA {
		if !m.movable(x, rb.k) {
			return false
		}
	}
	for _, x := range tailB {
		if !m.movable(x, ra.k) {
			return false
		}
	}
	w.ta.k, w.tb.k = ra.k, rb.k
	w.ta.nodes = append(append(append(w.ta.nodes[:0], ra.nodes[:i+1]...), tailB...), nodeEnd)
	w.tb.nodes = append(append(append(w.tb.nodes[:0], rb.nodes[:j+1]...), tailA...), nodeEnd)
	return w.commitIfBetter(s, a, b)
}

// commitIfBetter re-times the candidate routes w.ta and w.tb (replacing
// routes a and b) and installs them when both are feasible and cheaper.
func (w *worker) commitIfBetter(s *solution, a, b int) bool {
	m := w.m
	m.update(&w.ta, w.scratchWhere, w.scratchPos, a)
	m.update(&w.tb, w.scratchWhere, w.scratchPos, b)
	if !m.feasibleRoute(&w.ta) || !m.feasibleRoute(&w.tb) ||
		w.ta.cost+w.tb.cost >= s.routes[a].cost+s.routes[b].cost {
		return false
	}
	s.routes[a].copyFrom(&w.ta)
	s.routes[b].copyFrom(&w.tb)
	m.update(&s.routes[a], s.where, s.pos, a)
	m.update(&s.routes[b], s.where, s.pos, b)
	s.recost(m)
	return true
}
