package storetest

import (
	"encoding/json"
	"errors"
	"slices"
	"testing"
	"time"

	"dozor/store"
)

// RunPlanning runs the conformance tests of store.Planning.
func RunPlanning(t *testing.T, open Opener) {
	planning := func(t *testing.T) (store.Store, store.Planning) {
		s := open(t)
		t.Cleanup(func() { s.Close() })
		p, ok := s.(store.Planning)
		if !ok {
			t.Fatalf("%T does not implement store.Planning", s)
		}
		return s, p
	}
	t.Run("CollectorProfiles", func(t *testing.T) { s, p := planning(t); testCollectorProfiles(t, s, p) })
	t.Run("DebtorProfiles", func(t *testing.T) { s, p := planning(t); testDebtorProfiles(t, s, p) })
	t.Run("Outcomes", func(t *testing.T) { s, p := planning(t); testOutcomes(t, s, p) })
	t.Run("Holidays", func(t *testing.T) { _, p := planning(t); testHolidays(t, p.Holidays()) })
	t.Run("Plans", func(t *testing.T) { _, p := planning(t); testPlans(t, p.Plans()) })
}

func testCollectorProfiles(t *testing.T, s store.Store, p store.Planning) {
	cs := s.Geo().Collectors()
	north, _ := cs.Create(ctx(t), store.Collector{Name: "Ivanov", Team: "north"})
	south, _ := cs.Create(ctx(t), store.Collector{Name: "Petrov", Team: "south"})
	prof := store.CollectorProfile{CollectorID: north.ID, HomeLat: 55.75, HomeLon: 37.61,
		ShiftStart: 9 * 60, ShiftEnd: 18 * 60, TimeZone: "Europe/Moscow", MaxVisits: 20,
		Breaks: []store.ProfileBreak{{From: 12 * 60, To: 14 * 60, Minutes: 45}}}
	got, err := p.CollectorProfiles().Put(ctx(t), prof)
	if err != nil || got.UpdatedAt.IsZero() {
		t.Fatalf("put: %+v %v", got, err)
	}
	if _, err := p.CollectorProfiles().Put(ctx(t), store.CollectorProfile{CollectorID: south.ID,
		ShiftStart: 480, ShiftEnd: 1020}); err != nil {
		t.Fatal(err)
	}
	prof.ShiftEnd = 19 * 60
	if _, err := p.CollectorProfiles().Put(ctx(t), prof); err != nil {
		t.Fatalf("replace: %v", err)
	}
	back, err := p.CollectorProfiles().Get(ctx(t), north.ID)
	if err != nil || back.ShiftEnd != 19*60 || back.HomeLat != 55.75 || back.MaxVisits != 20 ||
		back.TimeZone != "Europe/Moscow" || len(back.Breaks) != 1 || back.Breaks[0].Minutes != 45 {
		t.Fatalf("get: %+v %v", back, err)
	}
	list, err := p.CollectorProfiles().List(ctx(t), "north")
	if err != nil || len(list) != 1 || list[0].CollectorID != north.ID {
		t.Fatalf("list north: %+v %v", list, err)
	}
	if _, err := p.CollectorProfiles().Put(ctx(t), store.CollectorProfile{CollectorID: 9999}); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("unknown collector: %v, want ErrNotFound", err)
	}
	if _, err := p.CollectorProfiles().Get(ctx(t), 9999); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("get unknown: %v", err)
	}
}

func testDebtorProfiles(t *testing.T, s store.Store, p store.Planning) {
	d, _ := s.Geo().Debtors().Create(ctx(t), store.Debtor{Name: "A", Team: "north"})
	other, _ := s.Geo().Debtors().Create(ctx(t), store.Debtor{Name: "B", Team: "south"})
	dp := store.DebtorProfile{DebtorID: d.ID, Priority: 3, AmountOverdue: 125000.5,
		ServiceMinutes: 25, TimeZone: "Europe/Samara", Region: "63"}
	if _, err := p.DebtorProfiles().Put(ctx(t), dp); err != nil {
		t.Fatal(err)
	}
	if _, err := p.DebtorProfiles().Put(ctx(t), store.DebtorProfile{DebtorID: other.ID}); err != nil {
		t.Fatal(err)
	}
	dp.Priority = 4
	if _, err := p.DebtorProfiles().Put(ctx(t), dp); err != nil {
		t.Fatal(err)
	}
	got, err := p.DebtorProfiles().Get(ctx(t), d.ID)
	if err != nil || got.Priority != 4 || got.AmountOverdue != 125000.5 || got.ServiceMinutes != 25 ||
		got.TimeZone != "Europe/Samara" || got.Region != "63" {
		t.Fatalf("get: %+v %v", got, err)
	}
	list, err := p.DebtorProfiles().List(ctx(t), "north")
	if err != nil || len(list) != 1 || list[0].DebtorID != d.ID {
		t.Fatalf("list: %+v %v", list, err)
	}
	if _, err := p.DebtorProfiles().Put(ctx(t), store.DebtorProfile{DebtorID: 9999}); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("unknown debtor: %v", err)
	}
}

