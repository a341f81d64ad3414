package plans

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"sync"
	"time"

	"dozor/planner"
	"dozor/planner/check"
	"dozor/planner/matrix"
	"dozor/planner/presence"
	"dozor/store"
)

// Defaults of Config.
const (
	DefaultTimeLimit      = 5 * time.Second
	DefaultMaxTimeLimit   = 120 * time.Second
	DefaultHistory        = 180 * 24 * time.Hour
	DefaultServiceMinutes = 30
	DefaultValueUnit      = 100000 // amount overdue worth one more unit of priority
	DefaultAreaResolution = 7      // H3 cells of about 5 km²
	DefaultCacheSize      = 4
	DefaultZone           = "Europe/Moscow"
)

// Sentinel errors. Store errors (store.ErrNotFound, store.ErrConflict) are
// passed through wrapped.
var (
	// ErrInvalid reports a request the service cannot plan: a bad date, a
	// team without collectors or candidates.
	ErrInvalid = errors.New("plans: invalid request")
	// ErrBadEdit reports an edit that names what is not in the plan or
	// does not fit it.
	ErrBadEdit = errors.New("plans: invalid edit")
	// ErrCorrupt reports a stored plan that does not match its problem.
	ErrCorrupt = errors.New("plans: stored plan does not match its problem")
)

// Config tunes the service; zero fields take the defaults.
type Config struct {
	// Zone is the plan's zone when no collector of the team has one.
	Zone *time.Location
	// TimeLimit is the solver's time when the request names none;
	// MaxTimeLimit caps what a request may ask.
	TimeLimit, MaxTimeLimit time.Duration
	// History is how far back visit outcomes train the presence model.
	History time.Duration
	// ServiceMinutes is the length of a visit when the debtor's profile
	// has none.
	ServiceMinutes int
	// ValueUnit: a debtor's value is Priority * (1 + AmountOverdue/ValueUnit).
	ValueUnit float64
	// AreaResolution is the H3 resolution of the presence model's areas.
	AreaResolution int
	// Matrix computes travel times; default haversine (matrix.Haversine).
	Matrix matrix.Source
	// Presence tunes the presence model.
	Presence presence.Config
	// Workers is the solver's parallel trajectories (default 1).
	Workers int
	// CacheSize is the number of compiled plans kept for edits.
	CacheSize int
	Now       func() time.Time
}

func (c Config) withDefaults() Config {
	if c.Zone == nil {
		c.Zone, _ = time.LoadLocation(DefaultZone)
		if c.Zone == nil {
			c.Zone = time.FixedZone("MSK", 3*3600)
		}
	}
	c.TimeLimit = cmpOr(c.TimeLimit, DefaultTimeLimit)
	c.MaxTimeLimit = cmpOr(c.MaxTimeLimit, DefaultMaxTimeLimit)
	c.History = cmpOr(c.History, DefaultHistory)
	c.ServiceMinutes = cmpOr(c.ServiceMinutes, DefaultServiceMinutes)
	c.ValueUnit = cmpOr(c.ValueUnit, DefaultValueUnit)
	c.AreaResolution = cmpOr(c.AreaResolution, DefaultAreaResolution)
	c.Workers = cmpOr(c.Workers, 1)
	c.CacheSize = cmpOr(c.CacheSize, DefaultCacheSize)
	if c.Matrix == nil {
		c.Matrix = matrix.Haversine{}
	}
	if c.Now == nil {
		c.Now = time.Now
	}
	return c
}

func cmpOr[T comparable](v, def T) T {
	var zero T
	if v == zero {
		return def
	}
	return v
}

// Service builds, edits and serves day plans. It is safe for concurrent
// use; concurrent edits of one plan are settled by the store (the loser
// gets store.ErrConflict).
type Service struct {
	st  store.Store
	pl  store.Planning
	cfg Config

	mu    sync.Mutex
	cache map[int64]*built // by plan id
	order []int64          // cache ids, oldest first
}

// New returns a service over the store.
func New(st store.Store, pl store.Planning, cfg Config) *Service {
	return &Service{st: st, pl: pl, cfg: cfg.withDefaults(), cache: map[int64]*built{}}
}

// View is a plan as the API shows it: the stored plan's header and its
// current document, and its history when asked for.
type View struct {
	ID        int64     `json:"id"`
	Date      string    `json:"date"`
	Team      string    `json:"team"`
	Version   int       `json:"version"`
	Status    string    `json:"status"`
	CreatedBy string    `json:"created_by"`
	CreatedAt time.Time `json:"created_at"`
	UpdatedBy string    `json:"updated_by"`
	UpdatedAt time.Time `json:"updated_at"`
	*Document
	Versions []VersionInfo `json:"versions,omitempty"`
}

