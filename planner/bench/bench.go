// Package bench reads the public planner benchmarks (Solomon VRPTW and
// TOPTW instance files), turns them into planner problems and into checker
// problems, and reads the best-known-result tables.
//
// The two conversions are deliberately separate: the planner gets integer
// matrices (scaled, with travel times rounded up so that an integer-feasible
// route is feasible in exact arithmetic), the checker gets the exact
// benchmark geometry in float64 (double precision for Solomon, truncated
// distances for TOPTW, as the best-known results assume).
package bench

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"
)

// ErrFormat reports an instance file that cannot be parsed.
var ErrFormat = errors.New("bench: bad instance format")

// Node is one row of an instance; node 0 is the depot.
type Node struct {
	ID      int
	X, Y    float64
	Demand  float64
	Profit  float64
	Service float64
	Ready   float64 // earliest start of service
	Due     float64 // latest start of service (depot: end of horizon)
}

// Instance is a parsed benchmark instance.
type Instance struct {
	Name     string
	Vehicles int     // Solomon fleet size
	Capacity float64 // Solomon capacity
	Nodes    []Node
	// Scale is 10^decimals of the truncated TOPTW distances; 0 means exact
	// Euclidean distances (Solomon).
	Scale float64
}

// Euclid returns the benchmark distance between nodes a and b: exact, or
// truncated to 1/Scale.
func (in *Instance) Euclid(a, b int) float64 {
	na, nb := &in.Nodes[a], &in.Nodes[b]
	d := math.Hypot(na.X-nb.X, na.Y-nb.Y)
	if in.Scale == 0 {
		return d
	}
	return math.Floor(d*in.Scale) / in.Scale
}

// ReadSolomon parses a Solomon VRPTW file as a stream of tokens.
func ReadSolomon(r io.Reader) (*Instance, error) {
	tok, err := tokens(r)
	if err != nil {
		return nil, err
	}
	if len(tok) == 0 {
		return nil, fmt.Errorf("%w: empty file", ErrFormat)
	}
	in := &Instance{Name: tok[0]}
	i := indexOf(tok, "VEHICLE")
	j := indexOf(tok, "CUSTOMER")
	if i < 0 || j < 0 || i+4 >= len(tok) {
		return nil, fmt.Errorf("%w: missing VEHICLE or CUSTOMER section", ErrFormat)
	}
	nums, err := floats(tok[i+3 : i+5])
	if err != nil {
		return nil, fmt.Errorf("%w: vehicle section: %w", ErrFormat, err)
	}
	in.Vehicles, in.Capacity = int(nums[0]), nums[1]
	k := j + 1
	for k < len(tok) {
		if _, err := strconv.ParseFloat(tok[k], 64); err == nil {
			break
		}
		k++
	}
	rows, err := floats(tok[k:])
	if err != nil {
		return nil, fmt.Errorf("%w: customer section: %w", ErrFormat, err)
	}
	if len(rows)%7 != 0 || len(rows) < 14 {
		return nil, fmt.Errorf("%w: %d numbers in customer section", ErrFormat, len(rows))
	}
	for q := 0; q < len(rows); q += 7 {
		f := rows[q : q+7]
		in.Nodes = append(in.Nodes, Node{ID: int(f[0]), X: f[1], Y: f[2], Demand: f[3],
			Ready: f[4], Due: f[5], Service: f[6]})
	}
	return in, nil
}

// ReadTOPTW parses a TOPTW file (Righini-Salani, Montemanni-Gambardella and
// Cordeau-based sets). Node rows are `i x y d S f a <a numbers> O C`: the
// last two tokens are the window whatever the length of the list. Header
// lines are skipped, whatever their layout; node rows are recognised as the
// lines with at least nine tokens whose first token is the next node index.
// name decides the distance precision: "pr" files truncate to two decimals,
// the others to one.
func ReadTOPTW(r io.Reader, name string) (*Instance, error) {
	in := &Instance{Name: name, Scale: 10}
	if strings.HasPrefix(strings.ToLower(name), "pr") {
		in.Scale = 100
	}
	sc := bufio.NewScanner(r)
	for sc.Scan() {
		f := strings.Fields(sc.Text())
		if len(f) < 9 || f[0] != strconv.Itoa(len(in.Nodes)) {
			continue
		}
		v, err := floats(f)
		if err != nil {
			return nil, fmt.Errorf("%w: node %d: %w", ErrFormat, len(in.Nodes), err)
		}
		n := len(v)
		in.Nodes = append(in.Nodes, Node{ID: int(v[0]), X: v[1], Y: v[2], Service: v[3],
			Profit: v[4], Ready: v[n-2], Due: v[n-1]})
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("read toptw: %w", err)
	}
	if len(in.Nodes) < 2 {
		return nil, fmt.Errorf("%w: no customers", ErrFormat)
	}
	return in, nil
}

func tokens(r io.Reader) ([]string, error) {
	sc := bufio.NewScanner(r)
	sc.Split(bufio.ScanWords)
	var tok []string
	for sc.Scan() {
		tok = append(tok, sc.Text())
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("read tokens: %w", err)
	}
	return tok, nil
}

func indexOf(tok []string, s string) int {
	for i, t := range tok {
		if strings.EqualFold(t, s) {
			return i
		}
	}
	return -1
}

func floats(tok []string) ([]float64, error) {
	out := make([]float64, len(tok))
	for i, t := range tok {
		v, err := strconv.ParseFloat(t, 64)
		if err != nil {
			return nil, fmt.Errorf("token %q: %w", t, err)
		}
		out[i] = v
	}
	return out, nil
}
