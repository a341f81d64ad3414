package postgres

import (
	"context"
	"fmt"
	"os"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"dozor/store"
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
// table with the indexes of fixes. Compare with BenchmarkAppend, batch for
// batch (rows/s swings with other load on shared cores; rows/cpu-s, client
// plus local server CPU, much less):
//
//	go test -run '^$' -bench 'CopyRaw|Append' -benchtime 40x ./store/postgres/
func BenchmarkCopyRaw(b *testing.B) {
	url := benchURL(b)
	for _, n := range benchBatches {
		b.Run(fmt.Sprintf("batch=%d", n), func(b *testing.B) {
			run(b, prepareCopy, BenchConfig{URL: url, Rows: b.N * n, Batch: n})
		})
	}
}

// BenchmarkAppend is Store.Append, one batch per operation.
func BenchmarkAppend(b *testing.B) {
	url := benchURL(b)
	for _, n := range benchBatches {
		b.Run(fmt.Sprintf("batch=%d", n), func(b *testing.B) {
			run(b, prepareAppend, BenchConfig{URL: url, Rows: b.N * n, Batch: n})
		})
	}
}

// BenchmarkCopyRaw2 and BenchmarkAppend2 have two batches in flight, as a
// journal with two flushers would.
func BenchmarkCopyRaw2(b *testing.B) {
	run(b, prepareCopy, BenchConfig{URL: benchURL(b), Rows: b.N * 5000, Batch: 5000, Writers: 2})
}

func BenchmarkAppend2(b *testing.B) {
	run(b, prepareAppend, BenchConfig{URL: benchURL(b), Rows: b.N * 5000, Batch: 5000, Writers: 2})
}

// BenchmarkAppendStaged sends every batch through the temporary table and
// INSERT ... ON CONFLICT, the alternative to the optimistic COPY (and the
// path batches take while devices re-send).
func BenchmarkAppendStaged(b *testing.B) {
	staged := func(ctx context.Context, cfg BenchConfig, recs []store.FixRecord) (
		func() (BenchResult, error), func(), error,
	) {
		return prepareStore(ctx, cfg, recs, func(s *Store) { s.alwaysStage = true })
	}
	run(b, staged, BenchConfig{URL: benchURL(b), Rows: b.N * 5000, Batch: 5000})
}

// run measures one configuration; only the batches are timed. One
// operation is one batch.
func run(b *testing.B, prepare preparer, cfg BenchConfig) {
	b.ReportAllocs()
	ctx := context.Background()
	if err := cfg.check(); err != nil {
		b.Fatal(err)
	}
	run, cleanup, err := prepare(ctx, cfg, BenchRecords(cfg.Rows, time.Now()))
	if err != nil {
		b.Fatal(err)
	}
	defer cleanup()
	b.ResetTimer()
	r, err := run()
	b.StopTimer()
	if err != nil {
		b.Fatal(err)
	}
	b.ReportMetric(r.RowsPerSec, "rows/s")
	b.ReportMetric(r.RowsPerCPUSec, "rows/cpu-s")
	b.ReportMetric(float64(r.BatchP99.Microseconds())/1000, "p99-ms")
}

// TestBenchFunctions runs the functions `dozor bench store` calls, small.
func TestBenchFunctions(t *testing.T) {
	url := os.Getenv("DOZOR_TEST_POSTGRES")
	if url == "" {
		url = "postgres://postgres@127.0.0.1:5432/test?sslmode=disable"
	}
	if c, err := pgx.Connect(context.Background(), url); err != nil {
		t.Skipf("no PostgreSQL at %s: set DOZOR_TEST_POSTGRES (%v)", url, err)
	} else {
		c.Close(context.Background())
	}
	ctx := context.Background()
	raw, err := BenchCopy(ctx, url, 3000, 1000)
	if err != nil || raw <= 0 {
		t.Fatalf("BenchCopy: %v, %v", raw, err)
	}
	app, err := BenchAppend(ctx, url, 3000, 1000)
	if err != nil || app <= 0 {
		t.Fatalf("BenchAppend: %v, %v", app, err)
	}
	r, err := BenchAppendStats(ctx, BenchConfig{URL: url, Rows: 3000, Batch: 700, Writers: 2})
	if err != nil || r.Rows != 3000 || r.BatchP99 < r.BatchP50 {
		t.Fatalf("BenchAppendStats: %v, %v", r, err)
	}
	t.Log(r)
}
