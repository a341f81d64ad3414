package scenario

import (
	"fmt"
	"time"
)

// stopKind is what the collector does at a planned place.
type stopKind uint8

const (
	debtorStop stopKind = iota // a real visit
	driveBy                    // passes through a zone without stopping
	shortStop                  // stops in a zone for under a minute
	lunch                      // a long stop away from every zone
)

type stop struct {
	kind stopKind
	zone int // index in gen.zones; -1 for lunch
	at   vec
}

// collector plans one collector's day and generates their devices' fixes.
func (g *gen) collector(cid int64) {
	d := &day{speed: g.between(8, 14)}
	phone := Device{ID: g.id(), Collector: cid, Kind: Phone, Protocol: "osmand"}
	phone.Ident = fmt.Sprintf("phone-%d", phone.ID)
	devices := []Device{phone}
	if g.rng.Float64() < 0.65 {
		car := Device{ID: g.id(), Collector: cid, Kind: Car, Protocol: "teltonika"}
		car.Ident = fmt.Sprintf("3520930%08d", car.ID)
		devices = append(devices, car)
		d.car = &path{}
	} else {
		d.speed = 6 // buses and walking
	}
	spoofer := g.rng.Float64() < 0.08

	home := g.place(vec{}, cityRadius)
	g.avoid = append(g.avoid, home)
	d.pos, d.carPos = home, home
	d.t = 8.5*3600 + g.rng.Float64()*3600
	d.stay(600, true)

	for _, s := range g.plan(home) {
		g.visitStop(d, cid, s, spoofer)
	}
	d.route(home, g.rng.IntN(2) == 0)
	d.stay(900, true)
	for _, at := range d.doors {
		z := &g.zones[at.zone]
		a, b := g.insideSpan(&d.person, z, at.t0, at.t1)
		g.sc.Truth = append(g.sc.Truth, Visit{
			Collector: cid, Zone: z.id, Spoofed: spoofer,
			Arrived: g.at(a), Departed: g.at(b),
		})
	}

	for i := range g.cfg.Distractor {
		_ = i
		g.zone(g.place(vec{}, cityRadius))
	}
	for _, dev := range devices {
		g.sc.Devices = append(g.sc.Devices, dev)
		p := &d.person
		if dev.Kind == Car {
			p = d.car
		}
		g.fixes(dev, p, spoofer)
	}
}

// plan lists the day's stops: 5 to 8 debtors, drive-bys and short stops
// between them, lunch in the middle, and sometimes a second visit.
func (g *gen) plan(home vec) []stop {
	n := 5 + g.rng.IntN(4)
	var stops []stop
	prev := home
	for i := range n {
		at := g.place(vec{}, cityRadius)
		zi := g.zone(at)
		if g.rng.Float64() < 0.45 {
			// An address on the way: another debtor's zone the route
			// crosses, sometimes with a brief stop.
			mid := prev.add(at.sub(prev).scale(g.between(0.3, 0.7)))
			bz := g.zone(g.place(mid, 300))
			kind := driveBy
			if g.rng.Float64() < 0.35 {
				kind = shortStop
			}
			stops = append(stops, stop{kind: kind, zone: bz, at: g.zones[bz].centre})
		}
		stops = append(stops, stop{kind: debtorStop, zone: zi, at: at})
		if i == n/2 {
			spot := g.place(at, 1500)
			for !g.clear(spot, 600) {
				spot = g.place(at, 3000)
			}
			g.avoid = append(g.avoid, spot)
			stops = append(stops, stop{kind: lunch, zone: -1, at: spot})
		}
		prev = at
	}
	if g.rng.Float64() < 0.15 {
		first := stops[0]
		for _, s := range stops {
			if s.kind == debtorStop {
				first = s
				break
			}
		}
		stops = append(stops, first)
	}
	return stops
}

// atDoor is when the collector stood at a debtor's door.
type atDoor struct {
	zone   int
	t0, t1 float64
}

func (g *gen) visitStop(d *day, cid int64, s stop, spoofer bool) {
	east := g.rng.IntN(2) == 0
	switch s.kind {
	case driveBy:
		d.route(s.at, east)
	case shortStop:
		d.route(s.at, east)
		d.stay(g.between(20, 50), false)
	case lunch:
		d.route(s.at, east)
		d.stay(g.between(20, 40)*60, true)
	case debtorStop:
		g.debtorVisit(d, s)
	}
}

// debtorVisit parks near the address, walks to the door, stays, walks back
// and records the true visit.
func (g *gen) debtorVisit(d *day, s stop) {
	z := &g.zones[s.zone]
	f := g.between(0, 0.3)
	if g.rng.Float64() < 0.15 {
		f = g.between(0.6, 0.8) // the door is near the edge of the zone
	}
	door := z.centre.add(polar(f*z.inner(), g.angle()))
	park := door.add(polar(g.between(5, 35), g.angle()))
	if g.rng.Float64() < 0.2 {
		park = door.add(polar(g.between(90, 150), g.angle())) // no parking close by
	}
	if d.car == nil {
		park = door.add(polar(g.between(30, 120), g.angle())) // bus stop
	}
	d.route(park, g.rng.IntN(2) == 0)
	d.stay(g.between(10, 60), false)
	d.walk(door)
	t0 := d.t
	d.stay(g.between(8, 35)*60, true)
	t1 := d.t
	d.walk(park)
	d.stay(g.between(10, 90), false)

	d.doors = append(d.doors, atDoor{zone: s.zone, t0: t0, t1: t1})
}

// insideSpan widens [t0, t1], when the collector is at the door, to the
// whole time their true position stayed inside the zone.
func (g *gen) insideSpan(p *path, z *zoneGeo, t0, t1 float64) (float64, float64) {
	in := func(t float64) bool { v, _ := p.at(t); return z.inside(v) }
	a, b := t0, t1
	for in(a-1) && a > t0-3600 {
		a--
	}
	for in(b+1) && b < t1+3600 {
		b++
	}
	return a, b
}

func (g *gen) at(sec float64) time.Time {
	return g.cfg.Day.Add(time.Duration(sec * float64(time.Second))).Truncate(time.Millisecond)
}
