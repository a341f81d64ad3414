// Package visits runs the visit engine on the server: it feeds durable fixes
// from the bus to geofence.Engine, keeps the zone index in step with the
// stored zones, stores every visit event with the visit, and hands events
// to in-process listeners (the live map).
//
// It lives between geofence (pure: no storage) and store (no business
// rules).
package visits

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/paulmach/orb"
	"github.com/prometheus/client_golang/prometheus"

	"dozor/geofence"
	"dozor/ingest"
	"dozor/protocols/osmand"
	"dozor/store"
)

// Queue sizes.
const (
	busQueue   = 256  // batches of fixes waiting for the engine
	eventQueue = 4096 // events waiting to be stored
)

// Service is the visit engine wired to the store and the bus.
type Service struct {
	st     store.Store
	ix     *geofence.Index
	engine *geofence.Engine
	sub    *ingest.Subscription
	log    *slog.Logger
	ids    *store.IDGen

	owners sync.Map // device id -> collector id

	// rezone is signalled when zones changed; Run then lets the engine
	// look its held fixes up again (one pass for a whole import).
	rezone chan struct{}

	events    chan pending
	replaying bool      // warm-up: the engine's events are not emitted
	batch     time.Time // when the batch being processed reached the engine
	idMu      sync.Mutex
	idMap     map[int64]int64 // engine visit id -> stored visit id

	lmu       sync.Mutex
	listeners []chan geofence.Event

	m metrics
}

type metrics struct {
	fixes   prometheus.Counter
	events  *prometheus.CounterVec
	dropped prometheus.Counter
	latency prometheus.Histogram
}

// New loads the zones and device owners from the store and subscribes to
// the bus. reg may be nil.
func New(ctx context.Context, st store.Store, bus *ingest.Bus, cfg geofence.Config,
	reg prometheus.Registerer, log *slog.Logger) (*Service, error) {
	s := &Service{
		st:     st,
		ix:     geofence.NewIndex(geofence.IndexConfig{}),
		log:    log,
		ids:    store.NewIDGen(1),
		events: make(chan pending, eventQueue),
		rezone: make(chan struct{}, 1),
		idMap:  map[int64]int64{},
		m:      newMetrics(reg),
	}
	s.engine = geofence.NewEngine(s.ix, cfg, geofence.EmitterFunc(s.emit))
	if err := s.load(ctx); err != nil {
		return nil, err
	}
	if err := s.warm(ctx, time.Now()); err != nil {
		return nil, err
	}
	s.sub = bus.Subscribe("visits", busQueue, ingest.Block)
	return s, nil
}

func newMetrics(reg prometheus.Registerer) metrics {
	m := metrics{
		fixes: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "dozor_visits_fixes_total",
			Help: "Fixes of devices with a collector fed to the visit engine.",
		}),
		events: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "dozor_visits_events_total",
			Help: "Visit events stored, by type.",
		}, []string{"type"}),
		dropped: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "dozor_visits_listener_dropped_total",
			Help: "Visit events not delivered to a slow in-process listener.",
		}),
		latency: prometheus.NewHistogram(prometheus.HistogramOpts{
			Name:    "dozor_visits_event_seconds",
			Help:    "Time from durable fixes published on the bus to their visit event stored.",
			Buckets: prometheus.ExponentialBuckets(0.0005, 2, 14),
		}),
	}
	if reg != nil {
		reg.MustRegister(m.fixes, m.events, m.dropped, m.latency)
	}
	return m
}

func (s *Service) load(ctx context.Context) error {
	zs, err := s.st.Geo().Zones().List(ctx, 0)
	if err != nil {
		return fmt.Errorf("load zones: %w", err)
	}
	for _, z := range zs {
		gz, err := EngineZone(z)
		if err == nil {
			err = s.ix.Add(gz)
		}
		if err != nil {
			s.log.Warn("Stored zone not indexed", "zone", z.ID, "err", err)
		}
	}
	owners, err := s.st.Geo().Collectors().Owners(ctx)
	if err != nil {
		return fmt.Errorf("load device owners: %w", err)
	}
	for dev, col := range owners {
		s.owners.Store(dev, col)
	}
	s.log.Info("Visit engine loaded", "zones", s.ix.Len(), "devices", len(owners))
	return nil
}

