package plans

import (
	"context"
	"fmt"
	"time"

	"dozor/planner"
	"dozor/planner/matrix"
)

// snapshot is the planner's input for one plan as it was built from the
// store, kept with the plan so that every later edit is re-timed and
// checked against the same data. Times are seconds after Origin.
type snapshot struct {
	Origin     time.Time       `json:"origin"`
	Collectors []snapCollector `json:"collectors"`
	Visits     []snapVisit     `json:"visits"`
	Skipped    []Skipped       `json:"skipped,omitempty"`
}

type snapCollector struct {
	ID        int64       `json:"id"`
	Name      string      `json:"name"`
	Lat       float64     `json:"lat"`
	Lon       float64     `json:"lon"`
	Open      int64       `json:"open"`
	Close     int64       `json:"close"`
	Breaks    []snapBreak `json:"breaks,omitempty"`
	MaxVisits int         `json:"max_visits,omitempty"`
}

type snapBreak struct {
	Open     int64 `json:"open"`
	Close    int64 `json:"close"`
	Duration int64 `json:"duration"`
}

type snapVisit struct {
	DebtorID int64     `json:"debtor_id"`
	ZoneID   int64     `json:"zone_id"`
	Lat      float64   `json:"lat"`
	Lon      float64   `json:"lon"`
	Service  int64     `json:"service"`
	Open     int64     `json:"open"`
	Close    int64     `json:"close"`
	Value    float64   `json:"value"`
	Presence []float64 `json:"presence"`
	Meetings int       `json:"meetings,omitempty"`
	Zone     string    `json:"zone"`
	Holiday  bool      `json:"holiday,omitempty"`
}

// built is a snapshot compiled for the planner: the problem without the
// supervisor's locks, the legal-hours data for the checker and the maps
// from store ids to planner indices. It is never modified after build.
type built struct {
	snap     *snapshot
	p        *planner.Problem
	legal    *planner.Legal
	visitIdx map[int64]int // debtor id -> visit index
	collIdx  map[int64]int // collector id -> collector index
}

// compile turns a snapshot into the planner's problem. The travel matrix
// comes from src over the collectors' homes then the visits' addresses.
func compile(ctx context.Context, snap *snapshot, src matrix.Source) (*built, error) {
	nc := len(snap.Collectors)
	pts := make([]matrix.Point, 0, nc+len(snap.Visits))
	b := &built{snap: snap, visitIdx: make(map[int64]int, len(snap.Visits)),
		collIdx: make(map[int64]int, nc)}
	p := &planner.Problem{PresenceStep: 3600, WeeklyLimit: WeeklyLimit}
	for k, c := range snap.Collectors {
		pts = append(pts, matrix.Point{Lat: c.Lat, Lon: c.Lon})
		pc := planner.Collector{ID: fmt.Sprint(c.ID), Start: k, End: k,
			Shift: planner.Window{Open: c.Open, Close: c.Close}, MaxVisits: c.MaxVisits}
		for _, br := range c.Breaks {
			pc.Breaks = append(pc.Breaks, planner.Break{Duration: br.Duration,
				Window: planner.Window{Open: br.Open, Close: br.Close}})
		}
		p.Collectors = append(p.Collectors, pc)
		b.collIdx[c.ID] = k
	}
	b.legal = &planner.Legal{Origin: snap.Origin, Unit: time.Second}
	for i, v := range snap.Visits {
		pts = append(pts, matrix.Point{Lat: v.Lat, Lon: v.Lon})
		p.Visits = append(p.Visits, planner.Visit{ID: fmt.Sprint(v.DebtorID),
			Location: nc + i, Service: v.Service, Value: v.Value,
			Window:   planner.Window{Open: v.Open, Close: v.Close},
			Presence: v.Presence, MeetingsThisWeek: v.Meetings})
		b.visitIdx[v.DebtorID] = i
		loc, err := time.LoadLocation(v.Zone)
		if err != nil {
			return nil, fmt.Errorf("visit of debtor %d: %w", v.DebtorID, err)
		}
		b.legal.Zones = append(b.legal.Zones, loc)
		b.legal.Holidays = append(b.legal.Holidays, v.Holiday)
	}
	mx, err := src.Table(ctx, pts)
	if err != nil {
		return nil, fmt.Errorf("travel matrix: %w", err)
	}
	p.Matrix = mx
	b.p = p
	return b, nil
}

// withLocks returns a copy of the base problem with the document's pins and
// drops applied.
func (b *built) withLocks(doc *Document) *planner.Problem {
	p := *b.p
	p.Visits = make([]planner.Visit, len(b.p.Visits))
	copy(p.Visits, b.p.Visits)
	for _, l := range doc.Locks {
		i, ok := b.visitIdx[l.DebtorID]
		k, ok2 := b.collIdx[l.CollectorID]
		if ok && ok2 {
			p.Visits[i].Lock = planner.Lock{Pinned: true, Collector: k, Fixed: l.Fixed}
		}
	}
	for _, d := range doc.Dropped {
		if i, ok := b.visitIdx[d]; ok {
			p.Visits[i].Lock = planner.Lock{Excluded: true}
		}
	}
	return &p
}

// at converts plan time to an instant in the plan's zone.
func (b *built) at(t int64) time.Time {
	return b.snap.Origin.Add(time.Duration(t) * time.Second)
}

// planOf converts a document's routes into the planner's plan.
func (b *built) planOf(doc *Document) (*planner.Plan, error) {
	pl := &planner.Plan{Routes: make([]planner.Route, len(b.p.Collectors))}
	for k := range pl.Routes {
		pl.Routes[k].Collector = k
	}
	for _, rt := range doc.Routes {
		k, ok := b.collIdx[rt.CollectorID]
		if !ok {
			return nil, fmt.Errorf("%w: collector %d is not in the plan", ErrCorrupt, rt.CollectorID)
		}
		for _, st := range rt.Stops {
			ps := planner.Stop{Visit: -1, Break: st.Break,
				Arrival: int64(st.Arrival.Sub(b.snap.Origin) / time.Second),
				Start:   int64(st.Start.Sub(b.snap.Origin) / time.Second)}
			if st.Kind == StopVisit {
				i, ok := b.visitIdx[st.DebtorID]
				if !ok {
					return nil, fmt.Errorf("%w: debtor %d is not in the plan", ErrCorrupt, st.DebtorID)
				}
				ps.Visit = i
			}
			pl.Routes[k].Stops = append(pl.Routes[k].Stops, ps)
		}
	}
	return pl, nil
}
