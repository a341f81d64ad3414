package sqlite

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"sync"
	"time"

	"dozor/store"
)

// Fixes go in with multi-row INSERTs of up to chunkRows rows (16 values
// each, well under SQLite's 32766 variables), which costs far less per row
// than one statement per fix. RETURNING names the rows written; the others
// were duplicates.
const (
	fixCols   = 16
	chunkRows = 256
)

const insertHead = `INSERT INTO fixes (id, device_id, fix_time, recv_time, lat, lon, altitude,
	speed, course, satellites, hdop, accuracy, valid, protocol, cell, attrs) VALUES `

const insertTail = ` ON CONFLICT (device_id, fix_time, lat, lon) DO NOTHING RETURNING id`

// insertSQL returns the statement for n rows.
func insertSQL(n int) string {
	var b strings.Builder
	b.WriteString(insertHead)
	row := "(" + strings.Repeat("?,", fixCols-1) + "?)"
	for i := range n {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString(row)
	}
	b.WriteString(insertTail)
	return b.String()
}

var fullChunkSQL = insertSQL(chunkRows)

const selectFix = `SELECT id, device_id, fix_time, recv_time, lat, lon, altitude, speed,
	course, satellites, hdop, accuracy, valid, protocol, cell, attrs FROM fixes`

// fixes is the fix table. Its scratch fields are used only by Append, which
// the journal calls from one goroutine at a time (and the single writer
// connection serialises anyway); mu makes that a guarantee.
type fixes struct {
	s     *Store
	mu    sync.Mutex
	args  []any
	attrs []byte
	wrote map[int64]bool
}

// Append writes the batch in one IMMEDIATE transaction on the single writer
// connection; the commit is synced per the synchronous pragma.
func (f *fixes) Append(ctx context.Context, recs []store.FixRecord) error {
	if len(recs) == 0 {
		return nil
	}
	f.mu.Lock()
	defer f.mu.Unlock()

	tx, err := f.s.w.BeginTx(ctx, nil)
	if err != nil {
		return wrap("begin append", err)
	}
	defer tx.Rollback() //nolint:errcheck // no-op after commit

	if f.wrote == nil {
		f.wrote = make(map[int64]bool, len(recs))
	}
	clear(f.wrote)
	for start := 0; start < len(recs); start += chunkRows {
		chunk := recs[start:min(start+chunkRows, len(recs))]
		if err := f.insertChunk(ctx, tx, chunk); err != nil {
			return err
		}
	}
	if err := tx.Commit(); err != nil {
		return wrap("commit append", err)
	}
	for i := range recs {
		recs[i].Duplicate = !f.wrote[recs[i].ID]
	}
	return nil
}

// insertChunk writes up to chunkRows records and notes the ids written.
func (f *fixes) insertChunk(ctx context.Context, tx *sql.Tx, recs []store.FixRecord) error {
	q := fullChunkSQL
	if len(recs) != chunkRows {
		q = insertSQL(len(recs))
	}
	f.args = f.args[:0]
	for i := range recs {
		f.args = f.appendArgs(f.args, &recs[i])
	}
	rows, err := tx.QueryContext(ctx, q, f.args...)
	if err != nil {
		return wrap("insert fixes", err)
	}
	defer rows.Close()
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			return wrap("insert fixes", err)
		}
		f.wrote[id] = true
	}
	return wrap("insert fixes", rows.Err())
}

func (f *fixes) appendArgs(args []any, r *store.FixRecord) []any {
	x := &r.Fix
	f.attrs = x.Attrs.AppendJSON(f.attrs[:0])
	return append(args, r.ID, r.DeviceID, x.Time.UnixMilli(), x.Received.UnixMilli(),
		x.Lat, x.Lon, x.Altitude, x.Speed, x.Course, x.Satellites, x.HDOP, x.Accuracy,
		x.Valid, x.Protocol, int64(x.Cell), string(f.attrs))
}

// msRange is a fix-time range in stored milliseconds; a zero end is open.
func msRange(from, to time.Time) (int64, int64) {
	lo, hi := int64(-1<<62), int64(1<<62)
	if !from.IsZero() {
		lo = from.UnixMilli()
	}
	if !to.IsZero() {
		hi = to.UnixMilli()
	}
	return lo, hi
}

func (f *fixes) Track(ctx context.Context, q store.TrackQuery) ([]store.FixRecord, error) {
	limit := store.ClampLimit(q.Limit)
	from, to := msRange(q.From, q.To)
	rows, err := f.s.r.QueryContext(ctx, selectFix+
		` WHERE device_id = ? AND fix_time >= ? AND fix_time < ? ORDER BY fix_time, id LIMIT ?`,
		q.DeviceID, from, to, limit)
	if err != nil {
		return nil, wrap("track", err)
	}
	defer rows.Close()

	var out []store.FixRecord
	for rows.Next() {
		r, err := scanFix(rows.Scan)
		if err != nil {
			return nil, wrap("track", err)
		}
		out = append(out, r)
	}
	return out, wrap("track", rows.Err())
}

func (f *fixes) Last(ctx context.Context, deviceID int64) (store.FixRecord, error) {
	row := f.s.r.QueryRowContext(ctx, selectFix+` WHERE device_id = ?
		AND NOT (lat = 0 AND lon = 0) ORDER BY fix_time DESC, id DESC LIMIT 1`, deviceID)
	r, err := scanFix(row.Scan)
	return r, wrap("last fix", err)
}

func (f *fixes) Count(ctx context.Context, deviceID int64) (int64, error) {
	var n int64
	err := f.s.r.QueryRowContext(ctx,
		`SELECT count(*) FROM fixes WHERE device_id = ?`, deviceID).Scan(&n)
	return n, wrap("count fixes", err)
}

func scanFix(scan func(...any) error) (store.FixRecord, error) {
	var (
		r          store.FixRecord
		fixT, recv int64
		cell       int64
		attrs      string
	)
	x := &r.Fix
	err := scan(&r.ID, &r.DeviceID, &fixT, &recv, &x.Lat, &x.Lon, &x.Altitude, &x.Speed,
		&x.Course, &x.Satellites, &x.HDOP, &x.Accuracy, &x.Valid, &x.Protocol, &cell, &attrs)
	if err != nil {
		return r, err
	}
	x.Time = time.UnixMilli(fixT).UTC()
	x.Received = time.UnixMilli(recv).UTC()
	x.Cell = uint64(cell)
	if err := x.Attrs.UnmarshalJSON([]byte(attrs)); err != nil {
		return r, fmt.Errorf("fix %d attrs: %w", r.ID, err)
	}
	return r, nil
}
