package main

import (
	"context"

	"dozor/store"
	"dozor/store/postgres"
)

// openPostgres opens the PostgreSQL store named by cfg.Store; migrations
// run as it opens.
func openPostgres(ctx context.Context, cfg Config) (store.Store, error) {
	return postgres.Open(ctx, postgres.Config{URL: cfg.Store})
}
