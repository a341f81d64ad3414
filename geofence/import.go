package geofence

import (
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/paulmach/orb"
)

// Import limits.
const (
	MaxImportBytes = 256 << 20 // largest import document
	MaxImportRows  = 2_000_000 // most zones in one import
)

// ErrImport wraps errors that reject a whole import document.
var ErrImport = errors.New("geofence: import")

// ImportReport is the result of parsing an import: the valid zones, and a
// line per rejected row saying why.
type ImportReport struct {
	Zones    []Zone        `json:"-"`
	Accepted int           `json:"accepted"`
	Rejected []RejectedRow `json:"rejected"`
}

// RejectedRow is one row an import refused. Row counts from 1: the
// feature's position in a GeoJSON collection, the data line in a CSV
// (the header is row 0).
type RejectedRow struct {
	Row    int    `json:"row"`
	ID     string `json:"id,omitempty"`
	Reason string `json:"reason"`
}

func (rep *ImportReport) reject(row int, id string, err error) {
	rep.Rejected = append(rep.Rejected, RejectedRow{Row: row, ID: id, Reason: err.Error()})
}

// accept validates z against cfg and keeps it, or records why not.
func (rep *ImportReport) accept(row int, z Zone, cfg IndexConfig, seen map[int64]bool) {
	id := strconv.FormatInt(z.ID, 10)
	if seen[z.ID] {
		rep.reject(row, id, fmt.Errorf("%w: %d repeats an earlier row", ErrDuplicateZone, z.ID))
		return
	}
	if _, err := prepare(&z, cfg); err != nil {
		rep.reject(row, id, err)
		return
	}
	seen[z.ID] = true
	rep.Zones = append(rep.Zones, z)
	rep.Accepted++
}

// zoneProps are the properties a zone row may carry, in GeoJSON properties
// and as CSV columns.
type zoneProps struct {
	ID         *json.Number `json:"id"`
	Debtor     json.Number  `json:"debtor"`
	Address    json.Number  `json:"address"`
	Radius     json.Number  `json:"radius"`
	ExitRadius json.Number  `json:"exit_radius"`
	ExitMargin json.Number  `json:"exit_margin"`
	MinDwell   json.Number  `json:"min_dwell_s"`
}

type geoFeature struct {
	Type       string          `json:"type"`
	ID         json.RawMessage `json:"id"`
	Geometry   *geoGeometry    `json:"geometry"`
	Properties zoneProps       `json:"properties"`
}

type geoGeometry struct {
	Type        string          `json:"type"`
	Coordinates json.RawMessage `json:"coordinates"`
}

// ParseZonesGeoJSON reads a GeoJSON FeatureCollection of zones. A Point
// feature is a circle (properties radius and exit_radius, metres); a
// Polygon feature is a polygon zone (property exit_margin). Every feature
// needs an integer id, as the feature id or the id property; debtor,
// address and min_dwell_s (seconds) are optional. Missing radii take the
// defaults of cfg. Each feature is validated as Index.Add would; bad
// features are listed in the report and the rest kept. The error is
// non-nil only when the document as a whole cannot be read.
func ParseZonesGeoJSON(r io.Reader, cfg IndexConfig) (ImportReport, error) {
	var doc struct {
		Type     string            `json:"type"`
		Features []json.RawMessage `json:"features"`
	}
	dec := json.NewDecoder(io.LimitReader(r, MaxImportBytes+1))
	dec.UseNumber()
	if err := dec.Decode(&doc); err != nil {
		return ImportReport{}, fmt.Errorf("%w: geojson: %w", ErrImport, err)
	}
	if doc.Type != "FeatureCollection" {
		return ImportReport{}, fmt.Errorf("%w: geojson: type %q, want FeatureCollection",
			ErrImport, doc.Type)
	}
	if len(doc.Features) > MaxImportRows {
		return ImportReport{}, fmt.Errorf("%w: %d features, limit %d",
			ErrImport, len(doc.Features), MaxImportRows)
	}
	rep := ImportReport{Rejected: []RejectedRow{}}
	seen := make(map[int64]bool, len(doc.Features))
	for i, raw := range doc.Features {
		z, id, err := parseFeature(raw)
		if err != nil {
			rep.reject(i+1, id, err)
			continue
		}
		rep.accept(i+1, z, cfg, seen)
	}
	return rep, nil
}

