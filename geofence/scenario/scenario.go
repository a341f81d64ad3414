// Package scenario generates a realistic working day of field collectors
// for testing the visit engine: zones at debtors' addresses, the fix
// streams of each collector's phone and car tracker with the times they
// reach the server, and the ground truth of which visits really happened.
//
// It is a pure function of its Config: the same seed gives the same day.
// The day contains what the engine must survive: GPS noise that grows
// indoors, multipath jumps, fixes too vague to use, signal gaps, drive-bys
// and short stops at addresses, doors near the edge of a zone, parking
// down the street, phones that go offline for hours and upload a batch,
// trackers replaying their black box, duplicate uploads, and collectors
// who fake their position with a mock-location app.
package scenario

import (
	"math"
	"math/rand/v2"
	"slices"
	"time"

	"github.com/paulmach/orb"

	"dozor/geofence"
	"dozor/geofence/cell"
	"dozor/protocols"
)

// DeviceKind says what a device is.
type DeviceKind uint8

// Device kinds.
const (
	Phone DeviceKind = iota + 1 // OsmAnd HTTP client, reports accuracy
	Car                         // Teltonika tracker, reports HDOP
)

// Config chooses the day to generate.
type Config struct {
	Seed       int64
	Collectors int       // 0 means 5
	Day        time.Time // start of the day, UTC; zero means 2026-03-02
	Distractor int       // zones per collector nobody visits; 0 means 15
}

// Device is one tracked device.
type Device struct {
	ID        int64
	Collector int64
	Kind      DeviceKind
	Ident     string // IMEI for cars, install id for phones
	Protocol  string // "osmand" or "teltonika"
}

// Fix is one message as it reaches the server.
type Fix struct {
	Device    int64
	Collector int64
	Sent      time.Time // when the server receives it
	Dup       bool      // a repeat of an earlier message
	Fix       protocols.Fix
}

// Visit is one real visit: the collector's true position was inside the
// zone's entry boundary from Arrived to Departed.
type Visit struct {
	Collector int64
	Zone      int64
	Arrived   time.Time
	Departed  time.Time
	Spoofed   bool // positions came from a mock-location app
}

// Scenario is one generated day.
type Scenario struct {
	Seed    int64
	City    string
	Zones   []geofence.Zone
	Devices []Device
	Fixes   []Fix // in the order they reach the server
	Truth   []Visit
}

// Points returns the fixes as the engine gets them after ingest: in
// arrival order, with store ids assigned in that order, the H3 cell
// computed once, and the phones marked as carried.
func (s *Scenario) Points() []geofence.Point {
	carried := map[int64]bool{}
	for _, d := range s.Devices {
		carried[d.ID] = d.Kind == Phone
	}
	pts := make([]geofence.Point, len(s.Fixes))
	for i := range s.Fixes {
		f := s.Fixes[i].Fix
		f.Cell = cell.FromLatLng(f.Lat, f.Lon, geofence.FixResolution)
		pts[i] = geofence.Point{
			FixID: int64(i + 1), Collector: s.Fixes[i].Collector,
			Device: s.Fixes[i].Device, Fix: &f, Carried: carried[s.Fixes[i].Device],
		}
	}
	return pts
}

type city struct {
	name     string
	lat, lon float64
}

// Taveuni (Fiji) straddles the antimeridian.
var cities = []city{
	{"moscow", 55.7558, 37.6173},
	{"kazan", 55.7963, 49.1088},
	{"novosibirsk", 55.0302, 82.9204},
	{"murmansk", 68.9585, 33.0827},
	{"taveuni", -16.80, 179.99},
	{"yekaterinburg", 56.8389, 60.6057},
}

// Generate builds the day described by cfg.
func Generate(cfg Config) *Scenario {
	if cfg.Collectors <= 0 {
		cfg.Collectors = 5
	}
	if cfg.Distractor <= 0 {
		cfg.Distractor = 15
	}
	if cfg.Day.IsZero() {
		cfg.Day = time.Date(2026, 3, 2, 0, 0, 0, 0, time.UTC)
	}
	rng := rand.New(rand.NewPCG(uint64(cfg.Seed), 0x5eed))
	c := cities[rng.IntN(len(cities))]
	g := &gen{rng: rng, cfg: cfg, city: c, cos0: math.Cos(c.lat * math.Pi / 180)}
	g.sc = &Scenario{Seed: cfg.Seed, City: c.name}
	for i := range cfg.Collectors {
		g.collector(int64(i + 1))
	}
	slices.SortStableFunc(g.sc.Fixes, func(a, b Fix) int { return a.Sent.Compare(b.Sent) })
	slices.SortFunc(g.sc.Truth, func(a, b Visit) int {
		if a.Collector != b.Collector {
			return int(a.Collector - b.Collector)
		}
		return a.Arrived.Compare(b.Arrived)
	})
	return g.sc
}

// gen holds the generator state; positions are metres east (x) and north
// (y) of the city centre.
type gen struct {
	rng    *rand.Rand
	cfg    Config
	city   city
	cos0   float64
	sc     *Scenario
	zones  []zoneGeo
	avoid  []vec // homes and lunch places: no zone may be near them
	nextID int64
}

type vec struct{ x, y float64 }

func (a vec) add(b vec) vec                 { return vec{a.x + b.x, a.y + b.y} }
func (a vec) sub(b vec) vec                 { return vec{a.x - b.x, a.y - b.y} }
func (a vec) scale(k float64) vec           { return vec{a.x * k, a.y * k} }
func (a vec) len() float64                  { return math.Hypot(a.x, a.y) }
func polar(r, theta float64) vec            { return vec{r * math.Cos(theta), r * math.Sin(theta)} }
func (g *gen) angle() float64               { return g.rng.Float64() * 2 * math.Pi }
func (g *gen) between(a, b float64) float64 { return a + g.rng.Float64()*(b-a) }

func (g *gen) id() int64 { g.nextID++; return g.nextID }

// latLon converts local metres to WGS-84, wrapping the longitude.
func (g *gen) latLon(p vec) (lat, lon float64) {
	const m = 6378137.0 * math.Pi / 180
	lat = g.city.lat + p.y/m
	lon = g.city.lon + p.x/(m*g.cos0)
	if lon >= 180 {
		lon -= 360
	} else if lon < -180 {
		lon += 360
	}
	return lat, lon
}

func (g *gen) point(p vec) orb.Point {
	lat, lon := g.latLon(p)
	return orb.Point{lon, lat}
}
