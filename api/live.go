package api

import (
	"cmp"
	"encoding/json"
	"errors"
	"math"
	"net/http"
	"slices"
	"strconv"
	"time"

	"dozor/live"
	"dozor/store"
)

// Limits of the live map's endpoints.
const (
	maxDayFixes = 50000          // fixes in one replay answer
	maxDaySpan  = 36 * time.Hour // one replay request
	stopRadius  = 50.0           // metres a stop may wander
	stopMinimum = 3 * time.Minute
)

// LiveStream is the live hub as the API needs it (live.Hub).
type LiveStream interface {
	ServeStream(w http.ResponseWriter, r *http.Request, f live.Filter)
}

func (s *Server) liveRoutes() []route {
	readers := []Role{RoleSupervisor, RoleAuditor}
	return []route{
		{"GET /api/v1/live/collectors", readers, s.liveCollectors},
		{"GET /api/v1/live/collectors/{id}/day", readers, s.liveDay},
		{"GET /api/v1/live/zones", readers, s.liveZones},
		{"GET /api/v1/live/visits", readers, s.liveVisits},
	}
}

// AttachLive serves the live stream, GET /api/v1/live, from h. Call it
// before the server starts serving.
func (s *Server) AttachLive(h LiveStream) {
	r := route{"GET /api/v1/live", []Role{RoleSupervisor, RoleAuditor},
		func(w http.ResponseWriter, r *http.Request) { s.liveStream(w, r, h) }}
	s.mux.Handle(r.pattern, s.auth(r.roles, r.h))
}

// liveStream builds the caller's filter: its teams (or one of them with
// team=), and the viewport as bbox=west,south,east,north or cells=.
func (s *Server) liveStream(w http.ResponseWriter, r *http.Request, h LiveStream) {
	p, _ := PrincipalFrom(r.Context())
	f := live.Filter{AllTeams: p.SeesAllTeams(), Teams: p.Teams}
	q := r.URL.Query()
	if team := q.Get("team"); team != "" {
		if !p.InTeam(team) {
			writeError(w, http.StatusNotFound, "team not found")
			return
		}
		f = live.Filter{Teams: []string{team}}
	}
	switch {
	case q.Get("cells") != "":
		cells, err := live.ParseCells(q.Get("cells"))
		if s.badRequest(w, err) {
			return
		}
		f.Cells = cells
	case q.Get("bbox") != "":
		west, south, east, north, err := live.ParseBox(q.Get("bbox"))
		if s.badRequest(w, err) {
			return
		}
		f.Cells = live.BoxCells(west, south, east, north)
	}
	h.ServeStream(w, r, f)
}

// liveCollector is one row of the collector list.
type liveCollector struct {
	store.Collector
	Devices []liveDevice  `json:"devices"`
	Last    *liveLastSeen `json:"last"`
}

type liveDevice struct {
	ID       int64  `json:"id"`
	UID      string `json:"uid"`
	Protocol string `json:"protocol"`
}

type liveLastSeen struct {
	Device int64   `json:"device"`
	Time   int64   `json:"t"` // Unix ms
	Lat    float64 `json:"lat"`
	Lon    float64 `json:"lon"`
	Speed  float64 `json:"speed"`
	Course float64 `json:"course"`
}

// liveCollectors lists the caller's collectors with their devices and
// latest positions.
func (s *Server) liveCollectors(w http.ResponseWriter, r *http.Request) {
	p, _ := PrincipalFrom(r.Context())
	ctx := r.Context()
	cs, err := s.cfg.Store.Geo().Collectors().List(ctx)
	if err != nil {
		s.storeError(w, "collectors", err)
		return
	}
	out := []liveCollector{}
	for _, c := range cs {
		if !p.InTeam(c.Team) {
			continue
		}
		lc, err := s.lastSeen(r, c)
		if err != nil {
			s.storeError(w, "collector", err)
			return
		}
		out = append(out, lc)
	}
	writeJSON(w, http.StatusOK, out)
}

