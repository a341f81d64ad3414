// Package simulate drives a generated day of collectors (geofence/scenario)
// through a running server's real inputs: the API to create collectors,
// debtors, zones and devices; OsmAnd HTTP for phones; Teltonika TCP for car
// trackers. It writes the ground truth (the real visits) so that tests and
// benchmarks can score the visit engine end to end, and doubles as the
// demo: `dozor serve` plus `dozor simulate` shows a living system.
package simulate

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"time"

	"dozor/geofence"
	"dozor/geofence/scenario"
	"dozor/store"
)

// Config says where the server is and what day to play.
type Config struct {
	API        string // base URL of the API, http://host:8082
	Token      string // bearer token
	OsmAnd     string // base URL of the OsmAnd listener, http://host:5055
	Teltonika  string // host:port of the Teltonika listener
	Seed       int64
	Collectors int
}

// Truth is the ground truth of a run, in the server's ids.
type Truth struct {
	Seed   int64       `json:"seed"`
	City   string      `json:"city"`
	Fixes  int         `json:"fixes"`
	Visits []TrueVisit `json:"visits"`
}

// TrueVisit is one real visit.
type TrueVisit struct {
	Collector int64     `json:"collector"`
	Zone      int64     `json:"zone"`
	Arrived   time.Time `json:"arrived_at"`
	Departed  time.Time `json:"departed_at"`
	Spoofed   bool      `json:"spoofed"`
}

// Run plays the day and returns its ground truth.
func Run(ctx context.Context, cfg Config) (Truth, error) {
	sc := scenario.Generate(scenario.Config{Seed: cfg.Seed, Collectors: cfg.Collectors})
	c := &client{cfg: cfg, http: &http.Client{Timeout: 30 * time.Second}}

	ids, err := c.setup(ctx, sc)
	if err != nil {
		return Truth{}, fmt.Errorf("simulate: set up: %w", err)
	}
	if err := c.send(ctx, sc, ids); err != nil {
		return Truth{}, fmt.Errorf("simulate: send fixes: %w", err)
	}
	t := Truth{Seed: sc.Seed, City: sc.City, Fixes: len(sc.Fixes), Visits: []TrueVisit{}}
	for _, v := range sc.Truth {
		t.Visits = append(t.Visits, TrueVisit{Collector: ids.collectors[v.Collector],
			Zone: ids.zones[v.Zone], Arrived: v.Arrived.UTC(), Departed: v.Departed.UTC(),
			Spoofed: v.Spoofed})
	}
	return t, nil
}

// ids maps the scenario's ids to the server's.
type ids struct {
	collectors map[int64]int64
	zones      map[int64]int64
	devices    map[int64]scenario.Device
}

type client struct {
	cfg  Config
	http *http.Client
}

// call sends a JSON request to the API and decodes the answer into out.
func (c *client) call(ctx context.Context, method, path string, in, out any) error {
	var body io.Reader
	if in != nil {
		b, err := json.Marshal(in)
		if err != nil {
			return err
		}
		body = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(ctx, method, c.cfg.API+path, body)
	if err != nil {
		return err
	}
	req.Header.Set("Authorization", "Bearer "+c.cfg.Token)
	req.Header.Set("Content-Type", "application/json")
	resp, err := c.http.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if resp.StatusCode >= 300 {
		return fmt.Errorf("%s %s: %s: %s", method, path, resp.Status, bytes.TrimSpace(b))
	}
	if out != nil {
		return json.Unmarshal(b, out)
	}
	return nil
}

// setup creates the collectors, debtors, zones and devices of sc.
func (c *client) setup(ctx context.Context, sc *scenario.Scenario) (ids, error) {
	m := ids{collectors: map[int64]int64{}, zones: map[int64]int64{},
		devices: map[int64]scenario.Device{}}
	debtors := map[int64]int64{}
	for _, z := range sc.Zones {
		if _, ok := debtors[z.Debtor]; ok {
			continue
		}
		var d store.Debtor
		err := c.call(ctx, "POST", "/api/v1/debtors", store.Debtor{
			Name: fmt.Sprintf("Debtor %d", z.Debtor), Team: sc.City}, &d)
		if err != nil {
			return m, err
		}
		debtors[z.Debtor] = d.ID
	}
	for _, z := range sc.Zones {
		var made store.Zone
		if err := c.call(ctx, "POST", "/api/v1/zones", zoneOf(z, debtors[z.Debtor]), &made); err != nil {
			return m, err
		}
		m.zones[z.ID] = made.ID
	}
	for _, d := range sc.Devices {
		if err := c.device(ctx, sc, d, &m); err != nil {
			return m, err
		}
	}
	return m, nil
}

func (c *client) device(ctx context.Context, sc *scenario.Scenario, d scenario.Device, m *ids) error {
	col, ok := m.collectors[d.Collector]
	if !ok {
		var x store.Collector
		err := c.call(ctx, "POST", "/api/v1/collectors", store.Collector{
			Name: fmt.Sprintf("Collector %d", d.Collector), Team: sc.City}, &x)
		if err != nil {
			return err
		}
		col = x.ID
		m.collectors[d.Collector] = col
	}
	err := c.call(ctx, "POST", "/api/v1/devices", map[string]any{
		"uid": d.Ident, "protocol": d.Protocol, "collector_id": col}, nil)
	if err != nil {
		return err
	}
	m.devices[d.ID] = d
	return nil
}

func zoneOf(z geofence.Zone, debtor int64) store.Zone {
	out := store.Zone{DebtorID: debtor, Address: "scenario zone " + strconv.FormatInt(z.ID, 10),
		Radius: z.Radius, ExitRadius: z.ExitRadius, ExitMargin: z.ExitMargin,
		MinDwell: int(z.MinDwell.Seconds())}
	if z.Shape == geofence.ShapePolygon {
		coords := make([][][2]float64, len(z.Polygon))
		for i, ring := range z.Polygon {
			for _, p := range ring {
				coords[i] = append(coords[i], [2]float64{p[0], p[1]})
			}
		}
		out.Shape = "polygon"
		out.Polygon, _ = json.Marshal(map[string]any{"type": "Polygon", "coordinates": coords})
		return out
	}
	out.Shape, out.Lat, out.Lon = "circle", z.Center.Lat(), z.Center.Lon()
	return out
}

var errRefused = errors.New("refused")
