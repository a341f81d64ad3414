package store

import (
	"context"
	"database/sql"
	"fmt"
	"io/fs"

	"github.com/pressly/goose/v3"
)

// Migrate applies the embedded migrations in fsys (a folder of goose SQL
// files) to db for the given goose dialect and returns the versions applied.
// SQLite and PostgreSQL share this one mechanism; each keeps its own files.
func Migrate(ctx context.Context, db *sql.DB, dialect goose.Dialect, fsys fs.FS) ([]int64, error) {
	p, err := goose.NewProvider(dialect, db, fsys, goose.WithDisableGlobalRegistry(true))
	if err != nil {
		return nil, fmt.Errorf("migrations: %w", err)
	}
	res, err := p.Up(ctx)
	if err != nil {
		return nil, fmt.Errorf("apply migrations: %w", err)
	}
	var versions []int64
	for _, r := range res {
		versions = append(versions, r.Source.Version)
	}
	return versions, nil
}