func parseFeature(raw json.RawMessage) (Zone, string, error) {
	var f geoFeature
	dec := json.NewDecoder(strings.NewReader(string(raw)))
	dec.UseNumber()
	if err := dec.Decode(&f); err != nil {
		return Zone{}, "", fmt.Errorf("%w: feature: %w", ErrBadZone, err)
	}
	id := strings.Trim(string(f.ID), `"`)
	if id == "" && f.Properties.ID != nil {
		id = f.Properties.ID.String()
	}
	if f.Type != "Feature" {
		return Zone{}, id, fmt.Errorf("%w: type %q, want Feature", ErrBadZone, f.Type)
	}
	z, err := f.Properties.zone(id)
	if err != nil {
		return Zone{}, id, err
	}
	if f.Geometry == nil {
		return Zone{}, id, fmt.Errorf("%w: no geometry", ErrBadZone)
	}
	return z, id, f.Geometry.apply(&z)
}

// apply sets the shape of z from a GeoJSON Point or Polygon.
func (g *geoGeometry) apply(z *Zone) error {
	switch g.Type {
	case "Point":
		var p [2]float64
		if err := json.Unmarshal(g.Coordinates, &p); err != nil {
			return fmt.Errorf("%w: point coordinates: %w", ErrBadZone, err)
		}
		z.Shape, z.Center = ShapeCircle, orb.Point(p)
	case "Polygon":
		var rings [][][2]float64
		if err := json.Unmarshal(g.Coordinates, &rings); err != nil {
			return fmt.Errorf("%w: polygon coordinates: %w", ErrBadZone, err)
		}
		z.Shape = ShapePolygon
		z.Polygon = make(orb.Polygon, len(rings))
		for i, r := range rings {
			z.Polygon[i] = make(orb.Ring, len(r))
			for j, p := range r {
				z.Polygon[i][j] = orb.Point(p)
			}
		}
	default:
		return fmt.Errorf("%w: geometry %q, want Point or Polygon", ErrBadZone, g.Type)
	}
	return nil
}

func (p *zoneProps) zone(id string) (Zone, error) {
	var z Zone
	var err error
	if z.ID, err = strconv.ParseInt(id, 10, 64); err != nil || id == "" {
		return z, fmt.Errorf("%w: id %q is not an integer", ErrBadZone, id)
	}
	ints := []struct {
		name string
		v    json.Number
		dst  *int64
	}{{"debtor", p.Debtor, &z.Debtor}, {"address", p.Address, &z.Address}}
	for _, f := range ints {
		if *f.dst, err = optInt(f.v); err != nil {
			return z, fmt.Errorf("%w: %s %q is not an integer", ErrBadZone, f.name, f.v)
		}
	}
	floats := []struct {
		name string
		v    json.Number
		dst  *float64
	}{
		{"radius", p.Radius, &z.Radius},
		{"exit_radius", p.ExitRadius, &z.ExitRadius},
		{"exit_margin", p.ExitMargin, &z.ExitMargin},
	}
	for _, f := range floats {
		if *f.dst, err = optFloat(f.v); err != nil {
			return z, fmt.Errorf("%w: %s %q is not a number", ErrBadZone, f.name, f.v)
		}
	}
	secs, err := optFloat(p.MinDwell)
	if err != nil || secs < 0 || secs > 24*3600 {
		return z, fmt.Errorf("%w: min_dwell_s %q is not 0 to 86400 seconds", ErrBadZone, p.MinDwell)
	}
	z.MinDwell = time.Duration(secs * float64(time.Second))
	return z, nil
}

