package planner_test

import (
	"context"
	"fmt"
	"time"

	"dozor/planner"
	"dozor/planner/matrix"
	"dozor/planner/presence"
)

// A server builds the day from its data: travel matrix, legal windows,
// presence profiles; solves it; and re-checks a supervisor's edit.
func Example() {
	moscow := time.FixedZone("MSK", 3*3600)
	origin := time.Date(2026, 3, 4, 0, 0, 0, 0, moscow) // plan time 0, in seconds
	pts := []matrix.Point{
		{Lat: 55.75, Lon: 37.60}, // the collector's home
		{Lat: 55.76, Lon: 37.62}, {Lat: 55.74, Lon: 37.65}, {Lat: 55.70, Lon: 37.55},
	}
	model := presence.Fit(nil, presence.Config{}) // no history yet: the prior
	p := &planner.Problem{
		Matrix:       matrix.Haversine{}.Compute(pts),
		PresenceStep: 3600,
		WeeklyLimit:  1,
		Collectors: []planner.Collector{{ID: "ivanov", Start: 0, End: 0,
			Shift: planner.Window{Open: 9 * 3600, Close: 18 * 3600}}},
	}
	for i, id := range []string{"d1", "d2", "d3"} {
		service := int64(20 * 60)
		p.Visits = append(p.Visits, planner.Visit{ID: id, Location: i + 1, Service: service,
			Value:    1,
			Window:   planner.ContactWindow(origin, time.Second, moscow, false, service),
			Presence: model.Day(id, "centre", time.Wednesday)})
	}
	p.Visits[2].MeetingsThisWeek = 1 // already met this week: not planned

	plan, err := planner.Solve(context.Background(), p,
		planner.Options{Iterations: 200, TimeLimit: 10 * time.Second, Seed: 1})
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, st := range plan.Routes[0].Stops {
		fmt.Println(p.Visits[st.Visit].ID, origin.Add(time.Duration(st.Start)*time.Second).
			Format("15:04"))
	}

	// The supervisor swaps the two visits; the plan is re-timed and checked.
	stops := plan.Routes[0].Stops
	swap := planner.Edit{Kind: planner.EditReorder, Collector: 0,
		Visits: []int{stops[1].Visit, stops[0].Visit}}
	p2, edited, err := planner.ApplyEdits(p, plan, []planner.Edit{swap})
	if err != nil {
		fmt.Println(err)
		return
	}
	timed, rep, _ := planner.Evaluate(p2, edited, nil)
	fmt.Println("after the edit: feasible", rep.Feasible, "first",
		p.Visits[timed.Routes[0].Stops[0].Visit].ID)
	// Output:
	// d1 09:05
	// d2 09:34
	// after the edit: feasible true first d2
}
