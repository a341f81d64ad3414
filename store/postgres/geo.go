package postgres

import (
	"context"
	"encoding/json"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"dozor/store"
)

// Geo implements store.Store.
func (s *Store) Geo() store.Geo { return geo{s} }

type geo struct{ s *Store }

func (g geo) Collectors() store.Collectors { return collectors(g) }
func (g geo) Debtors() store.Debtors       { return debtors(g) }
func (g geo) Zones() store.Zones           { return zones(g) }
func (g geo) Visits() store.Visits         { return visits(g) }

func now() time.Time { return time.Now().UTC().Truncate(time.Microsecond) }

// changed turns "no row changed" into ErrNotFound.
func (s *Store) changed(op string, tag pgconn.CommandTag, err error) error {
	if err != nil {
		return s.wrap(op, err)
	}
	if tag.RowsAffected() == 0 {
		return s.wrap(op, pgx.ErrNoRows)
	}
	return nil
}

type collectors struct{ s *Store }

func (c collectors) Create(ctx context.Context, x store.Collector) (store.Collector, error) {
	x.CreatedAt = now()
	err := c.s.pool.QueryRow(ctx, `INSERT INTO collectors (name, team, created_at)
		VALUES ($1, $2, $3) RETURNING id`, x.Name, x.Team, x.CreatedAt).Scan(&x.ID)
	return x, c.s.wrap("create collector", err)
}

func (c collectors) Get(ctx context.Context, id int64) (store.Collector, error) {
	var x store.Collector
	err := c.s.pool.QueryRow(ctx, `SELECT id, name, team, created_at FROM collectors
		WHERE id = $1`, id).Scan(&x.ID, &x.Name, &x.Team, &x.CreatedAt)
	x.CreatedAt = x.CreatedAt.UTC()
	return x, c.s.wrap("get collector", err)
}

func (c collectors) List(ctx context.Context) ([]store.Collector, error) {
	rows, err := c.s.pool.Query(ctx, `SELECT id, name, team, created_at FROM collectors
		ORDER BY id`)
	if err != nil {
		return nil, c.s.wrap("list collectors", err)
	}
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (store.Collector, error) {
		var x store.Collector
		err := r.Scan(&x.ID, &x.Name, &x.Team, &x.CreatedAt)
		x.CreatedAt = x.CreatedAt.UTC()
		return x, err
	})
	if out == nil {
		out = []store.Collector{}
	}
	return out, c.s.wrap("list collectors", err)
}

func (c collectors) Update(ctx context.Context, x store.Collector) error {
	tag, err := c.s.pool.Exec(ctx, `UPDATE collectors SET name = $1, team = $2 WHERE id = $3`,
		x.Name, x.Team, x.ID)
	return c.s.changed("update collector", tag, err)
}

func (c collectors) Delete(ctx context.Context, id int64) error {
	return pgx.BeginFunc(ctx, c.s.pool, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `UPDATE devices SET collector_id = NULL
			WHERE collector_id = $1`, id); err != nil {
			return c.s.wrap("delete collector", err)
		}
		tag, err := tx.Exec(ctx, `DELETE FROM collectors WHERE id = $1`, id)
		return c.s.changed("delete collector", tag, err)
	})
}

func (c collectors) Devices(ctx context.Context, id int64) ([]store.Device, error) {
	rows, err := c.s.pool.Query(ctx, `SELECT id, uid, protocol, name, disabled, created_at
		FROM devices WHERE collector_id = $1 ORDER BY uid`, id)
	if err != nil {
		return nil, c.s.wrap("collector devices", err)
	}
	defer rows.Close()
	out := []store.Device{}
	for rows.Next() {
		d, err := scanDevice(rows)
		if err != nil {
			return nil, c.s.wrap("collector devices", err)
		}
		out = append(out, d)
	}
	return out, c.s.wrap("collector devices", rows.Err())
}

func (c collectors) Link(ctx context.Context, uid string, id int64) error {
	var owner *int64
	if id != 0 {
		if _, err := c.Get(ctx, id); err != nil {
			return err
		}
		owner = &id
	}
	tag, err := c.s.pool.Exec(ctx, `UPDATE devices SET collector_id = $1 WHERE uid = $2`,
		owner, uid)
	return c.s.changed("link device", tag, err)
}

