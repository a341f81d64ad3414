// Package exact solves tiny routing instances to optimality by dynamic
// programming over subsets. It is a test oracle for the planner's heuristic
// solver: up to about 12 customers, one depot, identical vehicles.
//
// It shares no code with the planner on purpose.
package exact

import (
	"errors"
	"math"
)

// MaxCustomers bounds the instance size (memory and time grow as 3^n).
const MaxCustomers = 14

// ErrTooLarge reports an instance beyond MaxCustomers.
var ErrTooLarge = errors.New("exact: too many customers")

// Instance is a single-depot routing instance. Node 0 is the depot; its
// Open/Close bound the day (leave not before Open, return not after Close).
// Customer windows bound the start of service. Dur and Dist are full
// (n+1)×(n+1) matrices.
type Instance struct {
	Dur, Dist [][]int64
	Service   []int64
	Open      []int64
	Close     []int64
	Demand    []int64
	Profit    []int64
	Capacity  int64 // 0: none
}

// route holds, for one customer subset, whether one vehicle can serve it
// and its minimum distance.
type route struct {
	ok   bool
	dist int64
}

// label is a Pareto-optimal partial path: finishing time and distance.
type label struct{ t, d int64 }

// singleRoutes computes, for every subset of customers, whether a single
// feasible route serves exactly that subset and its minimum distance.
func singleRoutes(in *Instance) ([]route, error) {
	n := len(in.Service) - 1
	if n > MaxCustomers {
		return nil, ErrTooLarge
	}
	full := 1 << n
	labels := make([][][]label, full) // [subset][last customer]
	out := make([]route, full)
	out[0] = route{ok: true}
	for s := 1; s < full; s++ {
		labels[s] = make([][]label, n)
		if in.Capacity > 0 && load(in, s) > in.Capacity {
			continue
		}
		for j := 0; j < n; j++ {
			if s&(1<<j) == 0 {
				continue
			}
			prev := s &^ (1 << j)
			if prev == 0 {
				extend(in, &labels[s][j], label{t: in.Open[0]}, 0, j+1)
				continue
			}
			for i := 0; i < n; i++ {
				for _, l := range labels[prev][i] {
					extend(in, &labels[s][j], l, i+1, j+1)
				}
			}
		}
		out[s] = closeRoutes(in, labels[s])
	}
	return out, nil
}

// extend appends customer node v after node u to label l and keeps only
// Pareto-optimal labels in *set.
func extend(in *Instance, set *[]label, l label, u, v int) {
	start := l.t + in.Dur[u][v]
	if u != 0 {
		start += in.Service[u]
	}
	start = max(start, in.Open[v])
	if start > in.Close[v] {
		return
	}
	nl := label{t: start, d: l.d + in.Dist[u][v]}
	kept := (*set)[:0]
	for _, o := range *set {
		if o.t <= nl.t && o.d <= nl.d {
			return
		}
		if !(nl.t <= o.t && nl.d <= o.d) {
			kept = append(kept, o)
		}
	}
	*set = append(kept, nl)
}

func closeRoutes(in *Instance, byLast [][]label) route {
	best := route{dist: math.MaxInt64}
	for j, ls := range byLast {
		for _, l := range ls {
			back := l.t + in.Service[j+1] + in.Dur[j+1][0]
			if back <= in.Close[0] && l.d+in.Dist[j+1][0] < best.dist {
				best = route{ok: true, dist: l.d + in.Dist[j+1][0]}
			}
		}
	}
	return best
}

func load(in *Instance, s int) int64 {
	var l int64
	for j := 0; s > 0; j++ {
		if s&1 != 0 {
			l += in.Demand[j+1]
		}
		s >>= 1
	}
	return l
}

// MinDistance returns the minimum total distance serving every customer
// with at most vehicles routes, and false when that is impossible.
func MinDistance(in *Instance, vehicles int) (int64, bool, error) {
	rs, err := singleRoutes(in)
	if err != nil {
		return 0, false, err
	}
	full := len(rs) - 1
	const inf = math.MaxInt64 / 4
	g := make([]int64, full+1)
	for s := range g {
		g[s] = inf
	}
	g[0] = 0
	for range vehicles {
		next := make([]int64, full+1)
		copy(next, g)
		for s := 1; s <= full; s++ {
			low := s & -s
			for t := s; t > 0; t = (t - 1) & s {
				if t&low != 0 && rs[t].ok && g[s^t] < inf {
					next[s] = min(next[s], g[s^t]+rs[t].dist)
				}
			}
		}
		g = next
	}
	return g[full], g[full] < inf, nil
}

// MaxProfit returns the best total profit of at most tours feasible routes.
func MaxProfit(in *Instance, tours int) (int64, error) {
	rs, err := singleRoutes(in)
	if err != nil {
		return 0, err
	}
	full := len(rs) - 1
	profit := make([]int64, full+1)
	for s := 1; s <= full; s++ {
		low := s & -s
		j := 0
		for 1<<j != low {
			j++
		}
		profit[s] = profit[s^low] + in.Profit[j+1]
	}
	f := make([]int64, full+1)
	for range tours {
		next := make([]int64, full+1)
		for s := 0; s <= full; s++ {
			best := f[s]
			for t := s; t > 0; t = (t - 1) & s {
				if rs[t].ok {
					best = max(best, profit[t]+f[s^t])
				}
			}
			next[s] = best
		}
		f = next
	}
	return f[full], nil
}
