package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"time"

	"dozor/store"
)

// Geo implements store.Store.
func (s *Store) Geo() store.Geo { return geo{s} }

type geo struct{ s *Store }

func (g geo) Collectors() store.Collectors { return collectors(g) }
func (g geo) Debtors() store.Debtors       { return debtors(g) }
func (g geo) Zones() store.Zones           { return zones(g) }
func (g geo) Visits() store.Visits         { return visits(g) }

func now() time.Time { return time.Now().UTC().Truncate(time.Millisecond) }

// ms converts a time to the stored unix milliseconds.
func ms(t time.Time) int64 { return t.UnixMilli() }

func fromMS(v int64) time.Time { return time.UnixMilli(v).UTC() }

// affected turns "no row changed" into ErrNotFound.
func affected(op string, res sql.Result, err error) error {
	if err != nil {
		return wrap(op, err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return wrap(op, err)
	}
	if n == 0 {
		return wrap(op, sql.ErrNoRows)
	}
	return nil
}

type collectors struct{ s *Store }

func (c collectors) Create(ctx context.Context, x store.Collector) (store.Collector, error) {
	x.CreatedAt = now()
	res, err := c.s.w.ExecContext(ctx,
		`INSERT INTO collectors (name, team, created_at) VALUES (?, ?, ?)`,
		x.Name, x.Team, ms(x.CreatedAt))
	if err != nil {
		return x, wrap("create collector", err)
	}
	x.ID, err = res.LastInsertId()
	return x, wrap("create collector", err)
}

func (c collectors) Get(ctx context.Context, id int64) (store.Collector, error) {
	var (
		x       store.Collector
		created int64
	)
	err := c.s.r.QueryRowContext(ctx,
		`SELECT id, name, team, created_at FROM collectors WHERE id = ?`, id).
		Scan(&x.ID, &x.Name, &x.Team, &created)
	x.CreatedAt = fromMS(created)
	return x, wrap("get collector", err)
}

func (c collectors) List(ctx context.Context) ([]store.Collector, error) {
	rows, err := c.s.r.QueryContext(ctx,
		`SELECT id, name, team, created_at FROM collectors ORDER BY id`)
	if err != nil {
		return nil, wrap("list collectors", err)
	}
	defer rows.Close()
	out := []store.Collector{}
	for rows.Next() {
		var (
			x       store.Collector
			created int64
		)
		if err := rows.Scan(&x.ID, &x.Name, &x.Team, &created); err != nil {
			return nil, wrap("list collectors", err)
		}
		x.CreatedAt = fromMS(created)
		out = append(out, x)
	}
	return out, wrap("list collectors", rows.Err())
}

func (c collectors) Update(ctx context.Context, x store.Collector) error {
	res, err := c.s.w.ExecContext(ctx,
		`UPDATE collectors SET name = ?, team = ? WHERE id = ?`, x.Name, x.Team, x.ID)
	return affected("update collector", res, err)
}

func (c collectors) Delete(ctx context.Context, id int64) error {
	return c.s.tx(ctx, "delete collector", func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx,
			`UPDATE devices SET collector_id = NULL WHERE collector_id = ?`, id); err != nil {
			return err
		}
		res, err := tx.ExecContext(ctx, `DELETE FROM collectors WHERE id = ?`, id)
		return affected("delete collector", res, err)
	})
}

func (c collectors) Devices(ctx context.Context, id int64) ([]store.Device, error) {
	rows, err := c.s.r.QueryContext(ctx,
		`SELECT id, uid, protocol, name, disabled, created_at FROM devices
		 WHERE collector_id = ? ORDER BY uid`, id)
	if err != nil {
		return nil, wrap("collector devices", err)
	}
	defer rows.Close()
	out := []store.Device{}
	for rows.Next() {
		d, err := scanDevice(rows.Scan)
		if err != nil {
			return nil, wrap("collector devices", err)
		}
		out = append(out, d)
	}
	return out, wrap("collector devices", rows.Err())
}

func (c collectors) Link(ctx context.Context, uid string, id int64) error {
	var owner any
	if id != 0 {
		if _, err := c.Get(ctx, id); err != nil {
			return err
		}
		owner = id
	}
	res, err := c.s.w.ExecContext(ctx,
		`UPDATE devices SET collector_id = ? WHERE uid = ?`, owner, uid)
	return affected("link device", res, err)
}

func (c collectors) Owners(ctx context.Context) (map[int64]int64, error) {
	rows, err := c.s.r.QueryContext(ctx,
		`SELECT id, collector_id FROM devices WHERE collector_id IS NOT NULL`)
	if err != nil {
		return nil, wrap("device owners", err)
	}
	defer rows.Close()
	out := map[int64]int64{}
	for rows.Next() {
		var dev, col int64
		if err := rows.Scan(&dev, &col); err != nil {
			return nil, wrap("device owners", err)
		}
		out[dev] = col
	}
	return out, wrap("device owners", rows.Err())
}

// tx runs fn in a write transaction.
func (s *Store) tx(ctx context.Context, op string, fn func(*sql.Tx) error) error {
	tx, err := s.w.BeginTx(ctx, nil)
	if err != nil {
		return wrap(op, err)
	}
	defer tx.Rollback() //nolint:errcheck // no-op after commit
	if err := fn(tx); err != nil {
		return wrap(op, err)
	}
	return wrap(op, tx.Commit())
}

func toJSON(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		panic(fmt.Sprintf("sqlite: marshal %T: %v", v, err))
	}
	return string(b)
}
