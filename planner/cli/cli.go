// Package cli implements the `dozor plan` command: solve a Solomon VRPTW or
// TOPTW instance file and print the solution as JSON.
package cli

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"time"

	"dozor/planner"
	"dozor/planner/bench"
)

// ErrUsage reports bad command-line arguments.
var ErrUsage = errors.New("cli: usage")

// Defaults of the command.
const (
	DefaultTimeLimit = 10 * time.Second
	DefaultSeed      = 1
)

// Config is the parsed command line.
type Config struct {
	Format    string // "solomon" or "toptw"
	Objective string // bench.Hierarchical or bench.DistanceOnly
	Tours     int
	TimeLimit time.Duration
	Seed      uint64
	Workers   int
	// Iterations, when positive, fixes the search length per worker (the
	// result then does not depend on the machine); the time limit still
	// applies.
	Iterations int
	Path       string
}

// Run implements `dozor plan [flags] instance`. It prints
// {"routes":[[ids...],...],"distance":...,"score":...,"vehicles":...} on
// stdout; usage and errors go to stderr and the returned error.
func Run(args []string, stdout, stderr io.Writer) error {
	cfg, err := parse(args, stderr)
	if err != nil {
		return err
	}
	sol, err := Solve(context.Background(), cfg)
	if err != nil {
		fmt.Fprintln(stderr, err)
		return err
	}
	enc := json.NewEncoder(stdout)
	if err := enc.Encode(sol); err != nil {
		return fmt.Errorf("plan: write solution: %w", err)
	}
	return nil
}

func parse(args []string, stderr io.Writer) (Config, error) {
	var cfg Config
	fs := flag.NewFlagSet("plan", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.StringVar(&cfg.Format, "format", "solomon", "instance format: solomon or toptw")
	fs.StringVar(&cfg.Objective, "objective", bench.Hierarchical,
		"solomon objective: vehicles (then distance) or distance")
	fs.IntVar(&cfg.Tours, "tours", 1, "toptw: number of tours")
	fs.DurationVar(&cfg.TimeLimit, "time-limit", DefaultTimeLimit, "wall time limit")
	fs.Uint64Var(&cfg.Seed, "seed", DefaultSeed, "random seed")
	fs.IntVar(&cfg.Iterations, "iterations", 0,
		"iterations per worker (0: until the time limit)")
	fs.IntVar(&cfg.Workers, "workers", runtime.GOMAXPROCS(0), "parallel search threads")
	fs.Usage = func() {
		fmt.Fprintln(stderr, "usage: dozor plan [flags] instance-file")
		fs.PrintDefaults()
	}
	var rest []string
	for {
		if err := fs.Parse(args); err != nil {
			return cfg, fmt.Errorf("%w: %w", ErrUsage, err)
		}
		if fs.NArg() == 0 {
			break
		}
		rest = append(rest, fs.Arg(0))
		args = fs.Args()[1:]
	}
	if len(rest) != 1 {
		fs.Usage()
		return cfg, fmt.Errorf("%w: want exactly one instance file, got %d", ErrUsage, len(rest))
	}
	cfg.Path = rest[0]
	return cfg, validate(cfg)
}

func validate(cfg Config) error {
	switch {
	case cfg.Format != "solomon" && cfg.Format != "toptw":
		return fmt.Errorf("%w: unknown format %q", ErrUsage, cfg.Format)
	case cfg.Objective != bench.Hierarchical && cfg.Objective != bench.DistanceOnly:
		return fmt.Errorf("%w: unknown objective %q", ErrUsage, cfg.Objective)
	case cfg.Tours < 1:
		return fmt.Errorf("%w: --tours must be at least 1", ErrUsage)
	case cfg.TimeLimit <= 0:
		return fmt.Errorf("%w: --time-limit must be positive", ErrUsage)
	}
	return nil
}

// Solve reads the instance of cfg, solves it and returns the solution with
// the distance and score recomputed from the instance geometry.
func Solve(ctx context.Context, cfg Config) (*bench.Solution, error) {
	in, err := readInstance(cfg)
	if err != nil {
		return nil, err
	}
	var p *planner.Problem
	if cfg.Format == "toptw" {
		p = in.TOPTWProblem(cfg.Tours)
	} else {
		p = in.SolomonProblem(cfg.Objective)
	}
	// The whole limit goes to the search; reading and output take
	// milliseconds, compiling the problem is inside Solve.
	plan, err := planner.Solve(ctx, p, planner.Options{TimeLimit: cfg.TimeLimit,
		Seed: cfg.Seed, Workers: max(1, cfg.Workers), Iterations: cfg.Iterations})
	if err != nil {
		return nil, fmt.Errorf("plan %s: %w", cfg.Path, err)
	}
	return solution(in, plan), nil
}

func readInstance(cfg Config) (*bench.Instance, error) {
	f, err := os.Open(cfg.Path)
	if err != nil {
		return nil, fmt.Errorf("plan: %w", err)
	}
	defer f.Close()
	var in *bench.Instance
	if cfg.Format == "toptw" {
		name := strings.TrimSuffix(filepath.Base(cfg.Path), filepath.Ext(cfg.Path))
		in, err = bench.ReadTOPTW(f, name)
	} else {
		in, err = bench.ReadSolomon(f)
	}
	if err != nil {
		return nil, fmt.Errorf("plan %s: %w", cfg.Path, err)
	}
	return in, nil
}

// solution lists the non-empty routes by node ID and recomputes distance
// and score in the benchmark's arithmetic.
func solution(in *bench.Instance, plan *planner.Plan) *bench.Solution {
	sol := &bench.Solution{Routes: [][]int{}}
	for _, rt := range plan.Routes {
		var ids []int
		prev := 0
		for _, st := range rt.Stops {
			if st.Visit < 0 {
				continue
			}
			node := st.Visit + 1
			ids = append(ids, in.Nodes[node].ID)
			sol.Distance += in.Euclid(prev, node)
			sol.Score += in.Nodes[node].Profit
			prev = node
		}
		if len(ids) == 0 {
			continue
		}
		sol.Distance += in.Euclid(prev, 0)
		sol.Routes = append(sol.Routes, ids)
	}
	sol.Vehicles = len(sol.Routes)
	return sol
}
