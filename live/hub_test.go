package live

import (
	"context"
	"encoding/json"
	"strings"
	"sync"
	"testing"
	"time"

	"dozor/geofence"
	"dozor/geofence/cell"
	"dozor/protocols"
	"dozor/store"
)

// clock is a settable time for tests.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) Add(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

var t0 = time.Date(2026, 12, 3, 10, 0, 0, 0, time.UTC)

// Devices 1 and 2 belong to collector 10 (team north), device 3 to
// collector 20 (team south); device 4 belongs to nobody.
func testDir(context.Context) (map[int64]int64, map[int64]string, error) {
	return map[int64]int64{1: 10, 2: 10, 3: 20},
		map[int64]string{10: "north", 20: "south"}, nil
}

func newTestHub(t *testing.T, cfg Config) (*Hub, *clock) {
	t.Helper()
	c := &clock{t: t0}
	cfg.Now = c.Now
	h := New(cfg, testDir, nil, nil)
	h.load(context.Background())
	return h, c
}

func rec(dev int64, at time.Time, lat, lon float64) store.FixRecord {
	return store.FixRecord{DeviceID: dev, Fix: protocols.Fix{Time: at, Received: at,
		Lat: lat, Lon: lon, Course: 90, Speed: 30, Cell: cell.FromLatLng(lat, lon, 12)}}
}

// take returns the pending events of s without waiting.
func take(t *testing.T, s *Subscriber) []*Event {
	t.Helper()
	evs, _ := s.Take(nil)
	return evs
}

func positions(t *testing.T, evs []*Event) []Position {
	t.Helper()
	var out []Position
	for _, e := range evs {
		if e.Kind != KindFix {
			continue
		}
		var p Position
		if err := json.Unmarshal(e.Data(), &p); err != nil {
			t.Fatal(err)
		}
		out = append(out, p)
	}
	return out
}

func snapshotOf(t *testing.T, frame []byte) Snapshot {
	t.Helper()
	_, data, ok := strings.Cut(string(frame), "data: ")
	if !ok {
		t.Fatalf("no data in %q", frame)
	}
	var s Snapshot
	if err := json.Unmarshal([]byte(strings.TrimSpace(data)), &s); err != nil {
		t.Fatal(err)
	}
	return s
}

func TestHubConflatesPerCollector(t *testing.T) {
	h, _ := newTestHub(t, Config{})
	s, snap := h.Subscribe(Filter{AllTeams: true}, "")
	defer s.Close()
	if got := snapshotOf(t, snap); len(got.Positions) != 0 {
		t.Fatalf("snapshot of an empty hub: %+v", got)
	}

	// Two batches before the client reads: the phone (1) and the car (2)
	// of collector 10 conflate into the newest fix; device 4 has its own.
	h.Fixes(context.Background(), []store.FixRecord{
		rec(1, t0.Add(-3*time.Second), 55.70, 37.60),
		rec(1, t0.Add(-2*time.Second), 55.71, 37.60),
		rec(4, t0.Add(-2*time.Second), 55.80, 37.70),
	})
	h.Fixes(context.Background(), []store.FixRecord{rec(2, t0.Add(-time.Second), 55.72, 37.61)})

	ps := positions(t, take(t, s))
	if len(ps) != 2 {
		t.Fatalf("got %d positions, want 2 (one per key): %+v", len(ps), ps)
	}
	byKey := map[int64]Position{}
	for _, p := range ps {
		byKey[p.Collector*1000+p.Device] = p
	}
	if p := byKey[10*1000+2]; p.Lat != 55.72 || p.Status != StatusLive || p.Team != "north" {
		t.Errorf("collector 10: %+v", p)
	}
	if p := byKey[4]; p.Lat != 55.80 || p.Collector != 0 {
		t.Errorf("unowned device 4: %+v", p)
	}
}

func TestHubLateFixKeepsNewerPosition(t *testing.T) {
	h, _ := newTestHub(t, Config{})
	s, _ := h.Subscribe(Filter{AllTeams: true}, "")
	defer s.Close()
	h.Fixes(context.Background(), []store.FixRecord{rec(1, t0, 55.70, 37.60)})
	take(t, s)
	h.Fixes(context.Background(), []store.FixRecord{rec(2, t0.Add(-time.Hour), 55.0, 37.0)})
	if evs := take(t, s); len(evs) != 0 {
		t.Fatalf("a fix older than the shown one was published: %d events", len(evs))
	}
}

