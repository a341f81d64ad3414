package plans_test

import (
	"flag"
	"runtime"
	"testing"
	"time"

	"dozor/plans"
)

// Plan a production-size day (30 collectors, 2,000 candidate debtors, two
// weeks of outcomes) through the service, then edit it, and print the
// times (a figure, not an assertion):
//
//	go test ./plans -run TestProductionDay -v -timeout 0 -args -production
var production = flag.Bool("production", false, "plan a production-size day through the service")

func TestProductionDay(t *testing.T) {
	if !*production {
		t.Skip("run with -args -production")
	}
	began := time.Now()
	tm := newTeam(t, 30, 2000, 20)
	t.Logf("store filled in %v", time.Since(began))
	limit := 20 * time.Second
	svc := plans.New(tm.st, tm.st, plans.Config{TimeLimit: limit})

	began = time.Now()
	v, err := svc.Build(bg, plans.BuildRequest{Date: "2026-03-04", Team: "north", Author: "olga"})
	if err != nil {
		t.Fatal(err)
	}
	build := time.Since(began)
	t.Logf("build: %v total (solver limit %v, solve+check %d ms, %d iterations); %d visits on "+
		"%d routes, %d unplanned, feasible %v, expected contacts %.1f",
		build, limit, v.SolveMS, v.Iterations, v.KPI.Visits, v.KPI.Routes, len(v.Unplanned),
		v.Feasible, v.KPI.ExpectedContacts)

	if sp, err := tm.st.Plans().Get(bg, v.ID); err == nil {
		t.Logf("stored: problem snapshot %d KiB, plan document %d KiB",
			len(sp.Problem)>>10, len(sp.Body)>>10)
	}

	// One edit the way the API makes it: reorder a route, move a visit to
	// another collector, pin one, drop one.
	a := stopsOf(v, tm.collector[0])
	var order []int64
	for i := len(a) - 1; i >= 0; i-- {
		order = append(order, a[i].DebtorID)
	}
	edits := []plans.Edit{
		{Op: plans.OpReorder, CollectorID: tm.collector[0], Order: order},
		{Op: plans.OpMove, DebtorID: a[0].DebtorID, CollectorID: tm.collector[1]},
		{Op: plans.OpPin, DebtorID: v.Unplanned[0], CollectorID: tm.collector[2]},
		{Op: plans.OpDrop, DebtorID: a[1].DebtorID},
	}
	began = time.Now()
	v2, err := svc.Edit(bg, v.ID, 1, "olga", edits)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("edit (cached problem): %v, re-timed and checked, stored as version %d; "+
		"feasible %v, %d violations", time.Since(began), v2.Version, v2.Feasible, len(v2.Violations))

	// The same kind of edit by a service that must rebuild the problem
	// from the stored snapshot (after a restart).
	runtime.GC()
	fresh := plans.New(tm.st, tm.st, plans.Config{})
	began = time.Now()
	v3, err := fresh.Edit(bg, v.ID, 2, "olga", []plans.Edit{{Op: plans.OpUnpin,
		DebtorID: v.Unplanned[0]}})
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("edit (problem rebuilt from the stored snapshot): %v, version %d",
		time.Since(began), v3.Version)
	if !v.Feasible {
		t.Errorf("built plan not feasible: %+v", v.Violations[:min(5, len(v.Violations))])
	}
}
