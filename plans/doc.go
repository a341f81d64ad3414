// Package plans is the server side of the day planner (issue 8): it builds
// a team's plan for a date from the store, solves it with planner, checks
// it with the independent planner/check, stores it with a version history,
// applies supervisors' edits and serves each collector their route.
//
// # Building
//
// The candidates are the team's debtors, one visit each at their first
// address (a circle's centre or a polygon's centroid). A visit's window is
// the legal contact hours of the debtor's local day (holidays by region
// from the store); its value is Priority * (1 + AmountOverdue/ValueUnit);
// its hourly presence comes from the presence model fitted on the stored
// visit outcomes of the History window (hour of week, H3 area, address).
// Personal meetings of the 7 days ending with the planned day count
// against the weekly limit: every stored visit counts unless its outcome
// says the debtor was not met. Collectors need a profile (home, shift,
// breaks); the ones without are listed in Document.Skipped.
//
// The problem as built (the snapshot) is stored with the plan, so every
// later edit is re-timed and checked against the same data even when the
// store has changed since.
//
// # Editing
//
// Edit applies moves, reorders, pins, unpins and drops, re-times every
// route and checks the result with the independent checker, and stores it
// as the next version with the edits and their author. Edits that break a
// rule (a window missed, overtime, a pin violated) are kept: a supervisor
// may knowingly override the planner, and the stored document lists the
// violations, so the override is visible to everyone who reads the plan.
// Edits do not re-optimise; a new Build does, superseding the old plan.
package plans