func optInt(n json.Number) (int64, error) {
	if n == "" {
		return 0, nil
	}
	return strconv.ParseInt(string(n), 10, 64)
}

func optFloat(n json.Number) (float64, error) {
	if n == "" {
		return 0, nil
	}
	f, err := strconv.ParseFloat(string(n), 64)
	if err == nil && (math.IsNaN(f) || math.IsInf(f, 0)) {
		err = errors.New("not finite")
	}
	return f, err
}

// ParseZonesCSV reads zones from CSV with a header row. Columns, in any
// order and case: id (required), debtor, address, lat and lon (a circle),
// radius, exit_radius, exit_margin, min_dwell_s, and geometry (a GeoJSON
// Polygon geometry object, for polygon zones, instead of lat and lon).
// Unknown columns are ignored. Rows are validated as Index.Add would; bad
// rows are listed in the report and the rest kept. The error is non-nil
// only when the file as a whole cannot be read.
func ParseZonesCSV(r io.Reader, cfg IndexConfig) (ImportReport, error) {
	cr := csv.NewReader(io.LimitReader(r, MaxImportBytes+1))
	cr.FieldsPerRecord = -1
	cr.ReuseRecord = true
	head, err := cr.Read()
	if err != nil {
		return ImportReport{}, fmt.Errorf("%w: csv header: %w", ErrImport, err)
	}
	cols := make(map[string]int, len(head))
	for i, h := range head {
		cols[strings.ToLower(strings.TrimSpace(strings.TrimPrefix(h, "\ufeff")))] = i
	}
	if _, ok := cols["id"]; !ok {
		return ImportReport{}, fmt.Errorf("%w: csv header has no id column", ErrImport)
	}
	rep := ImportReport{Rejected: []RejectedRow{}}
	seen := make(map[int64]bool)
	for row := 1; ; row++ {
		rec, err := cr.Read()
		if errors.Is(err, io.EOF) {
			return rep, nil
		}
		if row > MaxImportRows {
			return rep, fmt.Errorf("%w: over %d rows", ErrImport, MaxImportRows)
		}
		var pe *csv.ParseError
		if errors.As(err, &pe) && !errors.Is(err, csv.ErrFieldCount) {
			return rep, fmt.Errorf("%w: csv: %w", ErrImport, err)
		}
		z, id, err := csvZone(rec, cols)
		if err != nil {
			rep.reject(row, id, err)
			continue
		}
		rep.accept(row, z, cfg, seen)
	}
}

func csvZone(rec []string, cols map[string]int) (Zone, string, error) {
	get := func(name string) string {
		if i, ok := cols[name]; ok && i < len(rec) {
			return strings.TrimSpace(rec[i])
		}
		return ""
	}
	id := get("id")
	num := func(name string) *json.Number { n := json.Number(get(name)); return &n }
	p := zoneProps{
		ID: num("id"), Debtor: *num("debtor"), Address: *num("address"),
		Radius: *num("radius"), ExitRadius: *num("exit_radius"),
		ExitMargin: *num("exit_margin"), MinDwell: *num("min_dwell_s"),
	}
	z, err := p.zone(id)
	if err != nil {
		return z, id, err
	}
	if g := get("geometry"); g != "" {
		var geom geoGeometry
		if err := json.Unmarshal([]byte(g), &geom); err != nil {
			return z, id, fmt.Errorf("%w: geometry: %w", ErrBadZone, err)
		}
		return z, id, geom.apply(&z)
	}
	lat, err1 := strconv.ParseFloat(get("lat"), 64)
	lon, err2 := strconv.ParseFloat(get("lon"), 64)
	if err1 != nil || err2 != nil {
		return z, id, fmt.Errorf("%w: lat %q lon %q are not numbers",
			ErrBadZone, get("lat"), get("lon"))
	}
	z.Shape, z.Center = ShapeCircle, orb.Point{lon, lat}
	return z, id, nil
}
