package geofence

import (
	"math/bits"
	"runtime"
	"sync"
	"sync/atomic"
)

// cellTable is one shard of the cell → zone map: an open-addressing
// multimap (a cell appears once per zone covering it) with linear probing
// and backward-shift deletion, so a lookup reads one or two cache lines
// and an absent cell usually one.
//
// Readers take no lock: a sequence counter, odd while a writer is
// changing the shard, tells them to retry (a seqlock). Slots are atomics
// so concurrent reads are well defined; on amd64 their loads are plain
// moves. Writers hold mu.
type cellTable struct {
	seq  atomic.Uint64
	tab  atomic.Pointer[slots]
	mu   sync.Mutex
	used int      // entries, guarded by mu
	_    [24]byte // keep shards on separate cache lines
}

type slots struct {
	keys  []atomic.Uint64 // 0 is empty: no valid H3 cell is 0
	vals  []atomic.Uint32
	shift uint8 // 64 - log2(len)
}

func newSlots(logN int) *slots {
	n := 1 << logN
	return &slots{keys: make([]atomic.Uint64, n), vals: make([]atomic.Uint32, n),
		shift: uint8(64 - logN)}
}

func (s *slots) home(c uint64) uint64 {
	h := (c ^ c>>31) * 0xBF58476D1CE4E5B9
	return h >> s.shift
}

// get appends the zone slots stored for cell c to dst.
func (t *cellTable) get(dst []uint32, c uint64) []uint32 {
	start := len(dst)
	for spins := 0; ; spins++ {
		v := t.seq.Load()
		if v&1 == 0 {
			if s := t.tab.Load(); s != nil {
				dst = s.collect(dst, c)
			}
			if t.seq.Load() == v {
				return dst
			}
		}
		dst = dst[:start]
		if spins > 8 {
			runtime.Gosched()
		}
	}
}

func (s *slots) collect(dst []uint32, c uint64) []uint32 {
	mask := uint64(len(s.keys) - 1)
	for i := s.home(c); ; i = (i + 1) & mask {
		k := s.keys[i].Load()
		if k == 0 {
			return dst
		}
		if k == c {
			dst = append(dst, s.vals[i].Load())
		}
	}
}

// add stores c → slot.
func (t *cellTable) add(c uint64, slot uint32) {
	t.mu.Lock()
	defer t.mu.Unlock()
	s := t.tab.Load()
	if s == nil || 2*(t.used+1) > len(s.keys) {
		s = t.grow(s)
	}
	t.seq.Add(1)
	s.put(c, slot)
	t.seq.Add(1)
	t.used++
}

func (s *slots) put(c uint64, slot uint32) {
	mask := uint64(len(s.keys) - 1)
	i := s.home(c)
	for s.keys[i].Load() != 0 {
		i = (i + 1) & mask
	}
	s.vals[i].Store(slot)
	s.keys[i].Store(c)
}

// grow builds a table twice as large off to the side and publishes it.
func (t *cellTable) grow(old *slots) *slots {
	logN := 4
	if old != nil {
		logN = bits.Len(uint(len(old.keys)))
	}
	s := newSlots(logN)
	if old != nil {
		for i := range old.keys {
			if k := old.keys[i].Load(); k != 0 {
				s.put(k, old.vals[i].Load())
			}
		}
	}
	t.seq.Add(1)
	t.tab.Store(s)
	t.seq.Add(1)
	return s
}

// remove deletes the entry c → slot, closing the gap so probe sequences
// stay unbroken.
func (t *cellTable) remove(c uint64, slot uint32) {
	t.mu.Lock()
	defer t.mu.Unlock()
	s := t.tab.Load()
	if s == nil {
		return
	}
	mask := uint64(len(s.keys) - 1)
	i := s.home(c)
	for {
		k := s.keys[i].Load()
		if k == 0 {
			return
		}
		if k == c && s.vals[i].Load() == slot {
			break
		}
		i = (i + 1) & mask
	}
	t.seq.Add(1)
	defer t.seq.Add(1)
	t.used--
	for j := (i + 1) & mask; ; j = (j + 1) & mask {
		k := s.keys[j].Load()
		if k == 0 {
			break
		}
		// Move k back into the hole unless its home lies cyclically in
		// (i, j], where it would no longer be reachable from.
		h := s.home(k)
		if (j > i && (h <= i || h > j)) || (j < i && h <= i && h > j) {
			s.keys[i].Store(k)
			s.vals[i].Store(s.vals[j].Load())
			i = j
		}
	}
	s.keys[i].Store(0)
}
