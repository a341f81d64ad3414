package geofence

import (
	"fmt"
	"slices"
	"time"
)

// EventType names a visit event as it appears on the bus.
type EventType string

// Visit events.
const (
	EventArrived   EventType = "visit.arrived"   // a stay was confirmed
	EventDeparted  EventType = "visit.departed"  // the collector left
	EventCorrected EventType = "visit.corrected" // late fixes changed a reported visit
)

// Status is where a visit stands.
type Status string

// Visit statuses.
const (
	StatusOpen      Status = "open"      // arrived, not departed
	StatusConfirmed Status = "confirmed" // departed
	StatusCorrected Status = "corrected" // changed by late fixes after it was reported
	StatusCancelled Status = "cancelled" // late fixes showed it did not happen
)

// Visit is a confirmed stay of one collector in one zone.
//
// ID is assigned when the visit is first reported and kept through
// departure and corrections; it depends on processing history, so compare
// visits by content (SameVisit), not by ID.
type Visit struct {
	ID        int64   `json:"id"`
	Collector int64   `json:"collector"`
	Devices   []int64 `json:"devices"` // devices with fixes inside, sorted
	Zone      int64   `json:"zone"`
	Debtor    int64   `json:"debtor"`
	Address   int64   `json:"address"`

	// ArrivedAt is the time of the first fix of the stay inside the entry
	// boundary; DepartedAt the last one before the departure was confirmed
	// (nil while the visit is open).
	ArrivedAt  time.Time  `json:"arrived_at"`
	DepartedAt *time.Time `json:"departed_at"`
	Dwell      float64    `json:"dwell_s"` // seconds from arrival to the last fix inside

	// FixIDs are the ids of the fixes inside the entry boundary that prove
	// the visit, at most Config.MaxProofFixes of them (the first ones);
	// FixCount counts them all.
	FixIDs         []int64 `json:"fix_ids"`
	FixCount       int     `json:"fix_count"`
	MedianAccuracy float64 `json:"median_accuracy_m"`

	SpoofScore   float64  `json:"spoof_score"` // 0 (clean) to 1
	SpoofReasons []string `json:"spoof_reasons,omitempty"`

	Status Status `json:"status"`
}

// Event is one visit event. Corrections carry the visit as it was reported
// before and the names of the fields that changed.
type Event struct {
	Type     EventType `json:"type"`
	Visit    Visit     `json:"visit"`
	Previous *Visit    `json:"previous,omitempty"`
	Changes  []string  `json:"changes,omitempty"`
}

// Emitter receives visit events. The engine calls Emit with a collector's
// lock held, in the order the events happen for that collector: Emit must
// not call back into the engine, and should queue rather than block.
type Emitter interface {
	Emit(Event)
}

// EmitterFunc adapts a function to Emitter.
type EmitterFunc func(Event)

// Emit calls f(e).
func (f EmitterFunc) Emit(e Event) { f(e) }

// Open reports whether the visit has not departed yet.
func (v *Visit) Open() bool { return v.DepartedAt == nil }

// String formats the visit for logs and test failures.
func (v Visit) String() string {
	dep := "open"
	if v.DepartedAt != nil {
		dep = v.DepartedAt.UTC().Format(time.TimeOnly)
	}
	return fmt.Sprintf("collector %d zone %d %s-%s fixes %d",
		v.Collector, v.Zone, v.ArrivedAt.UTC().Format(time.TimeOnly), dep, v.FixCount)
}

// SameVisit reports whether a and b describe the same visit with the same
// evidence, ignoring ID and Status.
func SameVisit(a, b Visit) bool {
	return len(diffVisits(a, b)) == 0
}

// diffVisits names the fields that differ between two visits.
func diffVisits(a, b Visit) []string {
	var ch []string
	add := func(name string, differ bool) {
		if differ {
			ch = append(ch, name)
		}
	}
	add("zone", a.Zone != b.Zone || a.Collector != b.Collector)
	add("arrived_at", !a.ArrivedAt.Equal(b.ArrivedAt))
	add("departed_at", !sameTime(a.DepartedAt, b.DepartedAt))
	add("devices", !slices.Equal(a.Devices, b.Devices))
	add("fixes", a.FixCount != b.FixCount || !slices.Equal(a.FixIDs, b.FixIDs) ||
		a.MedianAccuracy != b.MedianAccuracy)
	add("spoofing", a.SpoofScore != b.SpoofScore || !slices.Equal(a.SpoofReasons, b.SpoofReasons))
	return ch
}

func sameTime(a, b *time.Time) bool {
	if a == nil || b == nil {
		return a == b
	}
	return a.Equal(*b)
}