// VersionInfo is one entry of a plan's history without its document.
type VersionInfo struct {
	Version int             `json:"version"`
	Author  string          `json:"author"`
	At      time.Time       `json:"at"`
	Change  json.RawMessage `json:"change"`
}

func viewOf(p store.Plan, doc *Document) *View {
	return &View{ID: p.ID, Date: p.Date, Team: p.Team, Version: p.Version, Status: p.Status,
		CreatedBy: p.CreatedBy, CreatedAt: p.CreatedAt, UpdatedBy: p.UpdatedBy,
		UpdatedAt: p.UpdatedAt, Document: doc}
}

// BuildRequest asks for a plan of Date (YYYY-MM-DD) for Team.
type BuildRequest struct {
	Date      string
	Team      string
	TimeLimit time.Duration // 0: Config.TimeLimit
	Author    string
}

// Build plans the day of a team from the store, checks the plan with the
// independent checker and stores it as version 1 of a new plan, which
// supersedes the team's active plan of that day.
func (s *Service) Build(ctx context.Context, req BuildRequest) (*View, error) {
	day, err := time.Parse(time.DateOnly, req.Date)
	if err != nil {
		return nil, fmt.Errorf("%w: date: want YYYY-MM-DD, got %q", ErrInvalid, req.Date)
	}
	limit := min(cmpOr(req.TimeLimit, s.cfg.TimeLimit), s.cfg.MaxTimeLimit)
	snap, err := s.snapshotOf(ctx, day, req.Date, req.Team)
	if err != nil {
		return nil, err
	}
	if len(snap.Collectors) == 0 {
		return nil, fmt.Errorf("%w: team %q has no collector with a planning profile",
			ErrInvalid, req.Team)
	}
	began := time.Now()
	b, err := compile(ctx, snap, s.cfg.Matrix)
	if err != nil {
		return nil, err
	}
	var pl *planner.Plan
	if len(b.p.Visits) == 0 {
		pl = &planner.Plan{}
	} else if pl, err = planner.Solve(ctx, b.p, planner.Options{TimeLimit: limit, Seed: 1,
		Workers: s.cfg.Workers}); err != nil {
		return nil, fmt.Errorf("solve: %w", err)
	}
	doc, err := s.evaluate(b, b.p, pl)
	if err != nil {
		return nil, err
	}
	doc.Skipped, doc.SolveMS, doc.Iterations = snap.Skipped, time.Since(began).Milliseconds(),
		pl.Iterations
	problem, body, err := marshal2(snap, doc)
	if err != nil {
		return nil, err
	}
	change, _ := json.Marshal(map[string]any{"op": "build", "time_limit_s": limit.Seconds(),
		"candidates": len(snap.Visits), "collectors": len(snap.Collectors)})
	p, err := s.pl.Plans().Create(ctx, store.Plan{Date: req.Date, Team: req.Team,
		CreatedBy: req.Author, Collectors: collectorsOf(doc), Problem: problem, Body: body}, change)
	if err != nil {
		return nil, fmt.Errorf("store plan: %w", err)
	}
	s.remember(p.ID, b)
	return viewOf(p, doc), nil
}

func marshal2(a, b any) ([]byte, []byte, error) {
	x, err := json.Marshal(a)
	if err != nil {
		return nil, nil, fmt.Errorf("encode problem: %w", err)
	}
	y, err := json.Marshal(b)
	if err != nil {
		return nil, nil, fmt.Errorf("encode plan: %w", err)
	}
	return x, y, nil
}

// collectorsOf lists the collectors with at least one visit.
func collectorsOf(doc *Document) []int64 {
	out := []int64{}
	for _, rt := range doc.Routes {
		for _, st := range rt.Stops {
			if st.Kind == StopVisit {
				out = append(out, rt.CollectorID)
				break
			}
		}
	}
	return out
}

// Get returns a plan; with versions, its history too.
func (s *Service) Get(ctx context.Context, id int64, versions bool) (*View, error) {
	p, err := s.pl.Plans().Get(ctx, id)
	if err != nil {
		return nil, err
	}
	doc, err := decodeDoc(p.Body)
	if err != nil {
		return nil, err
	}
	v := viewOf(p, doc)
	if !versions {
		return v, nil
	}
	hist, err := s.pl.Plans().Versions(ctx, id)
	if err != nil {
		return nil, err
	}
	for _, h := range hist {
		v.Versions = append(v.Versions, VersionInfo{Version: h.Version, Author: h.Author,
			At: h.At, Change: h.Change})
	}
	return v, nil
}

