package live

import (
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"time"

	"dozor/geofence"
	"dozor/store"
)

// Kind is the type of a live event; its String is the SSE event name.
type Kind uint8

// Event kinds.
const (
	KindFix    Kind = iota + 1 // a collector's new latest position
	KindStatus                 // live, stale or offline changed
	KindVisit                  // a visit event: arrived, departed, corrected
	KindAlarm                  // a device raised an alarm (SOS, tamper, ...)
)

// String returns the SSE event name of k.
func (k Kind) String() string {
	switch k {
	case KindFix:
		return "fix"
	case KindStatus:
		return "status"
	case KindVisit:
		return "visit"
	case KindAlarm:
		return "alarm"
	}
	return "kind" + strconv.Itoa(int(k))
}

// Status is how fresh a collector's latest position is.
type Status string

// Statuses.
const (
	StatusLive    Status = "live"
	StatusStale   Status = "stale"
	StatusOffline Status = "offline"
)

// Key names what the map shows one marker for: a collector (positive id),
// or a device that belongs to no collector (negated device id).
type Key int64

// Event is one change, encoded once and shared by every subscriber that
// receives it. Events are immutable once published.
type Event struct {
	Seq  uint64
	Kind Kind
	Key  Key
	Team string
	Cell uint64 // fix events: the H3 cell of the position
	data []byte // JSON payload
	id   string // SSE id: epoch-seq
}

// Data returns the event's JSON payload. The caller must not modify it.
func (e *Event) Data() []byte { return e.data }

// ID returns the SSE id of the event.
func (e *Event) ID() string { return e.id }

// appendFrame appends the event as one SSE frame.
func (e *Event) appendFrame(dst []byte) []byte {
	dst = append(dst, "id: "...)
	dst = append(dst, e.id...)
	dst = append(dst, "\nevent: "...)
	dst = append(dst, e.Kind.String()...)
	dst = append(dst, "\ndata: "...)
	dst = append(dst, e.data...)
	return append(dst, "\n\n"...)
}

// Position is the payload of a fix event and of a snapshot entry. Times
// are Unix milliseconds, except Bus, in microseconds.
type Position struct {
	Collector int64   `json:"collector,omitempty"`
	Device    int64   `json:"device"`
	Team      string  `json:"team,omitempty"`
	Time      int64   `json:"t"`  // fix time
	Received  int64   `json:"rx"` // server receive time
	Lat       float64 `json:"lat"`
	Lon       float64 `json:"lon"`
	Speed     float64 `json:"speed"`  // km/h
	Course    float64 `json:"course"` // degrees from north
	Accuracy  float64 `json:"acc,omitempty"`
	Status    Status  `json:"status"`

	// Bus is when the hub took the fix from the bus, right after the
	// journal made it durable: the start of the delivery latency.
	Bus int64 `json:"bus_us"`
}

// StatusChange is the payload of a status event.
type StatusChange struct {
	Collector int64  `json:"collector,omitempty"`
	Device    int64  `json:"device"`
	Team      string `json:"team,omitempty"`
	Status    Status `json:"status"`
	Time      int64  `json:"t"` // the latest fix time
}

// Alarm is the payload of an alarm event: what the device raised, when,
// and where if it had a position (an SOS is often sent with no GPS fix).
type Alarm struct {
	Collector int64    `json:"collector,omitempty"`
	Device    int64    `json:"device"`
	Team      string   `json:"team,omitempty"`
	Alarm     string   `json:"alarm"`
	Time      int64    `json:"t"` // fix time, Unix ms
	Lat       *float64 `json:"lat,omitempty"`
	Lon       *float64 `json:"lon,omitempty"`
}

// VisitChange is the payload of a visit event.
type VisitChange struct {
	geofence.Event
	Team string `json:"team,omitempty"`
}

// Snapshot is the payload of the snapshot event that starts a stream
// which cannot resume: the latest position of everything the subscriber
// may see, with trails as [lon, lat, fix time ms] points, oldest first.
type Snapshot struct {
	Now       int64                   `json:"now"`
	Stale     float64                 `json:"stale_s"`
	Offline   float64                 `json:"offline_s"`
	Positions []json.RawMessage       `json:"positions"`
	Trails    map[string][][3]float64 `json:"trails"`
}

func positionOf(key Key, team string, r *store.FixRecord, t, bus time.Time, st Status) Position {
	p := Position{Device: r.DeviceID, Team: team, Time: t.UnixMilli(),
		Received: r.Fix.Received.UnixMilli(), Lat: r.Fix.Lat, Lon: r.Fix.Lon,
		Speed: r.Fix.Speed, Course: r.Fix.Course, Accuracy: r.Fix.Accuracy, Status: st,
		Bus: bus.UnixMicro()}
	if key > 0 {
		p.Collector = int64(key)
	}
	return p
}

// eventID formats an SSE id; parseID reads it back.
func eventID(epoch string, seq uint64) string {
	return epoch + "-" + strconv.FormatUint(seq, 10)
}

func parseID(id string) (epoch string, seq uint64, err error) {
	epoch, s, ok := strings.Cut(id, "-")
	if !ok {
		return "", 0, fmt.Errorf("live: event id %q: want epoch-seq", clip(id))
	}
	seq, err = strconv.ParseUint(s, 10, 64)
	if err != nil {
		return "", 0, fmt.Errorf("live: event id %q: bad sequence", clip(id))
	}
	return epoch, seq, nil
}

func clip(s string) string {
	if len(s) > 40 {
		return s[:40] + "..."
	}
	return s
}
