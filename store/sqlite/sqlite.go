// Package sqlite is the embedded default store: one SQLite file in WAL mode
// under the data folder, written by one connection, read by several.
//
// Durability: synchronous=FULL by default, so a committed batch survives a
// power loss, not only a crash of the process. Group commit in the journal
// keeps the cost of the fsync per batch, not per fix.
package sqlite

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sync"

	"github.com/mattn/go-sqlite3"
	"github.com/pressly/goose/v3"

	"dozor/store"
)

//go:embed migrations/*.sql
var migrations embed.FS

// FileName is the database file created in the data folder.
const FileName = "dozor.db"

// Config selects where and how the database is kept. Zero values mean the
// defaults.
type Config struct {
	// Dir is the data folder; created if missing. Required.
	Dir string

	// Synchronous is SQLite's synchronous pragma: "FULL" (default) or
	// "NORMAL" (faster, may lose the last commits on power loss, never on a
	// process crash).
	Synchronous string

	// Readers is the size of the read connection pool; default 4.
	Readers int

	// PII seals debtors' personal fields; zero keeps them in plain text.
	PII store.PII
}

// Store is the SQLite implementation of store.Store.
type Store struct {
	w, r    *sql.DB // one writer connection, a pool of readers
	ck      *sql.DB // checkpoints the WAL in the background
	stopCk  chan struct{}
	ckDone  chan struct{}
	mu      sync.Mutex
	closed  bool
	devices devices
	fixes   fixes
	meta    meta
	pii     store.PII
}

// Open opens (creating if needed) the database in cfg.Dir and applies the
// migrations.
func Open(ctx context.Context, cfg Config) (*Store, error) {
	if cfg.Dir == "" {
		return nil, errors.New("sqlite: no data folder")
	}
	if err := os.MkdirAll(cfg.Dir, 0o750); err != nil {
		return nil, fmt.Errorf("sqlite: create data folder: %w", err)
	}
	sync := cfg.Synchronous
	if sync == "" {
		sync = "FULL"
	}
	if sync != "FULL" && sync != "NORMAL" {
		return nil, fmt.Errorf("sqlite: synchronous %q: want FULL or NORMAL", sync)
	}

	path := filepath.Join(cfg.Dir, FileName)
	// A 64 MiB page cache keeps the fix index's upper levels in memory;
	// with the default 2 MiB, inserts ran at about 0.6x the rate.
	dsn := fmt.Sprintf("file:%s?_journal_mode=WAL&_synchronous=%s&_busy_timeout=10000"+
		"&_txlock=immediate&_cache_size=-65536", path, sync)
	w, err := sql.Open("sqlite3", dsn)
	if err != nil {
		return nil, fmt.Errorf("sqlite: open %s: %w", path, err)
	}
	// The writer never checkpoints inside a commit (a checkpoint there
	// stalls that commit, and every device waiting on it, for up to a few
	// hundred milliseconds); checkpoint.go does it in the background. The
	// pragma holds for the writer's one connection, kept open.
	w.SetMaxOpenConns(1)
	w.SetMaxIdleConns(1)
	if _, err := w.ExecContext(ctx, "PRAGMA wal_autocheckpoint=0"); err != nil {
		w.Close()
		return nil, fmt.Errorf("sqlite: %w", err)
	}

	r, err := sql.Open("sqlite3", dsn+"&mode=ro")
	if err != nil {
		w.Close()
		return nil, fmt.Errorf("sqlite: open %s: %w", path, err)
	}
	readers := cfg.Readers
	if readers <= 0 {
		readers = 4
	}
	r.SetMaxOpenConns(readers)

	s := &Store{w: w, r: r, pii: cfg.PII}
	s.devices = devices{s}
	s.fixes = fixes{s: s}
	s.meta = meta{s}

	if err := s.migrate(ctx); err != nil {
		s.Close()
		return nil, err
	}
	if err := s.startCheckpointer(dsn); err != nil {
		s.Close()
		return nil, err
	}
	return s, nil
}

func (s *Store) migrate(ctx context.Context) error {
	sub, err := fs.Sub(migrations, "migrations")
	if err != nil {
		return fmt.Errorf("sqlite: %w", err)
	}
	if _, err := store.Migrate(ctx, s.w, goose.DialectSQLite3, sub); err != nil {
		return fmt.Errorf("sqlite: %w", err)
	}
	return nil
}

// Devices implements store.Store.
func (s *Store) Devices() store.Devices { return &s.devices }

// Fixes implements store.Store.
func (s *Store) Fixes() store.Fixes { return &s.fixes }

// Meta implements store.Store.
func (s *Store) Meta() store.Meta { return &s.meta }

// Ping implements store.Store: it runs a statement on the writer.
func (s *Store) Ping(ctx context.Context) error {
	if s.isClosed() {
		return store.ErrClosed
	}
	var one int
	if err := s.w.QueryRowContext(ctx, "SELECT 1").Scan(&one); err != nil {
		return fmt.Errorf("sqlite: ping: %w", err)
	}
	return nil
}

// Close implements store.Store.
func (s *Store) Close() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return nil
	}
	s.closed = true
	if s.stopCk != nil {
		close(s.stopCk)
		<-s.ckDone
	}
	return errors.Join(s.r.Close(), s.w.Close())
}

func (s *Store) isClosed() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.closed
}

// wrap turns driver errors into the store's sentinels.
func wrap(op string, err error) error {
	if err == nil {
		return nil
	}
	if errors.Is(err, sql.ErrNoRows) {
		return fmt.Errorf("sqlite: %s: %w", op, store.ErrNotFound)
	}
	var se sqlite3.Error
	if errors.As(err, &se) && se.ExtendedCode == sqlite3.ErrConstraintUnique {
		return fmt.Errorf("sqlite: %s: %w", op, store.ErrConflict)
	}
	if errors.Is(err, sql.ErrConnDone) {
		return fmt.Errorf("sqlite: %s: %w", op, store.ErrClosed)
	}
	return fmt.Errorf("sqlite: %s: %w", op, err)
}
