package geofence

import (
	"errors"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/geo"
	"github.com/paulmach/orb/planar"

	"dozor/geofence/cell"
)

// randomCentre spreads centres over the globe with extra weight at the
// poles and the antimeridian, where coordinate code tends to break.
func randomCentre(rng *rand.Rand) orb.Point {
	switch rng.IntN(5) {
	case 0:
		lon := wrapLon(180 + (rng.Float64()-0.5)*0.02)
		return orb.Point{lon, rng.Float64()*160 - 80}
	case 1:
		return orb.Point{rng.Float64()*360 - 180, (89.5 + rng.Float64()*0.5) * float64(1-2*rng.IntN(2))}
	}
	return orb.Point{rng.Float64()*360 - 180, math.Asin(2*rng.Float64()-1) / deg}
}

func wrapPoint(p orb.Point) orb.Point {
	p[0] = wrapLon(p[0])
	return p
}

func TestCircleClassifyProperty(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	radii := []float64{0, 0.5, 20, 50, 300, 5000, 60e3}
	for i := range 20000 {
		c := randomCentre(rng)
		entry := radii[rng.IntN(len(radii))]
		exit := entry + rng.Float64()*math.Min(entry+50, MaxRadius-entry)
		z := Zone{ID: 1, Shape: ShapeCircle, Center: c, Radius: entry, ExitRadius: exit}
		if entry == 0 {
			z.Radius, z.ExitRadius = 0, 0 // defaults
		}
		r, err := prepare(&z, IndexConfig{})
		if err != nil {
			t.Fatalf("case %d: %v", i, err)
		}
		d := rng.Float64() * (r.exit*1.5 + 10)
		p := wrapPoint(geo.PointAtBearingAndDistance(c, rng.Float64()*360, d))
		got := r.classify(p[1], p[0], 0)
		want := Between
		// Distances are compared with a margin for float error in the
		// destination-point formula.
		real := geo.DistanceHaversine(c, p)
		switch {
		case real < r.entry-1e-6*(r.entry+1):
			want = Inside
		case real > r.exit+1e-6*(r.exit+1):
			want = Outside
		case math.Abs(real-r.entry) < 1e-3 || math.Abs(real-r.exit) < 1e-3:
			continue // on a boundary: either answer is right
		}
		if got != want && !(want == Between && real <= r.entry) {
			t.Fatalf("case %d: centre %v entry %.2f exit %.2f, point at %.3f m: %v, want %v",
				i, c, r.entry, r.exit, real, got, want)
		}
	}
}

func TestAccuracyMostlyInside(t *testing.T) {
	z := Zone{ID: 1, Shape: ShapeCircle, Center: orb.Point{37.6, 55.7}, Radius: 50, ExitRadius: 100}
	r, err := prepare(&z, IndexConfig{})
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name      string
		dist, acc float64
		want      Class
	}{
		{"centre, sharp", 0, 5, Inside},
		{"edge, sharp", 49, 1, Inside},
		{"edge, vague", 45, 30, Between},
		{"centre, very vague", 0, 130, Between},
		{"just outside exit, vague", 105, 30, Between},
		{"far outside exit", 200, 30, Outside},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := geo.PointAtBearingAndDistance(z.Center, 45, tt.dist)
			if got := r.classify(p[1], p[0], tt.acc); got != tt.want {
				t.Fatalf("%v, want %v", got, tt.want)
			}
		})
	}
}

