// Package planner plans the day of debt collectors: which candidate visits
// each collector makes, in which order and at what time.
//
// The problem is a selective vehicle routing problem with time windows (a
// team orienteering problem with time windows and time-dependent profits):
// collectors have a home, a shift and breaks; visits have a location, a
// duration, a hard window, a value and an hourly probability that the debtor
// is at home. The objective is to maximise the expected value of contacts
// minus a small travel cost. Mandatory visits turn the same machinery into a
// VRPTW solver (the Solomon benchmarks).
//
// Solve builds a plan with a selective regret-free greedy construction and
// improves it with ruin-and-recreate (string removals, blinking greedy
// insertion, simulated annealing acceptance) and a local search, using
// constant-time window checks on precomputed earliest and latest start
// times. Supervisor locks (a visit pinned to a collector, fixed in a route,
// or excluded) are respected by every operator.
//
// Times are integers in a unit chosen by the caller (seconds in production,
// scaled benchmark units in tests). The package does not import HTTP or
// storage types; Evaluate and ApplyEdits give a server what it needs to
// re-time and re-check an edited plan. The independent feasibility checker
// lives in planner/check and does not import this package.
package planner
