package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"io"
	"os"
	"time"

	"dozor/store/postgres"
)

// benchReport is the output of `dozor bench store`.
type benchReport struct {
	Rows            int     `json:"rows"`
	Batch           int     `json:"batch"`
	RawCopyPerSec   float64 `json:"raw_copy_rows_per_s"`
	AppendPerSec    float64 `json:"append_rows_per_s"`
	AppendRatio     float64 `json:"append_to_raw_copy"`
	AppendBatchP99  string  `json:"append_batch_p99"`
	RawCopyBatchP99 string  `json:"raw_copy_batch_p99"`
}

// runBench implements `dozor bench store`: in one run, the raw COPY rate
// of the fixes' rows into a bare table with the same indexes, and the rate
// of the store's own Append path, so the end-to-end figures can be given as
// a ratio of the machine's limit.
func runBench(args []string, stdout, stderr io.Writer) error {
	switch {
	case len(args) > 0 && args[0] == "store":
		return benchStore(args[1:], stdout, stderr)
	case len(args) > 0 && args[0] == "ingest":
		return benchIngest(args[1:], stdout, stderr)
	}
	return errors.New("usage: dozor bench store|ingest --store postgres://... (-h for the rest)")
}

func benchStore(args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("bench store", flag.ContinueOnError)
	fs.SetOutput(stderr)
	url := fs.String("store", os.Getenv("DOZOR_STORE"), "PostgreSQL URL")
	rows := fs.Int("rows", 200000, "rows to write in each measurement")
	batch := fs.Int("batch", 4096, "rows per COPY or Append")
	writers := fs.Int("writers", 1, "batches in flight at once (the journal's writers)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if !isPostgres(*url) {
		return errors.New("bench store needs --store postgres://...")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Minute)
	defer cancel()

	bc := postgres.BenchConfig{URL: *url, Rows: *rows, Batch: *batch, Writers: *writers}
	raw, err := postgres.BenchCopyStats(ctx, bc)
	if err != nil {
		return err
	}
	app, err := postgres.BenchAppendStats(ctx, bc)
	if err != nil {
		return err
	}
	rep := benchReport{
		Rows: *rows, Batch: *batch,
		RawCopyPerSec: round2(raw.RowsPerSec), AppendPerSec: round2(app.RowsPerSec),
		AppendRatio:    round2(app.RowsPerSec / raw.RowsPerSec),
		AppendBatchP99: app.BatchP99.String(), RawCopyBatchP99: raw.BatchP99.String(),
	}
	return json.NewEncoder(stdout).Encode(rep)
}

func round2(x float64) float64 { return float64(int64(x*100+0.5)) / 100 }
