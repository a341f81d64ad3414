package ingest

import (
	"cmp"
	"slices"
	"sync"
	"time"

	"dozor/protocols"
	"dozor/store"
)

// Overflow says what the bus does when a subscriber's queue is full.
type Overflow uint8

// Overflow policies.
const (
	// Block makes the journal wait for the subscriber: nothing is lost, and
	// a stuck subscriber eventually stops acknowledgements (backpressure).
	// For consumers that must see every fix, such as the visit engine.
	Block Overflow = iota + 1
	// DropOldest discards the oldest queued batch and counts it: for
	// consumers that only need the latest state, such as a live map.
	DropOldest
)

// Bus delivers fixes to in-process consumers after they are durable. Each
// published batch holds only new fixes (no duplicates), sorted by device and
// then fix time, so that every subscriber sees a device's fixes of one commit
// in fix-time order. Across commits a device's fixes come in commit order:
// consumers that need event time (the visit engine) reorder late fixes
// themselves.
//
// Past one machine, the bus becomes a NATS JetStream stream partitioned by
// device; this type's contract is what such a stream provides.
type Bus struct {
	mu      sync.RWMutex
	subs    []*Subscription
	metrics *busMetrics
}

// NewBus returns an empty bus.
func NewBus(m *Metrics) *Bus { return &Bus{metrics: m.bus()} }

// Subscription is one consumer's bounded queue of batches.
type Subscription struct {
	name     string
	overflow Overflow
	c        chan []store.FixRecord
	done     chan struct{}
	once     sync.Once
	bus      *Bus
}

// Subscribe registers a consumer with a queue of size batches. Batches are
// shared between subscribers and must be treated as read-only.
func (b *Bus) Subscribe(name string, size int, overflow Overflow) *Subscription {
	s := &Subscription{
		name:     name,
		overflow: overflow,
		c:        make(chan []store.FixRecord, max(size, 1)),
		done:     make(chan struct{}),
		bus:      b,
	}
	b.mu.Lock()
	b.subs = append(b.subs, s)
	b.mu.Unlock()
	return s
}

// C returns the channel of batches. It is never closed; select on Done too.
func (s *Subscription) C() <-chan []store.FixRecord { return s.c }

// Done is closed by Unsubscribe.
func (s *Subscription) Done() <-chan struct{} { return s.done }

// Unsubscribe removes the subscription; a publish blocked on it returns.
// It is safe to call more than once and from any goroutine.
func (s *Subscription) Unsubscribe() {
	s.once.Do(func() { close(s.done) })
	b := s.bus
	b.mu.Lock()
	b.subs = slices.DeleteFunc(b.subs, func(x *Subscription) bool { return x == s })
	b.mu.Unlock()
}

// prepare deep-copies the new fixes of a committed batch (the submitters
// reuse their storage once acknowledged) and sorts them by device and fix
// time; ids, given in arrival order, break ties, so the order is the one a
// stable sort would give without a stable sort's moves of these large
// records (prepare took a tenth of the server's CPU at 120k fixes/s, most
// of it in those moves). It returns nil when there is nothing to deliver.
// Called by journal writers only.
func (b *Bus) prepare(recs []store.FixRecord) []store.FixRecord {
	b.mu.RLock()
	n := len(b.subs)
	b.mu.RUnlock()
	if n == 0 {
		return nil
	}

	nattrs := 0
	for i := range recs {
		nattrs += len(recs[i].Fix.Attrs)
	}
	arena := make(protocols.Attrs, 0, nattrs)
	batch := make([]store.FixRecord, 0, len(recs))
	for i := range recs {
		if recs[i].Duplicate {
			continue
		}
		r := recs[i]
		start := len(arena)
		arena = append(arena, r.Fix.Attrs...)
		r.Fix.Attrs = arena[start:len(arena):len(arena)]
		batch = append(batch, r)
	}
	if len(batch) == 0 {
		return nil
	}
	slices.SortFunc(batch, func(x, y store.FixRecord) int {
		if c := cmp.Compare(x.DeviceID, y.DeviceID); c != 0 {
			return c
		}
		if c := x.Fix.Time.Compare(y.Fix.Time); c != 0 {
			return c
		}
		return cmp.Compare(x.ID, y.ID)
	})
	return batch
}

// publish hands a prepared batch to every subscriber.
func (b *Bus) publish(batch []store.FixRecord) {
	if batch == nil {
		return
	}
	start := time.Now()
	b.mu.RLock()
	defer b.mu.RUnlock()
	for _, s := range b.subs {
		s.deliver(batch, b.metrics)
	}
	b.metrics.publishSeconds.Observe(time.Since(start).Seconds())
}

func (s *Subscription) deliver(batch []store.FixRecord, m *busMetrics) {
	if s.overflow == Block {
		select {
		case s.c <- batch:
		case <-s.done:
		}
		return
	}
	for {
		select {
		case s.c <- batch:
			return
		default:
		}
		select {
		case <-s.c:
			m.dropped.WithLabelValues(s.name).Inc()
		default:
		}
	}
}
