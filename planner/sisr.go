package planner

import (
	"math"
	"math/rand/v2"
	"slices"
)

// Ruin-and-recreate parameters after Christiaens & Vanden Berghe (2020),
// "Slack induction by string removals" (SISR).
const (
	avgRemoved      = 10    // c̄: average number of removed visits
	maxString       = 10    // L^max: longest removed string
	blinkRate       = 0.01  // chance of skipping an insertion position
	sampleAllBudget = 10000 // retry all unplanned visits below this many evaluations
	sampleNear      = 10    // neighbours of a removed visit retried
	sampleRandom    = 10    // random unplanned visits retried per iteration

	// Granular insertion: with more than granularAbove positions in a
	// solution, only positions next to the granularK nearest neighbours
	// (and homes within that radius) are tried.
	granularK     = 40
	granularAbove = 150

	// routeRemovalRate is the share of iterations that also empty a short
	// route when routes have a cost (vehicle minimisation).
	routeRemovalRate = 0.05
)

// worker runs one search trajectory. It owns its random source and scratch
// space; the model is shared read-only.
type worker struct {
	m       *model
	rng     *rand.Rand
	removed []int32
	list    []int32
	mark    []uint32
	stamp   uint32
	ruined  []bool
	blink   float64 // blink rate
	blinkIn int     // positions until the next blink
	// positions counts insertion positions in the solution being recreated.
	positions int

	lastProgress float64
	iterations   int

	// Local search scratch: candidate routes and throw-away positions.
	ta, tb                   route
	scratchWhere, scratchPos []int32
}

func newWorker(m *model, seed uint64, id int) *worker {
	w := &worker{
		m:      m,
		rng:    rand.New(rand.NewPCG(seed, uint64(id)*0x9E3779B97F4A7C15+1)),
		mark:   make([]uint32, m.nV),
		ruined: make([]bool, m.nR),
		blink:  blinkRate,
	}
	w.blinkIn = w.nextBlink()
	return w
}

// ruin removes strings of visits from routes near a random seed visit and
// returns them.
func (w *worker) ruin(s *solution) []int32 {
	m := w.m
	w.removed = w.removed[:0]
	seed, ok := w.randomPlanned(s)
	if !ok {
		return w.removed
	}
	var planned, used int
	for k := range s.routes {
		if n := s.routes[k].nVisits; n > 0 {
			planned += n
			used++
		}
	}
	lsMax := min(float64(maxString), float64(planned)/float64(used))
	ksMax := 4*avgRemoved/(1+lsMax) - 1
	ks := int(1 + w.rng.Float64()*ksMax)
	clear(w.ruined)
	done := 0
	if w.m.routeCost > 0 && w.rng.Float64() < routeRemovalRate {
		w.removeShortRoute(s)
	}
	w.ruinAround(s, seed, lsMax, &done, ks)
	for _, c := range m.neighbours[seed] {
		if done >= ks {
			break
		}
		w.ruinAround(s, c, lsMax, &done, ks)
	}
	return w.removed
}

func (w *worker) ruinAround(s *solution, c int32, lsMax float64, done *int, ks int) {
	ri := s.where[c]
	if ri < 0 || w.ruined[ri] || *done >= ks || w.m.fixed[c] {
		return
	}
	w.ruined[ri] = true
	*done++
	r := &s.routes[ri]
	lMax := min(float64(r.nVisits), lsMax)
	l := int(1 + w.rng.Float64()*lMax)
	if l < r.nVisits && w.rng.IntN(2) == 0 {
		w.removeSplitString(s, int(ri), c, l)
	} else {
		w.removeString(s, int(ri), c, l, 0)
	}
}

// removeString removes the visits of a random run of l+keep consecutive
// positions containing c, except keep consecutive positions inside it (a
// split string when keep > 0). Fixed visits and breaks inside the run stay.
func (w *worker) removeString(s *solution, ri int, c int32, l, keep int) {
	m := w.m
	r := &s.routes[ri]
	inner := len(r.nodes) - 2
	total := min(l+keep, inner)
	pc := int(s.pos[c])
	lo := max(1, pc-total+1)
	hi := min(pc, inner-total+1)
	start := lo + w.rng.IntN(hi-lo+1)
	keepAt := start + w.rng.IntN(total-keep+1)
	out := r.nodes[:start]
	for q := start; q < start+total; q++ {
		u := r.nodes[q]
		if (q >= keepAt && q < keepAt+keep) || m.isBreak(u) || m.fixed[u] {
			out = append(out, u)
			continue
		}
		w.removed = append(w.removed, u)
		s.where[u] = -1
	}
	out = append(out, r.nodes[start+total:]...)
	r.nodes = out
	m.update(r, s.where, s.pos, ri)
	if !r.feasible {
		s.replaceBreaks(m, ri)
	}
}

