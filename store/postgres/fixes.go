package postgres

import (
	"context"
	"fmt"
	"math"
	"slices"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgtype"

	"dozor/store"
)

const (
	copyFixes = `COPY fixes (` + fixColumns + `) FROM STDIN BINARY`
	copyStage = `COPY fix_stage (` + fixColumns + `) FROM STDIN BINARY`

	// fix_stage lives as long as its connection and empties itself at the
	// end of every transaction that used it.
	createStage = `CREATE TEMP TABLE IF NOT EXISTS fix_stage (LIKE fixes) ON COMMIT DELETE ROWS`

	// Sorting by the unique key makes concurrent batches take index locks
	// in one order.
	insertStaged = `INSERT INTO fixes (` + fixColumns + `) SELECT ` + fixColumns + `
		FROM fix_stage ORDER BY device_id, fix_time, lat, lon
		ON CONFLICT DO NOTHING RETURNING id`

	// ownRows finds which of the conflicting rows are this batch's own,
	// written by an earlier attempt whose commit the caller did not see.
	ownRows = `SELECT f.id FROM unnest($1::bigint[], $2::bigint[], $3::timestamptz[],
		$4::float8[], $5::float8[]) AS k (id, device_id, fix_time, lat, lon)
		JOIN fixes f ON f.device_id = k.device_id AND f.fix_time = k.fix_time
		AND f.lat = k.lat AND f.lon = k.lon AND f.id = k.id`

	selectFix = `SELECT ` + fixColumns + ` FROM fixes`
)

// maxAttempts bounds the writes of one Append that failed for a reason the
// store can fix itself (a missing partition, a deadlock).
const maxAttempts = 3

type fixes struct{ s *Store }

// batch is the scratch state of one Append, pooled.
type batch struct {
	recs []store.FixRecord
	rows []int            // indexes into recs of the rows to write
	seen map[fixKey]int32 // in-batch de-duplication
	days []int64          // UTC days the rows fall on
	buf  []byte           // the rows in binary COPY format
}

// fixKey is the de-duplication key at the precision PostgreSQL keeps.
type fixKey struct {
	device   int64
	micros   int64
	lat, lon uint64
}

var batches = sync.Pool{New: func() any { return &batch{seen: make(map[fixKey]int32)} }}

// maxPooledBuf keeps the COPY buffer of an unusually large batch out of the
// pool.
const maxPooledBuf = 8 << 20

// Append implements store.Fixes.
//
// The batch goes in with one binary COPY straight into the partitioned
// table, autocommitted; Append returns after the commit. Copies of one fix
// inside the batch are found in memory. A fix the table already holds makes
// that COPY fail on the unique key; the batch is then written again, in one
// transaction, through a temporary table and INSERT ... ON CONFLICT DO
// NOTHING RETURNING, which tells the new rows from the duplicates. So the
// common case pays no per-row round trip and no conflict check beyond the
// unique index itself. A re-sent batch costs one failed COPY, and the next
// stageAfterConflict batches skip the plain COPY, since re-sends come in
// bursts.
//
// A fix stored earlier with the same id as well as the same content is the
// batch's own write from an attempt whose commit was not confirmed (the
// connection broke before the reply); it is not flagged Duplicate, so
// retrying a batch after an error reports the same result as one clean
// attempt.
//
// A batch carrying a day with no partition yet creates it first. Pass a
// context with a deadline: a database that vanished without closing the
// connection is noticed only when it expires.
func (f *fixes) Append(ctx context.Context, recs []store.FixRecord) error {
	if len(recs) == 0 {
		return nil
	}
	if f.s.closed.Load() {
		return fmt.Errorf("postgres: append: %w", store.ErrClosed)
	}
	b := batches.Get().(*batch)
	defer b.release()
	if err := b.prepare(recs); err != nil {
		return fmt.Errorf("postgres: append: %w", err)
	}
	if len(b.rows) == 0 {
		return nil
	}

	if err := f.s.ensureDays(ctx, b.days); err != nil {
		return err
	}
	var err error
	for range maxAttempts {
		err = f.write(ctx, b)
		switch {
		case isNoPartition(err):
			// A partition in the cache was dropped meanwhile (retention on
			// another node): learn the catalog again.
			if err := f.s.reloadPartitions(ctx); err != nil {
				return err
			}
			if err := f.s.ensureDays(ctx, b.days); err != nil {
				return err
			}
		case pgCode(err) == codeDeadlock:
			// Two batches with the same fixes in other orders; the other
			// one has committed by now, so this one goes the staged path.
		default:
			return f.s.wrap("append", err)
		}
	}
	return f.s.wrap("append", err)
}

