package live

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"strconv"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"dozor/geofence"
	"dozor/protocols"
	"dozor/store"
)

// Defaults of Config.
const (
	DefaultRing         = 16384
	DefaultTrail        = 10 * time.Minute
	DefaultTrailEvery   = 5 * time.Second
	DefaultStale        = 2 * time.Minute
	DefaultOffline      = 15 * time.Minute
	DefaultStatusEvery  = 5 * time.Second
	DefaultQueue        = 256
	DefaultRefresh      = 15 * time.Second
	DefaultHeartbeat    = 15 * time.Second
	DefaultWriteTimeout = 30 * time.Second

	// missRefresh is the least time between two directory loads caused by
	// a device the directory did not know.
	missRefresh = 100 * time.Millisecond
)

// Config tunes a Hub. Zero fields mean the defaults above.
type Config struct {
	Ring        int           // events kept for resuming streams
	Trail       time.Duration // how far back trails reach
	TrailEvery  time.Duration // least time between two trail points
	Stale       time.Duration // a position older than this is stale
	Offline     time.Duration // and older than this, offline
	StatusEvery time.Duration // how often statuses are re-evaluated
	Queue       int           // visit events a subscriber may lag behind
	Refresh     time.Duration // directory reload period

	Heartbeat    time.Duration // SSE comment when idle
	WriteTimeout time.Duration // one write to a stream; a stuck client is cut

	Now func() time.Time // tests; nil is time.Now
}

func (c Config) withDefaults() Config {
	num := func(v *int, d int) {
		if *v <= 0 {
			*v = d
		}
	}
	dur := func(v *time.Duration, d time.Duration) {
		if *v <= 0 {
			*v = d
		}
	}
	num(&c.Ring, DefaultRing)
	num(&c.Queue, DefaultQueue)
	dur(&c.Trail, DefaultTrail)
	dur(&c.TrailEvery, DefaultTrailEvery)
	dur(&c.Stale, DefaultStale)
	dur(&c.Offline, DefaultOffline)
	dur(&c.StatusEvery, DefaultStatusEvery)
	dur(&c.Refresh, DefaultRefresh)
	dur(&c.Heartbeat, DefaultHeartbeat)
	dur(&c.WriteTimeout, DefaultWriteTimeout)
	if c.Now == nil {
		c.Now = time.Now
	}
	return c
}

// Directory loads who owns what: device id to collector id, and collector
// id to team. The hub calls it from its own goroutine, periodically and
// when a device it does not know sends a fix.
type Directory func(ctx context.Context) (owners map[int64]int64, teams map[int64]string, err error)

// StoreDirectory reads the directory from the store.
func StoreDirectory(st store.Store) Directory {
	return func(ctx context.Context) (map[int64]int64, map[int64]string, error) {
		owners, err := st.Geo().Collectors().Owners(ctx)
		if err != nil {
			return nil, nil, fmt.Errorf("device owners: %w", err)
		}
		cs, err := st.Geo().Collectors().List(ctx)
		if err != nil {
			return nil, nil, fmt.Errorf("collectors: %w", err)
		}
		teams := make(map[int64]string, len(cs))
		for _, c := range cs {
			teams[c.ID] = c.Team
		}
		return owners, teams, nil
	}
}

// Hub keeps the live state and fans events out to subscribers. Its Run
// function consumes the inputs; Subscribe and the stream handler may be
// called from any goroutine.
type Hub struct {
	cfg   Config
	dir   Directory
	log   *slog.Logger
	epoch string
	m     metrics

	// Directory, owned by Run's goroutine.
	owners   map[int64]int64
	teams    map[int64]string
	unlinked map[int64]bool      // devices a load after their first fix did not know
	missed   map[int64]time.Time // first fix of devices not yet looked up
	loaded   time.Time

	mu     sync.Mutex // guards everything below
	seq    uint64
	ring   []*Event
	states map[Key]*state
	subs   map[*Subscriber]struct{}
	buf    []byte // scratch for encoding, used under mu
}

