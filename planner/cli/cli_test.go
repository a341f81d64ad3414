package cli

import (
	"bytes"
	"encoding/json"
	"errors"
	"os"
	"testing"

	"dozor/planner/bench"
	"dozor/planner/check"
)

// checked passes a printed solution through the independent checker.
func checked(t *testing.T, path string, sol *bench.Solution, toptw bool, tours int) {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var in *bench.Instance
	if toptw {
		in, err = bench.ReadTOPTW(f, "pr01")
	} else {
		in, err = bench.ReadSolomon(f)
		tours = in.Vehicles
	}
	if err != nil {
		t.Fatal(err)
	}
	rep := check.Check(in.CheckProblem(tours, !toptw), in.CheckRoutes(sol))
	for _, v := range rep.Violations {
		t.Errorf("checker: %s", v)
	}
}

func run(t *testing.T, args ...string) *bench.Solution {
	t.Helper()
	var out, errOut bytes.Buffer
	if err := Run(args, &out, &errOut); err != nil {
		t.Fatalf("run %v: %v\n%s", args, err, errOut.String())
	}
	var sol bench.Solution
	if err := json.Unmarshal(out.Bytes(), &sol); err != nil {
		t.Fatalf("output %q: %v", out.String(), err)
	}
	return &sol
}

func TestSolomon(t *testing.T) {
	sol := run(t, "--format", "solomon", "--objective", "distance", "--time-limit", "200ms",
		"--workers", "1", "../testdata/C101.txt")
	seen := map[int]bool{}
	for _, r := range sol.Routes {
		for _, id := range r {
			if seen[id] || id < 1 || id > 100 {
				t.Fatalf("bad or repeated customer %d", id)
			}
			seen[id] = true
		}
	}
	if len(seen) != 100 || sol.Vehicles != len(sol.Routes) || sol.Distance <= 0 {
		t.Fatalf("served %d, vehicles %d, distance %.2f", len(seen), sol.Vehicles, sol.Distance)
	}
	checked(t, "../testdata/C101.txt", sol, false, 0)
}

func TestTOPTWFlagsAfterPath(t *testing.T) {
	sol := run(t, "../testdata/toptw/pr01.txt", "--format", "toptw", "--tours", "2",
		"--time-limit", "200ms", "--seed", "3")
	if len(sol.Routes) > 2 || sol.Score <= 0 {
		t.Fatalf("routes %d score %.0f", len(sol.Routes), sol.Score)
	}
	checked(t, "../testdata/toptw/pr01.txt", sol, true, 2)
}

func TestDeterministicIterations(t *testing.T) {
	args := []string{"--format", "toptw", "--tours", "3", "--iterations", "300",
		"--time-limit", "30s", "--workers", "2", "../testdata/toptw/pr01.txt"}
	a, b := run(t, args...), run(t, args...)
	ja, _ := json.Marshal(a)
	jb, _ := json.Marshal(b)
	if !bytes.Equal(ja, jb) {
		t.Fatalf("runs differ:\n%s\n%s", ja, jb)
	}
}

func TestUsageErrors(t *testing.T) {
	for _, args := range [][]string{
		{"--format", "cvrp", "../testdata/C101.txt"},
		{"--objective", "time", "../testdata/C101.txt"},
		{"--tours", "0", "--format", "toptw", "../testdata/toptw/pr01.txt"},
		{},
		{"a.txt", "b.txt"},
	} {
		var out, errOut bytes.Buffer
		if err := Run(args, &out, &errOut); !errors.Is(err, ErrUsage) {
			t.Errorf("%v: error %v, want ErrUsage", args, err)
		}
	}
	var out, errOut bytes.Buffer
	if err := Run([]string{"missing.txt"}, &out, &errOut); err == nil {
		t.Errorf("missing file accepted")
	}
}
