package main

import (
	"context"
	"log/slog"
	"time"

	"dozor/store"
)

// maintainEvery is how often the store's housekeeping runs: partitions
// ahead (PostgreSQL) and retention.
const maintainEvery = time.Hour

// maintainer is implemented by stores with periodic housekeeping.
type maintainer interface {
	Maintain(ctx context.Context) error
}

// maintenance runs the store's housekeeping at start and then hourly until
// ctx ends: create partitions ahead, drop fixes past the retention period.
// Failures are logged and retried at the next round; ingest does not wait.
func maintenance(st store.Store, keep time.Duration, log *slog.Logger) component {
	run := func(ctx context.Context) error {
		t := time.NewTicker(maintainEvery)
		defer t.Stop()
		for {
			maintainOnce(ctx, st, keep, log)
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
