// Package cell is the one place Dozor touches H3 (uber/h3-go, a cgo
// binding). Everything else works with cells as plain uint64 values through
// these few functions, so a pure-Go H3 later is a change to this file only.
//
// One FromLatLng costs about 2 µs on the reference machine, more than
// decoding a whole tracker record: compute a fix's cell once, at ingest, at
// the finest resolution kept, and derive coarser cells with Parent.
package cell

import (
	"fmt"
	"math"

	"github.com/uber/h3-go/v4"
)

// MaxResolution is the finest H3 resolution.
const MaxResolution = 15

// FromLatLng returns the H3 cell containing the point at resolution res.
// It returns 0 for coordinates H3 cannot index (NaN, infinite).
func FromLatLng(lat, lon float64, res int) uint64 {
	if math.IsNaN(lat) || math.IsNaN(lon) || math.IsInf(lat, 0) || math.IsInf(lon, 0) {
		return 0
	}
	if res < 0 || res > MaxResolution {
		return 0
	}
	return uint64(h3.LatLngToCell(h3.LatLng{Lat: lat, Lng: lon}, res))
}

// Parent returns the ancestor of c at the coarser resolution res, or c
// itself when res is not coarser. It costs a few nanoseconds of bit work.
func Parent(c uint64, res int) uint64 {
	r := Resolution(c)
	if res >= r || res < 0 {
		return c
	}
	// Set the resolution field and mark the digits below res as unused (7).
	const resShift, resMask = 52, uint64(0xF) << 52
	c = c&^resMask | uint64(res)<<resShift
	for d := res + 1; d <= MaxResolution; d++ {
		c |= uint64(7) << ((MaxResolution - d) * 3)
	}
	return c
}

// Resolution returns the resolution of cell c.
func Resolution(c uint64) int { return int(c >> 52 & 0xF) }

// Valid reports whether c is a valid H3 cell index.
func Valid(c uint64) bool { return h3.Cell(c).IsValid() }

// Center returns the centre of cell c.
func Center(c uint64) (lat, lon float64) {
	ll := h3.Cell(c).LatLng()
	return ll.Lat, ll.Lng
}

// Disk returns c and every cell within k steps of it, appended to dst.
func Disk(dst []uint64, c uint64, k int) []uint64 {
	for _, x := range h3.GridDisk(h3.Cell(c), k) {
		dst = append(dst, uint64(x))
	}
	return dst
}

// EdgeMeters returns the average hexagon edge length at resolution res.
func EdgeMeters(res int) float64 {
	if res < 0 || res > MaxResolution {
		return 0
	}
	return h3.HexagonEdgeLengthAvgM(res)
}

// String formats a cell the way H3 tools print it.
func String(c uint64) string { return fmt.Sprintf("%x", c) }

// Parse reads a cell from its hexadecimal form.
func Parse(s string) (uint64, error) {
	var c uint64
	if _, err := fmt.Sscanf(s, "%x", &c); err != nil {
		return 0, fmt.Errorf("parse cell %q: %w", s, err)
	}
	if !Valid(c) {
		return 0, fmt.Errorf("parse cell %q: not a valid H3 cell", s)
	}
	return c, nil
}