func (s *Server) lastSeen(r *http.Request, c store.Collector) (liveCollector, error) {
	lc := liveCollector{Collector: c, Devices: []liveDevice{}}
	devs, err := s.cfg.Store.Geo().Collectors().Devices(r.Context(), c.ID)
	if err != nil {
		return lc, err
	}
	for _, d := range devs {
		lc.Devices = append(lc.Devices, liveDevice{d.ID, d.UID, d.Protocol})
		f, err := s.cfg.Store.Fixes().Last(r.Context(), d.ID)
		if errors.Is(err, store.ErrNotFound) {
			continue
		}
		if err != nil {
			return lc, err
		}
		if lc.Last == nil || f.Fix.Time.UnixMilli() > lc.Last.Time {
			lc.Last = &liveLastSeen{Device: d.ID, Time: f.Fix.Time.UnixMilli(),
				Lat: f.Fix.Lat, Lon: f.Fix.Lon, Speed: f.Fix.Speed, Course: f.Fix.Course}
		}
	}
	return lc, nil
}

// visibleCollector finds the {id} collector, answering 404 when it does
// not exist or belongs to another team.
func (s *Server) visibleCollector(w http.ResponseWriter, r *http.Request) (store.Collector, bool) {
	id, ok := pathID(w, r)
	if !ok {
		return store.Collector{}, false
	}
	c, err := s.cfg.Store.Geo().Collectors().Get(r.Context(), id)
	p, _ := PrincipalFrom(r.Context())
	if err == nil && !p.InTeam(c.Team) {
		err = store.ErrNotFound
	}
	if err != nil {
		s.storeError(w, "collector", err)
		return c, false
	}
	return c, true
}

// dayTrack is the replay of a collector's day.
type dayTrack struct {
	Collector store.Collector `json:"collector"`
	From      time.Time       `json:"from"`
	To        time.Time       `json:"to"`
	// Track points are [lon, lat, fix time ms, speed km/h, course, device].
	Track     [][6]float64  `json:"track"`
	Truncated bool          `json:"truncated"`
	Stops     []dayStop     `json:"stops"`
	Visits    []store.Visit `json:"visits"`
}

// dayStop is a stay of at least stopMinimum within stopRadius.
type dayStop struct {
	Lat   float64   `json:"lat"`
	Lon   float64   `json:"lon"`
	From  time.Time `json:"from"`
	To    time.Time `json:"to"`
	Fixes int       `json:"fixes"`
}

// liveDay answers a collector's track, stops and visits between from and
// to (RFC 3339; default: the last 24 hours).
func (s *Server) liveDay(w http.ResponseWriter, r *http.Request) {
	c, ok := s.visibleCollector(w, r)
	if !ok {
		return
	}
	from, err := queryTime(r, "from")
	if s.badRequest(w, err) {
		return
	}
	to, err := queryTime(r, "to")
	if s.badRequest(w, err) {
		return
	}
	if to.IsZero() {
		to = s.now().UTC()
	}
	if from.IsZero() {
		from = to.Add(-24 * time.Hour)
	}
	if !from.Before(to) || to.Sub(from) > maxDaySpan {
		writeError(w, http.StatusBadRequest, "from and to: want from before to, at most 36h apart")
		return
	}
	day := dayTrack{Collector: c, From: from, To: to, Track: [][6]float64{}}
	if !s.dayFixes(w, r, &day) {
		return
	}
	day.Stops = stops(day.Track)
	day.Visits, err = s.cfg.Store.Geo().Visits().List(r.Context(), store.VisitQuery{
		From: from, To: to, CollectorID: c.ID, Limit: store.MaxVisitLimit})
	if err != nil {
		s.storeError(w, "visits", err)
		return
	}
	if day.Visits == nil {
		day.Visits = []store.Visit{}
	}
	writeJSON(w, http.StatusOK, day)
}

