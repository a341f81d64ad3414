package matrix

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// DefaultHTTPTimeout bounds one matrix request when the client has none.
const DefaultHTTPTimeout = 60 * time.Second

// Unreachable is the duration and distance stored for pairs the engine
// could not route: large enough that no plan uses them, small enough not to
// overflow sums over a day.
const Unreachable = int64(1) << 40

// maxResponse bounds the body read from an engine (a 2000×2000 matrix with
// distances is about 80 MB of JSON).
const maxResponse = 256 << 20

// ErrEngine reports an error answer of a routing engine.
var ErrEngine = errors.New("matrix: routing engine error")

// Source computes a travel matrix for a list of points.
type Source interface {
	Table(ctx context.Context, pts []Point) (*Table, error)
}

// OSRM queries the table service of an OSRM server
// (GET /table/v1/{profile}/{lon,lat;...}?annotations=duration,distance).
type OSRM struct {
	// BaseURL is the server root, e.g. http://osrm:5000.
	BaseURL string
	// Profile defaults to "driving".
	Profile string
	Client  *http.Client
}

// Table implements Source.
func (o OSRM) Table(ctx context.Context, pts []Point) (*Table, error) {
	profile := o.Profile
	if profile == "" {
		profile = "driving"
	}
	coords := make([]string, len(pts))
	for i, p := range pts {
		coords[i] = strconv.FormatFloat(p.Lon, 'f', 6, 64) + "," +
			strconv.FormatFloat(p.Lat, 'f', 6, 64)
	}
	url := fmt.Sprintf("%s/table/v1/%s/%s?annotations=duration,distance",
		strings.TrimRight(o.BaseURL, "/"), profile, strings.Join(coords, ";"))
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return nil, fmt.Errorf("osrm table: %w", err)
	}
	var resp struct {
		Code      string       `json:"code"`
		Message   string       `json:"message"`
		Durations [][]*float64 `json:"durations"`
		Distances [][]*float64 `json:"distances"`
	}
	if err := do(client(o.Client), req, &resp); err != nil {
		return nil, fmt.Errorf("osrm table: %w", err)
	}
	if resp.Code != "Ok" {
		return nil, fmt.Errorf("osrm table: %w: %s: %s", ErrEngine, resp.Code, resp.Message)
	}
	t := NewTable(len(pts))
	if err := fill(t, resp.Durations, resp.Distances, 1); err != nil {
		return nil, fmt.Errorf("osrm table: %w", err)
	}
	return t, nil
}

// Valhalla queries the matrix service of a Valhalla server
// (POST /sources_to_targets, verbose answer, distances in kilometres).
type Valhalla struct {
	// BaseURL is the server root, e.g. http://valhalla:8002.
	BaseURL string
	// Costing defaults to "auto"; "pedestrian" suits collectors on foot.
	Costing string
	Client  *http.Client
}

type valhallaLocation struct {
	Lat float64 `json:"lat"`
	Lon float64 `json:"lon"`
}

type valhallaCell struct {
	Distance  *float64 `json:"distance"`
	Time      *float64 `json:"time"`
	FromIndex int      `json:"from_index"`
	ToIndex   int      `json:"to_index"`
}

// Table implements Source.
func (v Valhalla) Table(ctx context.Context, pts []Point) (*Table, error) {
	costing := v.Costing
	if costing == "" {
		costing = "auto"
	}
	locs := make([]valhallaLocation, len(pts))
	for i, p := range pts {
		locs[i] = valhallaLocation{Lat: p.Lat, Lon: p.Lon}
	}
	body, err := json.Marshal(map[string]any{"sources": locs, "targets": locs,
		"costing": costing, "verbose": true, "units": "kilometers"})
	if err != nil {
		return nil, fmt.Errorf("valhalla matrix: %w", err)
	}
	url := strings.TrimRight(v.BaseURL, "/") + "/sources_to_targets"
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, bytes.NewReader(body))
	if err != nil {
		return nil, fmt.Errorf("valhalla matrix: %w", err)
	}
	req.Header.Set("Content-Type", "application/json")
	var resp struct {
		Rows  [][]valhallaCell `json:"sources_to_targets"`
		Error string           `json:"error"`
	}
	if err := do(client(v.Client), req, &resp); err != nil {
		return nil, fmt.Errorf("valhalla matrix: %w", err)
	}
	if resp.Error != "" {
		return nil, fmt.Errorf("valhalla matrix: %w: %s", ErrEngine, resp.Error)
	}
	t, err := valhallaTable(len(pts), resp.Rows)
	if err != nil {
		return nil, fmt.Errorf("valhalla matrix: %w", err)
	}
	return t, nil
}

func valhallaTable(n int, rows [][]valhallaCell) (*Table, error) {
	dur := make([][]*float64, n)
	dist := make([][]*float64, n)
	if len(rows) != n {
		return nil, fmt.Errorf("%w: %d rows for %d points", ErrSize, len(rows), n)
	}
	for i, row := range rows {
		dur[i] = make([]*float64, n)
		dist[i] = make([]*float64, n)
		if len(row) != n {
			return nil, fmt.Errorf("%w: row %d has %d cells", ErrSize, i, len(row))
		}
		for j, c := range row {
			dur[i][j], dist[i][j] = c.Time, c.Distance
		}
	}
	t := NewTable(n)
	return t, fill(t, dur, dist, 1000)
}

// fill stores rows of seconds and distances (times distScale to get metres);
// nulls become Unreachable.
func fill(t *Table, dur, dist [][]*float64, distScale float64) error {
	if len(dur) != t.n || (dist != nil && len(dist) != t.n) {
		return fmt.Errorf("%w: %d rows for %d points", ErrSize, len(dur), t.n)
	}
	for i := range t.n {
		if len(dur[i]) != t.n || (dist != nil && len(dist[i]) != t.n) {
			return fmt.Errorf("%w: row %d", ErrSize, i)
		}
		for j := range t.n {
			d, m := Unreachable, Unreachable
			if dur[i][j] != nil {
				d = int64(math.Ceil(*dur[i][j]))
			}
			if dist != nil && dist[i][j] != nil {
				m = int64(math.Round(*dist[i][j] * distScale))
			}
			t.Set(i, j, d, m)
		}
	}
	return nil
}

func client(c *http.Client) *http.Client {
	if c != nil {
		return c
	}
	return &http.Client{Timeout: DefaultHTTPTimeout}
}

// do sends req and decodes a JSON answer into out; engines send error
// bodies in JSON too, so non-2xx answers are decoded before failing.
func do(c *http.Client, req *http.Request, out any) error {
	resp, err := c.Do(req)
	if err != nil {
		return fmt.Errorf("request: %w", err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxResponse))
	if err != nil {
		return fmt.Errorf("read body: %w", err)
	}
	if err := json.Unmarshal(body, out); err != nil {
		return fmt.Errorf("%w: status %d: decode: %w", ErrEngine, resp.StatusCode, err)
	}
	if resp.StatusCode/100 != 2 {
		return fmt.Errorf("%w: status %d: %s", ErrEngine, resp.StatusCode,
			strings.TrimSpace(string(body[:min(len(body), 200)])))
	}
	return nil
}
