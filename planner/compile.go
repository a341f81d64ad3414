package planner

import (
	"fmt"
	"math"
	"slices"
)

// Node ids inside the solver: visits are 0..nV-1, breaks nV..nV+nB-1, and
// the route sentinels are nodeStart and nodeEnd.
const (
	nodeStart = -1
	nodeEnd   = -2
)

// maxNeighbours bounds the nearest-neighbour list kept per visit.
const maxNeighbours = 100

// model is the flat, integer form of a Problem the solver works on. It is
// read-only once built and shared by all workers.
type model struct {
	p      *Problem
	nV, nB int
	nLoc   int     // matrix locations plus one "nowhere" location
	dur    []int64 // nLoc*nLoc
	dist   []int64

	// Per node (visits then breaks).
	loc          []int32 // -1 for breaks
	svc          []int64
	open, close  []int64
	demand       []int64
	prize        []int64   // constant prize
	prizeTab     [][]int64 // per presence bucket, nil when constant
	step         int64
	mandatory    []bool
	eligible     []bool
	pin          []int32 // collector or -1
	fixed        []bool
	breakOwner   []int32 // collector of each break
	neighbours   [][]int32
	radius       []int64 // symmetric distance to the granularK-th neighbour
	eligibleList []int32

	// Per collector.
	nR                    int
	startLoc, endLoc      []int32
	shiftOpen, shiftClose []int64
	capacity              []int64
	maxVisits             []int
	breakNodes            [][]int32
	class                 []int // collectors with equal parameters share a class

	travelW, routeCost int64
	initial            []int32 // collector of each visit in Options.Initial, or -1
	big                int64   // prize bonus of mandatory visits
	tempUnit           float64 // scale of cost differences for annealing
}

func compile(p *Problem) (*model, error) {
	if err := p.Validate(); err != nil {
		return nil, err
	}
	m := &model{p: p, nV: len(p.Visits), nR: len(p.Collectors), step: p.PresenceStep}
	m.travelW = p.Objective.TravelWeight
	if m.travelW == 0 {
		m.travelW = 1
	}
	m.routeCost = p.Objective.RouteCost
	m.compileMatrix()
	m.compileCollectors()
	if err := m.compileVisits(); err != nil {
		return nil, err
	}
	m.compileNeighbours()
	m.tempUnit = m.temperatureUnit()
	return m, nil
}

func (m *model) compileMatrix() {
	n := m.p.Matrix.Len()
	m.nLoc = n + 1
	m.dur = make([]int64, m.nLoc*m.nLoc)
	m.dist = make([]int64, m.nLoc*m.nLoc)
	for i := 0; i < n; i++ {
		for j := 0; j < n; j++ {
			m.dur[i*m.nLoc+j] = m.p.Matrix.Duration(i, j)
			m.dist[i*m.nLoc+j] = m.p.Matrix.Distance(i, j)
		}
	}
}

func (m *model) compileCollectors() {
	nowhere := int32(m.nLoc - 1)
	for k, c := range m.p.Collectors {
		m.startLoc = append(m.startLoc, int32(c.Start))
		end := int32(c.End)
		if c.End == NoLocation {
			end = nowhere
		}
		m.endLoc = append(m.endLoc, end)
		m.shiftOpen = append(m.shiftOpen, c.Shift.Open)
		m.shiftClose = append(m.shiftClose, c.Shift.Close)
		m.capacity = append(m.capacity, c.Capacity)
		m.maxVisits = append(m.maxVisits, c.MaxVisits)
		var nodes []int32
		for range c.Breaks {
			nodes = append(nodes, int32(m.nV+m.nB))
			m.breakOwner = append(m.breakOwner, int32(k))
			m.nB++
		}
		m.breakNodes = append(m.breakNodes, nodes)
	}
	m.class = make([]int, m.nR)
	for k := range m.p.Collectors {
		m.class[k] = k
		for j := 0; j < k; j++ {
			if m.sameCollector(j, k) {
				m.class[k] = m.class[j]
				break
			}
		}
	}
}

