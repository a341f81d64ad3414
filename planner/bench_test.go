package planner_test

import (
	"context"
	"testing"
	"time"

	"dozor/planner"
	"dozor/planner/check"
)

// Checker and edit costs on a production-size plan (30 collectors, 2,000
// candidates):
//
//	go test ./planner -run '^$' -bench 'Check|Evaluate' -benchmem
func productionPlan(b *testing.B) (day, *planner.Plan) {
	b.Helper()
	d := newDay(30, 2000, 1)
	plan, err := planner.Solve(context.Background(), d.p,
		planner.Options{Iterations: 200, TimeLimit: time.Minute})
	if err != nil {
		b.Fatal(err)
	}
	return d, plan
}

func BenchmarkCheck(b *testing.B) {
	d, plan := productionPlan(b)
	cp := d.p.CheckProblem(d.legal)
	routes := plan.CheckRoutes()
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		if rep := check.Check(cp, routes); !rep.Feasible {
			b.Fatal(rep.Violations)
		}
	}
}

func BenchmarkEvaluateEdit(b *testing.B) {
	d, plan := productionPlan(b)
	v := plan.Routes[0].Stops[0].Visit
	edits := []planner.Edit{{Kind: planner.EditMove, Visit: v, Collector: 1, Position: 0}}
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		p2, edited, err := planner.ApplyEdits(d.p, plan, edits)
		if err != nil {
			b.Fatal(err)
		}
		if _, _, err := planner.Evaluate(p2, edited, d.legal); err != nil {
			b.Fatal(err)
		}
	}
}