func (w *worker) removeSplitString(s *solution, ri int, c int32, l int) {
	n := s.routes[ri].nVisits
	keep := 1
	for l+keep < n && w.rng.Float64() < 0.5 {
		keep++
	}
	if l+keep > n {
		keep = 0
	}
	w.removeString(s, ri, c, l, keep)
}

// removeShortRoute empties one of the two shortest used routes, so that a
// vehicle can be saved when route costs count.
func (w *worker) removeShortRoute(s *solution) {
	first, second := -1, -1
	for k := range s.routes {
		n := s.routes[k].nVisits
		if n == 0 {
			continue
		}
		if first < 0 || n < s.routes[first].nVisits {
			first, second = k, first
		} else if second < 0 || n < s.routes[second].nVisits {
			second = k
		}
	}
	k := first
	if second >= 0 && w.rng.IntN(2) == 0 {
		k = second
	}
	if k < 0 {
		return
	}
	r := &s.routes[k]
	for _, u := range r.nodes {
		if u >= 0 && !w.m.isBreak(u) && !w.m.fixed[u] {
			w.removed = append(w.removed, u)
		}
	}
	for _, u := range w.removed {
		if s.where[u] == int32(k) {
			s.remove(w.m, u)
		}
	}
	w.ruined[k] = true
}

func (w *worker) randomPlanned(s *solution) (int32, bool) {
	el := w.m.eligibleList
	if len(el) == 0 {
		return 0, false
	}
	for range 32 {
		u := el[w.rng.IntN(len(el))]
		if s.where[u] >= 0 && !w.m.fixed[u] {
			return u, true
		}
	}
	for _, u := range el {
		if s.where[u] >= 0 && !w.m.fixed[u] {
			return u, true
		}
	}
	return 0, false
}

// candidates returns the removed visits plus a sample of unplanned ones:
// all of them when trying them all costs at most sampleAllBudget insertion
// evaluations, otherwise the neighbours of removed visits, every
// unplanned mandatory visit and a few random ones.
func (w *worker) candidates(s *solution, removed []int32) []int32 {
	m := w.m
	w.stamp++
	w.list = w.list[:0]
	add := func(u int32) {
		if w.mark[u] != w.stamp {
			w.mark[u] = w.stamp
			w.list = append(w.list, u)
		}
	}
	for _, u := range removed {
		add(u)
	}
	unplanned := s.unplannedCount(m) - len(removed)
	positions := 0
	for k := range s.routes {
		positions += len(s.routes[k].nodes) - 1
	}
	if unplanned*positions <= sampleAllBudget {
		for _, u := range m.eligibleList {
			if s.where[u] < 0 {
				add(u)
			}
		}
		return w.list
	}
	for _, u := range removed {
		for k, v := range m.neighbours[u] {
			if k >= sampleNear {
				break
			}
			if s.where[v] < 0 {
				add(v)
			}
		}
	}
	for _, u := range m.eligibleList {
		if s.where[u] < 0 && m.mandatory[u] {
			add(u)
		}
	}
	el := m.eligibleList
	for range sampleRandom {
		if u := el[w.rng.IntN(len(el))]; s.where[u] < 0 {
			add(u)
		}
	}
	return w.list
}

// recreate inserts the visits of list greedily, each at its cheapest
// position (skipping positions at random, "blinks"), in one of several
// orders chosen at random. Optional visits are inserted only when they pay.
func (w *worker) recreate(s *solution, list []int32) {
	w.sortCandidates(list)
	w.positions = 0
	for k := range s.routes {
		w.positions += len(s.routes[k].nodes) - 1
	}
	for _, u := range list {
		if s.where[u] >= 0 {
			continue
		}
		ri, q, delta := w.bestInsertion(s, u)
		if ri < 0 || (!w.m.mandatory[u] && delta >= 0) {
			continue
		}
		s.insert(w.m, u, ri, q)
		w.positions++
	}
	s.recost(w.m)
}

