package sqlite

import (
	"context"
	"database/sql"

	"dozor/store"
)

type zones struct{ s *Store }

const zoneCols = `id, debtor_id, address, shape, lat, lon, radius, exit_radius,
	COALESCE(polygon, ''), exit_margin, min_dwell, created_at`

func (z zones) Create(ctx context.Context, zs []store.Zone) ([]store.Zone, error) {
	out := make([]store.Zone, len(zs))
	err := z.s.tx(ctx, "create zones", func(tx *sql.Tx) error {
		for i, x := range zs {
			x.CreatedAt = now()
			var id any
			if x.ID != 0 {
				id = x.ID
			}
			res, err := tx.ExecContext(ctx, `INSERT INTO zones (id, debtor_id, address, shape,
				lat, lon, radius, exit_radius, polygon, exit_margin, min_dwell, created_at)
				SELECT ?, id, ?, ?, ?, ?, ?, ?, ?, ?, ?, ? FROM debtors WHERE id = ?`,
				id, z.s.pii.Seal(x.Address, store.FieldZoneAddress), x.Shape, x.Lat, x.Lon,
				x.Radius, x.ExitRadius,
				nullText(string(x.Polygon)), x.ExitMargin, x.MinDwell, ms(x.CreatedAt), x.DebtorID)
			if err := affected("zone of unknown debtor", res, err); err != nil {
				return err
			}
			if x.ID == 0 {
				if x.ID, err = res.LastInsertId(); err != nil {
					return err
				}
			}
			out[i] = x
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

func nullText(s string) any {
	if s == "" {
		return nil
	}
	return s
}

func (z zones) scan(scan func(...any) error) (store.Zone, error) {
	var (
		x       store.Zone
		poly    string
		created int64
	)
	err := scan(&x.ID, &x.DebtorID, &x.Address, &x.Shape, &x.Lat, &x.Lon, &x.Radius,
		&x.ExitRadius, &poly, &x.ExitMargin, &x.MinDwell, &created)
	if poly != "" {
		x.Polygon = []byte(poly)
	}
	x.CreatedAt = fromMS(created)
	if err != nil {
		return x, err
	}
	x.Address, err = z.s.pii.Open(x.Address, store.FieldZoneAddress)
	return x, err
}

func (z zones) Get(ctx context.Context, id int64) (store.Zone, error) {
	x, err := z.scan(z.s.r.QueryRowContext(ctx,
		`SELECT `+zoneCols+` FROM zones WHERE id = ?`, id).Scan)
	return x, wrap("get zone", err)
}

func (z zones) List(ctx context.Context, debtorID int64) ([]store.Zone, error) {
	rows, err := z.s.r.QueryContext(ctx, `SELECT `+zoneCols+` FROM zones
		WHERE ? = 0 OR debtor_id = ? ORDER BY id`, debtorID, debtorID)
	if err != nil {
		return nil, wrap("list zones", err)
	}
	defer rows.Close()
	out := []store.Zone{}
	for rows.Next() {
		x, err := z.scan(rows.Scan)
		if err != nil {
			return nil, wrap("list zones", err)
		}
		out = append(out, x)
	}
	return out, wrap("list zones", rows.Err())
}

func (z zones) Update(ctx context.Context, x store.Zone) error {
	res, err := z.s.w.ExecContext(ctx, `UPDATE zones SET address = ?, shape = ?, lat = ?,
		lon = ?, radius = ?, exit_radius = ?, polygon = ?, exit_margin = ?, min_dwell = ?
		WHERE id = ?`, z.s.pii.Seal(x.Address, store.FieldZoneAddress), x.Shape, x.Lat, x.Lon,
		x.Radius, x.ExitRadius,
		nullText(string(x.Polygon)), x.ExitMargin, x.MinDwell, x.ID)
	return affected("update zone", res, err)
}

func (z zones) Delete(ctx context.Context, id int64) error {
	res, err := z.s.w.ExecContext(ctx, `DELETE FROM zones WHERE id = ?`, id)
	return affected("delete zone", res, err)
}