func testOutcomes(t *testing.T, s store.Store, p store.Planning) {
	arr := epoch.Add(2 * time.Hour)
	v := store.Visit{ID: 41, CollectorID: 3, ZoneID: 5, DebtorID: 6, ArrivedAt: arr,
		DeviceIDs: []int64{1}, FixIDs: []int64{}, SpoofReasons: []string{}, Status: "confirmed"}
	ev := store.VisitEvent{Type: "visit.arrived", At: arr, Payload: json.RawMessage(`{}`)}
	if err := s.Geo().Visits().Put(ctx(t), v, ev); err != nil {
		t.Fatal(err)
	}
	v2 := v
	v2.ID, v2.DebtorID, v2.ArrivedAt = 42, 7, arr.Add(24*time.Hour)
	if err := s.Geo().Visits().Put(ctx(t), v2, ev); err != nil {
		t.Fatal(err)
	}
	got, err := p.Outcomes().Visit(ctx(t), 41)
	if err != nil || got.CollectorID != 3 || got.DebtorID != 6 || !got.ArrivedAt.Equal(arr) {
		t.Fatalf("visit: %+v %v", got, err)
	}
	if _, err := p.Outcomes().Visit(ctx(t), 999); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("unknown visit: %v", err)
	}
	o, err := p.Outcomes().Put(ctx(t), store.Outcome{VisitID: 41, Result: store.OutcomeNoContact,
		RecordedBy: "ivan"})
	if err != nil || o.DebtorID != 6 || o.ZoneID != 5 || o.CollectorID != 3 ||
		!o.ArrivedAt.Equal(arr) || o.RecordedAt.IsZero() {
		t.Fatalf("put: %+v %v", o, err)
	}
	if _, err := p.Outcomes().Put(ctx(t), store.Outcome{VisitID: 41, Result: store.OutcomeContact,
		Note: "met at the door", RecordedBy: "olga"}); err != nil {
		t.Fatalf("replace: %v", err)
	}
	if _, err := p.Outcomes().Put(ctx(t), store.Outcome{VisitID: 42, Result: store.OutcomeRefused,
		RecordedBy: "ivan"}); err != nil {
		t.Fatal(err)
	}
	if _, err := p.Outcomes().Put(ctx(t), store.Outcome{VisitID: 999, Result: "contact"}); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("outcome of unknown visit: %v", err)
	}
	o, err = p.Outcomes().Get(ctx(t), 41)
	if err != nil || o.Result != store.OutcomeContact || o.Note != "met at the door" ||
		o.RecordedBy != "olga" {
		t.Fatalf("get: %+v %v", o, err)
	}
	all, err := p.Outcomes().List(ctx(t), store.OutcomeQuery{})
	if err != nil || len(all) != 2 || all[0].VisitID != 41 || all[1].VisitID != 42 {
		t.Fatalf("list: %+v %v", all, err)
	}
	for q, want := range map[store.OutcomeQuery]int{
		{From: arr.Add(time.Hour)}: 1, {To: arr.Add(time.Hour)}: 1, {DebtorID: 7}: 1,
		{DebtorID: 8}: 0, {Limit: 1}: 1,
	} {
		if l, err := p.Outcomes().List(ctx(t), q); err != nil || len(l) != want {
			t.Fatalf("query %+v: %d outcomes, want %d (%v)", q, len(l), want, err)
		}
	}
}

func testHolidays(t *testing.T, h store.Holidays) {
	for _, x := range []store.Holiday{{Date: "2026-03-09", Name: "Women's Day (moved)"},
		{Date: "2026-08-30", Region: "16", Name: "Republic Day"},
		{Date: "2026-01-07", Name: "Christmas"}} {
		if err := h.Put(ctx(t), x); err != nil {
			t.Fatal(err)
		}
	}
	if err := h.Put(ctx(t), store.Holiday{Date: "2026-01-07", Name: "Orthodox Christmas"}); err != nil {
		t.Fatal(err)
	}
	list, err := h.List(ctx(t), "2026-01-01", "2026-03-31")
	if err != nil || len(list) != 2 || list[0].Date != "2026-01-07" ||
		list[0].Name != "Orthodox Christmas" || list[1].Date != "2026-03-09" {
		t.Fatalf("list: %+v %v", list, err)
	}
	if err := h.Delete(ctx(t), "2026-08-30", "16"); err != nil {
		t.Fatal(err)
	}
	if err := h.Delete(ctx(t), "2026-08-30", "16"); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("delete twice: %v", err)
	}
}