// Run feeds the engine until ctx ends. It is the service's run function.
func (s *Service) Run(ctx context.Context) error {
	defer s.sub.Unsubscribe()
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		s.store(ctx)
	}()
	defer wg.Wait()

	var pts []geofence.Point
	for {
		select {
		case <-ctx.Done():
			return nil
		case batch := <-s.sub.C():
			s.batch = time.Now()
			pts = s.points(pts[:0], batch)
			s.engine.Process(pts)
			s.m.fixes.Add(float64(len(pts)))
		case <-s.rezone:
			s.batch = time.Now()
			s.engine.Rezone()
		}
	}
}

func (s *Service) points(dst []geofence.Point, batch []store.FixRecord) []geofence.Point {
	for i := range batch {
		r := &batch[i]
		col, ok := s.owners.Load(r.DeviceID)
		if !ok {
			continue
		}
		dst = append(dst, geofence.Point{FixID: r.ID, Collector: col.(int64),
			Device: r.DeviceID, Fix: &r.Fix, Carried: carried(r.Fix.Protocol)})
	}
	return dst
}

// carried reports whether fixes of protocol come from a phone app, a
// device that goes where the collector goes, rather than from a tracker
// that stays with a vehicle (geofence.Point.Carried).
func carried(protocol string) bool { return protocol == osmand.Name }

// pending is an event waiting to be stored, with the time its fixes
// reached the engine.
type pending struct {
	e     geofence.Event
	since time.Time
}

// emit is the engine's emitter: it queues, never blocks on the store. A
// full queue blocks the engine, which blocks the bus (the engine must not
// lose events). Only Run's goroutine calls Process, so s.batch is its.
func (s *Service) emit(e geofence.Event) {
	if s.replaying {
		return
	}
	s.events <- pending{e, s.batch}
}

// store writes queued events with their visits and tells the listeners.
func (s *Service) store(ctx context.Context) {
	for {
		select {
		case <-ctx.Done():
			return
		case p := <-s.events:
			s.put(ctx, p.e)
			s.m.latency.Observe(time.Since(p.since).Seconds())
		}
	}
}

func (s *Service) put(ctx context.Context, e geofence.Event) {
	e.Visit.ID = s.storedID(e.Visit.ID)
	if e.Previous != nil {
		p := *e.Previous
		p.ID = e.Visit.ID
		e.Previous = &p
	}
	payload, _ := json.Marshal(e)
	v := StoreVisit(e.Visit)
	ev := store.VisitEvent{Type: string(e.Type), VisitID: v.ID, At: time.Now().UTC(),
		Payload: payload}
	for delay := 100 * time.Millisecond; ; delay = min(delay*2, 5*time.Second) {
		err := s.st.Geo().Visits().Put(ctx, v, ev)
		if err == nil || ctx.Err() != nil {
			break
		}
		s.log.Error("Visit not stored; retrying", "visit", v.ID, "err", err)
		time.Sleep(delay)
	}
	s.m.events.WithLabelValues(string(e.Type)).Inc()
	s.notify(e)
}

// storedID maps the engine's visit id to a stable stored id.
func (s *Service) storedID(engineID int64) int64 {
	s.idMu.Lock()
	defer s.idMu.Unlock()
	id, ok := s.idMap[engineID]
	if !ok {
		id = s.ids.Next()
		s.idMap[engineID] = id
	}
	return id
}

// Listen returns a channel of visit events as they are stored. A listener
// that does not keep up loses events (counted), never slows the engine.
func (s *Service) Listen(size int) <-chan geofence.Event {
	c := make(chan geofence.Event, size)
	s.lmu.Lock()
	s.listeners = append(s.listeners, c)
	s.lmu.Unlock()
	return c
}

