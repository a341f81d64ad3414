package plans

import (
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"math"
	"slices"
	"strconv"
	"time"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/planar"

	"dozor/geofence/cell"
	"dozor/planner"
	"dozor/planner/presence"
	"dozor/store"
)

// WeeklyLimit is the legal number of personal meetings with a debtor per
// week.
const WeeklyLimit = 1

// met reports whether an outcome means the debtor was met in person. A
// stored visit without an outcome counts as a meeting: the weekly limit
// errs on the side of the law.
func met(result string) bool {
	switch result {
	case store.OutcomeNoContact, store.OutcomeThirdParty, store.OutcomeWrongAddress:
		return false
	}
	return true
}

// present reports whether an outcome shows the debtor was at the address.
func present(result string) bool {
	switch result {
	case store.OutcomeContact, store.OutcomePromise, store.OutcomeRefused:
		return true
	}
	return false
}

// teamData is what the store holds for one team's day.
type teamData struct {
	collectors map[int64]store.Collector
	profiles   []store.CollectorProfile
	debtors    []store.Debtor
	dprof      map[int64]store.DebtorProfile
	zones      map[int64][]store.Zone // by debtor
	zoneByID   map[int64]store.Zone
	holidays   []store.Holiday
}

func (s *Service) loadTeam(ctx context.Context, date, team string) (*teamData, error) {
	geo := s.st.Geo()
	td := &teamData{collectors: map[int64]store.Collector{}, dprof: map[int64]store.DebtorProfile{},
		zones: map[int64][]store.Zone{}, zoneByID: map[int64]store.Zone{}}
	cs, err := geo.Collectors().List(ctx)
	if err != nil {
		return nil, err
	}
	for _, c := range cs {
		if c.Team == team {
			td.collectors[c.ID] = c
		}
	}
	if td.profiles, err = s.pl.CollectorProfiles().List(ctx, team); err != nil {
		return nil, err
	}
	ds, err := geo.Debtors().List(ctx)
	if err != nil {
		return nil, err
	}
	for _, d := range ds {
		if d.Team == team {
			td.debtors = append(td.debtors, d)
		}
	}
	dps, err := s.pl.DebtorProfiles().List(ctx, team)
	if err != nil {
		return nil, err
	}
	for _, p := range dps {
		td.dprof[p.DebtorID] = p
	}
	zs, err := geo.Zones().List(ctx, 0)
	if err != nil {
		return nil, err
	}
	for _, z := range zs {
		td.zones[z.DebtorID] = append(td.zones[z.DebtorID], z)
		td.zoneByID[z.ID] = z
	}
	td.holidays, err = s.pl.Holidays().List(ctx, date, date)
	return td, err
}

// recentVisits returns every stored visit that arrived in [from, to),
// paging through the store's per-query cap.
func (s *Service) recentVisits(ctx context.Context, from, to time.Time) ([]store.Visit, error) {
	var out []store.Visit
	seen := map[int64]bool{}
	for {
		page, err := s.st.Geo().Visits().List(ctx, store.VisitQuery{From: from, To: to,
			Limit: store.MaxVisitLimit})
		if err != nil {
			return nil, err
		}
		for _, v := range page {
			if !seen[v.ID] {
				seen[v.ID] = true
				out = append(out, v)
			}
		}
		if len(page) < store.MaxVisitLimit || page[len(page)-1].ArrivedAt.Equal(from) {
			return out, nil
		}
		from = page[len(page)-1].ArrivedAt
	}
}

