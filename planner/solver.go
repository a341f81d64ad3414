package planner

import (
	"context"
	"fmt"
	"math"
	"sync"
	"time"
)

// DefaultTimeLimit applies when Options sets neither a time limit nor an
// iteration budget.
const DefaultTimeLimit = time.Second

// Annealing temperatures in units of model.tempUnit, falling geometrically
// from tempStart to tempEnd over the run.
const (
	tempStart = 10.0
	tempEnd   = 0.01
)

// Options controls a Solve run.
type Options struct {
	// TimeLimit bounds the wall time, including building the problem's
	// data. With a time limit alone the annealing schedule follows the
	// clock, so two runs may differ; set Iterations (with a generous time
	// limit as a safety net) for results that depend only on Seed and
	// Workers.
	TimeLimit time.Duration
	// Iterations, when positive, is the number of ruin-and-recreate
	// iterations per worker; the annealing schedule then follows the
	// iteration count instead of the clock.
	Iterations int
	// Seed seeds every worker (worker i uses the stream (Seed, i)).
	Seed uint64
	// Workers is the number of parallel trajectories; 0 means 1. The best
	// result wins, ties going to the lowest worker.
	Workers int
	// Initial, when set, is the starting plan (a supervisor's edited plan):
	// its routes are kept as far as they are feasible, and visits locked
	// Fixed keep their order.
	Initial *Plan
}

// Solve plans the day. It never returns an infeasible plan: visits that
// cannot be served stay in Plan.Unplanned, including mandatory ones.
func Solve(ctx context.Context, p *Problem, opt Options) (*Plan, error) {
	var deadline time.Time
	if opt.TimeLimit <= 0 && opt.Iterations <= 0 {
		opt.TimeLimit = DefaultTimeLimit
	}
	if opt.TimeLimit > 0 {
		deadline = time.Now().Add(opt.TimeLimit)
	}
	m, err := compile(p)
	if err != nil {
		return nil, fmt.Errorf("solve: %w", err)
	}
	m.setInitial(opt.Initial)
	start, err := initialSolution(m, opt.Initial)
	if err != nil {
		return nil, fmt.Errorf("solve: %w", err)
	}
	workers := max(1, opt.Workers)
	results := make([]*solution, workers)
	its := make([]int, workers)
	var wg sync.WaitGroup
	for i := range workers {
		wg.Go(func() {
			w := newWorker(m, opt.Seed, i)
			results[i] = w.search(ctx, start, opt.Iterations, deadline)
			its[i] = w.iterations
		})
	}
	wg.Wait()
	best, iterations := results[0], 0
	for i, r := range results {
		iterations += its[i]
		if r.cost < best.cost {
			best = r
		}
	}
	pl := m.plan(best)
	pl.Iterations = iterations
	return pl, nil
}

// setInitial records the collector of each visit of the initial plan for
// the stability term.
func (m *model) setInitial(pl *Plan) {
	if pl == nil || m.p.Objective.Stability == 0 {
		return
	}
	m.initial = make([]int32, m.nV+m.nB)
	for i := range m.initial {
		m.initial[i] = -1
	}
	for _, rt := range pl.Routes {
		for _, st := range rt.Stops {
			if st.Visit >= 0 && st.Visit < m.nV {
				m.initial[st.Visit] = int32(rt.Collector)
			}
		}
	}
}

// initialSolution loads the initial plan (dropping visits that do not fit)
// and completes it by greedy insertion.
func initialSolution(m *model, init *Plan) (*solution, error) {
	s := newSolution(m)
	if init != nil {
		if err := loadPlan(m, s, init); err != nil {
			return nil, err
		}
	}
	w := newWorker(m, 0, -1)
	w.blink, w.blinkIn = 0, math.MaxInt
	list := make([]int32, 0, len(m.eligibleList))
	for _, u := range m.eligibleList {
		if s.where[u] < 0 {
			list = append(list, u)
		}
	}
	w.recreate(s, list)
	return s, nil
}

