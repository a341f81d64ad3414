package store

import (
	"context"
	"encoding/json"
	"time"
)

// Collector is a person in the field. Visits belong to collectors, with
// evidence from any of their devices.
type Collector struct {
	ID        int64     `json:"id"`
	Name      string    `json:"name"`
	Team      string    `json:"team"`
	CreatedAt time.Time `json:"created_at"`
}

// Debtor is a person the bank asks collectors to visit. Name and Phones
// identify the person and are personal data.
type Debtor struct {
	ID         int64     `json:"id"`
	ExternalID string    `json:"external_id"` // the bank's (CRM) id, unique when set
	Name       string    `json:"name"`
	Phones     []string  `json:"phones"`
	Team       string    `json:"team"`
	CreatedAt  time.Time `json:"created_at"`
}

// Zone is one address of a debtor and its geofence: a circle (Lat, Lon,
// Radius, ExitRadius) or a polygon (GeoJSON geometry and ExitMargin).
type Zone struct {
	ID         int64           `json:"id"`
	DebtorID   int64           `json:"debtor_id"`
	Address    string          `json:"address"`
	Shape      string          `json:"shape"` // circle or polygon
	Lat        float64         `json:"lat,omitempty"`
	Lon        float64         `json:"lon,omitempty"`
	Radius     float64         `json:"radius_m,omitempty"`
	ExitRadius float64         `json:"exit_radius_m,omitempty"`
	Polygon    json.RawMessage `json:"polygon,omitempty"`
	ExitMargin float64         `json:"exit_margin_m,omitempty"`
	MinDwell   int             `json:"min_dwell_s,omitempty"`
	CreatedAt  time.Time       `json:"created_at"`
}

// Visit is a stored visit: the visit engine's result, kept and updated as
// it departs or is corrected.
type Visit struct {
	ID             int64      `json:"id"`
	CollectorID    int64      `json:"collector"`
	DeviceIDs      []int64    `json:"devices"`
	ZoneID         int64      `json:"zone"`
	DebtorID       int64      `json:"debtor"`
	ArrivedAt      time.Time  `json:"arrived_at"`
	DepartedAt     *time.Time `json:"departed_at"`
	Dwell          float64    `json:"dwell_s"`
	FixIDs         []int64    `json:"fix_ids"`
	FixCount       int        `json:"fix_count"`
	MedianAccuracy float64    `json:"median_accuracy_m"`
	SpoofScore     float64    `json:"spoof_score"`
	SpoofReasons   []string   `json:"spoof_reasons"`
	Status         string     `json:"status"`
	UpdatedAt      time.Time  `json:"updated_at"`
}

// VisitEvent is one event of a visit's history (arrived, departed,
// corrected), kept as it was emitted.
type VisitEvent struct {
	ID      int64           `json:"id"`
	Type    string          `json:"type"`
	VisitID int64           `json:"visit_id"`
	At      time.Time       `json:"at"`
	Payload json.RawMessage `json:"payload"`
}

// VisitQuery selects visits; zero fields do not filter. From and To bound
// the arrival time (From inclusive, To exclusive).
type VisitQuery struct {
	From, To    time.Time
	CollectorID int64
	DebtorID    int64
	ZoneID      int64
	Limit       int
}

// MaxVisitLimit caps one visits query.
const MaxVisitLimit = 10000

// Geo is the part of the store that holds people, places and visits.
type Geo interface {
	Collectors() Collectors
	Debtors() Debtors
	Zones() Zones
	Visits() Visits
}

// Collectors keeps collectors.
type Collectors interface {
	Create(ctx context.Context, c Collector) (Collector, error)
	Get(ctx context.Context, id int64) (Collector, error)
	List(ctx context.Context) ([]Collector, error)
	Update(ctx context.Context, c Collector) error
	// Delete removes the collector and unlinks its devices.
	Delete(ctx context.Context, id int64) error
	// Devices lists the devices linked to the collector.
	Devices(ctx context.Context, id int64) ([]Device, error)
	// Link ties the device with uid to collector id (0 unlinks).
	Link(ctx context.Context, uid string, id int64) error
	// Owners maps every linked device id to its collector id.
	Owners(ctx context.Context) (map[int64]int64, error)
}

// Debtors keeps debtors. A taken ExternalID fails with ErrConflict.
type Debtors interface {
	Create(ctx context.Context, d Debtor) (Debtor, error)
	Get(ctx context.Context, id int64) (Debtor, error)
	List(ctx context.Context) ([]Debtor, error)
	Update(ctx context.Context, d Debtor) error
	// Delete removes the debtor and its zones.
	Delete(ctx context.Context, id int64) error
}

// Zones keeps debtor addresses and their geofences.
type Zones interface {
	// Create adds zones in one transaction: all or none. IDs that are set
	// are kept (imports); zero IDs are assigned.
	Create(ctx context.Context, zs []Zone) ([]Zone, error)
	Get(ctx context.Context, id int64) (Zone, error)
	// List returns the zones of a debtor, or all with debtorID 0.
	List(ctx context.Context, debtorID int64) ([]Zone, error)
	Update(ctx context.Context, z Zone) error
	Delete(ctx context.Context, id int64) error
}

// Visits keeps visits and their events.
type Visits interface {
	// Put inserts or replaces the visit with v.ID and appends the event in
	// the same transaction.
	Put(ctx context.Context, v Visit, e VisitEvent) error
	List(ctx context.Context, q VisitQuery) ([]Visit, error)
	Events(ctx context.Context, visitID int64) ([]VisitEvent, error)
}
