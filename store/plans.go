package store

import (
	"context"
	"encoding/json"
	"time"
)

// Planning is the part of the store the day planner reads and writes
// (issue 8): collector and debtor planning data, visit outcomes, holidays
// and the plans themselves with their version history. Both stores
// implement it beside Store.
type Planning interface {
	CollectorProfiles() CollectorProfiles
	DebtorProfiles() DebtorProfiles
	Outcomes() Outcomes
	Holidays() Holidays
	Plans() Plans
}

// ProfileBreak is a pause in a collector's day: Minutes long, starting
// between From and To (minutes after local midnight).
type ProfileBreak struct {
	From    int `json:"from_min"`
	To      int `json:"to_min"`
	Minutes int `json:"minutes"`
}

// CollectorProfile is what the planner needs to know about a collector:
// where the day starts and ends, the shift (minutes after local midnight in
// TimeZone), breaks and an optional cap on visits.
type CollectorProfile struct {
	CollectorID int64          `json:"collector_id"`
	HomeLat     float64        `json:"home_lat"`
	HomeLon     float64        `json:"home_lon"`
	ShiftStart  int            `json:"shift_start_min"`
	ShiftEnd    int            `json:"shift_end_min"`
	Breaks      []ProfileBreak `json:"breaks"`
	TimeZone    string         `json:"time_zone"` // IANA name, e.g. Europe/Moscow
	MaxVisits   int            `json:"max_visits,omitempty"`
	UpdatedAt   time.Time      `json:"updated_at"`
}

// CollectorProfiles keeps collector profiles, one per collector.
type CollectorProfiles interface {
	// Put creates or replaces the profile of p.CollectorID. An unknown
	// collector fails with ErrNotFound.
	Put(ctx context.Context, p CollectorProfile) (CollectorProfile, error)
	// Get returns the profile, or ErrNotFound.
	Get(ctx context.Context, collectorID int64) (CollectorProfile, error)
	// List returns the profiles of the collectors of team, by collector id.
	List(ctx context.Context, team string) ([]CollectorProfile, error)
}

// DebtorProfile is what the planner needs to know about a debtor: the
// value of a contact (Priority and AmountOverdue), the expected length of a
// visit, the time zone and region (for holidays) of the debtor's addresses.
type DebtorProfile struct {
	DebtorID       int64     `json:"debtor_id"`
	Priority       float64   `json:"priority"`
	AmountOverdue  float64   `json:"amount_overdue"`
	ServiceMinutes int       `json:"service_min"`
	TimeZone       string    `json:"time_zone"`
	Region         string    `json:"region,omitempty"`
	UpdatedAt      time.Time `json:"updated_at"`
}

// DebtorProfiles keeps debtor profiles, one per debtor.
type DebtorProfiles interface {
	// Put creates or replaces the profile of p.DebtorID. An unknown debtor
	// fails with ErrNotFound.
	Put(ctx context.Context, p DebtorProfile) (DebtorProfile, error)
	// Get returns the profile, or ErrNotFound.
	Get(ctx context.Context, debtorID int64) (DebtorProfile, error)
	// List returns the profiles of the debtors of team, by debtor id.
	List(ctx context.Context, team string) ([]DebtorProfile, error)
}

// Visit outcomes. The first three mean the debtor was met.
const (
	OutcomeContact      = "contact"       // met the debtor
	OutcomePromise      = "promise"       // met, promised to pay
	OutcomeRefused      = "refused"       // met, refused to talk or pay
	OutcomeNoContact    = "no_contact"    // nobody answered
	OutcomeThirdParty   = "third_party"   // someone else, not the debtor
	OutcomeWrongAddress = "wrong_address" // the debtor does not live there
)

// Outcome is the result of a stored visit, recorded by the collector or a
// supervisor. CollectorID, DebtorID, ZoneID and ArrivedAt are copied from
// the visit when it is recorded.
type Outcome struct {
	VisitID     int64     `json:"visit_id"`
	Result      string    `json:"result"`
	Note        string    `json:"note,omitempty"`
	RecordedBy  string    `json:"recorded_by"`
	RecordedAt  time.Time `json:"recorded_at"`
	CollectorID int64     `json:"collector_id"`
	DebtorID    int64     `json:"debtor_id"`
	ZoneID      int64     `json:"zone_id"`
	ArrivedAt   time.Time `json:"arrived_at"`
}