// TestIndexFindsEveryZone checks the H3 cover: any point within a zone's
// exit boundary must find it, at every scale and anywhere on the globe.
func TestIndexFindsEveryZone(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	x := NewIndex(IndexConfig{})
	type zc struct {
		c    orb.Point
		exit float64
	}
	var zones []zc
	for i := range 3000 {
		c := randomCentre(rng)
		exit := math.Pow(10, rng.Float64()*4.5) // 1 m to 30 km
		z := Zone{ID: int64(i), Shape: ShapeCircle, Center: c, Radius: exit / 2, ExitRadius: exit}
		if err := x.Add(z); err != nil {
			t.Fatal(err)
		}
		zones = append(zones, zc{c, exit})
	}
	for i, z := range zones {
		for range 10 {
			p := wrapPoint(geo.PointAtBearingAndDistance(z.c, rng.Float64()*360,
				z.exit*0.999*math.Sqrt(rng.Float64())))
			c := cell.FromLatLng(p[1], p[0], FixResolution)
			if !hasZone(x.Lookup(nil, p[1], p[0], 0, c), int64(i)) {
				t.Fatalf("zone %d (centre %v, exit %.1f m) not found from %v", i, z.c, z.exit, p)
			}
		}
	}
}

func hasZone(hits []Hit, id int64) bool {
	for _, h := range hits {
		if h.Zone == id {
			return true
		}
	}
	return false
}

func TestPolygonMatchesOrb(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	for i := range 300 {
		c := orb.Point{rng.Float64()*300 - 150, rng.Float64()*140 - 70}
		n := 3 + rng.IntN(30)
		ring := make(orb.Ring, 0, n+1)
		for k := range n {
			a := 2 * math.Pi * float64(k) / float64(n)
			d := 0.0005 + rng.Float64()*0.002
			ring = append(ring, orb.Point{c[0] + d*math.Cos(a), c[1] + d*math.Sin(a)})
		}
		ring = append(ring, ring[0])
		g, err := newPolygon(orb.Polygon{ring})
		if err != nil {
			t.Fatalf("polygon %d: %v", i, err)
		}
		for range 200 {
			p := orb.Point{c[0] + (rng.Float64()-0.5)*0.005, c[1] + (rng.Float64()-0.5)*0.005}
			if got, want := g.contains(p[1], p[0]), planar.PolygonContains(orb.Polygon{ring}, p); got != want {
				// Equirectangular projection around the centre keeps lines
				// straight in lon/lat, so the answers agree exactly except
				// on an edge.
				t.Fatalf("polygon %d point %v: contains %v, orb %v", i, p, got, want)
			}
		}
	}
}

func TestPolygonAntimeridian(t *testing.T) {
	sq := orb.Polygon{{{179.999, -16.8}, {-179.999, -16.8}, {-179.999, -16.79}, {179.999, -16.79}}}
	z := Zone{ID: 1, Shape: ShapePolygon, Polygon: sq}
	x := NewIndex(IndexConfig{})
	if err := x.Add(z); err != nil {
		t.Fatal(err)
	}
	for _, lon := range []float64{179.9995, -179.9995, 180, -180} {
		hits := x.Lookup(nil, -16.795, lon, 1, 0)
		if len(hits) != 1 || hits[0].Class != Inside {
			t.Errorf("lon %v: hits %v, want inside", lon, hits)
		}
	}
	if hits := x.Lookup(nil, -16.795, 179.99, 1, 0); len(hits) != 0 {
		t.Errorf("800 m west: hits %v, want none", hits)
	}
}

