package main

import (
	"context"
	"errors"

	"dozor/store"
)

// openPostgres opens the PostgreSQL store.
func openPostgres(ctx context.Context, cfg Config) (store.Store, error) {
	return nil, errors.New("the PostgreSQL store is not built into this binary yet")
}
