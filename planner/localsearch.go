package planner

import "math"

// maxLocalSearchPasses bounds the final local search.
const maxLocalSearchPasses = 10

// localSearch improves s with first-improvement relocate moves: each
// non-fixed visit is taken out and put back at its cheapest position, kept
// when the total cost drops. It stops at a local optimum or after
// maxLocalSearchPasses passes. s must be feasible and stays feasible.
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
		if !improved {
			return
		}
	}
}