func (s *Service) notify(e geofence.Event) {
	s.lmu.Lock()
	defer s.lmu.Unlock()
	for _, c := range s.listeners {
		select {
		case c <- e:
		default:
			s.m.dropped.Inc()
		}
	}
}

// ZoneChanged puts a stored zone into the index (added or updated).
func (s *Service) ZoneChanged(z store.Zone) error {
	gz, err := EngineZone(z)
	if err != nil {
		return err
	}
	s.ix.Remove(z.ID)
	if err := s.ix.Add(gz); err != nil {
		return err
	}
	s.zonesChanged()
	return nil
}

// zonesChanged asks Run to rezone, without waiting; signals coalesce.
func (s *Service) zonesChanged() {
	select {
	case s.rezone <- struct{}{}:
	default:
	}
}

// ValidateZone says why the engine could not use z (nil: it can).
func (s *Service) ValidateZone(z store.Zone) error {
	_, err := EngineZone(z)
	return err
}

// ZoneRemoved takes a zone out of the index.
func (s *Service) ZoneRemoved(id int64) {
	s.ix.Remove(id)
	s.zonesChanged()
}

// DeviceLinked records that the device now belongs to collector (0: none).
func (s *Service) DeviceLinked(device, collector int64) {
	if collector == 0 {
		s.owners.Delete(device)
		return
	}
	s.owners.Store(device, collector)
}

// EngineZone converts a stored zone to the engine's form and validates it.
func EngineZone(z store.Zone) (geofence.Zone, error) {
	gz := geofence.Zone{ID: z.ID, Debtor: z.DebtorID, Radius: z.Radius,
		ExitRadius: z.ExitRadius, ExitMargin: z.ExitMargin,
		MinDwell: time.Duration(z.MinDwell) * time.Second}
	switch z.Shape {
	case "circle", "":
		gz.Shape = geofence.ShapeCircle
		gz.Center = orb.Point{z.Lon, z.Lat}
	case "polygon":
		gz.Shape = geofence.ShapePolygon
		p, err := parsePolygon(z.Polygon)
		if err != nil {
			return gz, fmt.Errorf("%w: polygon: %w", geofence.ErrBadZone, err)
		}
		gz.Polygon = p
	default:
		return gz, fmt.Errorf("%w: shape %q: want circle or polygon", geofence.ErrBadZone, z.Shape)
	}
	return gz, gz.Validate()
}

// StoreVisit converts an engine visit for the store.
func StoreVisit(v geofence.Visit) store.Visit {
	return store.Visit{ID: v.ID, CollectorID: v.Collector, DeviceIDs: v.Devices, ZoneID: v.Zone,
		DebtorID: v.Debtor, ArrivedAt: v.ArrivedAt.UTC(), DepartedAt: utcPtr(v.DepartedAt),
		Dwell: v.Dwell, FixIDs: v.FixIDs, FixCount: v.FixCount,
		MedianAccuracy: v.MedianAccuracy, SpoofScore: v.SpoofScore,
		SpoofReasons: v.SpoofReasons, Status: string(v.Status)}
}

func utcPtr(t *time.Time) *time.Time {
	if t == nil {
		return nil
	}
	u := t.UTC()
	return &u
}

// parsePolygon reads a GeoJSON Polygon geometry.
func parsePolygon(b []byte) (orb.Polygon, error) {
	var g struct {
		Type        string         `json:"type"`
		Coordinates [][][2]float64 `json:"coordinates"`
	}
	if err := json.Unmarshal(b, &g); err != nil {
		return nil, err
	}
	if g.Type != "Polygon" {
		return nil, fmt.Errorf("geometry type %q, want Polygon", g.Type)
	}
	p := make(orb.Polygon, len(g.Coordinates))
	for i, ring := range g.Coordinates {
		p[i] = make(orb.Ring, len(ring))
		for j, pt := range ring {
			p[i][j] = orb.Point{pt[0], pt[1]}
		}
	}
	return p, nil
}