// loadPlan puts the routes of a plan into s. Visits that are ineligible,
// duplicated or pinned elsewhere are skipped, breaks missing from a route are
// placed where they fit, then non-fixed visits are dropped from the end of
// each route until it is feasible.
func loadPlan(m *model, s *solution, pl *Plan) error {
	for _, rt := range pl.Routes {
		k := rt.Collector
		if k < 0 || k >= m.nR {
			return fmt.Errorf("%w: unknown collector %d", ErrInvalidPlan, k)
		}
		r := &s.routes[k]
		r.nodes = append(r.nodes[:0], nodeStart)
		placed := make([]bool, len(m.breakNodes[k]))
		for _, st := range rt.Stops {
			if st.Visit < 0 {
				if st.Break >= 0 && st.Break < len(placed) && !placed[st.Break] {
					placed[st.Break] = true
					r.nodes = append(r.nodes, m.breakNodes[k][st.Break])
				}
				continue
			}
			u := int32(st.Visit)
			if st.Visit >= m.nV || !m.eligible[u] || s.where[u] >= 0 {
				continue
			}
			if p := m.pin[u]; p >= 0 && int(p) != k {
				continue
			}
			r.nodes = append(r.nodes, u)
			s.where[u] = int32(k)
		}
		r.nodes = append(r.nodes, nodeEnd)
		m.update(r, s.where, s.pos, k)
		for b, ok := range placed {
			if !ok {
				placeBreak(m, s, k, m.breakNodes[k][b])
			}
		}
		repairRoute(m, s, k)
	}
	s.recost(m)
	return nil
}

// placeBreak inserts break node b at the first position where the route is
// feasible, or last when there is none.
func placeBreak(m *model, s *solution, k int, b int32) {
	r := &s.routes[k]
	for q := 0; q < len(r.nodes)-1; q++ {
		r.insertAt(b, q)
		m.update(r, s.where, s.pos, k)
		if r.feasible {
			return
		}
		r.removeAt(q + 1)
	}
	r.insertAt(b, len(r.nodes)-2)
	m.update(r, s.where, s.pos, k)
}

// repairRoute removes non-fixed visits from the end until the route is
// feasible, then fixed ones if that is not enough (the checker reports them
// as missing).
func repairRoute(m *model, s *solution, k int) {
	r := &s.routes[k]
	for _, fixedToo := range []bool{false, true} {
		for q := len(r.nodes) - 2; q > 0 && !m.feasibleRoute(r); q-- {
			if u := r.nodes[q]; u >= 0 && !m.isBreak(u) && (fixedToo || !m.fixed[u]) {
				s.remove(m, u)
			}
		}
	}
}

func (m *model) feasibleRoute(r *route) bool {
	return r.feasible && (m.capacity[r.k] <= 0 || r.load <= m.capacity[r.k]) &&
		(m.maxVisits[r.k] <= 0 || r.nVisits <= m.maxVisits[r.k])
}

// search runs ruin-and-recreate with simulated annealing from start and
// returns the best solution found.
func (w *worker) search(ctx context.Context, start *solution, iters int,
	deadline time.Time,
) *solution {
	m := w.m
	cur, cand, best := newSolution(m), newSolution(m), newSolution(m)
	cur.copyFrom(start)
	best.copyFrom(start)
	t0 := tempStart * m.tempUnit
	t1 := tempEnd * m.tempUnit
	began := time.Now()
	total := deadline.Sub(began)
	for it := 0; iters <= 0 || it < iters; it++ {
		progress, stop := w.progress(ctx, it, iters, began, total, deadline)
		if stop {
			break
		}
		w.iterations++
		temp := t0 * math.Pow(t1/t0, progress)
		cand.copyFrom(cur)
		removed := w.ruin(cand)
		w.recreate(cand, w.candidates(cand, removed))
		threshold := float64(cur.cost) - temp*math.Log(w.rng.Float64())
		if float64(cand.cost) < threshold {
			cur, cand = cand, cur
			if cur.cost < best.cost {
				best.copyFrom(cur)
			}
		}
	}
	w.localSearch(best)
	return best
}

// progress returns the fraction of the run done and whether to stop. The
// clock is read every 16 iterations.
func (w *worker) progress(ctx context.Context, it, iters int, began time.Time,
	total time.Duration, deadline time.Time,
) (float64, bool) {
	if iters > 0 {
		if it&255 == 0 && ctx.Err() != nil {
			return 1, true
		}
		if !deadline.IsZero() && it&15 == 0 && time.Now().After(deadline) {
			return 1, true
		}
		return float64(it) / float64(iters), false
	}
	if it&15 == 0 {
		now := time.Now()
		if now.After(deadline) || ctx.Err() != nil {
			return 1, true
		}
		w.lastProgress = float64(now.Sub(began)) / float64(total)
	}
	return w.lastProgress, false
}