func TestZoneValidation(t *testing.T) {
	bowtie := orb.Polygon{{{0, 0}, {0.001, 0.001}, {0.001, 0}, {0, 0.001}, {0, 0}}}
	tests := []struct {
		name string
		z    Zone
		want error
	}{
		{"bowtie", Zone{Shape: ShapePolygon, Polygon: bowtie}, ErrSelfIntersect},
		{"two points", Zone{Shape: ShapePolygon, Polygon: orb.Polygon{{{1, 1}, {1.001, 1}}}}, ErrBadZone},
		{"collinear", Zone{Shape: ShapePolygon,
			Polygon: orb.Polygon{{{1, 1}, {1.001, 1}, {1.002, 1}}}}, ErrBadZone},
		{"near pole", Zone{Shape: ShapePolygon,
			Polygon: orb.Polygon{{{1, 89.5}, {1.1, 89.5}, {1.1, 89.6}}}}, ErrBadZone},
		{"huge polygon", Zone{Shape: ShapePolygon,
			Polygon: orb.Polygon{{{1, 1}, {2, 1}, {2, 2}}}}, ErrBadZone},
		{"NaN centre", Zone{Shape: ShapeCircle, Center: orb.Point{math.NaN(), 0}}, ErrBadZone},
		{"latitude 91", Zone{Shape: ShapeCircle, Center: orb.Point{0, 91}}, ErrBadZone},
		{"negative radius", Zone{Shape: ShapeCircle, Center: orb.Point{1, 1}, Radius: -1}, ErrBadZone},
		{"exit inside entry", Zone{Shape: ShapeCircle, Center: orb.Point{1, 1}, Radius: 50,
			ExitRadius: 10}, ErrBadZone},
		{"radius over limit", Zone{Shape: ShapeCircle, Center: orb.Point{1, 1}, Radius: 2e5}, ErrBadZone},
		{"no shape", Zone{}, ErrBadZone},
		{"pole circle", Zone{Shape: ShapeCircle, Center: orb.Point{0, 90}, Radius: 10}, nil},
		{"zero-ish circle", Zone{Shape: ShapeCircle, Center: orb.Point{1, 1}, Radius: 1e-9}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.z.Validate()
			if !errors.Is(err, tt.want) || (tt.want == nil) != (err == nil) {
				t.Fatalf("error %v, want %v", err, tt.want)
			}
		})
	}
}

// FuzzPolygon builds polygons from arbitrary vertices: no panics, and any
// point classified inside must be contained.
func FuzzPolygon(f *testing.F) {
	f.Add(37.6, 55.7, 0.001, 0.0005, 0.0007, -0.0003, 0.0002, 0.0004)
	f.Add(179.9999, -16.8, 0.0002, 0.0, -0.0001, 0.0001, 0.0001, 0.0003)
	f.Fuzz(func(t *testing.T, lon, lat, a, b, c, d, px, py float64) {
		ring := orb.Ring{{lon, lat}, {lon + a, lat + b}, {lon + c, lat + d}, {lon - a, lat + c}}
		g, err := newPolygon(orb.Polygon{ring})
		if err != nil {
			if !errors.Is(err, ErrBadZone) {
				t.Fatalf("error %v does not wrap ErrBadZone", err)
			}
			return
		}
		plat, plon := lat+py, wrapLon(lon+px)
		if cl := g.classify(plat, plon, 1, 10); cl == Inside && !g.contains(plat, plon) {
			t.Fatalf("inside but not contained")
		}
	})
}

// FuzzCircle checks circles at any coordinates and radii against
// haversine.
func FuzzCircle(f *testing.F) {
	f.Add(55.7, 37.6, 50.0, 100.0, 55.7001, 37.6001, 10.0)
	f.Add(89.99, 10.0, 1e4, 2e4, 89.999, -170.0, 0.0)
	f.Add(-16.8, 179.9999, 0.0, 0.0, -16.8, -179.9999, 3.0)
	f.Fuzz(func(t *testing.T, lat, lon, entry, exit, plat, plon, acc float64) {
		z := Zone{ID: 1, Shape: ShapeCircle, Center: orb.Point{lon, lat}, Radius: entry, ExitRadius: exit}
		r, err := prepare(&z, IndexConfig{})
		if err != nil || !validLatLon(plat, plon) || !(acc >= 0) || math.IsInf(acc, 0) {
			return
		}
		d := haversine(lat, lon, plat, plon)
		switch r.classify(plat, plon, acc) {
		case Inside:
			if d > r.entry+1e-6 {
				t.Fatalf("inside at %.3f m, entry %.3f", d, r.entry)
			}
		case Outside:
			if d < r.exit-1e-6 {
				t.Fatalf("outside at %.3f m, exit %.3f", d, r.exit)
			}
		}
	})
}
