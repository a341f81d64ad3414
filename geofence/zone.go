package geofence

import (
	"errors"
	"fmt"
	"math"
	"time"

	"github.com/paulmach/orb"
)

// Zone defaults and limits. Zero fields of a Zone take these values unless
// the Index was built with a different IndexConfig.
const (
	DefaultRadius     = 50.0  // entry radius of a circle, metres
	DefaultExitMargin = 50.0  // exit boundary beyond the entry boundary, metres
	MaxRadius         = 100e3 // largest exit radius accepted, metres
	MaxVertices       = 4096  // vertices of all rings of one polygon
	MaxPolygonSpan    = 50e3  // largest polygon extent, metres
	maxPolygonLat     = 89.0  // polygons must stay this far from the poles
)

// Sentinel errors. Every zone validation error wraps ErrBadZone.
var (
	ErrBadZone         = errors.New("geofence: bad zone")
	ErrSelfIntersect   = fmt.Errorf("%w: polygon ring intersects itself", ErrBadZone)
	ErrDuplicateZone   = errors.New("geofence: duplicate zone id")
	ErrUnknownZone     = errors.New("geofence: unknown zone id")
	ErrIndexFull       = errors.New("geofence: index full")
	errNotFinite       = fmt.Errorf("%w: coordinate not finite or out of range", ErrBadZone)
	errPolygonNearPole = fmt.Errorf("%w: polygon within 1 degree of a pole", ErrBadZone)
)

// Shape is the kind of boundary a zone has.
type Shape uint8

// Zone shapes.
const (
	ShapeCircle  Shape = iota + 1 // centre and radius
	ShapePolygon                  // GeoJSON polygon (outer ring and holes)
)

// String returns the shape's name as used in imports.
func (s Shape) String() string {
	switch s {
	case ShapeCircle:
		return "circle"
	case ShapePolygon:
		return "polygon"
	}
	return fmt.Sprintf("shape(%d)", uint8(s))
}

// Zone is the geofence of one debtor address. It has an entry boundary
// (where a collector counts as arrived) and a wider exit boundary (which a
// collector must leave for a departure to count), so drift at the edge does
// not toggle the state.
//
// Coordinates follow orb and GeoJSON: orb.Point{lon, lat}.
type Zone struct {
	ID      int64 // unique per index
	Debtor  int64
	Address int64
	Shape   Shape

	// Center and Radius describe a circle. Radius 0 means the index's
	// default. ExitRadius 0 means Radius plus the default exit margin.
	Center     orb.Point
	Radius     float64
	ExitRadius float64

	// Polygon is the entry boundary of a polygon zone: the outer ring
	// first, then holes. Rings may be open or closed. The exit boundary is
	// everything within ExitMargin metres of it (0 means the default).
	Polygon    orb.Polygon
	ExitMargin float64

	// MinDwell is the stay needed to confirm an arrival; 0 means the
	// engine's default.
	MinDwell time.Duration
}

// Validate checks z with the package defaults and returns an error wrapping
// ErrBadZone that says what is wrong.
func (z *Zone) Validate() error {
	_, err := prepare(z, IndexConfig{})
	return err
}

// Class says where a position is relative to one zone.
type Class uint8

// Position classes.
const (
	Outside Class = iota // outside the exit boundary
	Between              // not mostly inside the entry boundary, not outside the exit one
	Inside               // mostly inside the entry boundary
)

// String returns the class name.
func (c Class) String() string {
	switch c {
	case Outside:
		return "outside"
	case Between:
		return "between"
	case Inside:
		return "inside"
	}
	return fmt.Sprintf("class(%d)", uint8(c))
}

// mostly is the share of the accuracy radius that must fit inside the
// entry boundary (or outside the exit one). With the boundary locally
// straight, a disc whose centre lies 0.4 radii inside it has about 74 % of
// its area inside: "mostly inside".
const mostly = 0.4