// centre is the point a zone is visited at: the circle's centre, or the
// polygon's area centroid.
func centre(z store.Zone) (lat, lon float64, ok bool) {
	if z.Shape != "polygon" {
		return z.Lat, z.Lon, z.Lat != 0 || z.Lon != 0
	}
	var g struct {
		Coordinates [][][2]float64 `json:"coordinates"` // GeoJSON Polygon: lon, lat
	}
	if err := json.Unmarshal(z.Polygon, &g); err != nil || len(g.Coordinates) == 0 {
		return 0, 0, false
	}
	poly := make(orb.Polygon, len(g.Coordinates))
	for i, ring := range g.Coordinates {
		for _, pt := range ring {
			poly[i] = append(poly[i], orb.Point{pt[0], pt[1]})
		}
	}
	c, area := planar.CentroidArea(poly)
	if area == 0 || math.IsNaN(c.Lat()) {
		return 0, 0, false
	}
	return c.Lat(), c.Lon(), true
}

// area is the presence model's area of a point: its H3 cell at
// Config.AreaResolution.
func (s *Service) area(lat, lon float64) string {
	return strconv.FormatUint(cell.FromLatLng(lat, lon, s.cfg.AreaResolution), 16)
}

// snapshotOf builds the day's snapshot for a team from the store.
func (s *Service) snapshotOf(ctx context.Context, day time.Time, date, team string) (
	*snapshot, error) {
	td, err := s.loadTeam(ctx, date, team)
	if err != nil {
		return nil, fmt.Errorf("load team %q: %w", team, err)
	}
	zone := s.cfg.Zone
	for _, p := range td.profiles {
		if loc, err := time.LoadLocation(p.TimeZone); err == nil && p.TimeZone != "" {
			zone = loc
			break
		}
	}
	y, m, d := day.Date()
	snap := &snapshot{Origin: time.Date(y, m, d, 0, 0, 0, 0, zone)}
	s.addCollectors(snap, td)
	if err := s.addVisits(ctx, snap, td); err != nil {
		return nil, err
	}
	return snap, nil
}

func (s *Service) addCollectors(snap *snapshot, td *teamData) {
	withProfile := map[int64]bool{}
	y, m, d := snap.Origin.Date()
	for _, p := range td.profiles {
		c := td.collectors[p.CollectorID]
		withProfile[c.ID] = true
		loc, err := time.LoadLocation(p.TimeZone)
		if err != nil || p.TimeZone == "" {
			loc = snap.Origin.Location()
		}
		midnight := time.Date(y, m, d, 0, 0, 0, 0, loc)
		at := func(min int) int64 {
			return int64(midnight.Add(time.Duration(min)*time.Minute).Sub(snap.Origin) / time.Second)
		}
		sc := snapCollector{ID: c.ID, Name: c.Name, Lat: p.HomeLat, Lon: p.HomeLon,
			Open: at(p.ShiftStart), Close: at(p.ShiftEnd), MaxVisits: p.MaxVisits}
		for _, b := range p.Breaks {
			sc.Breaks = append(sc.Breaks, snapBreak{Open: at(b.From), Close: at(b.To),
				Duration: int64(b.Minutes) * 60})
		}
		snap.Collectors = append(snap.Collectors, sc)
	}
	ids := slices.Sorted(maps.Keys(td.collectors))
	for _, id := range ids {
		if !withProfile[id] {
			snap.Skipped = append(snap.Skipped, Skipped{CollectorID: id,
				Reason: "no planning profile (home, shift)"})
		}
	}
}

// addVisits makes one candidate per debtor of the team, at its first
// address: legal window, value, presence and meetings this week.
func (s *Service) addVisits(ctx context.Context, snap *snapshot, td *teamData) error {
	model, err := s.presenceModel(ctx, snap.Origin, td)
	if err != nil {
		return err
	}
	meetings, err := s.meetings(ctx, snap.Origin)
	if err != nil {
		return err
	}
	for _, d := range td.debtors {
		zs := td.zones[d.ID]
		if len(zs) == 0 {
			snap.Skipped = append(snap.Skipped, Skipped{DebtorID: d.ID, Reason: "no address"})
			continue
		}
		z := zs[0]
		lat, lon, ok := centre(z)
		if !ok {
			snap.Skipped = append(snap.Skipped, Skipped{DebtorID: d.ID,
				Reason: "address without a usable location"})
			continue
		}
		snap.Visits = append(snap.Visits, s.candidate(snap.Origin, d, z, lat, lon,
			td, model, meetings[d.ID]))
	}
	return nil
}