func (c collectors) Owners(ctx context.Context) (map[int64]int64, error) {
	rows, err := c.s.pool.Query(ctx, `SELECT id, collector_id FROM devices
		WHERE collector_id IS NOT NULL`)
	if err != nil {
		return nil, c.s.wrap("device owners", err)
	}
	defer rows.Close()
	out := map[int64]int64{}
	for rows.Next() {
		var dev, col int64
		if err := rows.Scan(&dev, &col); err != nil {
			return nil, c.s.wrap("device owners", err)
		}
		out[dev] = col
	}
	return out, c.s.wrap("device owners", rows.Err())
}

type debtors struct{ s *Store }

const debtorCols = `id, external_id, name, phones, team, created_at`

func (d debtors) scan(row pgx.Row) (store.Debtor, error) {
	var (
		x  store.Debtor
		ph []byte
	)
	if err := row.Scan(&x.ID, &x.ExternalID, &x.Name, &ph, &x.Team, &x.CreatedAt); err != nil {
		return x, err
	}
	x.CreatedAt = x.CreatedAt.UTC()
	if err := json.Unmarshal(ph, &x.Phones); err != nil {
		return x, err
	}
	var err error
	if x.Name, err = d.s.pii.Open(x.Name, store.FieldDebtorName); err != nil {
		return x, err
	}
	return x, d.s.pii.OpenAll(x.Phones, store.FieldDebtorPhone)
}

func phonesJSON(p []string) []byte {
	if p == nil {
		p = []string{}
	}
	b, _ := json.Marshal(p)
	return b
}

func (d debtors) Create(ctx context.Context, x store.Debtor) (store.Debtor, error) {
	x.CreatedAt = now()
	err := d.s.pool.QueryRow(ctx, `INSERT INTO debtors (external_id, name, phones, team,
		created_at) VALUES ($1, $2, $3, $4, $5) RETURNING id`, x.ExternalID,
		d.s.pii.Seal(x.Name, store.FieldDebtorName),
		phonesJSON(d.s.pii.SealAll(phones(x.Phones), store.FieldDebtorPhone)), x.Team,
		x.CreatedAt).Scan(&x.ID)
	return x, d.s.wrap("create debtor", err)
}

func (d debtors) Get(ctx context.Context, id int64) (store.Debtor, error) {
	x, err := d.scan(d.s.pool.QueryRow(ctx,
		`SELECT `+debtorCols+` FROM debtors WHERE id = $1`, id))
	return x, d.s.wrap("get debtor", err)
}

func (d debtors) List(ctx context.Context) ([]store.Debtor, error) {
	rows, err := d.s.pool.Query(ctx, `SELECT `+debtorCols+` FROM debtors ORDER BY id`)
	if err != nil {
		return nil, d.s.wrap("list debtors", err)
	}
	defer rows.Close()
	out := []store.Debtor{}
	for rows.Next() {
		x, err := d.scan(rows)
		if err != nil {
			return nil, d.s.wrap("list debtors", err)
		}
		out = append(out, x)
	}
	return out, d.s.wrap("list debtors", rows.Err())
}

func (d debtors) Update(ctx context.Context, x store.Debtor) error {
	tag, err := d.s.pool.Exec(ctx, `UPDATE debtors SET external_id = $1, name = $2,
		phones = $3, team = $4 WHERE id = $5`, x.ExternalID,
		d.s.pii.Seal(x.Name, store.FieldDebtorName),
		phonesJSON(d.s.pii.SealAll(phones(x.Phones), store.FieldDebtorPhone)), x.Team, x.ID)
	return d.s.changed("update debtor", tag, err)
}

func (d debtors) Delete(ctx context.Context, id int64) error {
	tag, err := d.s.pool.Exec(ctx, `DELETE FROM debtors WHERE id = $1`, id)
	return d.s.changed("delete debtor", tag, err)
}

func phones(p []string) []string {
	if p == nil {
		return []string{}
	}
	return p
}