// bestInsertion returns the cheapest feasible position for u (route,
// position to insert after, cost change), or route -1. Large solutions only
// try the positions next to u's nearest planned neighbours and next to
// nearby homes (a granular neighbourhood); small ones try every position.
func (w *worker) bestInsertion(s *solution, u int32) (int, int, int64) {
	if w.positions > granularAbove && len(w.m.neighbours[u]) > granularK {
		return w.bestGranular(s, u)
	}
	m := w.m
	bestR, bestQ, best := -1, -1, int64(math.MaxInt64)
	var seenEmpty uint64 // classes of empty routes already tried (first 64)
	for ri := range s.routes {
		if p := m.pin[u]; p >= 0 && int(p) != ri {
			continue
		}
		r := &s.routes[ri]
		if r.nVisits == 0 && m.class[ri] < 64 {
			bit := uint64(1) << m.class[ri]
			if seenEmpty&bit != 0 {
				continue
			}
			seenEmpty |= bit
		}
		if !m.capacityOK(r, u) {
			continue
		}
		// Starts e and latest starts l grow along the route: skip the
		// positions whose successor must start before u can be done, stop
		// at the first position that ends after u's window closes.
		earliestDone := m.open[u] + m.svc[u]
		for q := 0; q < len(r.nodes)-1; q++ {
			if r.dep[q] > m.close[u] {
				break
			}
			if r.l[q+1] < earliestDone {
				continue
			}
			if w.blinkIn--; w.blinkIn == 0 {
				w.blinkIn = w.nextBlink()
				continue
			}
			if ok, d := m.evalInsert(r, u, q); ok && d < best {
				bestR, bestQ, best = ri, q, d
			}
		}
	}
	return bestR, bestQ, best
}

// bestGranular is bestInsertion restricted to the granular neighbourhood.
func (w *worker) bestGranular(s *solution, u int32) (int, int, int64) {
	m := w.m
	bestR, bestQ, best := -1, -1, int64(math.MaxInt64)
	try := func(ri, q int) {
		if w.blinkIn--; w.blinkIn == 0 {
			w.blinkIn = w.nextBlink()
			return
		}
		if ok, d := m.evalInsert(&s.routes[ri], u, q); ok && d < best {
			bestR, bestQ, best = ri, q, d
		}
	}
	pin := int(m.pin[u])
	for _, v := range m.neighbours[u][:granularK] {
		ri := int(s.where[v])
		if ri < 0 || (pin >= 0 && pin != ri) || !m.capacityOK(&s.routes[ri], u) {
			continue
		}
		p := int(s.pos[v])
		try(ri, p-1)
		try(ri, p)
	}
	w.tryHomes(s, u, try)
	return bestR, bestQ, best
}

// tryHomes offers the granular search the positions of an empty route of
// each class and the positions next to homes within u's neighbour radius.
func (w *worker) tryHomes(s *solution, u int32, try func(ri, q int)) {
	m := w.m
	pin := int(m.pin[u])
	var seenEmpty uint64
	for ri := range s.routes {
		r := &s.routes[ri]
		if (pin >= 0 && pin != ri) || !m.capacityOK(r, u) {
			continue
		}
		if r.nVisits == 0 {
			if c := m.class[ri]; c < 64 {
				if seenEmpty&(1<<c) != 0 {
					continue
				}
				seenEmpty |= 1 << c
			}
			for q := 0; q < len(r.nodes)-1; q++ {
				try(ri, q)
			}
			continue
		}
		if m.symLoc(u, m.startLoc[r.k]) <= m.radius[u] {
			try(ri, 0)
		}
		if m.symLoc(u, m.endLoc[r.k]) <= m.radius[u] {
			try(ri, len(r.nodes)-2)
		}
	}
}

// sortCandidates orders list by a randomly chosen criterion (SISR: random,
// demand, far, close; plus deadline and prize for time windows and
// selective problems).
func (w *worker) sortCandidates(list []int32) {
	m := w.m
	w.rng.Shuffle(len(list), func(i, j int) { list[i], list[j] = list[j], list[i] })
	var key func(u int32) int64
	switch c := w.rng.IntN(14); {
	case c < 4:
		return
	case c < 8:
		key = func(u int32) int64 { return -m.demand[u] }
	case c < 10:
		key = func(u int32) int64 { return -m.c(m.startLoc[0], m.loc[u]) }
	case c < 11:
		key = func(u int32) int64 { return m.c(m.startLoc[0], m.loc[u]) }
	case c < 12:
		key = func(u int32) int64 { return m.close[u] }
	default:
		key = func(u int32) int64 { return -m.prize[u] }
	}
	slices.SortStableFunc(list, func(a, b int32) int {
		ka, kb := key(a), key(b)
		switch {
		case ka < kb:
			return -1
		case ka > kb:
			return 1
		}
		return 0
	})
}

// nextBlink draws the number of positions until the next skipped one
// (geometric with parameter w.blink; never when the rate is 0).
func (w *worker) nextBlink() int {
	if w.blink <= 0 {
		return math.MaxInt
	}
	return 1 + int(math.Log(1-w.rng.Float64())/math.Log(1-w.blink))
}
