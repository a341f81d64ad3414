package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"

	"dozor/store"
)

type debtors struct{ s *Store }

const debtorCols = `id, COALESCE(external_id, ''), name, phones, team, created_at`

func (d debtors) Create(ctx context.Context, x store.Debtor) (store.Debtor, error) {
	x.CreatedAt = now()
	res, err := d.s.w.ExecContext(ctx,
		`INSERT INTO debtors (external_id, name, phones, team, created_at) VALUES (?, ?, ?, ?, ?)`,
		x.ExternalID, d.s.pii.Seal(x.Name, store.FieldDebtorName),
		toJSON(d.s.pii.SealAll(phones(x.Phones), store.FieldDebtorPhone)), x.Team, ms(x.CreatedAt))
	if err != nil {
		return x, wrap("create debtor", err)
	}
	x.ID, err = res.LastInsertId()
	return x, wrap("create debtor", err)
}

func phones(p []string) []string {
	if p == nil {
		return []string{}
	}
	return p
}

func (d debtors) scan(scan func(...any) error) (store.Debtor, error) {
	var (
		x       store.Debtor
		ph      string
		created int64
	)
	if err := scan(&x.ID, &x.ExternalID, &x.Name, &ph, &x.Team, &created); err != nil {
		return x, err
	}
	x.CreatedAt = fromMS(created)
	if err := json.Unmarshal([]byte(ph), &x.Phones); err != nil {
		return x, err
	}
	var err error
	if x.Name, err = d.s.pii.Open(x.Name, store.FieldDebtorName); err != nil {
		return x, err
	}
	return x, d.s.pii.OpenAll(x.Phones, store.FieldDebtorPhone)
}

func (d debtors) Get(ctx context.Context, id int64) (store.Debtor, error) {
	x, err := d.scan(d.s.r.QueryRowContext(ctx,
		`SELECT `+debtorCols+` FROM debtors WHERE id = ?`, id).Scan)
	return x, wrap("get debtor", err)
}

func (d debtors) List(ctx context.Context) ([]store.Debtor, error) {
	rows, err := d.s.r.QueryContext(ctx, `SELECT `+debtorCols+` FROM debtors ORDER BY id`)
	if err != nil {
		return nil, wrap("list debtors", err)
	}
	defer rows.Close()
	out := []store.Debtor{}
	for rows.Next() {
		x, err := d.scan(rows.Scan)
		if err != nil {
			return nil, wrap("list debtors", err)
		}
		out = append(out, x)
	}
	return out, wrap("list debtors", rows.Err())
}

func (d debtors) Update(ctx context.Context, x store.Debtor) error {
	res, err := d.s.w.ExecContext(ctx,
		`UPDATE debtors SET external_id = ?, name = ?, phones = ?, team = ? WHERE id = ?`,
		x.ExternalID, d.s.pii.Seal(x.Name, store.FieldDebtorName),
		toJSON(d.s.pii.SealAll(phones(x.Phones), store.FieldDebtorPhone)), x.Team, x.ID)
	return affected("update debtor", res, err)
}

func (d debtors) Delete(ctx context.Context, id int64) error {
	return d.s.tx(ctx, "delete debtor", func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `DELETE FROM zones WHERE debtor_id = ?`, id); err != nil {
			return err
		}
		res, err := tx.ExecContext(ctx, `DELETE FROM debtors WHERE id = ?`, id)
		return affected("delete debtor", res, err)
	})
}