func (m *model) sameCollector(a, b int) bool {
	ca, cb := &m.p.Collectors[a], &m.p.Collectors[b]
	return ca.Start == cb.Start && ca.End == cb.End && ca.Shift == cb.Shift &&
		ca.Capacity == cb.Capacity && ca.MaxVisits == cb.MaxVisits &&
		len(ca.Breaks) == 0 && len(cb.Breaks) == 0
}

func (m *model) compileVisits() error {
	n := m.nV + m.nB
	m.loc = make([]int32, n)
	m.svc = make([]int64, n)
	m.open = make([]int64, n)
	m.close = make([]int64, n)
	m.demand = make([]int64, n)
	m.prize = make([]int64, n)
	m.prizeTab = make([][]int64, n)
	m.mandatory = make([]bool, n)
	m.eligible = make([]bool, n)
	m.pin = make([]int32, n)
	m.fixed = make([]bool, n)
	scale := m.p.Objective.ValueScale
	if scale == 0 {
		scale = DefaultValueScale
	}
	m.big = m.mandatoryPrize(scale)
	if m.big <= 0 {
		return fmt.Errorf("%w: costs overflow", ErrInvalidProblem)
	}
	for i := range m.p.Visits {
		m.compileVisit(i, scale)
	}
	m.compileBreaks()
	return nil
}

func (m *model) compileVisit(i int, scale float64) {
	v := &m.p.Visits[i]
	m.loc[i] = int32(v.Location)
	m.svc[i], m.open[i], m.close[i] = v.Service, v.Window.Open, v.Window.Close
	m.demand[i] = v.Demand
	m.pin[i] = -1
	if v.Lock.Pinned {
		m.pin[i] = int32(v.Lock.Collector)
		m.fixed[i] = v.Lock.Fixed
	}
	m.mandatory[i] = v.Mandatory || v.Lock.Pinned
	m.eligible[i] = m.p.Eligible(i)
	if m.eligible[i] {
		m.eligibleList = append(m.eligibleList, int32(i))
	}
	var big int64
	if m.mandatory[i] {
		big = m.big
	}
	m.prize[i] = int64(math.Round(scale*v.Value)) + big
	if len(v.Presence) > 0 {
		tab := make([]int64, len(v.Presence))
		for k, pr := range v.Presence {
			tab[k] = int64(math.Round(scale*v.Value*pr)) + big
		}
		m.prizeTab[i] = tab
	}
}

// compileBreaks turns breaks into fixed pseudo-visits of their collector.
func (m *model) compileBreaks() {
	for k, c := range m.p.Collectors {
		for b, br := range c.Breaks {
			id := m.breakNodes[k][b]
			m.loc[id] = -1
			m.svc[id], m.open[id], m.close[id] = br.Duration, br.Window.Open, br.Window.Close
			m.pin[id] = int32(k)
			m.fixed[id] = true
		}
	}
}

// unreachableDistance: matrix distances from here up mark pairs a routing
// engine could not route; they do not size the mandatory prize.
const unreachableDistance = 1 << 36

// mandatoryPrize is larger than any travel and route cost a plan can have
// plus all optional prizes, so serving a mandatory visit always pays. It is
// -1 when costs are too large for int64 arithmetic.
func (m *model) mandatoryPrize(scale float64) int64 {
	var maxD int64
	for _, d := range m.dist {
		if d < unreachableDistance {
			maxD = max(maxD, d)
		}
	}
	total := float64(maxD)*float64(m.travelW)*float64(m.nV+2*m.nR) +
		float64(m.routeCost)*float64(m.nR)
	for _, v := range m.p.Visits {
		total += scale * math.Abs(v.Value)
	}
	big := 4*total + 1
	if big > math.MaxInt64/float64(4*(m.nV+1)) {
		return -1
	}
	return int64(big)
}

