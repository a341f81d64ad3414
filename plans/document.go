package plans

import (
	"time"

	"dozor/planner/check"
)

// Document is the stored form of one plan version: the timed routes, what
// was left out, the supervisor's locks, and the independent checker's
// verdict and KPIs for exactly these routes.
type Document struct {
	Origin     time.Time   `json:"origin"` // plan time 0: local midnight of the day
	Routes     []Route     `json:"routes"`
	Unplanned  []int64     `json:"unplanned"` // debtor ids not in any route
	Dropped    []int64     `json:"dropped"`   // debtor ids the supervisor excluded
	Locks      []Lock      `json:"locks"`     // pins
	Feasible   bool        `json:"feasible"`
	Violations []Violation `json:"violations"`
	KPI        KPI         `json:"kpi"`
	Skipped    []Skipped   `json:"skipped,omitempty"`
	SolveMS    int64       `json:"solve_ms,omitempty"` // time spent solving (version 1)
	Iterations int         `json:"iterations,omitempty"`
}

// Route is the day of one collector.
type Route struct {
	CollectorID int64     `json:"collector_id"`
	Name        string    `json:"name"`
	Leave       time.Time `json:"leave"`  // leaves home
	Return      time.Time `json:"return"` // back home
	Stops       []Stop    `json:"stops"`
	KPI         KPI       `json:"kpi"`
}

// Stop kinds.
const (
	StopVisit = "visit"
	StopBreak = "break"
)

// Stop is a planned visit or break. Arrival, Start and End are in the
// plan's zone (Origin's).
type Stop struct {
	Kind     string    `json:"kind"`
	DebtorID int64     `json:"debtor_id,omitempty"`
	ZoneID   int64     `json:"zone_id,omitempty"`
	Break    int       `json:"break,omitempty"` // index of the collector's break
	Arrival  time.Time `json:"arrival"`
	Start    time.Time `json:"start"`
	End      time.Time `json:"end"`
	Presence float64   `json:"presence,omitempty"` // probability the debtor is in at Start
	Value    float64   `json:"value,omitempty"`
	Pinned   bool      `json:"pinned,omitempty"`
	Fixed    bool      `json:"fixed,omitempty"`
}

// Lock pins a debtor's visit to a collector; Fixed also keeps its place.
type Lock struct {
	DebtorID    int64 `json:"debtor_id"`
	CollectorID int64 `json:"collector_id"`
	Fixed       bool  `json:"fixed,omitempty"`
}

// Violation is one rule the checker found broken.
type Violation struct {
	Kind        string `json:"kind"`
	CollectorID int64  `json:"collector_id,omitempty"`
	DebtorID    int64  `json:"debtor_id,omitempty"`
	Detail      string `json:"detail"`
}

// KPI sums up a route or the plan, as computed by the checker. Times are
// in seconds, distances in metres.
type KPI struct {
	Visits           int     `json:"visits"`
	Routes           int     `json:"routes"`
	DistanceM        float64 `json:"distance_m"`
	TravelS          float64 `json:"travel_s"`
	WaitS            float64 `json:"wait_s"`
	DutyS            float64 `json:"duty_s"`
	OvertimeS        float64 `json:"overtime_s"`
	Value            float64 `json:"value"`
	ExpectedContacts float64 `json:"expected_contacts"`
	ExpectedValue    float64 `json:"expected_value"`
}

func kpiOf(k check.KPI) KPI {
	return KPI{Visits: k.Visits, Routes: k.Routes, DistanceM: k.Distance, TravelS: k.Travel,
		WaitS: k.Wait, DutyS: k.Duty, OvertimeS: k.Overtime, Value: k.Value,
		ExpectedContacts: k.ExpectedContacts, ExpectedValue: k.ExpectedValue}
}

// Skipped names something of the team the plan could not use, and why.
type Skipped struct {
	CollectorID int64  `json:"collector_id,omitempty"`
	DebtorID    int64  `json:"debtor_id,omitempty"`
	Reason      string `json:"reason"`
}

// Edit operations.
const (
	OpMove    = "move"    // DebtorID to CollectorID at Position (default: last)
	OpReorder = "reorder" // CollectorID's visits in the order of Order
	OpPin     = "pin"     // DebtorID to CollectorID (Fixed: also its place)
	OpUnpin   = "unpin"   // clears a pin, or brings back a dropped debtor
	OpDrop    = "drop"    // takes DebtorID out of the day
)

// Edit is one supervisor change, as the API takes it.
type Edit struct {
	Op          string  `json:"op"`
	DebtorID    int64   `json:"debtor_id,omitempty"`
	CollectorID int64   `json:"collector_id,omitempty"`
	Position    *int    `json:"position,omitempty"`
	Fixed       bool    `json:"fixed,omitempty"`
	Order       []int64 `json:"order,omitempty"`
}