// dayFixes reads every device's fixes of the day, page by page, merged in
// fix-time order.
func (s *Server) dayFixes(w http.ResponseWriter, r *http.Request, day *dayTrack) bool {
	devs, err := s.cfg.Store.Geo().Collectors().Devices(r.Context(), day.Collector.ID)
	if err != nil {
		s.storeError(w, "devices", err)
		return false
	}
	for _, d := range devs {
		for from := day.From; len(day.Track) < maxDayFixes; {
			recs, err := s.cfg.Store.Fixes().Track(r.Context(), store.TrackQuery{
				DeviceID: d.ID, From: from, To: day.To, Limit: store.MaxTrackLimit})
			if err != nil {
				s.storeError(w, "track", err)
				return false
			}
			for _, f := range recs {
				if !f.Fix.Plausible() {
					continue // no GPS fix: 0,0 is not a place the collector went
				}
				day.Track = append(day.Track, [6]float64{f.Fix.Lon, f.Fix.Lat,
					float64(f.Fix.Time.UnixMilli()), f.Fix.Speed, f.Fix.Course, float64(d.ID)})
			}
			if len(recs) < store.MaxTrackLimit {
				break
			}
			from = recs[len(recs)-1].Fix.Time.Add(time.Nanosecond)
		}
	}
	if len(day.Track) >= maxDayFixes {
		day.Track, day.Truncated = day.Track[:maxDayFixes], true
	}
	slices.SortStableFunc(day.Track, func(a, b [6]float64) int { return cmp.Compare(a[2], b[2]) })
	return true
}

// stops finds stays in a time-ordered track: runs of fixes within
// stopRadius of the run's first fix lasting at least stopMinimum.
func stops(track [][6]float64) []dayStop {
	out := []dayStop{}
	for i := 0; i < len(track); {
		j := i + 1
		for j < len(track) && metres(track[i], track[j]) <= stopRadius {
			j++
		}
		from, to := msTime(track[i][2]), msTime(track[j-1][2])
		if to.Sub(from) >= stopMinimum {
			var lat, lon float64
			for _, p := range track[i:j] {
				lon, lat = lon+p[0], lat+p[1]
			}
			n := float64(j - i)
			out = append(out, dayStop{Lat: lat / n, Lon: lon / n, From: from, To: to, Fixes: j - i})
		}
		i = j
	}
	return out
}

func msTime(ms float64) time.Time { return time.UnixMilli(int64(ms)).UTC() }

// metres is the equirectangular distance, exact enough at stop scale.
func metres(a, b [6]float64) float64 {
	const r = 6371000.0
	lat := (a[1] + b[1]) / 2 * math.Pi / 180
	dx := (b[0] - a[0]) * math.Pi / 180 * math.Cos(lat)
	dy := (b[1] - a[1]) * math.Pi / 180
	return r * math.Hypot(dx, dy)
}

// liveZones answers the zones of the caller's teams' debtors as GeoJSON,
// limited to bbox=west,south,east,north when given. Circles become
// 32-sided polygons. Addresses are not included (personal data: the
// debtor card has them, with its audit).
func (s *Server) liveZones(w http.ResponseWriter, r *http.Request) {
	p, _ := PrincipalFrom(r.Context())
	box := [4]float64{-180, -90, 180, 90}
	if v := r.URL.Query().Get("bbox"); v != "" {
		west, south, east, north, err := live.ParseBox(v)
		if s.badRequest(w, err) {
			return
		}
		box = [4]float64{west, south, east, north}
	}
	teams, err := s.debtorTeams(r)
	if err != nil {
		s.storeError(w, "debtors", err)
		return
	}
	zs, err := s.cfg.Store.Geo().Zones().List(r.Context(), 0)
	if err != nil {
		s.storeError(w, "zones", err)
		return
	}
	feats := []map[string]any{}
	for _, z := range zs {
		if !p.InTeam(teams[z.DebtorID]) {
			continue
		}
		g, ok := zoneGeometry(z, box)
		if !ok {
			continue
		}
		feats = append(feats, map[string]any{"type": "Feature", "id": z.ID, "geometry": g,
			"properties": map[string]any{"id": z.ID, "debtor": z.DebtorID, "shape": z.Shape,
				"radius_m": z.Radius}})
	}
	writeJSON(w, http.StatusOK, map[string]any{"type": "FeatureCollection", "features": feats})
}

