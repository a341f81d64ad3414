package main

import (
	"context"
	"log/slog"
	"time"

	"dozor/store"
	"dozor/store/postgres"
)

// PostgreSQL journal defaults, measured (see README): batches up to 5000
// rows, two commits in flight.
const (
	pgMaxBatch      = 5000
	pgFlushInterval = 2 * time.Millisecond
	pgWriters       = 2
)

// openPostgres opens the PostgreSQL store named by cfg.Store; migrations
// run as it opens. While the database is unreachable it retries, so a
// server started before its database comes up by itself.
func openPostgres(ctx context.Context, cfg Config, pii store.PII, log *slog.Logger) (
	store.Store, error) {
	// Writers beyond the default each take a connection of their own, so
	// the API keeps the ones it had.
	conns := int32(postgres.DefaultMaxConns + max(cfg.Writers-pgWriters, 0))
	for delay := time.Second; ; delay = min(delay*2, 30*time.Second) {
		st, err := postgres.Open(ctx, postgres.Config{URL: cfg.Store, PII: pii, MaxConns: conns})
		if err == nil {
			return st, nil
		}
		log.Warn("PostgreSQL not reachable; retrying", "err", err, "in", delay)
		select {
		case <-ctx.Done():
			return nil, err
		case <-time.After(delay):
		}
	}
}
