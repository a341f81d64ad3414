package scenario

import (
	"math"
	"sort"
)

// Movement modes of a path segment.
const (
	still = iota
	walking
	driving
)

// seg is a straight piece of a path, from a at t0 to b at t1 (seconds
// since the start of the day).
type seg struct {
	t0, t1 float64
	a, b   vec
	mode   uint8
	indoor bool
}

type path struct{ segs []seg }

// at returns the position at time t and the segment it is on.
func (p *path) at(t float64) (vec, *seg) {
	i := sort.Search(len(p.segs), func(i int) bool { return p.segs[i].t1 >= t })
	if i == len(p.segs) {
		s := &p.segs[len(p.segs)-1]
		return s.b, s
	}
	s := &p.segs[i]
	if t <= s.t0 || s.t1 == s.t0 {
		return s.a, s
	}
	k := (t - s.t0) / (s.t1 - s.t0)
	return s.a.add(s.b.sub(s.a).scale(k)), s
}

func (s *seg) speed() float64 {
	if s.t1 <= s.t0 {
		return 0
	}
	return s.b.sub(s.a).len() / (s.t1 - s.t0)
}

func (p *path) add(t0, t1 float64, a, b vec, mode uint8, indoor bool) {
	p.segs = append(p.segs, seg{t0: t0, t1: t1, a: a, b: b, mode: mode, indoor: indoor})
}

// day builds a collector's path and, when there is a car, the car's.
type day struct {
	t      float64
	pos    vec
	carPos vec
	person path
	car    *path
	speed  float64 // driving speed, m/s
	doors  []atDoor
}

// drive moves the collector (in the car if any) to b in a straight line.
func (d *day) drive(b vec) {
	dt := b.sub(d.pos).len() / d.speed
	d.person.add(d.t, d.t+dt, d.pos, b, driving, false)
	if d.car != nil {
		d.car.add(d.t, d.t+dt, d.pos, b, driving, false)
		d.carPos = b
	}
	d.t += dt
	d.pos = b
}

// route drives to b along two legs, as streets would.
func (d *day) route(b vec, eastFirst bool) {
	corner := vec{b.x, d.pos.y}
	if !eastFirst {
		corner = vec{d.pos.x, b.y}
	}
	d.drive(corner)
	d.drive(b)
}

// walk moves the collector on foot to b; the car stays parked.
func (d *day) walk(b vec) {
	dt := math.Max(1, b.sub(d.pos).len()/1.3)
	d.person.add(d.t, d.t+dt, d.pos, b, walking, false)
	d.parked(dt)
	d.t += dt
	d.pos = b
}

// stay keeps the collector at the current place for dt seconds.
func (d *day) stay(dt float64, indoor bool) {
	d.person.add(d.t, d.t+dt, d.pos, d.pos, still, indoor)
	d.parked(dt)
	d.t += dt
}

func (d *day) parked(dt float64) {
	if d.car != nil {
		d.car.add(d.t, d.t+dt, d.carPos, d.carPos, still, false)
	}
}
