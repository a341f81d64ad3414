package scenario

import (
	"math"

	"github.com/paulmach/orb"

	"dozor/geofence"
)

const (
	cityRadius  = 8000.0 // addresses lie within this of the centre, metres
	zoneSpacing = 400.0  // minimum distance between zone centres, metres
)

// zoneGeo is a zone in local metres, for the ground truth.
type zoneGeo struct {
	id     int64
	centre vec
	radius float64 // entry radius of a circle
	ring   []vec   // entry boundary of a polygon
}

func (z *zoneGeo) inside(p vec) bool {
	if z.ring == nil {
		return p.sub(z.centre).len() <= z.radius
	}
	in := false
	j := len(z.ring) - 1
	for i := range z.ring {
		a, b := z.ring[i], z.ring[j]
		if (a.y > p.y) != (b.y > p.y) && p.x < a.x+(p.y-a.y)*(b.x-a.x)/(b.y-a.y) {
			in = !in
		}
		j = i
	}
	return in
}

// inner is a distance from the centre within which every point is inside
// the entry boundary: the radius, or for a polygon whose vertices sit at
// equal angles around the centre, the nearest vertex times cos(pi/n).
func (z *zoneGeo) inner() float64 {
	if z.ring == nil {
		return z.radius
	}
	r := math.Inf(1)
	for _, v := range z.ring {
		r = math.Min(r, v.sub(z.centre).len())
	}
	return r * math.Cos(math.Pi/float64(len(z.ring)))
}

// place finds a spot at least zoneSpacing from every zone and from the
// places collectors stop at, widening the search when the area is full.
func (g *gen) place(around vec, spread float64) vec {
	for try := 0; ; try++ {
		if try > 0 && try%100 == 0 {
			spread *= 1.5
		}
		p := around.add(polar(spread*math.Sqrt(g.rng.Float64()), g.angle()))
		if (p.len() <= cityRadius*1.2 || try > 1000) && g.clear(p, zoneSpacing) {
			return p
		}
	}
}

func (g *gen) clear(p vec, d float64) bool {
	for _, a := range g.avoid {
		if a.sub(p).len() < d {
			return false
		}
	}
	for i := range g.zones {
		if g.zones[i].centre.sub(p).len() < d {
			return false
		}
	}
	return true
}

// zone creates a zone for a debtor address at p: a circle three times out
// of four, otherwise a parcel polygon around the address.
func (g *gen) zone(p vec) int {
	id := g.id()
	z := geofence.Zone{ID: id, Debtor: 1000 + id, Address: 5000 + id}
	zg := zoneGeo{id: id, centre: p}
	if g.rng.IntN(4) > 0 {
		z.Shape = geofence.ShapeCircle
		z.Center = g.point(p)
		zg.radius = geofence.DefaultRadius
		if g.rng.IntN(2) == 0 {
			zg.radius = math.Round(g.between(40, 80))
			z.Radius = zg.radius
			z.ExitRadius = zg.radius + math.Round(g.between(40, 70))
		}
	} else {
		z.Shape = geofence.ShapePolygon
		n := 5 + g.rng.IntN(4)
		ring := make(orb.Ring, 0, n+1)
		base := g.angle()
		for i := range n {
			v := p.add(polar(g.between(35, 70), base+2*math.Pi*float64(i)/float64(n)))
			zg.ring = append(zg.ring, v)
			ring = append(ring, g.point(v))
		}
		ring = append(ring, ring[0])
		z.Polygon = orb.Polygon{ring}
	}
	g.zones = append(g.zones, zg)
	g.sc.Zones = append(g.sc.Zones, z)
	return len(g.zones) - 1
}
