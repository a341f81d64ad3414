package live

import (
	"encoding/json"
	"slices"
	"strconv"
	"sync"

	"dozor/geofence/cell"
)

// Filter is what one subscriber may and wants to see.
type Filter struct {
	// AllTeams admits every team, and devices that belong to no
	// collector; otherwise only Teams are admitted.
	AllTeams bool
	Teams    []string

	// Cells is the map viewport as H3 cells of any resolution up to the
	// fixes' own; empty means everywhere.
	Cells []uint64
}

// Subscriber is one stream's view of the hub: pending positions and
// statuses conflated per key, and a bounded queue of visit events.
type Subscriber struct {
	h     *Hub
	teams map[string]bool // nil: every team
	cells map[uint64]struct{}
	res   []int // resolutions present in cells

	// inside holds the keys last seen inside the viewport; guarded by h.mu.
	inside map[Key]bool

	mu      sync.Mutex
	pending map[pendingKey]*Event
	queue   []*Event
	ended   bool

	wake chan struct{}
	done chan struct{}
}

type pendingKey struct {
	key  Key
	kind Kind
}

func newSubscriber(h *Hub, f Filter) *Subscriber {
	s := &Subscriber{h: h, inside: map[Key]bool{}, pending: map[pendingKey]*Event{},
		wake: make(chan struct{}, 1), done: make(chan struct{})}
	if !f.AllTeams {
		s.teams = map[string]bool{}
		for _, t := range f.Teams {
			s.teams[t] = true
		}
	}
	if len(f.Cells) > 0 {
		s.cells = make(map[uint64]struct{}, len(f.Cells))
		for _, c := range f.Cells {
			s.cells[c] = struct{}{}
			if r := cell.Resolution(c); !slices.Contains(s.res, r) {
				s.res = append(s.res, r)
			}
		}
	}
	return s
}

// Subscribe registers a subscriber. With lastID the id of the last event a
// client received, it resumes: the events it missed are queued, and
// snapshot is nil. Otherwise (no id, an id of an earlier run, or one the
// ring no longer holds) snapshot is the SSE frame of a full snapshot.
func (h *Hub) Subscribe(f Filter, lastID string) (s *Subscriber, snapshot []byte) {
	s = newSubscriber(h, f)
	h.mu.Lock()
	defer h.mu.Unlock()
	from, ok := h.resumableLocked(lastID)
	for seq := from + 1; ok && seq <= h.seq; seq++ {
		ok = s.offerLocked(h.ring[seq%uint64(len(h.ring))])
	}
	if !ok {
		// Nothing to resume from, or more visits missed than a queue
		// holds: start over from the current state.
		clear(s.pending)
		s.queue = s.queue[:0]
		clear(s.inside)
		snapshot = h.snapshotLocked(s)
	}
	h.subs[s] = struct{}{}
	h.m.subscribers.Inc()
	return s, snapshot
}

// resumableLocked reports whether the ring still holds every event after
// the one named by id.
func (h *Hub) resumableLocked(id string) (uint64, bool) {
	if id == "" {
		return 0, false
	}
	epoch, seq, err := parseID(id)
	if err != nil || epoch != h.epoch || seq > h.seq {
		return 0, false
	}
	oldest := uint64(1)
	if h.seq > uint64(len(h.ring)) {
		oldest = h.seq - uint64(len(h.ring)) + 1
	}
	return seq, seq+1 >= oldest
}