// region is the prepared geometry of one zone, immutable once built.
type region struct {
	id, debtor, address int64
	minDwell            time.Duration

	lat, lon float64 // circle centre, or the centre of the covering cap
	cosLat   float64
	entry    float64 // circle entry radius, metres
	exit     float64 // circle exit radius, or polygon exit margin, metres
	cover    float64 // radius of the cap covering the exit boundary, metres
	poly     *polygon
	res      int8   // H3 resolution of the cover cells; -1 when wide
	k        int8   // disk size around home
	home     uint64 // cover centre cell at res
	slot     uint32
	shape    Shape
}

// classify places the point (lat, lon) with accuracy acc metres.
func (r *region) classify(lat, lon, acc float64) Class {
	if r.poly != nil {
		return r.poly.classify(lat, lon, acc*mostly, r.exit)
	}
	m := acc * mostly
	// Cheap equirectangular distance first: most candidates are far.
	if math.Abs(lat) < 80 && math.Abs(r.lat) < 80 {
		if approx := equirect(r.lat, r.lon, r.cosLat, lat, lon); approx > 1.01*(r.exit+m)+1 {
			return Outside
		}
	}
	d := haversine(r.lat, r.lon, lat, lon)
	switch {
	case d+m <= r.entry:
		return Inside
	case d-m >= r.exit:
		return Outside
	}
	return Between
}

func prepare(z *Zone, cfg IndexConfig) (*region, error) {
	cfg = cfg.withDefaults()
	r := &region{
		id: z.ID, debtor: z.Debtor, address: z.Address,
		minDwell: z.MinDwell, shape: z.Shape,
	}
	if z.MinDwell < 0 {
		return nil, fmt.Errorf("%w: negative min dwell %v", ErrBadZone, z.MinDwell)
	}
	switch z.Shape {
	case ShapeCircle:
		return r, prepareCircle(r, z, cfg)
	case ShapePolygon:
		return r, preparePolygon(r, z, cfg)
	}
	return nil, fmt.Errorf("%w: unknown shape %d", ErrBadZone, z.Shape)
}

func prepareCircle(r *region, z *Zone, cfg IndexConfig) error {
	lon, lat := z.Center[0], z.Center[1]
	if !validLatLon(lat, lon) {
		return fmt.Errorf("%w: centre %v", errNotFinite, z.Center)
	}
	entry, exit := z.Radius, z.ExitRadius
	if entry == 0 {
		entry = cfg.DefaultRadius
	}
	if exit == 0 {
		exit = entry + cfg.DefaultExitMargin
	}
	switch {
	case !(entry >= 0) || math.IsInf(entry, 0):
		return fmt.Errorf("%w: radius %v", ErrBadZone, z.Radius)
	case !(exit >= entry) || math.IsInf(exit, 0):
		return fmt.Errorf("%w: exit radius %v below radius %v", ErrBadZone, exit, entry)
	case exit > MaxRadius:
		return fmt.Errorf("%w: exit radius %.0f m over the %.0f m limit",
			ErrBadZone, exit, float64(MaxRadius))
	}
	r.lat, r.lon, r.cosLat = lat, lon, math.Cos(lat*deg)
	r.entry, r.exit, r.cover = entry, exit, exit
	return nil
}

func preparePolygon(r *region, z *Zone, cfg IndexConfig) error {
	margin := z.ExitMargin
	if margin == 0 {
		margin = cfg.DefaultExitMargin
	}
	if !(margin >= 0) || margin > MaxRadius {
		return fmt.Errorf("%w: exit margin %v", ErrBadZone, z.ExitMargin)
	}
	p, err := newPolygon(z.Polygon)
	if err != nil {
		return err
	}
	r.poly = p
	r.lat, r.lon, r.cosLat = p.lat0, p.lon0, p.cos0
	r.exit = margin
	r.cover = p.reach + margin
	return nil
}

func validLatLon(lat, lon float64) bool {
	return lat >= -90 && lat <= 90 && lon >= -180 && lon <= 180
}