// state is what the hub knows of one key.
type state struct {
	key    Key
	device int64
	team   string
	fix    time.Time // latest fix time, capped at its receive time
	pos    *Event    // latest fix event
	status Status
	trail  []trailPoint
}

type trailPoint struct {
	lon, lat float64
	t        time.Time
}

type metrics struct {
	subscribers prometheus.Gauge
	events      *prometheus.CounterVec
	lagged      prometheus.Counter
	late        prometheus.Counter
	loads       *prometheus.CounterVec
}

func newMetrics(reg prometheus.Registerer) metrics {
	m := metrics{
		subscribers: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "dozor_live_subscribers",
			Help: "Live map streams open now.",
		}),
		events: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "dozor_live_events_total",
			Help: "Events published by the live hub, by kind.",
		}, []string{"kind"}),
		lagged: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "dozor_live_lagged_total",
			Help: "Streams cut because their client let the visit queue overflow.",
		}),
		late: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "dozor_live_late_fixes_total",
			Help: "Fixes older than the position already shown (kept for replay only).",
		}),
		loads: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "dozor_live_directory_loads_total",
			Help: "Loads of device owners and teams, by result.",
		}, []string{"result"}),
	}
	if reg != nil {
		reg.MustRegister(m.subscribers, m.events, m.lagged, m.late, m.loads)
	}
	return m
}

// New returns a hub. reg and log may be nil.
func New(cfg Config, dir Directory, reg prometheus.Registerer, log *slog.Logger) *Hub {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	cfg = cfg.withDefaults()
	return &Hub{
		cfg:      cfg,
		dir:      dir,
		log:      log,
		epoch:    strconv.FormatInt(cfg.Now().UnixNano(), 36),
		m:        newMetrics(reg),
		owners:   map[int64]int64{},
		teams:    map[int64]string{},
		unlinked: map[int64]bool{},
		missed:   map[int64]time.Time{},
		ring:     make([]*Event, cfg.Ring),
		states:   map[Key]*state{},
		subs:     map[*Subscriber]struct{}{},
	}
}

// Run consumes batches of durable fixes and visit events until ctx ends.
// It is the hub's run function; either channel may be nil.
func (h *Hub) Run(ctx context.Context, fixes <-chan []store.FixRecord,
	visits <-chan geofence.Event) error {
	h.load(ctx)
	tick := time.NewTicker(h.cfg.StatusEvery)
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			h.closeAll()
			return nil
		case batch := <-fixes:
			h.Fixes(ctx, batch)
		case e := <-visits:
			h.Visit(e)
		case <-tick.C:
			if h.cfg.Now().Sub(h.loaded) >= h.cfg.Refresh {
				h.load(ctx)
			}
			h.Sweep()
		}
	}
}

// load reads the directory. On failure the previous one stays.
func (h *Hub) load(ctx context.Context) {
	if h.dir == nil {
		return
	}
	h.loaded = h.cfg.Now()
	ctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	owners, teams, err := h.dir(ctx)
	if err != nil {
		h.m.loads.WithLabelValues("error").Inc()
		h.log.Warn("Live directory not loaded", "err", err)
		return
	}
	h.m.loads.WithLabelValues("ok").Inc()
	h.owners, h.teams = owners, teams
	clear(h.unlinked)
}

// owner returns the key and team of a device. A device the directory does
// not know makes the hub load it again (at most every missRefresh); only a
// load that started after the device's first fix can mark it unlinked.
func (h *Hub) owner(ctx context.Context, device int64) (Key, string) {
	col, ok := h.owners[device]
	if !ok && !h.unlinked[device] {
		now := h.cfg.Now()
		first, seen := h.missed[device]
		if !seen {
			first = now
			h.missed[device] = now
		}
		if now.Sub(h.loaded) >= missRefresh {
			h.load(ctx)
			col, ok = h.owners[device]
		}
		if ok || !h.loaded.Before(first) {
			delete(h.missed, device)
			h.unlinked[device] = !ok
		}
	}
	if !ok {
		return Key(-device), ""
	}
	return Key(col), h.teams[col]
}

