package main

import (
	"context"
	"fmt"
	"math"
	"strconv"
	"strings"
	"testing"
	"time"

	"dozor/simulate"
	"dozor/store"
)

// TestSimulatedDay plays generated days through the real inputs of the
// server (API, OsmAnd HTTP, Teltonika TCP) and scores the visits it
// stored against the ground truth.
func TestSimulatedDay(t *testing.T) {
	for _, seed := range []int64{11, 12} {
		t.Run(fmt.Sprint("seed", seed), func(t *testing.T) {
			s := startServer(t, "")
			truth, err := simulate.Run(context.Background(), simulate.Config{
				API: "http://" + s.http, Token: testToken, OsmAnd: "http://" + s.osmand,
				Teltonika: s.telt, Seed: seed, Collectors: 3,
			})
			if err != nil {
				t.Fatal(err)
			}
			visits := waitVisits(t, s, len(truth.Visits))
			sc := simulate.Compare(truth.Visits, visits)
			t.Logf("%d fixes, score %+v", truth.Fixes, sc)
			t.Logf("durable fixes to stored visit event: p99 <= %.4f s",
				histogramQuantile(t, s, "dozor_visits_event_seconds", 0.99))
			if sc.Recall < 0.95 || sc.Precision < 0.95 || sc.Splits > 0 {
				t.Fatalf("visits do not match the truth: %+v", sc)
			}
			if sc.MedianArrival > 30 || sc.MedianDeparted > 60 {
				t.Fatalf("time errors too large: %+v", sc)
			}
		})
	}
}

// waitVisits polls the API until the number of stored visits stops
// changing (the engine drains the bus after the last ACK).
func waitVisits(t *testing.T, s *server, want int) []store.Visit {
	t.Helper()
	var (
		last   []store.Visit
		stable int
	)
	for deadline := time.Now().Add(30 * time.Second); time.Now().Before(deadline); {
		var vs []store.Visit
		s.get("/api/v1/visits", &vs)
		if len(vs) == len(last) && len(vs) >= want/2 {
			stable++
			if stable >= 4 {
				return vs
			}
		} else {
			stable = 0
		}
		last = vs
		time.Sleep(250 * time.Millisecond)
	}
	return last
}

// histogramQuantile reads a Prometheus histogram from the server's metrics
// and returns the upper bound of the bucket holding quantile q.
func histogramQuantile(t *testing.T, s *server, name string, q float64) float64 {
	t.Helper()
	type bucket struct{ le, n float64 }
	var bs []bucket
	for _, line := range strings.Split(metrics(t, s), "\n") {
		if !strings.HasPrefix(line, name+`_bucket{le="`) {
			continue
		}
		var b bucket
		le := strings.TrimPrefix(line, name+`_bucket{le="`)
		le, rest, _ := strings.Cut(le, `"} `)
		if le == "+Inf" {
			b.le = math.Inf(1)
		} else {
			b.le, _ = strconv.ParseFloat(le, 64)
		}
		b.n, _ = strconv.ParseFloat(rest, 64)
		bs = append(bs, b)
	}
	if len(bs) == 0 || bs[len(bs)-1].n == 0 {
		return 0
	}
	total := bs[len(bs)-1].n
	for _, b := range bs {
		if b.n >= q*total {
			return b.le
		}
	}
	return math.Inf(1)
}
