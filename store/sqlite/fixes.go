package sqlite

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"dozor/store"
)

const insertFix = `INSERT INTO fixes (id, device_id, fix_time, recv_time, lat, lon, altitude,
	speed, course, satellites, hdop, accuracy, valid, protocol, cell, attrs)
	VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
	ON CONFLICT (device_id, fix_time, lat, lon) DO NOTHING`

const selectFix = `SELECT id, device_id, fix_time, recv_time, lat, lon, altitude, speed,
	course, satellites, hdop, accuracy, valid, protocol, cell, attrs FROM fixes`

type fixes struct {
	s     *Store
	attrs []byte // JSON scratch, used under the single writer connection
}

// Append writes the batch in one IMMEDIATE transaction on the single writer
// connection; the commit is synced per the synchronous pragma.
func (f *fixes) Append(ctx context.Context, recs []store.FixRecord) error {
	if len(recs) == 0 {
		return nil
	}
	tx, err := f.s.w.BeginTx(ctx, nil)
	if err != nil {
		return wrap("begin append", err)
	}
	defer tx.Rollback() //nolint:errcheck // no-op after commit

	stmt, err := tx.PrepareContext(ctx, insertFix)
	if err != nil {
		return wrap("prepare append", err)
	}
	defer stmt.Close()

	for i := range recs {
		if err := f.insert(ctx, stmt, &recs[i]); err != nil {
			return err
		}
	}
	return wrap("commit append", tx.Commit())
}

func (f *fixes) insert(ctx context.Context, stmt *sql.Stmt, r *store.FixRecord) error {
	x := &r.Fix
	f.attrs = x.Attrs.AppendJSON(f.attrs[:0])
	res, err := stmt.ExecContext(ctx, r.ID, r.DeviceID, x.Time.UnixMilli(),
		x.Received.UnixMilli(), x.Lat, x.Lon, x.Altitude, x.Speed, x.Course,
		x.Satellites, x.HDOP, x.Accuracy, x.Valid, x.Protocol, int64(x.Cell),
		string(f.attrs))
	if err != nil {
		return wrap("insert fix", err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return wrap("insert fix", err)
	}
	r.Duplicate = n == 0
	return nil
}

func (f *fixes) Track(ctx context.Context, q store.TrackQuery) ([]store.FixRecord, error) {
	limit := q.Limit
	if limit <= 0 || limit > store.MaxTrackLimit {
		limit = store.MaxTrackLimit
	}
	from, to := int64(-1<<62), int64(1<<62)
	if !q.From.IsZero() {
		from = q.From.UnixMilli()
	}
	if !q.To.IsZero() {
		to = q.To.UnixMilli()
	}
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
	row := f.s.r.QueryRowContext(ctx, selectFix+
		` WHERE device_id = ? ORDER BY fix_time DESC, id DESC LIMIT 1`, deviceID)
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