// prepare clears the Duplicate flags, flags copies inside the batch, and
// encodes the remaining rows.
func (b *batch) prepare(recs []store.FixRecord) error {
	b.recs = recs
	b.buf = appendCopyHeader(b.buf[:0])
	for i := range recs {
		r := &recs[i]
		r.Duplicate = false
		if y := r.Fix.Time.Year(); y < 1 || y > 9999 {
			return fmt.Errorf("fix %d: time %v out of range", r.ID, r.Fix.Time)
		}
		k := fixKey{r.DeviceID, r.Fix.Time.UnixMicro(), bitsOf(r.Fix.Lat), bitsOf(r.Fix.Lon)}
		if _, ok := b.seen[k]; ok {
			r.Duplicate = true
			continue
		}
		b.seen[k] = int32(i)
		b.rows = append(b.rows, i)
		if d := dayOf(r.Fix.Time); !slices.Contains(b.days, d) {
			b.days = append(b.days, d)
		}
		b.buf = appendFixRow(b.buf, r)
	}
	b.buf = appendCopyTrailer(b.buf)
	return nil
}

// bitsOf keys a coordinate as PostgreSQL compares float8: -0 equals 0.
func bitsOf(v float64) uint64 {
	if v == 0 {
		return 0
	}
	return math.Float64bits(v)
}

func (b *batch) release() {
	b.recs = nil
	b.rows = b.rows[:0]
	b.days = b.days[:0]
	clear(b.seen)
	if cap(b.buf) > maxPooledBuf {
		b.buf = nil
	}
	batches.Put(b)
}

// stageAfterConflict is how many batches after one that met a stored fix
// go straight to the staged path. Re-sends come in bursts (devices
// reconnecting after an outage); during one, a plain COPY that fails halfway
// on average is wasted work.
const stageAfterConflict = 16

// write tries the plain COPY, then the staged path if the table already
// held one of the fixes.
func (f *fixes) write(ctx context.Context, b *batch) error {
	if !f.s.alwaysStage && !f.s.stageNext() {
		err := f.s.copyFixes(ctx, b.buf)
		if pgCode(err) != codeUniqueViolation {
			return err
		}
		f.s.staging.Store(stageAfterConflict)
	}
	return f.s.inTx(ctx, func(tx pgx.Tx) error { return writeStaged(ctx, tx, b) })
}

// stageNext reports whether this batch should skip the plain COPY, counting
// down the batches left after a conflict.
func (s *Store) stageNext() bool {
	for {
		n := s.staging.Load()
		if n <= 0 {
			return false
		}
		if s.staging.CompareAndSwap(n, n-1) {
			return true
		}
	}
}

// copyFixes runs one autocommitted COPY of buf into fixes.
func (s *Store) copyFixes(ctx context.Context, buf []byte) error {
	c, err := s.pool.Acquire(ctx)
	if err != nil {
		return err
	}
	defer c.Release()
	return copyFrom(ctx, c.Conn().PgConn(), buf, copyFixes)
}

// writeStaged copies the batch into fix_stage, moves the new rows into
// fixes and flags the others Duplicate.
func writeStaged(ctx context.Context, tx pgx.Tx, b *batch) error {
	if _, err := tx.Exec(ctx, createStage); err != nil {
		return err
	}
	if err := copyFrom(ctx, tx.Conn().PgConn(), b.buf, copyStage); err != nil {
		return err
	}
	inserted, err := queryIDs(ctx, tx, insertStaged)
	if err != nil {
		return err
	}

	var conflicted []int
	for _, i := range b.rows {
		if _, ok := inserted[b.recs[i].ID]; !ok {
			conflicted = append(conflicted, i)
		}
	}
	own, err := ownIDs(ctx, tx, b.recs, conflicted)
	if err != nil {
		return err
	}
	for _, i := range conflicted {
		if _, ok := own[b.recs[i].ID]; !ok {
			b.recs[i].Duplicate = true
		}
	}
	return nil
}