func decodeDoc(body []byte) (*Document, error) {
	var doc Document
	if err := json.Unmarshal(body, &doc); err != nil {
		return nil, fmt.Errorf("%w: %w", ErrCorrupt, err)
	}
	return &doc, nil
}

// List returns the plans of a date and/or team (headers and documents).
func (s *Service) List(ctx context.Context, q store.PlanQuery) ([]*View, error) {
	ps, err := s.pl.Plans().List(ctx, q)
	if err != nil {
		return nil, err
	}
	out := make([]*View, 0, len(ps))
	for _, p := range ps {
		doc, err := decodeDoc(p.Body)
		if err != nil {
			return nil, err
		}
		out = append(out, viewOf(p, doc))
	}
	return out, nil
}

// Header returns a plan's stored header (team, version) without decoding
// its document, for access checks.
func (s *Service) Header(ctx context.Context, id int64) (store.Plan, error) {
	return s.pl.Plans().Get(ctx, id)
}

// Edit applies edits to version base of plan id (base 0: the current
// version), re-times the routes and checks them, and stores the result as
// the next version. An edit that breaks a rule is kept: the supervisor may
// knowingly override, and the returned view lists the violations.
func (s *Service) Edit(ctx context.Context, id int64, base int, author string, edits []Edit) (
	*View, error) {
	p, err := s.pl.Plans().Get(ctx, id)
	if err != nil {
		return nil, err
	}
	if base == 0 {
		base = p.Version
	}
	if base != p.Version {
		return nil, fmt.Errorf("plan %d is at version %d, not %d: %w", id, p.Version, base,
			store.ErrConflict)
	}
	doc, err := decodeDoc(p.Body)
	if err != nil {
		return nil, err
	}
	b, err := s.compiled(ctx, p)
	if err != nil {
		return nil, err
	}
	prob := b.withLocks(doc)
	pl, err := b.planOf(doc)
	if err != nil {
		return nil, err
	}
	pe, err := b.plannerEdits(edits)
	if err != nil {
		return nil, err
	}
	prob, pl, err = planner.ApplyEdits(prob, pl, pe)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrBadEdit, err)
	}
	next, err := s.evaluate(b, prob, pl)
	if err != nil {
		return nil, err
	}
	next.Skipped = doc.Skipped
	body, err := json.Marshal(next)
	if err != nil {
		return nil, fmt.Errorf("encode plan: %w", err)
	}
	change, _ := json.Marshal(edits)
	up, err := s.pl.Plans().Update(ctx, id, base, author, collectorsOf(next), body, change)
	if err != nil {
		return nil, err
	}
	return viewOf(up, next), nil
}

// compiled returns the compiled problem of a stored plan, from the cache
// or rebuilt from its snapshot.
func (s *Service) compiled(ctx context.Context, p store.Plan) (*built, error) {
	s.mu.Lock()
	b := s.cache[p.ID]
	s.mu.Unlock()
	if b != nil {
		return b, nil
	}
	var snap snapshot
	if err := json.Unmarshal(p.Problem, &snap); err != nil {
		return nil, fmt.Errorf("%w: %w", ErrCorrupt, err)
	}
	b, err := compile(ctx, &snap, s.cfg.Matrix)
	if err != nil {
		return nil, err
	}
	s.remember(p.ID, b)
	return b, nil
}

func (s *Service) remember(id int64, b *built) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.cache[id]; !ok {
		s.order = append(s.order, id)
	}
	s.cache[id] = b
	for len(s.order) > s.cfg.CacheSize {
		delete(s.cache, s.order[0])
		s.order = s.order[1:]
	}
}

// plannerEdits translates API edits into the planner's.
func (b *built) plannerEdits(edits []Edit) ([]planner.Edit, error) {
	out := make([]planner.Edit, 0, len(edits))
	for n, e := range edits {
		pe, err := b.plannerEdit(e)
		if err != nil {
			return nil, fmt.Errorf("%w: edit %d (%s): %w", ErrBadEdit, n, e.Op, err)
		}
		out = append(out, pe)
	}
	return out, nil
}