func (m *model) compileNeighbours() {
	m.neighbours = make([][]int32, m.nV)
	el := m.eligibleList
	keys := make([]uint64, 0, len(el))
	for _, u := range el {
		keys = keys[:0]
		for _, v := range el {
			if v != u {
				// Sort (distance, id) pairs packed in one word: no closure.
				d := uint64(min(m.sym(u, v), 1<<42-1))
				keys = append(keys, d<<21|uint64(v))
			}
		}
		k := min(len(keys), maxNeighbours)
		selectSmallest(keys, k)
		slices.Sort(keys[:k])
		lst := make([]int32, k)
		for k := range lst {
			lst[k] = int32(keys[k] & (1<<21 - 1))
		}
		m.neighbours[u] = lst
	}
	m.radius = make([]int64, m.nV)
	for _, u := range el {
		if nb := m.neighbours[u]; len(nb) > granularK {
			m.radius[u] = m.sym(u, nb[granularK-1])
		}
	}
}

// symLoc is the symmetric travel distance between visit u and location l.
func (m *model) symLoc(u, l int32) int64 {
	return m.c(m.loc[u], l) + m.c(l, m.loc[u])
}

// sym is the symmetric travel distance between two visits.
func (m *model) sym(u, v int32) int64 {
	a, b := int(m.loc[u]), int(m.loc[v])
	return m.dist[a*m.nLoc+b] + m.dist[b*m.nLoc+a]
}

// temperatureUnit estimates a typical cost difference of one move: the mean
// distance to the nearest neighbours for routing problems, a share of the
// mean prize for selective ones.
func (m *model) temperatureUnit() float64 {
	var sum float64
	var cnt int
	allMandatory := true
	var prizeSum float64
	for _, u := range m.eligibleList {
		for k, v := range m.neighbours[u] {
			if k >= 5 {
				break
			}
			sum += float64(m.sym(u, v)) / 2
			cnt++
		}
		if !m.mandatory[u] {
			allMandatory = false
			prizeSum += float64(m.prize[u])
		}
	}
	unit := 1.0
	if cnt > 0 {
		unit = max(1, sum/float64(cnt)*float64(m.travelW))
	}
	if !allMandatory && len(m.eligibleList) > 0 {
		unit = max(unit, 0.1*prizeSum/float64(len(m.eligibleList)))
	}
	return unit
}

func (m *model) d(a, b int32) int64 { return m.dur[int(a)*m.nLoc+int(b)] }
func (m *model) c(a, b int32) int64 { return m.dist[int(a)*m.nLoc+int(b)] }

// prizeAt is the prize of node u when its service starts at t.
func (m *model) prizeAt(u int32, t int64) int64 {
	tab := m.prizeTab[u]
	if tab == nil {
		return m.prize[u]
	}
	k := 0
	if t > 0 {
		k = int(t / m.step)
	}
	return tab[min(k, len(tab)-1)]
}

func (m *model) isBreak(u int32) bool { return int(u) >= m.nV }

// selectSmallest reorders keys so that its k smallest values come first
// (Hoare's quickselect with a median-of-three pivot, expected linear time).
func selectSmallest(keys []uint64, k int) {
	lo, hi := 0, len(keys)-1
	for lo < hi && k > 0 && k < len(keys) {
		mid := lo + (hi-lo)/2
		a, b, c := keys[lo], keys[mid], keys[hi]
		pivot := max(min(a, b), min(max(a, b), c))
		i, j := lo, hi
		for i <= j {
			for keys[i] < pivot {
				i++
			}
			for keys[j] > pivot {
				j--
			}
			if i <= j {
				keys[i], keys[j] = keys[j], keys[i]
				i++
				j--
			}
		}
		switch {
		case k-1 <= j:
			hi = j
		case k-1 >= i:
			lo = i
		default:
			return
		}
	}
}
