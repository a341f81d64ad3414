package geofence

import (
	"fmt"
	"math"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/geo"
)

const (
	deg          = math.Pi / 180
	metresPerDeg = orb.EarthRadius * deg
)

// haversine returns the great-circle distance in metres.
func haversine(lat1, lon1, lat2, lon2 float64) float64 {
	return geo.DistanceHaversine(orb.Point{lon1, lat1}, orb.Point{lon2, lat2})
}

// equirect approximates the distance from a centre (lat0, lon0, cos0) to
// (lat, lon). It is within 1 % of haversine below 80 degrees of latitude for
// the distances zones use, and handles the antimeridian.
func equirect(lat0, lon0, cos0, lat, lon float64) float64 {
	dx := wrapLon(lon-lon0) * cos0
	dy := lat - lat0
	return math.Sqrt(dx*dx+dy*dy) * metresPerDeg
}

// wrapLon folds a longitude difference into [-180, 180).
func wrapLon(d float64) float64 {
	if d >= 180 || d < -180 {
		d = math.Mod(d+180, 360)
		if d < 0 {
			d += 360
		}
		d -= 180
	}
	return d
}

// polygon is a zone polygon projected to local metres around its centre
// (equirectangular, exact enough for polygons up to MaxPolygonSpan), with
// its bounds precomputed so a far point costs four comparisons.
type polygon struct {
	lat0, lon0, cos0 float64
	rings            [][]xy // closed implicitly: last vertex connects to first
	minX, minY       float64
	maxX, maxY       float64
	reach            float64 // largest vertex distance from the centre
}

type xy struct{ x, y float64 }

func newPolygon(p orb.Polygon) (*polygon, error) {
	if len(p) == 0 {
		return nil, fmt.Errorf("%w: polygon has no rings", ErrBadZone)
	}
	rings, err := openRings(p)
	if err != nil {
		return nil, err
	}
	// Unwrap longitudes around the first vertex so a ring crossing the
	// antimeridian stays contiguous, then centre on the bounds.
	ref := rings[0][0][0]
	minLat, maxLat := math.Inf(1), math.Inf(-1)
	minLon, maxLon := math.Inf(1), math.Inf(-1)
	for _, r := range rings {
		for i := range r {
			r[i][0] = ref + wrapLon(r[i][0]-ref)
			minLon, maxLon = math.Min(minLon, r[i][0]), math.Max(maxLon, r[i][0])
			minLat, maxLat = math.Min(minLat, r[i][1]), math.Max(maxLat, r[i][1])
		}
	}
	g := &polygon{lat0: (minLat + maxLat) / 2, lon0: (minLon + maxLon) / 2}
	g.cos0 = math.Cos(g.lat0 * deg)
	g.lon0 = wrapLon(g.lon0)
	g.minX, g.minY = math.Inf(1), math.Inf(1)
	g.maxX, g.maxY = math.Inf(-1), math.Inf(-1)
	for _, r := range rings {
		ring := make([]xy, len(r))
		for i, v := range r {
			ring[i] = g.project(v[1], v[0])
			g.extend(ring[i])
		}
		g.rings = append(g.rings, ring)
	}
	if w, h := g.maxX-g.minX, g.maxY-g.minY; w > MaxPolygonSpan || h > MaxPolygonSpan {
		return nil, fmt.Errorf("%w: polygon spans %.0f x %.0f m, over the %.0f m limit",
			ErrBadZone, w, h, float64(MaxPolygonSpan))
	}
	return g, g.check()
}

// openRings copies the rings without their closing vertex and checks the
// coordinates and counts.
func openRings(p orb.Polygon) ([]orb.Ring, error) {
	total := 0
	out := make([]orb.Ring, 0, len(p))
	for ri, r := range p {
		if n := len(r); n > 1 && r[0] == r[n-1] {
			r = r[:n-1]
		}
		if len(r) < 3 {
			return nil, fmt.Errorf("%w: ring %d has %d distinct vertices, need 3",
				ErrBadZone, ri, len(r))
		}
		total += len(r)
		if total > MaxVertices {
			return nil, fmt.Errorf("%w: polygon has over %d vertices", ErrBadZone, MaxVertices)
		}
		for vi, v := range r {
			if !validLatLon(v[1], v[0]) {
				return nil, fmt.Errorf("%w: ring %d vertex %d %v", errNotFinite, ri, vi, v)
			}
			if math.Abs(v[1]) > maxPolygonLat {
				return nil, fmt.Errorf("%w: ring %d vertex %d", errPolygonNearPole, ri, vi)
			}
		}
		out = append(out, append(orb.Ring(nil), r...))
	}
	return out, nil
}

func (g *polygon) project(lat, lon float64) xy {
	return xy{wrapLon(lon-g.lon0) * g.cos0 * metresPerDeg, (lat - g.lat0) * metresPerDeg}
}

func (g *polygon) extend(v xy) {
	g.minX, g.maxX = math.Min(g.minX, v.x), math.Max(g.maxX, v.x)
	g.minY, g.maxY = math.Min(g.minY, v.y), math.Max(g.maxY, v.y)
	g.reach = math.Max(g.reach, math.Hypot(v.x, v.y))
}