func TestHubTeamFilter(t *testing.T) {
	h, _ := newTestHub(t, Config{})
	north, _ := h.Subscribe(Filter{Teams: []string{"north"}}, "")
	defer north.Close()
	all, _ := h.Subscribe(Filter{AllTeams: true}, "")
	defer all.Close()

	h.Fixes(context.Background(), []store.FixRecord{
		rec(1, t0, 55.70, 37.60), rec(3, t0, 55.75, 37.65), rec(4, t0, 55.80, 37.70)})
	h.Visit(geofence.Event{Type: geofence.EventArrived, Visit: geofence.Visit{ID: 7,
		Collector: 20, Zone: 5}})

	got := take(t, north)
	if len(got) != 1 || got[0].Key != 10 {
		t.Fatalf("team north got %d events, want only collector 10's fix", len(got))
	}
	if got := take(t, all); len(got) != 4 {
		t.Fatalf("all teams got %d events, want 3 fixes and a visit", len(got))
	}
}

func TestHubViewport(t *testing.T) {
	h, _ := newTestHub(t, Config{})
	view := cell.FromLatLng(55.70, 37.60, 7)
	s, _ := h.Subscribe(Filter{AllTeams: true, Cells: []uint64{view}}, "")
	defer s.Close()

	h.Fixes(context.Background(), []store.FixRecord{
		rec(1, t0, 55.70, 37.60), rec(3, t0, 56.50, 38.50)})
	if ps := positions(t, take(t, s)); len(ps) != 1 || ps[0].Collector != 10 {
		t.Fatalf("in view: %+v, want collector 10 only", ps)
	}

	// Collector 10 leaves the view: one last position, then nothing.
	h.Fixes(context.Background(), []store.FixRecord{rec(1, t0.Add(time.Second), 56.0, 38.0)})
	if ps := positions(t, take(t, s)); len(ps) != 1 || ps[0].Lat != 56.0 {
		t.Fatalf("leaving the view: %+v, want the last position", ps)
	}
	h.Fixes(context.Background(), []store.FixRecord{rec(1, t0.Add(2*time.Second), 56.1, 38.0)})
	if ps := positions(t, take(t, s)); len(ps) != 0 {
		t.Fatalf("out of view: %+v", ps)
	}
}

func TestHubResume(t *testing.T) {
	h, _ := newTestHub(t, Config{Ring: 8})
	s, _ := h.Subscribe(Filter{AllTeams: true}, "")
	h.Fixes(context.Background(), []store.FixRecord{rec(1, t0, 55.70, 37.60)})
	evs := take(t, s)
	last := evs[len(evs)-1].ID()
	s.Close()

	h.Fixes(context.Background(), []store.FixRecord{rec(3, t0, 55.75, 37.65)})
	h.Visit(geofence.Event{Type: geofence.EventArrived, Visit: geofence.Visit{ID: 1,
		Collector: 10}})

	t.Run("missed events", func(t *testing.T) {
		s, snap := h.Subscribe(Filter{AllTeams: true}, last)
		defer s.Close()
		if snap != nil {
			t.Fatal("resume answered with a snapshot")
		}
		evs := take(t, s)
		if len(evs) != 2 || evs[0].Kind != KindFix || evs[1].Kind != KindVisit {
			t.Fatalf("resumed %d events, want the fix and the visit", len(evs))
		}
	})
	t.Run("earlier run", func(t *testing.T) {
		s, snap := h.Subscribe(Filter{AllTeams: true}, "zz-1")
		defer s.Close()
		if got := snapshotOf(t, snap); len(got.Positions) != 2 {
			t.Fatalf("snapshot has %d positions, want 2", len(got.Positions))
		}
	})
	t.Run("beyond the ring", func(t *testing.T) {
		for i := range 10 {
			h.Fixes(context.Background(), []store.FixRecord{
				rec(4, t0.Add(time.Duration(i)*time.Second), 55.8, 37.7)})
		}
		s, snap := h.Subscribe(Filter{AllTeams: true}, last)
		defer s.Close()
		if snap == nil {
			t.Fatal("an id older than the ring resumed")
		}
	})
}