func testPlans(t *testing.T, ps store.Plans) {
	problem := json.RawMessage(`{"visits":[1,2,3]}`)
	body1 := json.RawMessage(`{"routes":[{"collector":1,"stops":[6,7]}]}`)
	p1, err := ps.Create(ctx(t), store.Plan{Date: "2026-03-04", Team: "north",
		CreatedBy: "olga", Collectors: []int64{1, 2}, Problem: problem, Body: body1},
		json.RawMessage(`{"op":"build"}`))
	if err != nil || p1.ID == 0 || p1.Version != 1 || p1.Status != store.PlanActive ||
		p1.UpdatedBy != "olga" || p1.CreatedAt.IsZero() {
		t.Fatalf("create: %+v %v", p1, err)
	}
	got, err := ps.Get(ctx(t), p1.ID)
	if err != nil || got.Date != "2026-03-04" || got.Team != "north" ||
		string(got.Problem) != string(problem) || string(got.Body) != string(body1) ||
		!slices.Equal(got.Collectors, []int64{1, 2}) {
		t.Fatalf("get: %+v %v", got, err)
	}
	if _, err := ps.Get(ctx(t), 9999); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("unknown plan: %v", err)
	}

	body2 := json.RawMessage(`{"routes":[{"collector":2,"stops":[7]}]}`)
	p2, err := ps.Update(ctx(t), p1.ID, 1, "petr", []int64{2}, body2,
		json.RawMessage(`[{"op":"move"}]`))
	if err != nil || p2.Version != 2 || p2.UpdatedBy != "petr" || p2.CreatedBy != "olga" {
		t.Fatalf("update: %+v %v", p2, err)
	}
	if _, err := ps.Update(ctx(t), p1.ID, 1, "ivan", nil, body1, json.RawMessage(`[]`)); !errors.Is(err, store.ErrConflict) {
		t.Fatalf("stale update: %v, want ErrConflict", err)
	}
	if _, err := ps.Update(ctx(t), 9999, 1, "ivan", nil, body1, json.RawMessage(`[]`)); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("update unknown: %v, want ErrNotFound", err)
	}
	vs, err := ps.Versions(ctx(t), p1.ID)
	if err != nil || len(vs) != 2 || vs[0].Version != 1 || vs[0].Author != "olga" ||
		string(vs[0].Body) != string(body1) || vs[1].Author != "petr" ||
		string(vs[1].Change) != `[{"op":"move"}]` || string(vs[1].Body) != string(body2) {
		t.Fatalf("versions: %+v %v", vs, err)
	}

	// Collector 1 left the plan with version 2; collector 2 is in it.
	if _, err := ps.ForCollector(ctx(t), 1, "2026-03-04"); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("collector without a route: %v", err)
	}
	mine, err := ps.ForCollector(ctx(t), 2, "2026-03-04")
	if err != nil || mine.ID != p1.ID || mine.Version != 2 || string(mine.Body) != string(body2) {
		t.Fatalf("for collector: %+v %v", mine, err)
	}

	// A new plan of the same day and team supersedes the first.
	p3, err := ps.Create(ctx(t), store.Plan{Date: "2026-03-04", Team: "north", CreatedBy: "olga",
		Collectors: []int64{2}, Problem: problem, Body: body1}, json.RawMessage(`{}`))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := ps.Create(ctx(t), store.Plan{Date: "2026-03-04", Team: "south", CreatedBy: "x",
		Problem: problem, Body: body1}, json.RawMessage(`{}`)); err != nil {
		t.Fatal(err)
	}
	old, _ := ps.Get(ctx(t), p1.ID)
	if old.Status != store.PlanSuperseded {
		t.Fatalf("old plan status %q", old.Status)
	}
	if mine, err = ps.ForCollector(ctx(t), 2, "2026-03-04"); err != nil || mine.ID != p3.ID {
		t.Fatalf("for collector after re-plan: %+v %v", mine, err)
	}
	list, err := ps.List(ctx(t), store.PlanQuery{Date: "2026-03-04", Team: "north"})
	if err != nil || len(list) != 2 || list[0].ID != p3.ID || list[1].ID != p1.ID {
		t.Fatalf("list: %+v %v", list, err)
	}
	active, err := ps.List(ctx(t), store.PlanQuery{Status: store.PlanActive})
	if err != nil || len(active) != 2 {
		t.Fatalf("active plans: %+v %v", active, err)
	}
}
