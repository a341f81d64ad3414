// Package matrix provides travel-time and distance matrices for the
// planner: a dense Table, a haversine estimate with a road factor and a speed
// (the default, and the fallback when no routing engine is configured), and
// clients for the OSRM table and Valhalla sources_to_targets services.
package matrix

import (
	"context"
	"errors"
	"math"
)

// ErrSize reports a matrix whose size does not match its input.
var ErrSize = errors.New("matrix: size mismatch")

// Point is a WGS84 position in degrees.
type Point struct {
	Lat, Lon float64
}

// Table is a dense n×n matrix of durations (seconds, or the planner's time
// unit) and distances (metres, or any unit). It implements planner.Matrix.
type Table struct {
	n    int
	dur  []int64
	dist []int64
}

// NewTable returns an n×n table of zeros.
func NewTable(n int) *Table {
	return &Table{n: n, dur: make([]int64, n*n), dist: make([]int64, n*n)}
}

// Len returns the number of locations.
func (t *Table) Len() int { return t.n }

// Duration returns the travel time from a to b.
func (t *Table) Duration(a, b int) int64 { return t.dur[a*t.n+b] }

// Distance returns the travel distance from a to b.
func (t *Table) Distance(a, b int) int64 { return t.dist[a*t.n+b] }

// Set stores the duration and distance from a to b.
func (t *Table) Set(a, b int, dur, dist int64) {
	t.dur[a*t.n+b] = dur
	t.dist[a*t.n+b] = dist
}

// Defaults of Haversine.
const (
	// DefaultRoadFactor is the ratio of road to great-circle distance in
	// cities (rule of thumb, research notes section 5).
	DefaultRoadFactor = 1.3
	// DefaultSpeed is the average door-to-door speed in metres per second
	// (25 km/h in town).
	DefaultSpeed = 25.0 / 3.6
	earthRadius  = 6371008.8 // metres, mean radius
)

// Haversine estimates road travel from great-circle distances. The zero
// value uses DefaultRoadFactor and DefaultSpeed.
type Haversine struct {
	RoadFactor float64
	Speed      float64 // metres per second
}

// Table implements Source; it never fails.
func (h Haversine) Table(_ context.Context, pts []Point) (*Table, error) {
	return h.Compute(pts), nil
}

// Compute returns the symmetric matrix for pts: distance in metres (rounded)
// and duration in seconds (rounded up).
func (h Haversine) Compute(pts []Point) *Table {
	f, v := h.RoadFactor, h.Speed
	if f == 0 {
		f = DefaultRoadFactor
	}
	if v == 0 {
		v = DefaultSpeed
	}
	t := NewTable(len(pts))
	for a := range pts {
		for b := a + 1; b < len(pts); b++ {
			d := f * GreatCircle(pts[a], pts[b])
			dur, dist := int64(math.Ceil(d/v)), int64(math.Round(d))
			t.Set(a, b, dur, dist)
			t.Set(b, a, dur, dist)
		}
	}
	return t
}

// GreatCircle returns the haversine distance between two points in metres.
func GreatCircle(a, b Point) float64 {
	const rad = math.Pi / 180
	dLat := (b.Lat - a.Lat) * rad
	dLon := (b.Lon - a.Lon) * rad
	s := math.Sin(dLat/2)*math.Sin(dLat/2) +
		math.Cos(a.Lat*rad)*math.Cos(b.Lat*rad)*math.Sin(dLon/2)*math.Sin(dLon/2)
	return 2 * earthRadius * math.Asin(math.Min(1, math.Sqrt(s)))
}
