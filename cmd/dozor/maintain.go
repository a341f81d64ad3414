package main

import (
	"context"
	"log/slog"
	"time"

	"dozor/store"
	"dozor/store/postgres"
)

// maintainEvery is how often the store's housekeeping runs: partitions
// ahead (PostgreSQL) and retention.
const maintainEvery = time.Hour

// maintainer is implemented by stores with periodic housekeeping.
type maintainer interface {
	Maintain(ctx context.Context) error
}

// checkpointReader is implemented by the PostgreSQL store.
type checkpointReader interface {
	Checkpoints(ctx context.Context) (postgres.Checkpoints, error)
}

// The warning is found by a type assertion; this keeps a change of the
// method from silently turning it off.
var _ checkpointReader = (*postgres.Store)(nil)

// maintenance runs the store's housekeeping at start and then hourly until
// ctx ends: create partitions ahead, drop fixes past the retention period,
// and warn when the database was forced into checkpoints. Failures are
// logged and retried at the next round; ingest does not wait.
func maintenance(st store.Store, keep time.Duration, log *slog.Logger) component {
	run := func(ctx context.Context) error {
		t := time.NewTicker(maintainEvery)
		defer t.Stop()
		watch := checkpointWatch{log: log}
		for {
			maintainOnce(ctx, st, keep, log)
			if r, ok := st.(checkpointReader); ok {
				watch.check(ctx, r)
			}
			select {
			case <-ctx.Done():
				return nil
			case <-t.C:
			}
		}
	}
	return component{name: "maintenance", run: run}
}

func maintainOnce(ctx context.Context, st store.Store, keep time.Duration, log *slog.Logger) {
	if m, ok := st.(maintainer); ok {
		if err := m.Maintain(ctx); err != nil && ctx.Err() == nil {
			log.Warn("Store maintenance failed", "err", err)
		}
	}
	r, ok := st.(store.Retainer)
	if !ok || keep <= 0 {
		return
	}
	days, err := store.ApplyRetention(ctx, r, keep, time.Now())
	if err != nil && ctx.Err() == nil {
		log.Warn("Retention failed", "err", err)
		return
	}
	if days > 0 {
		log.Info("Retention dropped old fixes", "days", days, "keep", keep)
	}
}

// checkpointWatch warns once a round when PostgreSQL had to start
// checkpoints before their time since the round before: under ingest that
// is the WAL outgrowing max_wal_size, and each such checkpoint stalls every
// acknowledgement at its end (see postgres.Checkpoints). A log line an hour
// is how an operator learns the server is sized too small for the load.
type checkpointWatch struct {
	log  *slog.Logger
	last *postgres.Checkpoints
}

func (w *checkpointWatch) check(ctx context.Context, r checkpointReader) {
	c, err := r.Checkpoints(ctx)
	if err != nil {
		if ctx.Err() == nil {
			w.log.Debug("Checkpoint counters not read", "err", err)
		}
		return
	}
	w.observe(c)
}

// observe compares c with the previous reading.
func (w *checkpointWatch) observe(c postgres.Checkpoints) {
	last := w.last
	w.last = &c
	if last == nil {
		return
	}
	if d := c.Sub(*last); d.Requested > 0 {
		w.log.Warn("PostgreSQL was forced into checkpoints; each stalls acknowledgements",
			"requested", d.Requested, "timed", d.Timed, "over", maintainEvery,
			"hint", "raise max_wal_size (deploy/postgres/dozor.conf)")
	}
}