func TestHubStatusAndTrail(t *testing.T) {
	h, clk := newTestHub(t, Config{Stale: time.Minute, Offline: 5 * time.Minute,
		TrailEvery: 10 * time.Second, Trail: 2 * time.Minute})
	for i := range 30 {
		at := t0.Add(time.Duration(i-30) * time.Second)
		h.Fixes(context.Background(), []store.FixRecord{rec(1, at, 55.70+float64(i)*1e-4, 37.6)})
	}
	s, snap := h.Subscribe(Filter{AllTeams: true}, "")
	defer s.Close()
	tr := snapshotOf(t, snap).Trails["10"]
	if len(tr) < 3 || len(tr) > 5 {
		t.Fatalf("trail of 30 s at 10 s spacing has %d points", len(tr))
	}
	if tr[len(tr)-1][1] != 55.70+29*1e-4 {
		t.Errorf("trail does not end at the newest fix: %v", tr[len(tr)-1])
	}

	for _, want := range []Status{StatusStale, StatusOffline} {
		clk.Add(3 * time.Minute)
		h.Sweep()
		evs := take(t, s)
		if len(evs) != 1 || evs[0].Kind != KindStatus {
			t.Fatalf("after sweep: %d events, want one status", len(evs))
		}
		var c StatusChange
		_ = json.Unmarshal(evs[0].Data(), &c)
		if c.Status != want || c.Collector != 10 {
			t.Fatalf("status %+v, want %s", c, want)
		}
	}
	_, snap = h.Subscribe(Filter{AllTeams: true}, "")
	if tr := snapshotOf(t, snap).Trails; len(tr) != 0 {
		t.Errorf("trail older than the window kept: %v", tr)
	}
}

// TestHubSlowSubscriberBounded: a subscriber that never reads holds at most
// one pending event per key and kind, and is dropped when its visit queue
// overflows; publishing never waits for it.
func TestHubSlowSubscriberBounded(t *testing.T) {
	h, _ := newTestHub(t, Config{Queue: 4})
	s, _ := h.Subscribe(Filter{AllTeams: true}, "")
	for i := range 1000 {
		h.Fixes(context.Background(), []store.FixRecord{
			rec(1, t0.Add(time.Duration(i)*time.Millisecond), 55.7, 37.6),
			rec(4, t0.Add(time.Duration(i)*time.Millisecond), 55.8, 37.7)})
	}
	s.mu.Lock()
	n := len(s.pending)
	s.mu.Unlock()
	if n != 2 {
		t.Fatalf("%d pending events for 2 keys", n)
	}
	for i := range 5 {
		h.Visit(geofence.Event{Type: geofence.EventArrived,
			Visit: geofence.Visit{ID: int64(i), Collector: 10}})
	}
	select {
	case <-s.Done():
	default:
		t.Fatal("a subscriber with an overflowing visit queue was kept")
	}
	if _, ok := s.Take(nil); ok {
		t.Fatal("Take after drop reports ok")
	}
}

// TestHubLearnsNewDevice: a device linked just after the hub loaded its
// directory is not marked as nobody's; the next load resolves it.
func TestHubLearnsNewDevice(t *testing.T) {
	linked := false
	dir := func(context.Context) (map[int64]int64, map[int64]string, error) {
		owners := map[int64]int64{}
		if linked {
			owners[5] = 10
		}
		return owners, map[int64]string{10: "north"}, nil
	}
	c := &clock{t: t0}
	h := New(Config{Now: c.Now}, dir, nil, nil)
	h.load(context.Background())
	s, _ := h.Subscribe(Filter{Teams: []string{"north"}}, "")
	defer s.Close()

	linked = true
	c.Add(10 * time.Millisecond)
	h.Fixes(context.Background(), []store.FixRecord{rec(5, c.Now(), 55.7, 37.6)})
	c.Add(time.Second)
	h.Fixes(context.Background(), []store.FixRecord{rec(5, c.Now(), 55.7, 37.6)})
	if ps := positions(t, take(t, s)); len(ps) != 1 || ps[0].Collector != 10 {
		t.Fatalf("positions %+v, want collector 10's", ps)
	}
}

// TestHubIgnoresNoFix: a tracker without a GPS fix sends 0,0; the marker
// stays where the last real position put it.
func TestHubIgnoresNoFix(t *testing.T) {
	h, _ := newTestHub(t, Config{})
	s, _ := h.Subscribe(Filter{AllTeams: true}, "")
	defer s.Close()
	h.Fixes(context.Background(), []store.FixRecord{
		rec(1, t0.Add(-3*time.Second), 55.70, 37.60),
		rec(1, t0.Add(-2*time.Second), 0, 0),
	})
	ps := positions(t, take(t, s))
	if len(ps) != 1 || ps[0].Lat != 55.70 {
		t.Fatalf("positions %+v, want the real one only", ps)
	}
	h.Fixes(context.Background(), []store.FixRecord{rec(1, t0.Add(-time.Second), 0, 0)})
	if ps := positions(t, take(t, s)); len(ps) != 0 {
		t.Fatalf("a no-fix record moved the marker: %+v", ps)
	}
}
