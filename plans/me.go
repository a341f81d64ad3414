package plans

import (
	"context"
	"errors"
	"fmt"
	"time"

	"dozor/store"
)

// Day is one collector's plan as the phone shows it: only their route, with
// what they need at each door.
type Day struct {
	PlanID    int64     `json:"plan_id"`
	Version   int       `json:"version"`
	Date      string    `json:"date"`
	UpdatedAt time.Time `json:"updated_at"`
	Leave     time.Time `json:"leave"`
	Return    time.Time `json:"return"`
	Stops     []DayStop `json:"stops"`
}

// DayStop is a stop of the collector's day with the debtor's card.
type DayStop struct {
	Kind     string    `json:"kind"`
	Arrival  time.Time `json:"arrival"`
	Start    time.Time `json:"start"`
	End      time.Time `json:"end"`
	DebtorID int64     `json:"debtor_id,omitempty"`
	Name     string    `json:"name,omitempty"`
	Phones   []string  `json:"phones,omitempty"`
	ZoneID   int64     `json:"zone_id,omitempty"`
	Address  string    `json:"address,omitempty"`
	Lat      float64   `json:"lat,omitempty"`
	Lon      float64   `json:"lon,omitempty"`
	Pinned   bool      `json:"pinned,omitempty"`
}

// Today is the date of now in the collector's zone (their profile's, or
// the service's).
func (s *Service) Today(ctx context.Context, collectorID int64) string {
	loc := s.cfg.Zone
	if p, err := s.pl.CollectorProfiles().Get(ctx, collectorID); err == nil && p.TimeZone != "" {
		if l, err := time.LoadLocation(p.TimeZone); err == nil {
			loc = l
		}
	}
	return s.cfg.Now().In(loc).Format(time.DateOnly)
}

// MyDay returns the collector's route of the active plan of date, or
// store.ErrNotFound when no active plan gives them a route.
func (s *Service) MyDay(ctx context.Context, collectorID int64, date string) (*Day, error) {
	p, err := s.pl.Plans().ForCollector(ctx, collectorID, date)
	if err != nil {
		return nil, err
	}
	doc, err := decodeDoc(p.Body)
	if err != nil {
		return nil, err
	}
	day := &Day{PlanID: p.ID, Version: p.Version, Date: p.Date, UpdatedAt: p.UpdatedAt,
		Stops: []DayStop{}}
	for _, rt := range doc.Routes {
		if rt.CollectorID != collectorID {
			continue
		}
		day.Leave, day.Return = rt.Leave, rt.Return
		for _, st := range rt.Stops {
			ds, err := s.dayStop(ctx, st)
			if err != nil {
				return nil, err
			}
			day.Stops = append(day.Stops, ds)
		}
	}
	return day, nil
}

func (s *Service) dayStop(ctx context.Context, st Stop) (DayStop, error) {
	ds := DayStop{Kind: st.Kind, Arrival: st.Arrival, Start: st.Start, End: st.End,
		DebtorID: st.DebtorID, ZoneID: st.ZoneID, Pinned: st.Pinned}
	if st.Kind != StopVisit {
		return ds, nil
	}
	d, err := s.st.Geo().Debtors().Get(ctx, st.DebtorID)
	if err != nil && !isNotFound(err) {
		return ds, fmt.Errorf("debtor %d: %w", st.DebtorID, err)
	}
	ds.Name, ds.Phones = d.Name, d.Phones
	z, err := s.st.Geo().Zones().Get(ctx, st.ZoneID)
	if err != nil && !isNotFound(err) {
		return ds, fmt.Errorf("zone %d: %w", st.ZoneID, err)
	}
	ds.Address = z.Address
	ds.Lat, ds.Lon, _ = centre(z)
	return ds, nil
}

func isNotFound(err error) bool { return errors.Is(err, store.ErrNotFound) }
