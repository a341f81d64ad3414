package bench

import (
	"encoding/csv"
	"fmt"
	"io"
	"strconv"
	"strings"

	"dozor/planner/check"
)

// Solution is the JSON printed by `dozor plan`.
type Solution struct {
	Routes   [][]int `json:"routes"`
	Distance float64 `json:"distance"`
	Score    float64 `json:"score"`
	Vehicles int     `json:"vehicles"`
}

// Index maps node IDs of the instance to node positions.
func (in *Instance) Index() map[int]int {
	idx := make(map[int]int, len(in.Nodes))
	for i, nd := range in.Nodes {
		idx[nd.ID] = i
	}
	return idx
}

// CheckRoutes converts a solution's routes (node IDs) into checker routes,
// one collector per route. Unknown IDs become out-of-range visits that the
// checker reports.
func (in *Instance) CheckRoutes(sol *Solution) []check.Route {
	idx := in.Index()
	out := make([]check.Route, len(sol.Routes))
	for k, r := range sol.Routes {
		out[k].Collector = k
		for _, id := range r {
			v, ok := idx[id]
			if !ok || v == 0 {
				v = len(in.Nodes) + id // reported as unknown
			}
			out[k].Stops = append(out[k].Stops, check.Stop{Visit: v - 1})
		}
	}
	return out
}

// BKS is one row of a best-known-results table.
type BKS struct {
	Instance string
	Count    int // vehicles (Solomon) or tours (TOPTW)
	Value    float64
}

// ReadBKS reads `instance,count,value,...` rows with a header line.
func ReadBKS(r io.Reader) ([]BKS, error) {
	rd := csv.NewReader(r)
	rd.FieldsPerRecord = -1
	rows, err := rd.ReadAll()
	if err != nil {
		return nil, fmt.Errorf("read bks: %w", err)
	}
	var out []BKS
	for i, row := range rows {
		if i == 0 || len(row) < 3 {
			continue
		}
		n, err1 := strconv.Atoi(strings.TrimSpace(row[1]))
		v, err2 := strconv.ParseFloat(strings.TrimSpace(row[2]), 64)
		if err1 != nil || err2 != nil {
			return nil, fmt.Errorf("%w: bks row %d", ErrFormat, i+1)
		}
		out = append(out, BKS{Instance: strings.TrimSpace(row[0]), Count: n, Value: v})
	}
	return out, nil
}
