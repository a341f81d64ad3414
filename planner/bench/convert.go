package bench

import (
	"math"

	"dozor/planner"
	"dozor/planner/check"
	"dozor/planner/matrix"
)

// Objectives of the Solomon benchmark.
const (
	// Hierarchical minimises vehicles first, then distance.
	Hierarchical = "vehicles"
	// DistanceOnly minimises distance; the fleet is not binding.
	DistanceOnly = "distance"
)

// solomonScale is the fixed-point scale of Solomon times and distances in
// the planner (four decimals).
const solomonScale = 1e4

// routeCostHierarchical outweighs any total distance of a 100-customer
// instance in solomonScale units, so one vehicle less always pays.
const routeCostHierarchical = 1e10

// toptwValueScale makes one point of profit worth more than any total
// travel distance of a TOPTW day, so distance only breaks ties.
const toptwValueScale = 1e7

// Scale is the planner's fixed-point scale for the instance.
func (in *Instance) scale() float64 {
	if in.Scale == 0 {
		return solomonScale
	}
	return in.Scale
}

// Matrix returns the planner's integer matrix: for Solomon, distances
// rounded and durations rounded up (so integer-feasible means feasible); for
// TOPTW, the truncated distances of the benchmark convention, exactly.
func (in *Instance) Matrix() *matrix.Table {
	n := len(in.Nodes)
	t := matrix.NewTable(n)
	s := in.scale()
	for a := range n {
		for b := range n {
			na, nb := &in.Nodes[a], &in.Nodes[b]
			d := math.Hypot(na.X-nb.X, na.Y-nb.Y) * s
			if in.Scale == 0 {
				t.Set(a, b, int64(math.Ceil(d-1e-9)), int64(math.Round(d)))
			} else {
				v := int64(math.Floor(d))
				t.Set(a, b, v, v)
			}
		}
	}
	return t
}

// SolomonProblem is the VRPTW instance as a planner problem: every customer
// is mandatory, the fleet is the instance's.
func (in *Instance) SolomonProblem(objective string) *planner.Problem {
	// More vehicles than customers never helps; the cap also protects
	// against absurd fleet sizes in a file.
	p := in.baseProblem(max(1, min(in.Vehicles, len(in.Nodes)-1)))
	for k := range p.Collectors {
		p.Collectors[k].Capacity = int64(math.Round(in.Capacity))
	}
	for i := range p.Visits {
		p.Visits[i].Mandatory = true
		p.Visits[i].Demand = int64(math.Round(in.Nodes[i+1].Demand))
	}
	if objective != DistanceOnly {
		p.Objective.RouteCost = routeCostHierarchical
	}
	return p
}

// TOPTWProblem is the orienteering instance with the given number of tours.
func (in *Instance) TOPTWProblem(tours int) *planner.Problem {
	p := in.baseProblem(tours)
	for i := range p.Visits {
		p.Visits[i].Value = in.Nodes[i+1].Profit
	}
	p.Objective.ValueScale = toptwValueScale
	return p
}

func (in *Instance) baseProblem(vehicles int) *planner.Problem {
	s := in.scale()
	fix := func(v float64) int64 { return int64(math.Round(v * s)) }
	depot := in.Nodes[0]
	p := &planner.Problem{Matrix: in.Matrix()}
	for range vehicles {
		p.Collectors = append(p.Collectors, planner.Collector{Start: 0, End: 0,
			Shift: planner.Window{Open: fix(depot.Ready), Close: fix(depot.Due)}})
	}
	for i, nd := range in.Nodes[1:] {
		p.Visits = append(p.Visits, planner.Visit{Location: i + 1, Service: fix(nd.Service),
			Window: planner.Window{Open: fix(nd.Ready), Close: fix(nd.Due)}})
	}
	return p
}

// CheckProblem is the instance as the independent checker sees it, in the
// benchmark's own float arithmetic. With mandatory every customer must be
// served (Solomon); capacity applies when the instance has one.
func (in *Instance) CheckProblem(vehicles int, mandatory bool) *check.Problem {
	depot := in.Nodes[0]
	p := &check.Problem{Travel: func(a, b int) (float64, float64) {
		d := in.Euclid(a, b)
		return d, d
	}}
	for range vehicles {
		p.Collectors = append(p.Collectors, check.Collector{Start: 0, End: 0,
			Shift: check.Window{Open: depot.Ready, Close: depot.Due}, Capacity: in.Capacity})
	}
	for i, nd := range in.Nodes[1:] {
		p.Visits = append(p.Visits, check.Visit{Location: i + 1, Service: nd.Service,
			Windows: []check.Window{{Open: nd.Ready, Close: nd.Due}}, Demand: nd.Demand,
			Value: nd.Profit, Mandatory: mandatory})
	}
	return p
}
