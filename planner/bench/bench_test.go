package bench_test

import (
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"dozor/planner/bench"
	"dozor/planner/check"
	"dozor/planner/cli"
)

// Run the shared benchmark at 1 s per instance on one core:
//
//	go test ./planner/bench -run TestBenchmarkInstances -v -timeout 0 \
//	  -args -dir=../../../shared/planner-bench -time-limit=1s -workers=1
//
// Without flags it runs the copies in planner/testdata with a short limit.
var (
	benchDir   = flag.String("dir", "../testdata", "benchmark folder (Solomon files, toptw/)")
	benchLimit = flag.Duration("time-limit", 100*time.Millisecond, "time limit per instance")
	benchObj   = flag.String("objective", bench.DistanceOnly, "solomon objective")
	benchWork  = flag.Int("workers", 1, "workers per instance")
	benchSeed  = flag.Uint64("seed", 1, "seed")
	benchTours = flag.String("tours", "1,2,3,4", "toptw tour counts (those with a BKS)")
	benchOnly  = flag.String("only", "", "run only instances whose name contains this")
	benchIters = flag.Int("iterations", 0, "iterations per worker (0: time limit only)")
)

func TestBenchmarkInstances(t *testing.T) {
	solomon := runSolomon(t)
	toptw := runTOPTW(t)
	t.Logf("solomon %s: mean gap %.2f%% over %d", *benchObj, mean(solomon), len(solomon))
	t.Logf("toptw: mean gap %.2f%% over %d", mean(toptw), len(toptw))
}

func runSolomon(t *testing.T) []float64 {
	file := "bks_distance.csv"
	if *benchObj == bench.Hierarchical {
		file = "bks.csv"
	}
	bks := readBKS(t, filepath.Join(*benchDir, file))
	files, _ := filepath.Glob(filepath.Join(*benchDir, "*.txt"))
	sort.Strings(files)
	var gaps []float64
	for _, f := range files {
		name := strings.TrimSuffix(filepath.Base(f), ".txt")
		ref, ok := bks[name+"/"]
		if !ok || !strings.Contains(name, *benchOnly) {
			continue
		}
		in := readInstance(t, f, bench.ReadSolomon)
		sol := runPlan(t, "--format", "solomon", "--objective", *benchObj, f)
		rep := check.Check(in.CheckProblem(in.Vehicles, true), in.CheckRoutes(sol))
		gap := 100 * (sol.Distance - ref.Value) / ref.Value
		t.Logf("%-6s feasible=%v vehicles=%d (bks %d) distance=%.2f bks=%.2f gap=%+.2f%%",
			name, rep.Feasible, sol.Vehicles, ref.Count, sol.Distance, ref.Value, gap)
		assertFeasible(t, name, rep, sol.Distance, sol.Score)
		gaps = append(gaps, gap)
	}
	return gaps
}

func runTOPTW(t *testing.T) []float64 {
	dir := filepath.Join(*benchDir, "toptw")
	bks := readBKS(t, filepath.Join(dir, "bks.csv"))
	files, _ := filepath.Glob(filepath.Join(dir, "*.txt"))
	sort.Strings(files)
	var gaps []float64
	for _, f := range files {
		name := strings.TrimSuffix(filepath.Base(f), ".txt")
		if !strings.Contains(name, *benchOnly) {
			continue
		}
		in := readInstance(t, f, func(r io.Reader) (*bench.Instance, error) {
			return bench.ReadTOPTW(r, name)
		})
		for _, m := range strings.Split(*benchTours, ",") {
			ref, ok := bks[name+"/"+m]
			if !ok {
				continue
			}
			tours, _ := strconv.Atoi(m)
			sol := runPlan(t, "--format", "toptw", "--tours", m, f)
			rep := check.Check(in.CheckProblem(tours, false), in.CheckRoutes(sol))
			gap := 100 * (ref.Value - sol.Score) / ref.Value
			t.Logf("%-6s m=%d feasible=%v score=%.0f bks=%.0f gap=%+.2f%%", name, tours,
				rep.Feasible, sol.Score, ref.Value, gap)
			assertFeasible(t, name, rep, sol.Distance, sol.Score)
			if len(sol.Routes) > tours {
				t.Errorf("%s: %d routes for %d tours", name, len(sol.Routes), tours)
			}
			gaps = append(gaps, gap)
		}
	}
	return gaps
}

// assertFeasible fails on any violation and on KPIs that disagree with the
// values the command printed.
func assertFeasible(t *testing.T, name string, rep *check.Report, dist, score float64) {
	t.Helper()
	for _, v := range rep.Violations {
		t.Errorf("%s: %s", name, v)
	}
	if math.Abs(rep.Total.Distance-dist) > 1e-6 || math.Abs(rep.Total.Value-score) > 1e-6 {
		t.Errorf("%s: printed distance %.4f score %.1f, checker %.4f %.1f", name, dist,
			score, rep.Total.Distance, rep.Total.Value)
	}
}

func runPlan(t *testing.T, args ...string) *bench.Solution {
	t.Helper()
	all := append([]string{"--time-limit", benchLimit.String(), "--workers",
		strconv.Itoa(*benchWork), "--seed", strconv.FormatUint(*benchSeed, 10),
		"--iterations", strconv.Itoa(*benchIters)}, args...)
	var out, errOut bytes.Buffer
	if err := cli.Run(all, &out, &errOut); err != nil {
		t.Fatalf("dozor plan %v: %v\n%s", all, err, errOut.String())
	}
	var sol bench.Solution
	if err := json.Unmarshal(out.Bytes(), &sol); err != nil {
		t.Fatalf("decode solution: %v", err)
	}
	return &sol
}

func readInstance(t *testing.T, path string,
	read func(io.Reader) (*bench.Instance, error),
) *bench.Instance {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	in, err := read(f)
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	return in
}

// readBKS indexes a reference table by "instance/" (Solomon) and
// "instance/count" (TOPTW).
func readBKS(t *testing.T, path string) map[string]bench.BKS {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rows, err := bench.ReadBKS(f)
	if err != nil {
		t.Fatal(err)
	}
	out := make(map[string]bench.BKS)
	for _, r := range rows {
		out[r.Instance+"/"] = r
		out[fmt.Sprintf("%s/%d", r.Instance, r.Count)] = r
	}
	return out
}

func mean(xs []float64) float64 {
	if len(xs) == 0 {
		return 0
	}
	var s float64
	for _, x := range xs {
		s += x
	}
	return s / float64(len(xs))
}