// snapshotLocked builds the snapshot frame for s and marks what it shows
// as inside the viewport.
func (h *Hub) snapshotLocked(s *Subscriber) []byte {
	now := h.cfg.Now()
	snap := Snapshot{Now: now.UnixMilli(), Stale: h.cfg.Stale.Seconds(),
		Offline: h.cfg.Offline.Seconds(), Positions: []json.RawMessage{},
		Trails: map[string][][3]float64{}}
	from := now.Add(-h.cfg.Trail)
	for key, st := range h.states {
		if st.pos == nil || !s.teamOK(st.team) || !s.inView(st.pos.Cell) {
			continue
		}
		s.inside[key] = true
		var p Position
		_ = json.Unmarshal(st.pos.data, &p)
		p.Status = st.status
		b, _ := json.Marshal(p)
		snap.Positions = append(snap.Positions, b)
		var tr [][3]float64
		for _, pt := range st.trail {
			if !pt.t.Before(from) {
				tr = append(tr, [3]float64{pt.lon, pt.lat, float64(pt.t.UnixMilli())})
			}
		}
		if len(tr) > 0 {
			snap.Trails[strconv.FormatInt(int64(key), 10)] = tr
		}
	}
	data, _ := json.Marshal(snap)
	e := &Event{Seq: h.seq, id: eventID(h.epoch, h.seq), data: data}
	frame := []byte("id: ")
	frame = append(frame, e.id...)
	frame = append(frame, "\nevent: snapshot\ndata: "...)
	frame = append(frame, data...)
	return append(frame, "\n\n"...)
}

func (s *Subscriber) teamOK(team string) bool {
	return s.teams == nil || team != "" && s.teams[team]
}

func (s *Subscriber) inView(c uint64) bool {
	if s.cells == nil {
		return true
	}
	for _, r := range s.res {
		if _, ok := s.cells[cell.Parent(c, r)]; ok {
			return true
		}
	}
	return false
}

// offerLocked hands an event to the subscriber, with h.mu held. It
// returns false when the subscriber's visit queue overflowed.
func (s *Subscriber) offerLocked(e *Event) bool {
	if e == nil || !s.teamOK(e.Team) {
		return true
	}
	switch e.Kind {
	case KindFix:
		if !s.inView(e.Cell) {
			if !s.inside[e.Key] {
				return true
			}
			delete(s.inside, e.Key) // its last position: leaving the view
		} else if s.cells != nil {
			s.inside[e.Key] = true
		}
	case KindStatus:
		if s.cells != nil && !s.inside[e.Key] {
			return true
		}
	}

	s.mu.Lock()
	ok := !s.ended
	if e.Kind == KindVisit || e.Kind == KindAlarm {
		if ok = ok && len(s.queue) < s.h.cfg.Queue; ok {
			s.queue = append(s.queue, e)
		}
	} else if ok {
		s.pending[pendingKey{e.Key, e.Kind}] = e
	}
	s.mu.Unlock()
	select {
	case s.wake <- struct{}{}:
	default:
	}
	return ok
}

// Take appends the pending events to dst in sequence order and clears
// them. It returns ok false once the hub dropped the subscriber.
func (s *Subscriber) Take(dst []*Event) (_ []*Event, ok bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for k, e := range s.pending {
		dst = append(dst, e)
		delete(s.pending, k)
	}
	dst = append(dst, s.queue...)
	clear(s.queue)
	s.queue = s.queue[:0]
	slices.SortFunc(dst, func(a, b *Event) int {
		switch {
		case a.Seq < b.Seq:
			return -1
		case a.Seq > b.Seq:
			return 1
		}
		return 0
	})
	return dst, !s.ended
}

// Wake is signalled when events are pending.
func (s *Subscriber) Wake() <-chan struct{} { return s.wake }

// Done is closed when the hub drops the subscriber (it lagged, or the hub
// stopped).
func (s *Subscriber) Done() <-chan struct{} { return s.done }

// Close unregisters the subscriber.
func (s *Subscriber) Close() {
	s.h.mu.Lock()
	defer s.h.mu.Unlock()
	s.h.dropLocked(s)
}

// end marks the subscriber dropped; called once, with h.mu held.
func (s *Subscriber) end() {
	s.mu.Lock()
	s.ended = true
	clear(s.pending)
	s.queue = nil
	s.mu.Unlock()
	close(s.done)
}