// OutcomeQuery selects outcomes by the visit's arrival (From inclusive, To
// exclusive); zero fields do not filter.
type OutcomeQuery struct {
	From, To time.Time
	DebtorID int64
	Limit    int // 0: MaxOutcomeLimit
}

// MaxOutcomeLimit caps one outcomes query.
const MaxOutcomeLimit = 200000

// Outcomes keeps one outcome per stored visit.
type Outcomes interface {
	// Put records (or replaces) the outcome of visit o.VisitID. An unknown
	// visit fails with ErrNotFound.
	Put(ctx context.Context, o Outcome) (Outcome, error)
	// Get returns the outcome of a visit, or ErrNotFound.
	Get(ctx context.Context, visitID int64) (Outcome, error)
	// List returns outcomes ordered by arrival, then visit id.
	List(ctx context.Context, q OutcomeQuery) ([]Outcome, error)
	// Visit returns the stored visit with that id, or ErrNotFound, so that
	// the caller can check who may record its outcome.
	Visit(ctx context.Context, visitID int64) (Visit, error)
}

// Holiday is a public holiday: Date is YYYY-MM-DD; an empty Region applies
// everywhere, otherwise only to debtors of that region.
type Holiday struct {
	Date   string `json:"date"`
	Region string `json:"region"`
	Name   string `json:"name"`
}

// Holidays keeps public holidays.
type Holidays interface {
	// Put adds or renames the holiday of (Date, Region).
	Put(ctx context.Context, h Holiday) error
	// Delete removes it; an unknown one fails with ErrNotFound.
	Delete(ctx context.Context, date, region string) error
	// List returns the holidays with from <= Date <= to (YYYY-MM-DD), by
	// date and region.
	List(ctx context.Context, from, to string) ([]Holiday, error)
}

// Plan statuses. Building a new plan for a date and team supersedes the
// active one.
const (
	PlanActive     = "active"
	PlanSuperseded = "superseded"
)

// Plan is a day plan of a team. Problem is the planner's input as it was
// built (kept so that edits are re-timed against the same data); Body is
// the current version's plan document. Both are opaque JSON owned by the
// planning service. Collectors lists the collectors with a route in Body.
type Plan struct {
	ID         int64           `json:"id"`
	Date       string          `json:"date"` // YYYY-MM-DD
	Team       string          `json:"team"`
	Version    int             `json:"version"`
	Status     string          `json:"status"`
	CreatedBy  string          `json:"created_by"`
	CreatedAt  time.Time       `json:"created_at"`
	UpdatedBy  string          `json:"updated_by"`
	UpdatedAt  time.Time       `json:"updated_at"`
	Collectors []int64         `json:"collectors"`
	Problem    json.RawMessage `json:"-"`
	Body       json.RawMessage `json:"body"`
}

// PlanVersion is one entry of a plan's history: who made it, when, what
// changed (Change, opaque JSON) and the resulting plan document.
type PlanVersion struct {
	PlanID  int64           `json:"plan_id"`
	Version int             `json:"version"`
	Author  string          `json:"author"`
	At      time.Time       `json:"at"`
	Change  json.RawMessage `json:"change"`
	Body    json.RawMessage `json:"body"`
}

// PlanQuery selects plans; zero fields do not filter.
type PlanQuery struct {
	Date   string
	Team   string
	Status string
}

// Plans keeps plans and their versions.
type Plans interface {
	// Create stores p as version 1 (its ID, Version, Status and times are
	// set) with change as the first history entry, and supersedes the
	// active plan of the same date and team, in one transaction.
	Create(ctx context.Context, p Plan, change json.RawMessage) (Plan, error)
	// Get returns the plan with its Problem and current Body, or
	// ErrNotFound.
	Get(ctx context.Context, id int64) (Plan, error)
	// List returns the plans that match, newest first, without Problem.
	List(ctx context.Context, q PlanQuery) ([]Plan, error)
	// Update stores body as version base+1 of plan id, by author, with its
	// change and collectors, if the plan is still at version base;
	// otherwise it fails with ErrConflict (ErrNotFound for no plan).
	Update(ctx context.Context, id int64, base int, author string, collectors []int64,
		body, change json.RawMessage) (Plan, error)
	// Versions returns the history of a plan, oldest first.
	Versions(ctx context.Context, id int64) ([]PlanVersion, error)
	// ForCollector returns the active plan of date with a route for the
	// collector (the newest if several), or ErrNotFound.
	ForCollector(ctx context.Context, collectorID int64, date string) (Plan, error)
}
