package live

import (
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"

	"dozor/geofence/cell"
)

// Viewport limits.
const (
	// MaxViewCells bounds the cells of one viewport filter.
	MaxViewCells = 4000
	// minViewRes and maxViewRes bound the resolution BoxCells picks.
	minViewRes, maxViewRes = 2, 9
)

// ErrBadBox reports a bounding box that cannot be read.
var ErrBadBox = errors.New("live: bad bounding box")

// ParseBox reads "west,south,east,north" in degrees.
func ParseBox(s string) (w, south, e, n float64, err error) {
	parts := strings.Split(s, ",")
	if len(parts) != 4 {
		return 0, 0, 0, 0, fmt.Errorf("%w: want west,south,east,north", ErrBadBox)
	}
	var v [4]float64
	for i, p := range parts {
		v[i], err = strconv.ParseFloat(strings.TrimSpace(p), 64)
		if err != nil || math.IsNaN(v[i]) || math.IsInf(v[i], 0) {
			return 0, 0, 0, 0, fmt.Errorf("%w: %q is not a number", ErrBadBox, clip(p))
		}
	}
	w, south, e, n = v[0], max(v[1], -85), v[2], min(v[3], 85)
	if south >= n || w >= e || w < -180 || e > 180 {
		return 0, 0, 0, 0, fmt.Errorf("%w: want west < east and south < north "+
			"within -180..180 and -85..85", ErrBadBox)
	}
	return w, south, e, n, nil
}

// BoxCells returns H3 cells that cover the box, at the finest resolution
// that needs no more than MaxViewCells, with a ring of neighbours so that
// the box's edges are covered. It returns nil (no viewport filter) for a
// box too large for the coarsest resolution: at that zoom everything is
// in view anyway.
func BoxCells(w, s, e, n float64) []uint64 {
	midLat := (s + n) / 2
	kmLat := (n - s) * 111.32
	kmLon := (e - w) * 111.32 * math.Cos(midLat*math.Pi/180)
	area := kmLat * kmLon
	for res := maxViewRes; res >= minViewRes; res-- {
		edge := cell.EdgeMeters(res) / 1000
		hexArea := 2.598 * edge * edge
		if area/hexArea*1.5+50 > MaxViewCells {
			continue
		}
		return coverBox(w, s, e, n, res, edge)
	}
	return nil
}

// coverBox samples the box at half the cell edge and adds each sampled
// cell's neighbours.
func coverBox(w, s, e, n float64, res int, edgeKm float64) []uint64 {
	stepLat := edgeKm / 2 / 111.32
	seen := map[uint64]struct{}{}
	var out, ring []uint64
	for lat := s; lat <= n+stepLat; lat += stepLat {
		la := min(lat, n)
		stepLon := stepLat / max(math.Cos(la*math.Pi/180), 0.05)
		for lon := w; lon <= e+stepLon; lon += stepLon {
			c := cell.FromLatLng(la, min(lon, e), res)
			if _, ok := seen[c]; ok || c == 0 {
				continue
			}
			seen[c] = struct{}{}
			out = append(out, c)
		}
	}
	for _, c := range out[:len(out):len(out)] {
		ring = cell.Disk(ring[:0], c, 1)
		for _, x := range ring {
			if _, ok := seen[x]; !ok {
				seen[x] = struct{}{}
				out = append(out, x)
			}
		}
	}
	return out
}

// ParseCells reads a comma-separated list of H3 cells in hex.
func ParseCells(s string) ([]uint64, error) {
	parts := strings.Split(s, ",")
	if len(parts) > MaxViewCells {
		return nil, fmt.Errorf("live: %d cells, at most %d", len(parts), MaxViewCells)
	}
	out := make([]uint64, 0, len(parts))
	for _, p := range parts {
		c, err := cell.Parse(strings.TrimSpace(p))
		if err != nil {
			return nil, err
		}
		out = append(out, c)
	}
	return out, nil
}
