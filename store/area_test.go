package store_test

import (
	"errors"
	"math/rand/v2"
	"testing"

	"dozor/geofence/cell"
	"dozor/store"
)

// matches is what a store does with the terms: the index range, then the
// exact test. It counts the terms that match, and fails if AreaFilter, the
// test of a store without the index, disagrees.
func matches(t *testing.T, terms []store.AreaTerm, c uint64) int {
	t.Helper()
	n := 0
	for _, term := range terms {
		k := store.AreaKey(c)
		if k >= term.Lo && k <= term.Hi && int64(c>>term.Shift)&term.Mask == term.Value {
			n++
		}
	}
	if store.AreaFilter(terms)(c) != (n > 0) {
		t.Fatalf("cell %x: AreaFilter disagrees with the terms", c)
	}
	return n
}

// TestAreaTermsAgreeWithH3 checks the bit arithmetic against H3's own
// parents: a fix cell matches a query cell exactly when H3 says the query
// cell is its ancestor (or itself), at every query resolution.
func TestAreaTermsAgreeWithH3(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for range 2000 {
		lat, lon := rng.Float64()*170-85, rng.Float64()*360-180
		fix := cell.FromLatLng(lat, lon, 12)
		for res := 0; res <= 12; res++ {
			q := cell.Parent(fix, res)
			terms, err := store.AreaTerms([]uint64{q})
			if err != nil {
				t.Fatalf("cell %x: %v", q, err)
			}
			if matches(t, terms, fix) != 1 {
				t.Fatalf("fix %x not found by its res-%d parent %x", fix, res, q)
			}
			// A neighbour of the fix at that resolution is not its parent.
			other := cell.FromLatLng(lat+0.5, lon+0.5, res)
			if other != q && matches(t, mustTerms(t, other), fix) != 0 {
				t.Fatalf("fix %x matched by %x, not its parent", fix, other)
			}
		}
		// A finer query cell than the fix's never matches it.
		if matches(t, mustTerms(t, cell.FromLatLng(lat, lon, 13)), fix) != 0 {
			t.Fatalf("fix %x matched by a finer cell", fix)
		}
	}
}

func mustTerms(t *testing.T, cells ...uint64) []store.AreaTerm {
	t.Helper()
	terms, err := store.AreaTerms(cells)
	if err != nil {
		t.Fatal(err)
	}
	return terms
}

// TestAreaTermsOutermost: a cell inside another query cell, or repeated,
// adds no term, so a fix is found once.
func TestAreaTermsOutermost(t *testing.T) {
	fix := cell.FromLatLng(55.75, 37.61, 12)
	p7, p9 := cell.Parent(fix, 7), cell.Parent(fix, 9)
	terms := mustTerms(t, fix, p9, p7, p9, cell.FromLatLng(59.9, 30.3, 9))
	if len(terms) != 2 {
		t.Fatalf("%d terms, want 2 (the res-7 cell and the other city)", len(terms))
	}
	if matches(t, terms, fix) != 1 {
		t.Fatal("fix not found exactly once")
	}
}

func TestAreaTermsRejects(t *testing.T) {
	good := cell.FromLatLng(55.75, 37.61, 9)
	for name, c := range map[string]uint64{
		"zero":          0,
		"edge mode":     good&^(0xF<<59) | 2<<59,
		"digit 7 early": good | 7<<(3*(15-5)),
		"digit after":   good &^ (7 << (3 * (15 - 12))),
		"base cell 127": good | 0x7F<<45,
		"top bit":       good | 1<<63,
	} {
		if _, err := store.AreaTerms([]uint64{c}); !errors.Is(err, store.ErrBadCell) {
			t.Errorf("%s (%x): err %v, want ErrBadCell", name, c, err)
		}
	}
	if _, err := store.AreaTerms(make([]uint64, store.MaxAreaCells+1)); err == nil {
		t.Error("too many cells accepted")
	}
}

// FuzzAreaTerms: any query cells either fail with a clear error or give
// terms on which the index range and AreaFilter agree for any fix cell.
func FuzzAreaTerms(f *testing.F) {
	c := cell.FromLatLng(55.75, 37.61, 12)
	f.Add(uint64(c), cell.Parent(c, 5), uint64(c))
	f.Add(uint64(0), uint64(1)<<63, ^uint64(0))
	f.Fuzz(func(t *testing.T, a, b, fix uint64) {
		terms, err := store.AreaTerms([]uint64{a, b})
		if err != nil {
			if !errors.Is(err, store.ErrBadCell) {
				t.Fatalf("error %v does not wrap ErrBadCell", err)
			}
			return
		}
		if len(terms) == 0 || len(terms) > 2 {
			t.Fatalf("%d terms for two cells", len(terms))
		}
		matches(t, terms, fix)
	})
}