// Fixes takes one batch from the bus: sorted by device, then fix time.
// Run calls it; tests may call it directly instead of running the hub.
// Records without a usable position (a tracker with no GPS fix sends 0,0)
// move no marker and draw no trail, but their alarms are published.
func (h *Hub) Fixes(ctx context.Context, batch []store.FixRecord) {
	h.alarms(ctx, batch)
	batch = plausible(batch)
	type owned struct {
		key  Key
		team string
	}
	now := h.cfg.Now()
	keys := make([]owned, len(batch))
	for i := range batch {
		if i > 0 && batch[i].DeviceID == batch[i-1].DeviceID {
			keys[i] = keys[i-1]
			continue
		}
		k, t := h.owner(ctx, batch[i].DeviceID)
		keys[i] = owned{k, t}
	}

	h.mu.Lock()
	defer h.mu.Unlock()
	for i := range batch {
		last := i+1 == len(batch) || batch[i+1].DeviceID != batch[i].DeviceID
		h.fixLocked(keys[i].key, keys[i].team, &batch[i], now, last)
	}
}

// alarms publishes one alarm event per record that carries an alarm, with
// or without a position. Alarms are rare and each one matters: they are
// queued for every subscriber of the team like visit events, never merged
// and never hidden by the viewport.
func (h *Hub) alarms(ctx context.Context, batch []store.FixRecord) {
	for i := range batch {
		r := &batch[i]
		a, ok := r.Fix.Attrs.Get(protocols.AttrAlarm)
		if !ok {
			continue
		}
		key, team := h.owner(ctx, r.DeviceID)
		ev := Alarm{Device: r.DeviceID, Team: team, Alarm: a.Str(), Time: r.Fix.Time.UnixMilli()}
		if key > 0 {
			ev.Collector = int64(key)
		}
		if r.Fix.Plausible() {
			ev.Lat, ev.Lon = &r.Fix.Lat, &r.Fix.Lon
		}
		h.mu.Lock()
		h.buf, _ = appendJSON(h.buf[:0], ev)
		h.publishLocked(KindAlarm, key, team, 0, h.buf)
		h.mu.Unlock()
	}
}

// plausible returns the records whose coordinates can be a position, in a
// new slice only when some are dropped.
func plausible(batch []store.FixRecord) []store.FixRecord {
	for i := range batch {
		if !batch[i].Fix.Plausible() {
			out := append([]store.FixRecord(nil), batch[:i]...)
			for j := i + 1; j < len(batch); j++ {
				if batch[j].Fix.Plausible() {
					out = append(out, batch[j])
				}
			}
			return out
		}
	}
	return batch
}

// fixLocked applies one fix; only the last fix of a device in a batch
// becomes an event, the others only extend the trail.
func (h *Hub) fixLocked(key Key, team string, r *store.FixRecord, now time.Time, last bool) {
	t := r.Fix.Time
	if !r.Fix.Received.IsZero() && t.After(r.Fix.Received) {
		t = r.Fix.Received
	}
	st := h.states[key]
	if st == nil {
		st = &state{key: key}
		h.states[key] = st
	}
	if t.Before(st.fix) {
		h.m.late.Inc()
		return
	}
	st.device, st.team, st.fix = r.DeviceID, team, t
	st.addTrail(trailPoint{r.Fix.Lon, r.Fix.Lat, t}, h.cfg.TrailEvery, h.maxTrail())
	if !last {
		return
	}
	status := h.statusOf(t, now)
	p := positionOf(key, team, r, t, now, status)
	h.buf, _ = appendJSON(h.buf[:0], p)
	st.pos = h.publishLocked(KindFix, key, team, r.Fix.Cell, h.buf)
	st.status = status // the fix event carries it; Sweep reports ageing
}

