package postgres

import (
	"context"
	"fmt"
	"os"
	"slices"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
)

func benchURL(b *testing.B) string {
	url := os.Getenv("DOZOR_TEST_POSTGRES")
	if url == "" {
		url = "postgres://postgres@127.0.0.1:5432/test?sslmode=disable"
	}
	c, err := pgx.Connect(context.Background(), url)
	if err != nil {
		b.Skipf("no PostgreSQL at %s: set DOZOR_TEST_POSTGRES (%v)", url, err)
	}
	c.Close(context.Background())
	return url
}

var benchBatches = []int{500, 1000, 2000, 5000, 10000}

// BenchmarkCopyRaw is the limit: pre-encoded batches COPYed into a bare
// table with the indexes of fixes. Compare with BenchmarkAppend:
//
//	go test -run '^$' -bench 'CopyRaw|Append' -benchtime 40x ./store/postgres/
func BenchmarkCopyRaw(b *testing.B) {
	url := benchURL(b)
	ctx := context.Background()
	for _, n := range benchBatches {
		b.Run(fmt.Sprintf("batch=%d", n), func(b *testing.B) {
			b.ReportAllocs()
			rb, err := newRawBench(ctx, url, BenchRecords(b.N*n, time.Now()), n)
			if err != nil {
				b.Fatal(err)
			}
			defer rb.close(ctx)
			timed(b, n, func(i int) error { return rb.copy(ctx, i) })
		})
	}
}

// BenchmarkAppend is Store.Append, one batch per operation.
func BenchmarkAppend(b *testing.B) {
	url := benchURL(b)
	for _, n := range benchBatches {
		b.Run(fmt.Sprintf("batch=%d", n), func(b *testing.B) {
			benchAppend(b, url, n, func(*Store) {})
		})
	}
}

// BenchmarkAppendStaged sends every batch through the temporary table and
// INSERT ... ON CONFLICT, the alternative to the optimistic COPY.
func BenchmarkAppendStaged(b *testing.B) {
	url := benchURL(b)
	benchAppend(b, url, 5000, func(s *Store) { s.alwaysStage = true })
}

func benchAppend(b *testing.B, url string, n int, tune func(*Store)) {
	b.ReportAllocs()
	ctx := context.Background()
	schema := fmt.Sprintf("dozor_bench_%d", os.Getpid())
	s, err := Open(ctx, Config{URL: url, Schema: schema})
	if err != nil {
		b.Fatal(err)
	}
	defer func() {
		s.pool.Exec(ctx, "DROP SCHEMA "+schema+" CASCADE") //nolint:errcheck
		s.Close()
	}()
	tune(s)
	recs := BenchRecords(b.N*n, time.Now())
	timed(b, n, func(i int) error { return s.fixes.Append(ctx, recs[i*n:(i+1)*n]) })
}

// timed runs b.N batches of n rows and reports rows/s and the p99 latency
// of one batch.
func timed(b *testing.B, n int, fn func(int) error) {
	lat := make([]time.Duration, 0, b.N)
	b.ResetTimer()
	self0, server0 := cpuTime()
	start := time.Now()
	for i := range b.N {
		t := time.Now()
		if err := fn(i); err != nil {
			b.Fatal(err)
		}
		lat = append(lat, time.Since(t))
	}
	el := time.Since(start)
	self1, server1 := cpuTime()
	b.StopTimer()
	_, p99 := percentiles(lat)
	b.ReportMetric(float64(b.N*n)/el.Seconds(), "rows/s")
	b.ReportMetric(float64(b.N*n)/(self1-self0+server1-server0).Seconds(), "rows/cpu-s")
	b.ReportMetric(float64(p99.Microseconds())/1000, "p99-ms")
}

func percentiles(lat []time.Duration) (p50, p99 time.Duration) {
	s := append([]time.Duration(nil), lat...)
	slices.Sort(s)
	return s[len(s)/2], s[min(len(s)-1, len(s)*99/100)]
}