func (b *built) plannerEdit(e Edit) (planner.Edit, error) {
	var pe planner.Edit
	visit := func() error {
		i, ok := b.visitIdx[e.DebtorID]
		if !ok {
			return fmt.Errorf("debtor %d is not a candidate of this plan", e.DebtorID)
		}
		pe.Visit = i
		return nil
	}
	collector := func() error {
		k, ok := b.collIdx[e.CollectorID]
		if !ok {
			return fmt.Errorf("collector %d is not in this plan", e.CollectorID)
		}
		pe.Collector = k
		return nil
	}
	switch e.Op {
	case OpMove:
		pe.Kind, pe.Position = planner.EditMove, -1
		if e.Position != nil {
			pe.Position = *e.Position
		}
		return pe, errors.Join(visit(), collector())
	case OpReorder:
		pe.Kind = planner.EditReorder
		for _, d := range e.Order {
			i, ok := b.visitIdx[d]
			if !ok {
				return pe, fmt.Errorf("debtor %d is not a candidate of this plan", d)
			}
			pe.Visits = append(pe.Visits, i)
		}
		return pe, collector()
	case OpPin:
		pe.Kind, pe.Fixed = planner.EditPin, e.Fixed
		return pe, errors.Join(visit(), collector())
	case OpUnpin:
		pe.Kind = planner.EditUnpin
		return pe, visit()
	case OpDrop:
		pe.Kind = planner.EditDrop
		return pe, visit()
	}
	return pe, fmt.Errorf("unknown op %q: want move, reorder, pin, unpin or drop", e.Op)
}

// evaluate re-times plan and checks it with the independent checker, and
// turns the result into a document.
func (s *Service) evaluate(b *built, p *planner.Problem, pl *planner.Plan) (*Document, error) {
	timed, rep, err := planner.Evaluate(p, pl, b.legal)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrCorrupt, err)
	}
	return b.document(p, timed, rep), nil
}

func (b *built) document(p *planner.Problem, pl *planner.Plan, rep *check.Report) *Document {
	doc := &Document{Origin: b.snap.Origin, Routes: []Route{}, Unplanned: []int64{},
		Dropped: []int64{}, Locks: []Lock{}, Violations: []Violation{}, Feasible: rep.Feasible,
		KPI: kpiOf(rep.Total)}
	for k, rt := range pl.Routes {
		doc.Routes = append(doc.Routes, b.route(p, k, rt, rep))
	}
	for i, v := range p.Visits {
		d := b.snap.Visits[i].DebtorID
		switch {
		case v.Lock.Excluded:
			doc.Dropped = append(doc.Dropped, d)
		case v.Lock.Pinned:
			doc.Locks = append(doc.Locks, Lock{DebtorID: d, Fixed: v.Lock.Fixed,
				CollectorID: b.snap.Collectors[v.Lock.Collector].ID})
		}
	}
	for _, i := range pl.Unplanned {
		if !p.Visits[i].Lock.Excluded {
			doc.Unplanned = append(doc.Unplanned, b.snap.Visits[i].DebtorID)
		}
	}
	slices.Sort(doc.Unplanned)
	for _, v := range rep.Violations {
		doc.Violations = append(doc.Violations, b.violation(pl, v))
	}
	return doc
}

func (b *built) route(p *planner.Problem, k int, rt planner.Route, rep *check.Report) Route {
	c := b.snap.Collectors[rt.Collector]
	out := Route{CollectorID: c.ID, Name: c.Name, Leave: b.at(c.Open), Return: b.at(rt.End),
		Stops: []Stop{}}
	if k < len(rep.Routes) {
		out.KPI = kpiOf(rep.Routes[k])
	}
	for _, st := range rt.Stops {
		if st.Visit < 0 {
			br := c.Breaks[st.Break]
			out.Stops = append(out.Stops, Stop{Kind: StopBreak, Break: st.Break,
				Arrival: b.at(st.Arrival), Start: b.at(st.Start), End: b.at(st.Start + br.Duration)})
			continue
		}
		v, sv := &p.Visits[st.Visit], &b.snap.Visits[st.Visit]
		out.Stops = append(out.Stops, Stop{Kind: StopVisit, DebtorID: sv.DebtorID,
			ZoneID: sv.ZoneID, Arrival: b.at(st.Arrival), Start: b.at(st.Start),
			End: b.at(st.Start + v.Service), Presence: round3(p.PresenceAt(st.Visit, st.Start)),
			Value: v.Value, Pinned: v.Lock.Pinned, Fixed: v.Lock.Fixed})
	}
	if len(rt.Stops) > 0 && rt.Stops[0].Visit >= 0 {
		first := rt.Stops[0]
		home := p.Collectors[rt.Collector].Start
		out.Leave = b.at(first.Arrival - p.Matrix.Duration(home, p.Visits[first.Visit].Location))
	}
	return out
}

func (b *built) violation(pl *planner.Plan, v check.Violation) Violation {
	out := Violation{Kind: string(v.Kind), Detail: v.Detail}
	if v.Route >= 0 && v.Route < len(pl.Routes) {
		out.CollectorID = b.snap.Collectors[pl.Routes[v.Route].Collector].ID
	}
	if v.Visit >= 0 && v.Visit < len(b.snap.Visits) {
		out.DebtorID = b.snap.Visits[v.Visit].DebtorID
	}
	return out
}