func (s *Server) debtorTeams(r *http.Request) (map[int64]string, error) {
	ds, err := s.cfg.Store.Geo().Debtors().List(r.Context())
	if err != nil {
		return nil, err
	}
	m := make(map[int64]string, len(ds))
	for _, d := range ds {
		m[d.ID] = d.Team
	}
	return m, nil
}

// zoneGeometry returns the zone's GeoJSON geometry if it meets the box.
func zoneGeometry(z store.Zone, box [4]float64) (json.RawMessage, bool) {
	var ring [][2]float64
	if z.Shape == "polygon" {
		var g struct {
			Coordinates [][][2]float64 `json:"coordinates"`
		}
		if json.Unmarshal(z.Polygon, &g) != nil || len(g.Coordinates) == 0 {
			return nil, false
		}
		ring = g.Coordinates[0]
	} else {
		ring = circle(z.Lat, z.Lon, z.Radius)
	}
	lo, hi := [2]float64{180, 90}, [2]float64{-180, -90}
	for _, pt := range ring {
		lo = [2]float64{min(lo[0], pt[0]), min(lo[1], pt[1])}
		hi = [2]float64{max(hi[0], pt[0]), max(hi[1], pt[1])}
	}
	if hi[0] < box[0] || lo[0] > box[2] || hi[1] < box[1] || lo[1] > box[3] {
		return nil, false
	}
	if z.Shape == "polygon" {
		return z.Polygon, true
	}
	b, _ := json.Marshal(map[string]any{"type": "Polygon", "coordinates": [][][2]float64{ring}})
	return b, true
}

func circle(lat, lon, radius float64) [][2]float64 {
	const n = 32
	ring := make([][2]float64, 0, n+1)
	dLat := radius / 111320
	dLon := dLat / max(math.Cos(lat*math.Pi/180), 0.01)
	for i := range n + 1 {
		a := 2 * math.Pi * float64(i%n) / n
		ring = append(ring, [2]float64{lon + dLon*math.Sin(a), lat + dLat*math.Cos(a)})
	}
	return ring
}

// liveVisits answers the visits of the caller's teams that arrived after
// from (default: the last 12 hours), newest last, for the event feed.
func (s *Server) liveVisits(w http.ResponseWriter, r *http.Request) {
	p, _ := PrincipalFrom(r.Context())
	from, err := queryTime(r, "from")
	if s.badRequest(w, err) {
		return
	}
	if from.IsZero() {
		from = s.now().Add(-12 * time.Hour).UTC()
	}
	cs, err := s.cfg.Store.Geo().Collectors().List(r.Context())
	if err != nil {
		s.storeError(w, "collectors", err)
		return
	}
	team := make(map[int64]string, len(cs))
	for _, c := range cs {
		team[c.ID] = c.Team
	}
	vs, err := s.cfg.Store.Geo().Visits().List(r.Context(), store.VisitQuery{From: from,
		Limit: 500})
	if err != nil {
		s.storeError(w, "visits", err)
		return
	}
	out := []store.Visit{}
	for _, v := range vs {
		if p.InTeam(team[v.CollectorID]) {
			out = append(out, v)
		}
	}
	w.Header().Set("X-Total-Count", strconv.Itoa(len(out)))
	writeJSON(w, http.StatusOK, out)
}
