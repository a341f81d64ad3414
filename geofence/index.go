package geofence

import (
	"errors"
	"fmt"
	"math/bits"
	"runtime"
	"sync"
	"sync/atomic"

	"dozor/geofence/cell"
)

// FixResolution is the H3 resolution of Fix.Cell computed at ingest
// (DESIGN rule 6). The index derives every coarser cell from it.
const FixResolution = 12

const (
	finestLevel = 10      // finest resolution zones are indexed at
	coverShare  = 0.6     // a cap of radius coverShare*edge fits a k=1 disk
	wideCover   = 50e3    // caps wider than this skip the cell index, metres
	nShards     = 256     // lock shards of the cell map
	chunkBits   = 12      // zone slots per chunk: 4096
	maxChunks   = 1 << 14 // 64M zone slots in all
	multiBit    = 1 << 31 // cell value is an index into shard.multi
	chunkSize   = 1 << chunkBits
	chunkMask   = chunkSize - 1
	parallelMin = 4 * 1024 // AddAll prepares zones in parallel above this
)

// IndexConfig sets the defaults applied to zones with zero fields.
// The zero value uses DefaultRadius and DefaultExitMargin.
type IndexConfig struct {
	DefaultRadius     float64 // entry radius of circles without one, metres
	DefaultExitMargin float64 // exit boundary beyond entry when unset, metres
}

func (c IndexConfig) withDefaults() IndexConfig {
	if c.DefaultRadius <= 0 {
		c.DefaultRadius = DefaultRadius
	}
	if c.DefaultExitMargin <= 0 {
		c.DefaultExitMargin = DefaultExitMargin
	}
	return c
}

// Index finds the zones near a position. Each zone is covered by the H3
// cells of a k-disk at the finest resolution whose cells are large enough
// for its exit boundary (about 7 cells a zone); a lookup derives the fix
// cell's parent at each resolution in use, reads the candidates from a
// sharded open-addressing table and tests them exactly.
//
// All methods are safe for concurrent use: zones may be added and removed
// while lookups run. Writers are serialised by one mutex and take the
// shard locks of the cells they change; readers take no lock (each shard
// is a seqlock, see cellTable) and classify outside any critical section.
type Index struct {
	cfg IndexConfig

	mu     sync.Mutex // serialises writers; guards ids, free, next, levelN
	ids    map[int64]uint32
	free   []uint32
	next   uint32
	levelN [cell.MaxResolution + 1]int

	levels atomic.Uint32 // bit r set while some zone is indexed at res r
	wide   atomic.Pointer[[]*region]
	count  atomic.Int64
	chunks [maxChunks]atomic.Pointer[chunk]
	shards [nShards]cellTable
}

type chunk [chunkSize]atomic.Pointer[region]

// Hit is one zone whose exit boundary holds a position.
type Hit struct {
	Zone  int64
	Class Class // Inside or Between; Outside zones are not reported
	r     *region
}

// NewIndex returns an empty index.
func NewIndex(cfg IndexConfig) *Index {
	return &Index{cfg: cfg.withDefaults(), ids: make(map[int64]uint32)}
}

// Len returns the number of zones in the index.
func (x *Index) Len() int { return int(x.count.Load()) }

// Add validates z and adds it. A zone with an id already present is
// rejected with ErrDuplicateZone; use Remove first to replace one.
func (x *Index) Add(z Zone) error {
	r, err := x.plan(&z)
	if err != nil {
		return err
	}
	x.mu.Lock()
	defer x.mu.Unlock()
	return x.insertLocked(r)
}

// AddAll adds zones in bulk, preparing them on all cores. Valid zones are
// added even when others are rejected; the error joins one error per
// rejected zone, each naming its position and id.
func (x *Index) AddAll(zones []Zone) error {
	regions, errs := x.planAll(zones)
	x.mu.Lock()
	defer x.mu.Unlock()
	for i, r := range regions {
		if r == nil {
			continue
		}
		if err := x.insertLocked(r); err != nil {
			errs[i] = err
		}
	}
	var all []error
	for i, err := range errs {
		if err != nil {
			all = append(all, fmt.Errorf("zone %d (id %d): %w", i, zones[i].ID, err))
		}
	}
	return errors.Join(all...)
}

// Remove deletes the zone with id, reporting whether it was present.
// Lookups that already hold the zone may still report it once.
func (x *Index) Remove(id int64) bool {
	x.mu.Lock()
	defer x.mu.Unlock()
	slot, ok := x.ids[id]
	if !ok {
		return false
	}
	r := x.slot(slot)
	if r.res < 0 {
		x.setWideLocked(r, false)
	} else {
		var buf [19]uint64
		for _, c := range cell.Disk(buf[:0], r.home, int(r.k)) {
			x.shardOf(c).remove(c, slot)
		}
		x.levelCountLocked(int(r.res), -1)
	}
	x.chunks[slot>>chunkBits].Load()[slot&chunkMask].Store(nil)
	delete(x.ids, id)
	x.free = append(x.free, slot)
	x.count.Add(-1)
	return true
}

