// Package planner plans the day of debt collectors: which candidate visits
// each collector makes, in which order and at what time.
//
// The problem is a selective vehicle routing problem with time windows (a
// team orienteering problem with time windows and time-dependent profits):
// collectors have a home, a shift and breaks; visits have a location, a
// duration, a hard window, a value and an hourly probability that the debtor
// is at home. The objective is to maximise the expected value of contacts
// minus a small travel cost. Mandatory visits turn the same machinery into a
// VRPTW solver (the Solomon benchmarks), a route cost into a
// vehicle-minimising one.
//
// # Algorithm
//
// Solve builds a plan by greedy insertion (optional visits only when they
// pay) and improves it with ruin-and-recreate after Christiaens and Vanden
// Berghe's SISR: strings of visits are removed from routes near a random
// visit, and the removed visits plus a sample of unplanned ones are put back
// by a blinking cheapest insertion in a random order; a simulated annealing
// criterion accepts the result. The best solution then goes through a
// relocate local search, and its routes are re-timed so that waiting for a
// better presence hour is used when it pays. Insertion checks are
// constant-time: every route keeps the earliest and latest feasible start of
// each position. Supervisor locks (Lock) are respected by every operator.
//
// Workers run independent trajectories (seed, worker) in parallel; the best
// wins. With Options.Iterations the result depends only on the seed and the
// number of workers; with a time limit alone the annealing schedule follows
// the clock and results vary slightly between runs.
//
// # Editing
//
// ApplyEdits (move, reorder, pin, drop) and Evaluate (re-time and check)
// serve a supervisor's hand edits in milliseconds; Solve with
// Options.Initial re-optimises around the locks.
//
// # Units and packages
//
// Times are integers in a unit chosen by the caller (seconds in production,
// scaled benchmark units in tests); ContactWindow builds the legal contact
// window. The package does not import HTTP or storage types.
//
//   - planner/check: the independent checker (does not import planner)
//   - planner/matrix: haversine, OSRM and Valhalla travel matrices
//   - planner/presence: hourly presence learned from past outcomes
//   - planner/bench: Solomon and TOPTW readers and the benchmark test
//   - planner/cli: the `dozor plan` command
//   - planner/exact: a dynamic-programming oracle for tiny instances
package planner
