package postgres_test

import (
	"context"
	"testing"
	"time"

	"dozor/store/postgres"
)

// TestBenchNoCheckpoint checks that a raw COPY run beside live traffic
// forces no checkpoint. Another package's test may force one at the same
// moment, so a grown count is retried before it fails.
func TestBenchNoCheckpoint(t *testing.T) {
	url := testURL(t)
	ctx := context.Background()
	cfg := postgres.BenchConfig{URL: url, Rows: 2000, Batch: 1000, NoCheckpoint: true}
	for try := 1; ; try++ {
		before, err := postgres.ReadServerState(ctx, url)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := postgres.BenchCopyStats(ctx, cfg); err != nil {
			t.Fatal(err)
		}
		time.Sleep(500 * time.Millisecond) // the checkpointer reports late
		after, err := postgres.ReadServerState(ctx, url)
		if err != nil {
			t.Fatal(err)
		}
		got := after.Sub(before.Checkpoints)
		if got.Requested == 0 {
			return
		}
		if try == 3 {
			t.Fatalf("requested checkpoints during three runs without: %+v", got)
		}
	}
}

// TestBenchPaced checks that a paced run keeps to its schedule and that a
// negative rate is refused. 2,000 rows at 10,000 rows/s in batches of 100
// are due over 190 ms; unpaced they take a few.
func TestBenchPaced(t *testing.T) {
	url := testURL(t)
	ctx := context.Background()
	cfg := postgres.BenchConfig{URL: url, Rows: 2000, Batch: 100, Writers: 2, Rate: 10000,
		NoCheckpoint: true}
	r, err := postgres.BenchCopyStats(ctx, cfg)
	if err != nil {
		t.Fatal(err)
	}
	if r.Elapsed < 190*time.Millisecond || r.BatchP99 < r.BatchP50 {
		t.Fatalf("paced run: %v in %v", r, r.Elapsed)
	}

	cfg.Rate = -1
	if _, err := postgres.BenchCopyStats(ctx, cfg); err == nil {
		t.Fatal("negative rate accepted")
	}
}