func (st *state) addTrail(p trailPoint, every time.Duration, maxPoints int) {
	// Points stay at least every apart; the last one is always the newest
	// and is replaced until the next interval starts.
	n := len(st.trail)
	if n >= 2 && p.t.Sub(st.trail[n-2].t) < every {
		st.trail[n-1] = p
		return
	}
	if n >= maxPoints {
		st.trail = append(st.trail[:0], st.trail[n-maxPoints+1:]...)
	}
	st.trail = append(st.trail, p)
}

// pruneTrail drops points older than from, keeping the slice bounded.
func (st *state) pruneTrail(from time.Time) {
	i := 0
	for i < len(st.trail) && st.trail[i].t.Before(from) {
		i++
	}
	if i > 0 {
		st.trail = append(st.trail[:0], st.trail[i:]...)
	}
}

// maxTrail bounds a trail even before a sweep prunes it (a phone that
// uploads hours of buffered fixes at once).
func (h *Hub) maxTrail() int { return int(h.cfg.Trail/h.cfg.TrailEvery) + 2 }

func (h *Hub) statusOf(fix, now time.Time) Status {
	switch age := now.Sub(fix); {
	case age >= h.cfg.Offline:
		return StatusOffline
	case age >= h.cfg.Stale:
		return StatusStale
	}
	return StatusLive
}

func (h *Hub) statusEventLocked(st *state) {
	c := StatusChange{Device: st.device, Team: st.team, Status: st.status,
		Time: st.fix.UnixMilli()}
	if st.key > 0 {
		c.Collector = int64(st.key)
	}
	cell := uint64(0)
	if st.pos != nil {
		cell = st.pos.Cell
	}
	h.buf, _ = appendJSON(h.buf[:0], c)
	h.publishLocked(KindStatus, st.key, st.team, cell, h.buf)
}

// Visit publishes a visit event. Run calls it.
func (h *Hub) Visit(e geofence.Event) {
	key := Key(e.Visit.Collector)
	team := h.teams[e.Visit.Collector]
	b, err := json.Marshal(VisitChange{Event: e, Team: team})
	if err != nil {
		h.log.Error("Visit event not encoded", "err", err)
		return
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	h.publishLocked(KindVisit, key, team, 0, b)
}

// Sweep re-evaluates statuses as positions age and prunes trails. Run
// calls it every StatusEvery.
func (h *Hub) Sweep() {
	now := h.cfg.Now()
	h.mu.Lock()
	defer h.mu.Unlock()
	for _, st := range h.states {
		st.pruneTrail(now.Add(-h.cfg.Trail))
		if s := h.statusOf(st.fix, now); s != st.status {
			st.status = s
			h.statusEventLocked(st)
		}
	}
}

// publishLocked numbers an event, keeps it in the ring and offers it to
// every subscriber. data is copied.
func (h *Hub) publishLocked(kind Kind, key Key, team string, cell uint64, data []byte) *Event {
	h.seq++
	e := &Event{Seq: h.seq, Kind: kind, Key: key, Team: team, Cell: cell,
		data: append([]byte(nil), data...), id: eventID(h.epoch, h.seq)}
	h.ring[h.seq%uint64(len(h.ring))] = e
	h.m.events.WithLabelValues(kind.String()).Inc()
	for s := range h.subs {
		if !s.offerLocked(e) {
			h.m.lagged.Inc()
			h.dropLocked(s)
		}
	}
	return e
}

func (h *Hub) dropLocked(s *Subscriber) {
	if _, ok := h.subs[s]; !ok {
		return
	}
	delete(h.subs, s)
	h.m.subscribers.Dec()
	s.end()
}

func (h *Hub) closeAll() {
	h.mu.Lock()
	defer h.mu.Unlock()
	for s := range h.subs {
		h.dropLocked(s)
	}
}

// Seq returns the sequence number of the latest event.
func (h *Hub) Seq() uint64 {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.seq
}

func appendJSON(dst []byte, v any) ([]byte, error) {
	b, err := json.Marshal(v)
	return append(dst, b...), err
}
