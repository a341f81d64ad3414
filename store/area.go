package store

import (
	"errors"
	"fmt"
	"slices"
	"time"
)

// AreaQuery selects the fixes recorded in a place over a time range: "who
// was at this address between nine and noon".
type AreaQuery struct {
	// Cells are H3 cells of any resolution; a fix matches when its cell is
	// one of them or lies inside one of them in H3's hierarchy (one of its
	// ancestors). H3 children only roughly tile their parent, so a
	// point's coarse cell need not hold the point's fine cell: cover a
	// place with cells at the stored resolution, or with their parents.
	// At most MaxAreaCells.
	Cells []uint64

	From, To time.Time // fix time, From inclusive, To exclusive; zero: open

	// Devices, when not nil, keeps only these devices' fixes (a
	// supervisor's teams). An empty, non-nil slice matches nothing.
	Devices []int64

	Limit int // 0: MaxTrackLimit
}

// MaxAreaCells caps the cells of one AreaQuery.
const MaxAreaCells = 1000

// ErrBadCell is returned for a query cell that is not an H3 cell index.
var ErrBadCell = errors.New("store: not an H3 cell")

// The index behind area queries keys fixes by their ancestor at
// AreaKeyRes (about 0.1 km²) and fix time rather than by their own fine
// cell: a moving device stays in one such area for dozens of fixes, so
// its inserts go to the end of a few areas' entries instead of to random
// pages of a large index. Measured with dozor bench ingest on a 2-core
// machine, the two indexes ingested at the same rate up to 20 million
// rows in a day's partition (dropping the index altogether was a quarter
// faster there); the random inserts are expected to cost more once the
// index outgrows the database's cache. A query looks up the areas of its
// cells and keeps the rows whose cell is inside a query cell.
//
// The key is computed from the bits of the H3 index alone (base cell and
// the first AreaKeyRes digits), so PostgreSQL indexes it as an expression,
// AreaKeySQL, the same text in the index and the query. The embedded store
// has no area index (see store/sqlite/area.go) and tests cells with
// AreaFilter.
const (
	AreaKeyRes   = 9
	areaKeyShift = 3 * (15 - AreaKeyRes)
	areaKeyBits  = 7 + 3*AreaKeyRes
	areaKeyMask  = 1<<areaKeyBits - 1

	// AreaKeySQL is the indexed expression over the cell column.
	AreaKeySQL = "((cell >> 18) & 17179869183)"
)

// AreaKey is the area index key of cell, as AreaKeySQL computes it.
func AreaKey(cell uint64) int64 { return int64(cell >> areaKeyShift & areaKeyMask) }

// AreaTerm is one query cell made ready for SQL: stored fixes whose
// AreaKeySQL lies in [Lo, Hi] are candidates, and of those the ones with
// (cell >> Shift) & Mask == Value are inside the query cell.
type AreaTerm struct {
	Lo, Hi      int64
	Shift       int64
	Mask, Value int64
}

// Prepare checks the query and returns its terms and row limit; nil terms
// (and no error) mean nothing can match: no cells, or an empty device
// filter.
func (q AreaQuery) Prepare() ([]AreaTerm, int, error) {
	terms, err := AreaTerms(q.Cells)
	if err != nil || len(terms) == 0 || q.Devices != nil && len(q.Devices) == 0 {
		return nil, 0, err
	}
	return terms, ClampLimit(q.Limit), nil
}

// AreaTerms checks the query cells and turns them into terms, dropping
// cells inside other query cells so that no fix is returned twice.
func AreaTerms(cells []uint64) ([]AreaTerm, error) {
	if len(cells) > MaxAreaCells {
		return nil, fmt.Errorf("store: %d cells, at most %d", len(cells), MaxAreaCells)
	}
	for _, c := range cells {
		if !validCell(c) {
			return nil, fmt.Errorf("%w: %x", ErrBadCell, c)
		}
	}
	cells = outermost(cells)

	terms := make([]AreaTerm, len(cells))
	for i, c := range cells {
		terms[i] = areaTerm(c)
	}
	return terms, nil
}

func areaTerm(c uint64) AreaTerm {
	res := cellRes(c)
	shift := 3 * (15 - res)
	mask := uint64(1)<<(7+3*res) - 1
	t := AreaTerm{Shift: int64(shift), Mask: int64(mask), Value: int64(c >> shift & mask)}

	t.Hi = AreaKey(c)
	t.Lo = t.Hi
	if res < AreaKeyRes {
		// The cell's unused digits are all 7 (binary 111) in its key;
		// the areas inside it have any digits 0-6 there.
		t.Lo &^= 1<<(3*(AreaKeyRes-res)) - 1
	}
	return t
}

// outermost returns cells without duplicates and without the cells that
// lie inside another one of them.
func outermost(cells []uint64) []uint64 {
	byRes := slices.Clone(cells)
	slices.SortFunc(byRes, func(a, b uint64) int { return cellRes(a) - cellRes(b) })
	var out []uint64
	for _, c := range byRes {
		if !slices.ContainsFunc(out, func(o uint64) bool { return inside(c, o) }) {
			out = append(out, c)
		}
	}
	return out
}

// inside reports whether cell c is outer or lies inside it: it is at
// least as fine and shares outer's base cell and digits.
func inside(c, outer uint64) bool {
	r := cellRes(outer)
	shift := 3 * (15 - r)
	mask := uint64(1)<<(7+3*r) - 1
	return cellRes(c) >= r && c>>shift&mask == outer>>shift&mask
}

func cellRes(c uint64) int { return int(c >> 52 & 0xF) }

// validCell checks the layout of an H3 cell index: mode 1, reserved bits
// clear, a base cell 0-121, digits 0-6 up to the resolution and 7 after.
func validCell(c uint64) bool {
	if c>>63 != 0 || c>>59&0xF != 1 || c>>56&0x7 != 0 || c>>45&0x7F > 121 {
		return false
	}
	res := cellRes(c)
	for r := 1; r <= 15; r++ {
		d := c >> (3 * (15 - r)) & 7
		if (r <= res) != (d != 7) {
			return false
		}
	}
	return true
}

// AreaFilter returns a test of whether a fix's cell lies inside one of the
// terms, for a store that reads candidates without the area index. It
// costs one map lookup per distinct query resolution.
func AreaFilter(terms []AreaTerm) func(cell uint64) bool {
	type level struct {
		shift  int64
		mask   int64
		values map[int64]bool
	}
	var levels []*level
	for _, t := range terms {
		i := slices.IndexFunc(levels, func(l *level) bool { return l.shift == t.Shift })
		if i < 0 {
			levels = append(levels, &level{t.Shift, t.Mask, map[int64]bool{}})
			i = len(levels) - 1
		}
		levels[i].values[t.Value] = true
	}
	return func(cell uint64) bool {
		for _, l := range levels {
			if l.values[int64(cell>>l.shift)&l.mask] {
				return true
			}
		}
		return false
	}
}
