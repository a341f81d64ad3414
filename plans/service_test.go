package plans_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"
	"time"

	"dozor/plans"
	"dozor/store"
	"dozor/store/sqlite"
)

var bg = context.Background()

// team is a team's data in a fresh store.
type team struct {
	st        *sqlite.Store
	svc       *plans.Service
	collector []int64
	debtor    []int64
}

// newTeam stores a team "north" of collectors and debtors around central
// Moscow (debtors in a square of side km), with profiles, a lunch break, a
// holiday for one region and a week of history. Debtor 0 was met
// yesterday.
func newTeam(t testing.TB, collectors, debtors int, km float64) *team {
	t.Helper()
	st, err := sqlite.Open(bg, sqlite.Config{Dir: t.TempDir(), Synchronous: "NORMAL"})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	tm := &team{st: st}
	rng := rand.New(rand.NewPCG(7, 8))
	deg := km / 111
	for k := range collectors {
		c, err := st.Geo().Collectors().Create(bg, store.Collector{Name: fmt.Sprint("c", k), Team: "north"})
		if err != nil {
			t.Fatal(err)
		}
		tm.collector = append(tm.collector, c.ID)
		_, err = st.CollectorProfiles().Put(bg, store.CollectorProfile{CollectorID: c.ID,
			HomeLat: 55.75 + (rng.Float64()-0.5)*deg, HomeLon: 37.62 + (rng.Float64()-0.5)*deg*1.8,
			ShiftStart: 9 * 60, ShiftEnd: 19 * 60, TimeZone: "Europe/Moscow",
			Breaks: []store.ProfileBreak{{From: 12 * 60, To: 14 * 60, Minutes: 45}}})
		if err != nil {
			t.Fatal(err)
		}
	}
	// A collector of the team without a profile, and one of another team.
	if _, err := st.Geo().Collectors().Create(bg, store.Collector{Name: "new", Team: "north"}); err != nil {
		t.Fatal(err)
	}
	var zones []store.Zone
	for i := range debtors {
		d, err := st.Geo().Debtors().Create(bg, store.Debtor{Name: fmt.Sprint("debtor ", i),
			Phones: []string{"+7900000" + fmt.Sprint(1000+i)}, Team: "north"})
		if err != nil {
			t.Fatal(err)
		}
		tm.debtor = append(tm.debtor, d.ID)
		zones = append(zones, store.Zone{DebtorID: d.ID, Address: fmt.Sprint("street ", i),
			Shape: "circle", Lat: 55.75 + (rng.Float64()-0.5)*deg,
			Lon: 37.62 + (rng.Float64()-0.5)*deg*1.8, Radius: 50, ExitRadius: 80})
		region := ""
		if i%10 == 0 {
			region = "16"
		}
		if _, err := st.DebtorProfiles().Put(bg, store.DebtorProfile{DebtorID: d.ID,
			Priority: float64(1 + rng.IntN(3)), AmountOverdue: float64(rng.IntN(300000)),
			ServiceMinutes: 15 + rng.IntN(16), TimeZone: "Europe/Moscow", Region: region}); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := st.Geo().Zones().Create(bg, zones); err != nil {
		t.Fatal(err)
	}
	if err := st.Holidays().Put(bg, store.Holiday{Date: "2026-03-04", Region: "16",
		Name: "regional"}); err != nil {
		t.Fatal(err)
	}
	tm.history(t, zones)
	tm.svc = plans.New(st, st, plans.Config{TimeLimit: time.Second})
	return tm
}

// history stores visits with outcomes over the last two weeks: evenings
// find people in, mornings do not. Debtor 0 was met yesterday.
func (tm *team) history(t testing.TB, zones []store.Zone) {
	msk := time.FixedZone("MSK", 3*3600)
	id := int64(1)
	for day := 1; day <= 14; day++ {
		for i, z := range zones {
			if i%7 != day%7 && i != 0 {
				continue
			}
			hour := 10
			if i%2 == 0 {
				hour = 19
			}
			at := time.Date(2026, 3, 4-day, hour, 0, 0, 0, msk)
			v := store.Visit{ID: id, CollectorID: tm.collector[0], ZoneID: z.ID,
				DebtorID: z.DebtorID, ArrivedAt: at.UTC(), Status: "confirmed",
				DeviceIDs: []int64{}, FixIDs: []int64{}, SpoofReasons: []string{}}
			if err := tm.st.Geo().Visits().Put(bg, v, store.VisitEvent{Type: "visit.arrived",
				At: at, Payload: json.RawMessage(`{}`)}); err != nil {
				t.Fatal(err)
			}
			result := store.OutcomeNoContact
			if hour == 19 || (i == 0 && day == 1) {
				result = store.OutcomeContact
			}
			if _, err := tm.st.Outcomes().Put(bg, store.Outcome{VisitID: id, Result: result,
				RecordedBy: "test"}); err != nil {
				t.Fatal(err)
			}
			id++
		}
	}
}

// byLoad returns the collectors ordered from the most visits in v to the
// fewest, keeping their given order among equals.
func byLoad(v *plans.View, collectors []int64) []int64 {
	out := slices.Clone(collectors)
	slices.SortStableFunc(out, func(a, b int64) int {
		return len(stopsOf(v, b)) - len(stopsOf(v, a))
	})
	return out
}

func stopsOf(v *plans.View, collector int64) []plans.Stop {
	for _, rt := range v.Routes {
		if rt.CollectorID == collector {
			var out []plans.Stop
			for _, st := range rt.Stops {
				if st.Kind == plans.StopVisit {
					out = append(out, st)
				}
			}
			return out
		}
	}
	return nil
}

func TestBuildEditVersions(t *testing.T) {
	tm := newTeam(t, 3, 60, 8)
	v, err := tm.svc.Build(bg, plans.BuildRequest{Date: "2026-03-04", Team: "north",
		TimeLimit: time.Second, Author: "olga"})
	if err != nil {
		t.Fatal(err)
	}
	if !v.Feasible || len(v.Violations) != 0 {
		t.Fatalf("built plan not feasible by the checker: %+v", v.Violations)
	}
	if v.Version != 1 || v.Status != store.PlanActive || v.KPI.Visits == 0 || len(v.Routes) != 3 {
		t.Fatalf("plan: version %d status %s kpi %+v routes %d", v.Version, v.Status, v.KPI,
			len(v.Routes))
	}
	if len(v.Skipped) != 1 || v.Skipped[0].CollectorID == 0 {
		t.Fatalf("skipped: %+v", v.Skipped)
	}
	for _, rt := range v.Routes {
		for _, st := range rt.Stops {
			if st.DebtorID == tm.debtor[0] {
				t.Fatalf("debtor met yesterday is planned: %+v", st)
			}
			if st.Kind == plans.StopVisit && (st.Start.Before(rt.Leave) || st.End.After(rt.Return)) {
				t.Fatalf("stop outside the day: %+v in %v-%v", st, rt.Leave, rt.Return)
			}
		}
	}

	// All eligible debtors fit in two of the three routes, so which
	// collector stays idle is a tie the search breaks by its timing. Edit
	// the busiest route and move its visits to the idlest one, where they
	// fit whatever the tie: moving into a full route may run it overtime.
	load := byLoad(v, tm.collector)
	busy, idle := load[0], load[len(load)-1]

	// Reorder the busiest route: re-timed, checked, version 2.
	a := stopsOf(v, busy)
	if len(a) < 2 {
		t.Fatalf("route too short to edit: %+v", a)
	}
	var order []int64
	for _, st := range a {
		order = append(order, st.DebtorID)
	}
	slices.Reverse(order)
	began := time.Now()
	v2, err := tm.svc.Edit(bg, v.ID, 1, "olga", []plans.Edit{{Op: plans.OpReorder,
		CollectorID: busy, Order: order}})
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("reorder of %d stops re-timed and checked in %v (feasible %v, %d violations)",
		len(order), time.Since(began), v2.Feasible, len(v2.Violations))
	got := stopsOf(v2, busy)
	if v2.Version != 2 || got[0].DebtorID != order[0] || !got[0].Start.After(v2.Origin) {
		t.Fatalf("after reorder: version %d first %+v", v2.Version, got[0])
	}

	// Move one visit to another collector, pin another, drop a third.
	moved, pinned, dropped := a[0].DebtorID, a[1].DebtorID, v.Unplanned[0]
	v3, err := tm.svc.Edit(bg, v.ID, 0, "petr", []plans.Edit{
		{Op: plans.OpMove, DebtorID: moved, CollectorID: idle},
		{Op: plans.OpPin, DebtorID: pinned, CollectorID: busy, Fixed: true},
		{Op: plans.OpDrop, DebtorID: dropped},
	})
	if err != nil {
		t.Fatal(err)
	}
	if !slices.ContainsFunc(stopsOf(v3, idle), func(s plans.Stop) bool {
		return s.DebtorID == moved
	}) {
		t.Fatal("moved visit not on the other route")
	}
	if !slices.Contains(v3.Dropped, dropped) || slices.Contains(v3.Unplanned, dropped) {
		t.Fatalf("dropped %d: dropped %v", dropped, v3.Dropped)
	}
	if len(v3.Locks) != 1 || v3.Locks[0].DebtorID != pinned || !v3.Locks[0].Fixed {
		t.Fatalf("locks %+v", v3.Locks)
	}

	// A stale version is refused; so is an edit naming what is not there.
	if _, err := tm.svc.Edit(bg, v.ID, 2, "ivan", nil); !errors.Is(err, store.ErrConflict) {
		t.Fatalf("stale edit: %v", err)
	}
	if _, err := tm.svc.Edit(bg, v.ID, 0, "ivan", []plans.Edit{{Op: plans.OpMove,
		DebtorID: 999999, CollectorID: busy}}); !errors.Is(err, plans.ErrBadEdit) {
		t.Fatalf("unknown debtor: %v", err)
	}

	// Moving the pinned visit away breaks its pin: kept, with the violation.
	v4, err := tm.svc.Edit(bg, v.ID, 0, "olga", []plans.Edit{{Op: plans.OpMove,
		DebtorID: pinned, CollectorID: idle}})
	if err != nil {
		t.Fatal(err)
	}
	if v4.Feasible || !slices.ContainsFunc(v4.Violations, func(x plans.Violation) bool {
		return x.Kind == "pin_violated" && x.DebtorID == pinned
	}) {
		t.Fatalf("override not reported: feasible %v %+v", v4.Feasible, v4.Violations)
	}

	full, err := tm.svc.Get(bg, v.ID, true)
	if err != nil || len(full.Versions) != 4 || full.Versions[2].Author != "petr" ||
		full.Versions[0].Author != "olga" {
		t.Fatalf("history: %+v %v", full.Versions, err)
	}

	// The service rebuilds a plan it has not cached from the stored
	// snapshot: a fresh service edits version 4 the same way. Unpinning
	// clears the pin's violation and leaves the rest as they were (the
	// reversed route may itself break a window: a supervisor may do that).
	fresh := plans.New(tm.st, tm.st, plans.Config{})
	v5, err := fresh.Edit(bg, v.ID, 4, "olga", []plans.Edit{{Op: plans.OpUnpin, DebtorID: pinned}})
	if err != nil || v5.Version != 5 || len(v5.Locks) != 0 {
		t.Fatalf("edit from the snapshot: %+v %v", v5, err)
	}
	rest := slices.DeleteFunc(slices.Clone(v4.Violations), func(x plans.Violation) bool {
		return x.Kind == "pin_violated"
	})
	if !slices.Equal(v5.Violations, rest) || v5.Feasible != (len(rest) == 0) {
		t.Fatalf("after unpin: feasible %v %+v, want %+v", v5.Feasible, v5.Violations, rest)
	}
}

func TestMyDay(t *testing.T) {
	tm := newTeam(t, 2, 20, 5)
	v, err := tm.svc.Build(bg, plans.BuildRequest{Date: "2026-03-04", Team: "north",
		Author: "olga"})
	if err != nil {
		t.Fatal(err)
	}
	c := tm.collector[0]
	day, err := tm.svc.MyDay(bg, c, "2026-03-04")
	if err != nil {
		t.Fatal(err)
	}
	mine := stopsOf(v, c)
	var visits []plans.DayStop
	for _, s := range day.Stops {
		if s.Kind == plans.StopVisit {
			visits = append(visits, s)
		}
	}
	if day.PlanID != v.ID || day.Version != 1 || len(visits) != len(mine) || len(visits) == 0 ||
		visits[0].Name == "" || len(visits[0].Phones) != 1 || visits[0].Address == "" {
		t.Fatalf("my day: %+v", day)
	}
	if _, err := tm.svc.MyDay(bg, c, "2026-03-05"); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("another day: %v", err)
	}

	// A re-plan supersedes the plan; the phone sees the new one.
	v2, err := tm.svc.Build(bg, plans.BuildRequest{Date: "2026-03-04", Team: "north",
		TimeLimit: 200 * time.Millisecond, Author: "olga"})
	if err != nil {
		t.Fatal(err)
	}
	if day, err = tm.svc.MyDay(bg, c, "2026-03-04"); err != nil || day.PlanID != v2.ID {
		t.Fatalf("after re-plan: %+v %v", day, err)
	}
}

func TestBuildNoProfiles(t *testing.T) {
	tm := newTeam(t, 1, 3, 2)
	_, err := tm.svc.Build(bg, plans.BuildRequest{Date: "2026-03-04", Team: "south"})
	if !errors.Is(err, plans.ErrInvalid) {
		t.Fatalf("team without collectors: %v", err)
	}
	if _, err := tm.svc.Build(bg, plans.BuildRequest{Date: "4 March", Team: "north"}); !errors.Is(err, plans.ErrInvalid) {
		t.Fatalf("bad date: %v", err)
	}
}