// Lookup appends to dst a Hit for every zone whose exit boundary holds the
// point (lat, lon) with accuracy acc metres, and returns the extended
// slice. c is the point's H3 cell at FixResolution (Fix.Cell); 0 makes
// Lookup compute it, which costs about 2 µs.
func (x *Index) Lookup(dst []Hit, lat, lon, acc float64, c uint64) []Hit {
	levels := x.levels.Load()
	if levels != 0 && (c == 0 || cell.Resolution(c) < finestLevel) {
		c = cell.FromLatLng(lat, lon, FixResolution)
	}
	for levels != 0 {
		res := bits.TrailingZeros32(levels)
		levels &^= 1 << res
		var buf [8]uint32
		for _, slot := range x.candidates(buf[:0], cell.Parent(c, res)) {
			if r := x.slot(slot); r != nil {
				dst = r.hit(dst, lat, lon, acc)
			}
		}
	}
	if w := x.wide.Load(); w != nil {
		for _, r := range *w {
			dst = r.hit(dst, lat, lon, acc)
		}
	}
	return dst
}

func (r *region) hit(dst []Hit, lat, lon, acc float64) []Hit {
	if cl := r.classify(lat, lon, acc); cl != Outside {
		dst = append(dst, Hit{Zone: r.id, Class: cl, r: r})
	}
	return dst
}

// candidates appends the zone slots of cell c to dst.
func (x *Index) candidates(dst []uint32, c uint64) []uint32 {
	return x.shardOf(c).get(dst, c)
}

func (x *Index) slot(slot uint32) *region {
	ch := x.chunks[slot>>chunkBits].Load()
	if ch == nil {
		return nil
	}
	return ch[slot&chunkMask].Load()
}

func (x *Index) shardOf(c uint64) *cellTable {
	// Cells of one area share their high bits; mix before taking a shard.
	h := c * 0x9E3779B97F4A7C15
	return &x.shards[h>>56]
}

// plan validates z and chooses its cover: the H3 resolution and disk.
func (x *Index) plan(z *Zone) (*region, error) {
	r, err := prepare(z, x.cfg)
	if err != nil {
		return nil, err
	}
	if r.cover > wideCover {
		r.res = -1
		return r, nil
	}
	res := finestLevel
	for res > 0 && r.cover > coverShare*cell.EdgeMeters(res) {
		res--
	}
	// The zone's home cell is derived the way a fix's is, from the
	// FixResolution cell, so both sides see the same cell hierarchy.
	r.res, r.k = int8(res), 1
	r.home = cell.Parent(cell.FromLatLng(r.lat, r.lon, FixResolution), res)
	var buf [8]uint64
	if len(cell.Disk(buf[:0], r.home, 1)) < 7 {
		r.k = 2 // pentagon: its neighbours are shaped differently
	}
	return r, nil
}

func (x *Index) planAll(zones []Zone) ([]*region, []error) {
	regions := make([]*region, len(zones))
	errs := make([]error, len(zones))
	workers := runtime.GOMAXPROCS(0)
	if len(zones) < parallelMin {
		workers = 1
	}
	var wg sync.WaitGroup
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := w; i < len(zones); i += workers {
				regions[i], errs[i] = x.plan(&zones[i])
			}
		}()
	}
	wg.Wait()
	return regions, errs
}

func (x *Index) insertLocked(r *region) error {
	if _, dup := x.ids[r.id]; dup {
		return fmt.Errorf("%w: %d", ErrDuplicateZone, r.id)
	}
	slot, err := x.allocLocked()
	if err != nil {
		return err
	}
	r.slot = slot
	x.chunks[slot>>chunkBits].Load()[slot&chunkMask].Store(r)
	x.ids[r.id] = slot
	x.count.Add(1)
	if r.res < 0 {
		x.setWideLocked(r, true)
		return nil
	}
	var buf [19]uint64
	for _, c := range cell.Disk(buf[:0], r.home, int(r.k)) {
		x.shardOf(c).add(c, slot)
	}
	x.levelCountLocked(int(r.res), 1)
	return nil
}

func (x *Index) allocLocked() (uint32, error) {
	if n := len(x.free); n > 0 {
		slot := x.free[n-1]
		x.free = x.free[:n-1]
		return slot, nil
	}
	slot := x.next
	if slot>>chunkBits >= maxChunks {
		return 0, ErrIndexFull
	}
	if slot&chunkMask == 0 {
		x.chunks[slot>>chunkBits].Store(new(chunk))
	}
	x.next++
	return slot, nil
}

func (x *Index) levelCountLocked(res, delta int) {
	x.levelN[res] += delta
	switch x.levelN[res] {
	case 0:
		x.levels.And(^(uint32(1) << res))
	case 1:
		if delta > 0 {
			x.levels.Or(uint32(1) << res)
		}
	}
}

// setWideLocked adds or removes r from the list checked for every lookup,
// copying it so lookups never see a list change under them.
func (x *Index) setWideLocked(r *region, add bool) {
	var next []*region
	if w := x.wide.Load(); w != nil {
		for _, o := range *w {
			if o != r {
				next = append(next, o)
			}
		}
	}
	if add {
		next = append(next, r)
	}
	x.wide.Store(&next)
}
