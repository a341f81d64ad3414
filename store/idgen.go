package store

import (
	"sync"
	"time"
)

// IDGen hands out fix ids that grow with time and are unique across
// restarts and nodes: 41 bits of milliseconds since 2024-01-01, 10 bits of
// node, 12 bits of sequence. It is safe for concurrent use.
//
// Ids are assigned before the write so a batch can go in with COPY and later
// stages (visit proofs) can name fixes without reading them back.
type IDGen struct {
	mu   sync.Mutex
	node int64
	last int64 // last millisecond used
	seq  int64
}

var idEpoch = time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC).UnixMilli()

// NewIDGen returns a generator for node (0..1023).
func NewIDGen(node int) *IDGen { return &IDGen{node: int64(node) & 0x3FF} }

// Next returns a new id.
func (g *IDGen) Next() int64 {
	g.mu.Lock()
	defer g.mu.Unlock()

	now := time.Now().UnixMilli() - idEpoch
	if now < g.last {
		now = g.last // the clock stepped back: keep counting from the last ms
	}
	if now == g.last {
		g.seq++
		if g.seq > 0xFFF {
			g.last++
			g.seq = 0
		}
	} else {
		g.last, g.seq = now, 0
	}
	return g.last<<22 | g.node<<12 | g.seq
}
