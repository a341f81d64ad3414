package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"time"

	"dozor/ingest/loadgen"
	"dozor/store/postgres"
)

// ingestReport is the output of `dozor bench ingest`: the end-to-end rate
// of a load run and the raw COPY limit measured around it.
type ingestReport struct {
	loadgen.Report
	RawCopyBefore float64 `json:"raw_copy_before_rows_per_s"`
	RawCopyAfter  float64 `json:"raw_copy_after_rows_per_s"`
	// RatioToRawCopy is FixesPerSec over the mean of the two raw rates.
	RatioToRawCopy float64 `json:"ratio_to_raw_copy"`

	// PacedP50 and PacedP99 are the commit latencies of raw COPYs paced
	// at the run's --rate, due on a schedule (see BenchConfig.Rate): the
	// floor this machine's disk and database put under the ACK latency at
	// that load, measured just before the load run. Zero when unpaced.
	PacedP50 float64 `json:"raw_copy_paced_p50_ms,omitempty"`
	PacedP99 float64 `json:"raw_copy_paced_p99_ms,omitempty"`

	// Checkpoints are the database's during the load run, and the two
	// settings that most decide the latency figures: each checkpoint
	// stalls acknowledgements at its end (see postgres.Checkpoints).
	Checkpoints   postgres.Checkpoints `json:"pg_checkpoints"`
	MaxWALSize    string               `json:"pg_max_wal_size"`
	SharedBuffers string               `json:"pg_shared_buffers"`

	// FixesMB is the size of the stored fixes with their indexes after
	// the run (see postgres.ServerState.FixesBytes).
	FixesMB float64 `json:"pg_fixes_mb"`
}

// benchIngest implements `dozor bench ingest`: the raw COPY rate of the
// fixes' rows into a bare indexed table, with --rate raw COPYs paced at
// that rate for their commit latency, then a `dozor loadgen` run
// against a server already running on the same PostgreSQL, then the raw
// rate again. Measuring the limit on both sides of the run, in the same
// minute, keeps the ratio meaningful on cores shared with other work,
// where either figure alone moves by a third from one minute to the next.
// It forces no checkpoint: the load run meets the server's own.
func benchIngest(args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("bench ingest", flag.ContinueOnError)
	fs.SetOutput(stderr)
	url := fs.String("store", os.Getenv("DOZOR_STORE"), "PostgreSQL URL of the running server")
	rows := fs.Int("rows", 200000, "rows of each raw COPY measurement")
	var cfg loadgen.Config
	fs.StringVar(&cfg.Addr, "addr", "127.0.0.1:5027", "Teltonika listener of the server")
	fs.IntVar(&cfg.Devices, "devices", 1000, "simulated trackers (one TCP connection each)")
	fs.IntVar(&cfg.Records, "records", 10, "records per packet, 1-255")
	fs.DurationVar(&cfg.Duration, "duration", 30*time.Second, "length of the load run")
	fs.Float64Var(&cfg.Rate, "rate", 0, "target fixes/s over all devices (0: as fast as acked)")
	fs.Uint64Var(&cfg.Seed, "seed", 1, "random seed of the tracks")
	paced := fs.Duration("paced", 15*time.Second,
		"with --rate: length of a raw COPY run paced at that rate, for its latency (0: none)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if !isPostgres(*url) {
		return errors.New("bench ingest needs --store postgres://...")
	}

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	bc := postgres.BenchConfig{URL: *url, Rows: *rows, Batch: 4096, NoCheckpoint: true}
	before, err := postgres.BenchCopyStats(ctx, bc)
	if err != nil {
		return fmt.Errorf("raw copy before: %w", err)
	}
	floor, err := pacedCopy(ctx, bc, cfg.Rate, *paced)
	if err != nil {
		return fmt.Errorf("paced raw copy: %w", err)
	}
	rep, pg, err := loadRun(ctx, *url, cfg)
	if err != nil {
		return err
	}
	after, err := postgres.BenchCopyStats(ctx, bc)
	if err != nil {
		return fmt.Errorf("raw copy after: %w", err)
	}

	raw := (before.RowsPerSec + after.RowsPerSec) / 2
	return json.NewEncoder(stdout).Encode(ingestReport{
		Report:         rep,
		RawCopyBefore:  round2(before.RowsPerSec),
		RawCopyAfter:   round2(after.RowsPerSec),
		RatioToRawCopy: round2(rep.FixesPerSec / raw),
		PacedP50:       millis(floor.BatchP50),
		PacedP99:       millis(floor.BatchP99),
		Checkpoints:    pg.Checkpoints,
		MaxWALSize:     pg.MaxWALSize,
		SharedBuffers:  pg.SharedBuffers,
		FixesMB:        round2(float64(pg.FixesBytes) / (1 << 20)),
	})
}

// Paced raw COPYs mimic the journal at a steady rate: pgWriters commits in
// flight, each of what arrives in pacedBatchTime at that rate.
const pacedBatchTime = 20 * time.Millisecond

// pacedCopy measures raw COPY commit latency at rate fixes/s for d; it
// returns a zero result when either is zero.
func pacedCopy(ctx context.Context, bc postgres.BenchConfig, rate float64, d time.Duration) (
	postgres.BenchResult, error) {
	if rate <= 0 || d <= 0 {
		return postgres.BenchResult{}, nil
	}
	bc.Rate = rate
	bc.Rows = max(1, int(rate*d.Seconds()))
	bc.Batch = max(1, int(rate*pacedBatchTime.Seconds()))
	bc.Writers = pgWriters
	return postgres.BenchCopyStats(ctx, bc)
}

// millis is d in milliseconds, to two decimals.
func millis(d time.Duration) float64 {
	return round2(float64(d) / float64(time.Millisecond))
}

// loadRun runs the load generator and returns, with its report, the
// database's state after it with the checkpoints made during it.
func loadRun(ctx context.Context, url string, cfg loadgen.Config) (
	loadgen.Report, postgres.ServerState, error) {
	before, err := postgres.ReadServerState(ctx, url)
	if err != nil {
		return loadgen.Report{}, before, err
	}
	rep, err := loadgen.Run(ctx, cfg)
	if err != nil {
		return rep, before, err
	}
	after, err := postgres.ReadServerState(ctx, url)
	after.Checkpoints = after.Sub(before.Checkpoints)
	return rep, after, err
}
