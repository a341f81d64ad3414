package planner

// localSearch improves s with first-improvement relocate moves: each
// non-fixed visit is taken out and put back at its cheapest position, kept
// when the total cost drops. It stops at a local optimum or after a bounded
// number of passes.
func (w *worker) localSearch(s *solution) {
	m := w.m
	saved := w.blink
	w.blink = 0
	defer func() { w.blink = saved }()
	for pass := 0; pass < 10; pass++ {
		improved := false
		for _, u := range m.eligibleList {
			if s.where[u] < 0 || m.fixed[u] {
				continue
			}
			before := s.cost
			ri, q := int(s.where[u]), int(s.pos[u])
			s.remove(m, u)
			s.recost(m)
			bi, bq, _ := w.bestInsertion(s, u)
			if bi < 0 {
				bi, bq = ri, q-1
			}
			s.insert(m, u, bi, bq)
			s.recost(m)
			if s.cost < before {
				improved = true
				continue
			}
			if s.cost > before || bi != ri {
				s.remove(m, u)
				s.insert(m, u, ri, q-1)
				s.recost(m)
			}
		}
		if !improved {
			return
		}
	}
}