func (s *Service) candidate(origin time.Time, d store.Debtor, z store.Zone, lat, lon float64,
	td *teamData, model *presence.Model, meetings int) snapVisit {
	prof := td.dprof[d.ID]
	loc, err := time.LoadLocation(prof.TimeZone)
	if err != nil || prof.TimeZone == "" {
		loc = origin.Location()
	}
	service := int64(prof.ServiceMinutes) * 60
	if service <= 0 {
		service = int64(s.cfg.ServiceMinutes) * 60
	}
	holiday := false
	for _, h := range td.holidays {
		holiday = holiday || h.Region == "" || h.Region == prof.Region
	}
	w := planner.ContactWindow(origin, time.Second, loc, holiday, service)
	priority := prof.Priority
	if priority <= 0 {
		priority = 1
	}
	v := snapVisit{DebtorID: d.ID, ZoneID: z.ID, Lat: lat, Lon: lon, Service: service,
		Open: w.Open, Close: w.Close, Value: priority * (1 + prof.AmountOverdue/s.cfg.ValueUnit),
		Meetings: meetings, Zone: loc.String(), Holiday: holiday,
		Presence: make([]float64, presenceHours)}
	addr, area := strconv.FormatInt(z.ID, 10), s.area(lat, lon)
	for h := range v.Presence {
		t := origin.Add(time.Duration(h) * time.Hour).In(loc)
		v.Presence[h] = round3(model.Prob(addr, area, presence.HourOfWeek(t)))
	}
	return v
}

// presenceHours is the length of the presence profiles: a day and a few
// hours past midnight for late shifts.
const presenceHours = 26

func round3(x float64) float64 { return math.Round(x*1000) / 1000 }

// presenceModel fits the presence model on the outcomes of the history
// window before the day.
func (s *Service) presenceModel(ctx context.Context, origin time.Time, td *teamData) (
	*presence.Model, error) {
	outs, err := s.pl.Outcomes().List(ctx, store.OutcomeQuery{From: origin.Add(-s.cfg.History),
		To: origin})
	if err != nil {
		return nil, fmt.Errorf("outcomes: %w", err)
	}
	obs := make([]presence.Outcome, 0, len(outs))
	for _, o := range outs {
		z, ok := td.zoneByID[o.ZoneID]
		if !ok {
			continue
		}
		lat, lon, _ := centre(z)
		loc, err := time.LoadLocation(td.dprof[o.DebtorID].TimeZone)
		if err != nil || td.dprof[o.DebtorID].TimeZone == "" {
			loc = origin.Location()
		}
		obs = append(obs, presence.Outcome{Address: strconv.FormatInt(z.ID, 10),
			Area: s.area(lat, lon), At: o.ArrivedAt.In(loc), Contact: present(o.Result)})
	}
	return presence.Fit(obs, s.cfg.Presence), nil
}

// meetings counts, per debtor, the stored visits of the 7-day window that
// ends with the planned day whose outcome does not rule out a meeting.
func (s *Service) meetings(ctx context.Context, origin time.Time) (map[int64]int, error) {
	from, to := origin.AddDate(0, 0, -6), origin.AddDate(0, 0, 1)
	vs, err := s.recentVisits(ctx, from, to)
	if err != nil {
		return nil, fmt.Errorf("recent visits: %w", err)
	}
	outs, err := s.pl.Outcomes().List(ctx, store.OutcomeQuery{From: from, To: to})
	if err != nil {
		return nil, fmt.Errorf("recent outcomes: %w", err)
	}
	result := make(map[int64]string, len(outs))
	for _, o := range outs {
		result[o.VisitID] = o.Result
	}
	n := map[int64]int{}
	for _, v := range vs {
		if r, ok := result[v.ID]; !ok || met(r) {
			n[v.DebtorID]++
		}
	}
	return n, nil
}