// check rejects degenerate and self-intersecting rings, and holes that
// start outside the outer ring.
func (g *polygon) check() error {
	for ri, r := range g.rings {
		for i := range r {
			a, b := r[i], r[(i+1)%len(r)]
			if a == b {
				return fmt.Errorf("%w: ring %d repeats vertex %d", ErrBadZone, ri, i)
			}
			if err := g.crossesAny(ri, i, a, b); err != nil {
				return err
			}
		}
	}
	for ri, r := range g.rings {
		if ringArea(r) == 0 {
			return fmt.Errorf("%w: ring %d has zero area", ErrBadZone, ri)
		}
	}
	for ri := 1; ri < len(g.rings); ri++ {
		if !inRing(g.rings[0], g.rings[ri][0]) {
			return fmt.Errorf("%w: hole %d is outside the outer ring", ErrBadZone, ri)
		}
	}
	return nil
}

// crossesAny reports an error when edge i of ring ri, from a to b, touches
// any later edge other than its neighbours.
func (g *polygon) crossesAny(ri, i int, a, b xy) error {
	for rj := ri; rj < len(g.rings); rj++ {
		r := g.rings[rj]
		n := len(r)
		j0 := 0
		if rj == ri {
			j0 = i + 1
		}
		for j := j0; j < n; j++ {
			if rj == ri && (j == i+1 || (i == 0 && j == n-1) || j == i) {
				continue
			}
			if segmentsTouch(a, b, r[j], r[(j+1)%n]) {
				return fmt.Errorf("%w (ring %d edge %d and ring %d edge %d)",
					ErrSelfIntersect, ri, i, rj, j)
			}
		}
	}
	return nil
}

// classify places a point with margin m (the share of its accuracy that
// must clear a boundary) against the polygon and an exit margin.
func (g *polygon) classify(lat, lon, m, exit float64) Class {
	p := g.project(lat, lon)
	far := exit + m
	if p.x < g.minX-far || p.x > g.maxX+far || p.y < g.minY-far || p.y > g.maxY+far {
		return Outside
	}
	in := false
	d2 := math.Inf(1)
	for _, r := range g.rings {
		if inRing(r, p) {
			in = !in
		}
		d2 = math.Min(d2, ringDist2(r, p))
	}
	d := math.Sqrt(d2)
	switch {
	case in && d >= m:
		return Inside
	case !in && d >= far:
		return Outside
	}
	return Between
}

// contains reports whether (lat, lon) is inside the polygon proper.
func (g *polygon) contains(lat, lon float64) bool {
	p := g.project(lat, lon)
	if p.x < g.minX || p.x > g.maxX || p.y < g.minY || p.y > g.maxY {
		return false
	}
	in := false
	for _, r := range g.rings {
		if inRing(r, p) {
			in = !in
		}
	}
	return in
}

// inRing is the even-odd ray cast towards +x.
func inRing(r []xy, p xy) bool {
	in := false
	j := len(r) - 1
	for i := range r {
		a, b := r[i], r[j]
		if (a.y > p.y) != (b.y > p.y) {
			x := a.x + (p.y-a.y)*(b.x-a.x)/(b.y-a.y)
			if p.x < x {
				in = !in
			}
		}
		j = i
	}
	return in
}

// ringDist2 returns the squared distance from p to the nearest edge of r.
func ringDist2(r []xy, p xy) float64 {
	best := math.Inf(1)
	j := len(r) - 1
	for i := range r {
		best = math.Min(best, segDist2(r[j], r[i], p))
		j = i
	}
	return best
}

func segDist2(a, b, p xy) float64 {
	dx, dy := b.x-a.x, b.y-a.y
	t := 0.0
	if l := dx*dx + dy*dy; l > 0 {
		t = math.Max(0, math.Min(1, ((p.x-a.x)*dx+(p.y-a.y)*dy)/l))
	}
	ex, ey := a.x+t*dx-p.x, a.y+t*dy-p.y
	return ex*ex + ey*ey
}

func ringArea(r []xy) float64 {
	s := 0.0
	j := len(r) - 1
	for i := range r {
		s += r[j].x*r[i].y - r[i].x*r[j].y
		j = i
	}
	return s / 2
}

// segmentsTouch reports whether segments ab and cd share any point.
func segmentsTouch(a, b, c, d xy) bool {
	d1, d2 := orient(c, d, a), orient(c, d, b)
	d3, d4 := orient(a, b, c), orient(a, b, d)
	if ((d1 > 0 && d2 < 0) || (d1 < 0 && d2 > 0)) && ((d3 > 0 && d4 < 0) || (d3 < 0 && d4 > 0)) {
		return true
	}
	return (d1 == 0 && onSeg(c, d, a)) || (d2 == 0 && onSeg(c, d, b)) ||
		(d3 == 0 && onSeg(a, b, c)) || (d4 == 0 && onSeg(a, b, d))
}

func orient(a, b, c xy) float64 { return (b.x-a.x)*(c.y-a.y) - (b.y-a.y)*(c.x-a.x) }

func onSeg(a, b, p xy) bool {
	return math.Min(a.x, b.x) <= p.x && p.x <= math.Max(a.x, b.x) &&
		math.Min(a.y, b.y) <= p.y && p.y <= math.Max(a.y, b.y)
}
