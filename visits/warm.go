package visits

import (
	"context"
	"fmt"
	"slices"
	"time"

	"dozor/geofence"
	"dozor/store"
)

// warmWindow is how far back the engine is rebuilt at start. It matches
// the engine's default window: older fixes could not change a visit
// anyway.
const warmWindow = 12 * time.Hour

// warm rebuilds the engine's state after a restart: it replays the last
// warmWindow of stored fixes of every device that has a collector, with
// events held back, then reconciles the engine's visits with the stored
// ones. A visit left open by a crash is closed (or corrected) here, and
// later events of a visit keep its stored id.
func (s *Service) warm(ctx context.Context, now time.Time) error {
	start := time.Now()
	byCollector := map[int64][]int64{}
	s.owners.Range(func(dev, col any) bool {
		byCollector[col.(int64)] = append(byCollector[col.(int64)], dev.(int64))
		return true
	})

	s.replaying = true
	n := 0
	for col, devs := range byCollector {
		pts, err := s.history(ctx, col, devs, now.Add(-warmWindow))
		if err != nil {
			s.replaying = false
			return err
		}
		s.engine.Process(pts)
		n += len(pts)
	}
	s.replaying = false

	fixed := 0
	for col := range byCollector {
		k, err := s.reconcile(ctx, col, now.Add(-warmWindow-time.Hour))
		if err != nil {
			return err
		}
		fixed += k
	}
	s.log.Info("Visit engine rebuilt from stored fixes", "fixes", n,
		"collectors", len(byCollector), "reconciled", fixed, "took", time.Since(start))
	return nil
}

// history reads a collector's recent fixes in fix-time order.
func (s *Service) history(ctx context.Context, col int64, devs []int64, from time.Time) (
	[]geofence.Point, error) {
	var pts []geofence.Point
	for _, dev := range devs {
		recs, err := s.st.Fixes().Track(ctx, store.TrackQuery{DeviceID: dev, From: from})
		if err != nil {
			return nil, fmt.Errorf("warm up device %d: %w", dev, err)
		}
		for i := range recs {
			pts = append(pts, geofence.Point{FixID: recs[i].ID, Collector: col,
				Device: dev, Fix: &recs[i].Fix, Carried: carried(recs[i].Fix.Protocol)})
		}
	}
	slices.SortStableFunc(pts, func(a, b geofence.Point) int {
		return a.Fix.Time.Compare(b.Fix.Time)
	})
	return pts, nil
}

// reconcile ties the engine's visits of a collector to the stored ones
// (same zone and arrival), and stores what the replay changed or found.
func (s *Service) reconcile(ctx context.Context, col int64, since time.Time) (int, error) {
	stored, err := s.st.Geo().Visits().List(ctx, store.VisitQuery{CollectorID: col, From: since})
	if err != nil {
		return 0, fmt.Errorf("warm up collector %d: %w", col, err)
	}
	fixed := 0
	for _, v := range s.engine.Visits(col) {
		typ := geofence.EventArrived
		if v.DepartedAt != nil {
			typ = geofence.EventDeparted
		}
		engineID := v.ID
		if sv, ok := match(stored, v); ok {
			s.idMu.Lock()
			s.idMap[engineID] = sv.ID
			s.idMu.Unlock()
			if sameStored(sv, StoreVisit(v)) {
				continue
			}
			typ = geofence.EventCorrected
		}
		s.put(ctx, geofence.Event{Type: typ, Visit: v, Changes: []string{"restart"}})
		fixed++
	}
	return fixed, nil
}

func match(stored []store.Visit, v geofence.Visit) (store.Visit, bool) {
	for _, sv := range stored {
		if sv.ZoneID == v.Zone && sv.ArrivedAt.Equal(v.ArrivedAt.UTC().Truncate(time.Millisecond)) {
			return sv, true
		}
	}
	return store.Visit{}, false
}

// sameStored compares what a restart may change: departure, status, dwell.
func sameStored(a, b store.Visit) bool {
	depEq := (a.DepartedAt == nil) == (b.DepartedAt == nil) &&
		(a.DepartedAt == nil || a.DepartedAt.Equal(*b.DepartedAt))
	return depEq && a.Status == b.Status && a.FixCount == b.FixCount
}