// ownIDs returns which of the rows at idx are stored with their own id.
func ownIDs(
	ctx context.Context, tx pgx.Tx, recs []store.FixRecord, idx []int,
) (map[int64]struct{}, error) {
	if len(idx) == 0 {
		return nil, nil
	}
	ids := make([]int64, len(idx))
	devs := make([]int64, len(idx))
	times := make([]time.Time, len(idx))
	lats := make([]float64, len(idx))
	lons := make([]float64, len(idx))
	for j, i := range idx {
		r := &recs[i]
		ids[j], devs[j], times[j] = r.ID, r.DeviceID, r.Fix.Time
		lats[j], lons[j] = r.Fix.Lat, r.Fix.Lon
	}
	return queryIDs(ctx, tx, ownRows, ids, devs, times, lats, lons)
}

func queryIDs(ctx context.Context, tx pgx.Tx, sql string, args ...any) (map[int64]struct{}, error) {
	rows, err := tx.Query(ctx, sql, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := make(map[int64]struct{})
	var id int64
	for rows.Next() {
		if err := rows.Scan(&id); err != nil {
			return nil, err
		}
		out[id] = struct{}{}
	}
	return out, rows.Err()
}

// Track implements store.Fixes.
func (f *fixes) Track(ctx context.Context, q store.TrackQuery) ([]store.FixRecord, error) {
	limit := store.ClampLimit(q.Limit)
	rows, err := f.s.pool.Query(ctx, selectFix+
		` WHERE device_id = $1 AND fix_time >= $2 AND fix_time < $3
		ORDER BY fix_time, id LIMIT $4`,
		q.DeviceID, bound(q.From, pgtype.NegativeInfinity), bound(q.To, pgtype.Infinity), limit)
	if err != nil {
		return nil, f.s.wrap("track", err)
	}
	defer rows.Close()

	var out []store.FixRecord
	for rows.Next() {
		r, err := scanFix(rows)
		if err != nil {
			return nil, f.s.wrap("track", err)
		}
		out = append(out, r)
	}
	return out, f.s.wrap("track", rows.Err())
}

// bound is t, or the infinity inf when t is zero (an open end).
func bound(t time.Time, inf pgtype.InfinityModifier) pgtype.Timestamptz {
	if t.IsZero() {
		return pgtype.Timestamptz{InfinityModifier: inf, Valid: true}
	}
	return pgtype.Timestamptz{Time: t, Valid: true}
}

// Last implements store.Fixes with one index probe per partition, newest
// partition first: the partitions are ordered by fix time, so PostgreSQL
// scans them in order (an ordered Append) and stops at the first row. For a
// device that reported today that is the empty days ahead and today's
// index. See the package doc for why there is no last-fix table.
func (f *fixes) Last(ctx context.Context, deviceID int64) (store.FixRecord, error) {
	rows, err := f.s.pool.Query(ctx, selectFix+` WHERE device_id = $1
		AND NOT (lat = 0 AND lon = 0) ORDER BY fix_time DESC, id DESC LIMIT 1`, deviceID)
	if err != nil {
		return store.FixRecord{}, f.s.wrap("last fix", err)
	}
	r, err := pgx.CollectExactlyOneRow(rows, scanFix)
	return r, f.s.wrap("last fix", err)
}

// Count implements store.Fixes.
func (f *fixes) Count(ctx context.Context, deviceID int64) (int64, error) {
	var n int64
	err := f.s.pool.QueryRow(ctx,
		`SELECT count(*) FROM fixes WHERE device_id = $1`, deviceID).Scan(&n)
	return n, f.s.wrap("count fixes", err)
}

func scanFix(row pgx.CollectableRow) (store.FixRecord, error) {
	var (
		r     store.FixRecord
		cell  int64
		attrs []byte
	)
	x := &r.Fix
	err := row.Scan(&r.ID, &r.DeviceID, &x.Time, &x.Received, &x.Lat, &x.Lon, &x.Altitude,
		&x.Speed, &x.Course, &x.Satellites, &x.HDOP, &x.Accuracy, &x.Valid, &x.Protocol,
		&cell, &attrs)
	if err != nil {
		return r, err
	}
	x.Time, x.Received = x.Time.UTC(), x.Received.UTC()
	x.Cell = uint64(cell)
	if err := x.Attrs.UnmarshalJSON(attrs); err != nil {
		return r, fmt.Errorf("fix %d attrs: %w", r.ID, err)
	}
	return r, nil
}

// inTx runs fn in a transaction and commits; Append returns only after the
// commit is acknowledged.
func (s *Store) inTx(ctx context.Context, fn func(pgx.Tx) error) error {
	return pgx.BeginFunc(ctx, s.pool, fn)
}
