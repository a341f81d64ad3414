package postgres

import (
	"context"
	"time"

	"github.com/jackc/pgx/v5"

	"dozor/store"
)

type zones struct{ s *Store }

const zoneCols = `id, debtor_id, address, shape, lat, lon, radius, exit_radius,
	polygon, exit_margin, min_dwell, created_at`

func polygonArg(z store.Zone) any {
	if len(z.Polygon) == 0 {
		return nil
	}
	return string(z.Polygon)
}

func (z zones) Create(ctx context.Context, zs []store.Zone) ([]store.Zone, error) {
	out := make([]store.Zone, len(zs))
	err := pgx.BeginFunc(ctx, z.s.pool, func(tx pgx.Tx) error {
		for i, x := range zs {
			x.CreatedAt = now()
			var id *int64
			if x.ID != 0 {
				id = &x.ID
			}
			err := tx.QueryRow(ctx, `INSERT INTO zones (id, debtor_id, address, shape, lat,
				lon, radius, exit_radius, polygon, exit_margin, min_dwell, created_at)
				SELECT COALESCE($1, nextval(pg_get_serial_sequence('zones', 'id'))), id,
				$2, $3, $4, $5, $6, $7, $8, $9, $10, $11 FROM debtors WHERE id = $12
				RETURNING id`, id, z.s.pii.Seal(x.Address, store.FieldZoneAddress), x.Shape,
				x.Lat, x.Lon, x.Radius, x.ExitRadius, polygonArg(x), x.ExitMargin, x.MinDwell, x.CreatedAt, x.DebtorID).Scan(&x.ID)
			if err != nil {
				return z.s.wrap("zone of unknown debtor", err)
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

func (z zones) scan(row pgx.Row) (store.Zone, error) {
	var (
		x       store.Zone
		poly    []byte
		created time.Time
	)
	err := row.Scan(&x.ID, &x.DebtorID, &x.Address, &x.Shape, &x.Lat, &x.Lon, &x.Radius,
		&x.ExitRadius, &poly, &x.ExitMargin, &x.MinDwell, &created)
	if len(poly) > 0 {
		x.Polygon = poly
	}
	x.CreatedAt = created.UTC()
	if err != nil {
		return x, err
	}
	x.Address, err = z.s.pii.Open(x.Address, store.FieldZoneAddress)
	return x, err
}

func (z zones) Get(ctx context.Context, id int64) (store.Zone, error) {
	x, err := z.scan(z.s.pool.QueryRow(ctx, `SELECT `+zoneCols+` FROM zones WHERE id = $1`, id))
	return x, z.s.wrap("get zone", err)
}

func (z zones) List(ctx context.Context, debtorID int64) ([]store.Zone, error) {
	rows, err := z.s.pool.Query(ctx, `SELECT `+zoneCols+` FROM zones
		WHERE $1 = 0 OR debtor_id = $1 ORDER BY id`, debtorID)
	if err != nil {
		return nil, z.s.wrap("list zones", err)
	}
	defer rows.Close()
	out := []store.Zone{}
	for rows.Next() {
		x, err := z.scan(rows)
		if err != nil {
			return nil, z.s.wrap("list zones", err)
		}
		out = append(out, x)
	}
	return out, z.s.wrap("list zones", rows.Err())
}

func (z zones) Update(ctx context.Context, x store.Zone) error {
	tag, err := z.s.pool.Exec(ctx, `UPDATE zones SET address = $1, shape = $2, lat = $3,
		lon = $4, radius = $5, exit_radius = $6, polygon = $7, exit_margin = $8,
		min_dwell = $9 WHERE id = $10`, z.s.pii.Seal(x.Address, store.FieldZoneAddress),
		x.Shape, x.Lat, x.Lon, x.Radius, x.ExitRadius, polygonArg(x), x.ExitMargin, x.MinDwell, x.ID)
	return z.s.changed("update zone", tag, err)
}

func (z zones) Delete(ctx context.Context, id int64) error {
	tag, err := z.s.pool.Exec(ctx, `DELETE FROM zones WHERE id = $1`, id)
	return z.s.changed("delete zone", tag, err)
}
