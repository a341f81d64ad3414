package postgres

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"

	"dozor/store"
)

// Daily partitions of fixes are named fixes_YYYYMMDD and cover
// [YYYY-MM-DD 00:00 UTC, next day 00:00 UTC).
const (
	partPrefix = "fixes_"
	partLayout = "20060102"
	day        = 24 * time.Hour
)

// ddlLockTimeout bounds how long partition DDL waits for its lock on fixes.
// CREATE and DROP of a partition need an exclusive lock on the parent, and
// while one waits, every later query on fixes queues behind it: better to
// fail the DDL (and retry) than to stall ingest behind a long report.
const ddlLockTimeout = "3s"

// partitions caches the days that have a partition, so that Append checks
// a batch's days in memory. It is only a cache: a COPY that finds no
// partition reloads it from the catalog.
type partitions struct {
	mu   sync.Mutex
	days map[int64]bool // Unix day number -> partition exists
}

// dayOf returns the Unix day number (days since 1970-01-01 UTC) of t.
func dayOf(t time.Time) int64 {
	d := t.Unix() / 86400
	if t.Unix() < 0 && t.Unix()%86400 != 0 {
		d-- // floor, not truncation, before 1970
	}
	return d
}

func dayStart(d int64) time.Time { return time.Unix(d*86400, 0).UTC() }

func partName(d int64) string { return partPrefix + dayStart(d).Format(partLayout) }

// partDay parses a partition name; ok is false for other tables.
func partDay(name string) (int64, bool) {
	s, ok := strings.CutPrefix(name, partPrefix)
	if !ok || len(s) != len(partLayout) {
		return 0, false
	}
	t, err := time.Parse(partLayout, s)
	if err != nil {
		return 0, false
	}
	return dayOf(t), true
}

// missing returns the days of ds with no known partition.
func (p *partitions) missing(ds []int64) []int64 {
	p.mu.Lock()
	defer p.mu.Unlock()
	var out []int64
	for _, d := range ds {
		if !p.days[d] {
			out = append(out, d)
		}
	}
	return out
}

func (p *partitions) set(d int64, ok bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.days == nil {
		p.days = make(map[int64]bool)
	}
	if ok {
		p.days[d] = true
	} else {
		delete(p.days, d)
	}
}

func (p *partitions) replace(days map[int64]bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.days = days
}

// Maintain creates the daily partitions from yesterday to PartitionsAhead
// days past today. Open calls it; a long-running server should call it once
// a day (with retention), so that midnight finds its partition ready rather
// than creating it on demand under load.
func (s *Store) Maintain(ctx context.Context) error {
	if err := s.reloadPartitions(ctx); err != nil {
		return err
	}
	today := dayOf(time.Now())
	var ds []int64
	for d := today - 1; d <= today+int64(s.ahead); d++ {
		ds = append(ds, d)
	}
	return s.ensureDays(ctx, ds)
}

// Partitions returns the days that have a partition, oldest first, as read
// from the catalog.
func (s *Store) Partitions(ctx context.Context) ([]time.Time, error) {
	days, err := s.listPartitions(ctx)
	if err != nil {
		return nil, err
	}
	out := make([]time.Time, 0, len(days))
	for d := range days {
		out = append(out, dayStart(d))
	}
	slices.SortFunc(out, time.Time.Compare)
	return out, nil
}

func (s *Store) reloadPartitions(ctx context.Context) error {
	days, err := s.listPartitions(ctx)
	if err != nil {
		return err
	}
	s.parts.replace(days)
	return nil
}

func (s *Store) listPartitions(ctx context.Context) (map[int64]bool, error) {
	rows, err := s.pool.Query(ctx, `SELECT c.relname FROM pg_inherits i
		JOIN pg_class c ON c.oid = i.inhrelid WHERE i.inhparent = 'fixes'::regclass`)
	if err != nil {
		return nil, s.wrap("list partitions", err)
	}
	names, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		return nil, s.wrap("list partitions", err)
	}
	days := make(map[int64]bool, len(names))
	for _, n := range names {
		if d, ok := partDay(n); ok {
			days[d] = true
		}
	}
	return days, nil
}

// ensureDays creates the partitions of ds not known to exist.
func (s *Store) ensureDays(ctx context.Context, ds []int64) error {
	for _, d := range s.parts.missing(ds) {
		if err := s.createPartition(ctx, d); err != nil {
			return err
		}
		s.parts.set(d, true)
	}
	return nil
}

func (s *Store) createPartition(ctx context.Context, d int64) error {
	sql := fmt.Sprintf(`CREATE TABLE IF NOT EXISTS %s PARTITION OF fixes
		FOR VALUES FROM ('%s') TO ('%s')`, partName(d),
		dayStart(d).Format(time.RFC3339), dayStart(d+1).Format(time.RFC3339))
	err := s.ddl(ctx, sql)
	switch pgCode(err) {
	case codeDuplicateTable, codeUniqueViolation:
		// Another node created it between our check and our CREATE.
		return nil
	}
	return s.wrap("create partition "+partName(d), err)
}

// ddl runs one DDL statement with a bounded wait for its lock.
func (s *Store) ddl(ctx context.Context, sql string) error {
	return s.inTx(ctx, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, "SET LOCAL lock_timeout = '"+ddlLockTimeout+"'"); err != nil {
			return err
		}
		_, err := tx.Exec(ctx, sql)
		return err
	})
}

// DropBefore implements store.Retainer: it drops the whole daily partitions
// that end at or before store.RetentionCutoff(before), never deleting rows
// one by one, and returns how many it dropped.
//
// A fix older than the cutoff that arrives later creates its partition
// again; the next DropBefore removes it.
func (s *Store) DropBefore(ctx context.Context, before time.Time) (int, error) {
	if s.closed.Load() {
		return 0, fmt.Errorf("postgres: drop before: %w", store.ErrClosed)
	}
	cutoff := store.RetentionCutoff(before)
	days, err := s.listPartitions(ctx)
	if err != nil {
		return 0, err
	}
	var old []int64
	for d := range days {
		if !dayStart(d + 1).After(cutoff) {
			old = append(old, d)
		}
	}
	slices.Sort(old)

	n := 0
	for _, d := range old {
		if err := s.ddl(ctx, "DROP TABLE IF EXISTS "+partName(d)); err != nil {
			return n, s.wrap("drop partition "+partName(d), err)
		}
		s.parts.set(d, false)
		n++
	}
	return n, nil
}

// isNoPartition reports the error of a row whose day has no partition.
// fixes has no CHECK constraint, so a check violation writing it can only be
// the "no partition of relation found for row" of partition routing.
func isNoPartition(err error) bool { return pgCode(err) == codeCheckViolation }
