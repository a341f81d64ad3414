package postgres

import (
	"context"
	"time"

	"github.com/jackc/pgx/v5"

	"dozor/store"
)

const selectDevice = `SELECT id, uid, protocol, name, disabled, created_at FROM devices`

type devices struct{ s *Store }

func (d *devices) Create(ctx context.Context, dev store.Device) (store.Device, error) {
	if dev.CreatedAt.IsZero() {
		dev.CreatedAt = time.Now().UTC().Truncate(time.Millisecond)
	}
	err := d.s.pool.QueryRow(ctx,
		`INSERT INTO devices (uid, protocol, name, disabled, created_at)
		 VALUES ($1, $2, $3, $4, $5) RETURNING id`,
		dev.UID, dev.Protocol, dev.Name, dev.Disabled, dev.CreatedAt).Scan(&dev.ID)
	return dev, d.s.wrap("create device", err)
}

func (d *devices) ByUID(ctx context.Context, uid string) (store.Device, error) {
	row := d.s.pool.QueryRow(ctx, selectDevice+` WHERE uid = $1`, uid)
	dev, err := scanDevice(row)
	return dev, d.s.wrap("device by uid", err)
}

func (d *devices) List(ctx context.Context, after string, limit int) ([]store.Device, error) {
	var lim *int
	if limit > 0 {
		lim = &limit
	}
	rows, err := d.s.pool.Query(ctx,
		selectDevice+` WHERE uid > $1 ORDER BY uid LIMIT $2`, after, lim)
	if err != nil {
		return nil, d.s.wrap("list devices", err)
	}
	defer rows.Close()

	var out []store.Device
	for rows.Next() {
		dev, err := scanDevice(rows)
		if err != nil {
			return nil, d.s.wrap("list devices", err)
		}
		out = append(out, dev)
	}
	return out, d.s.wrap("list devices", rows.Err())
}

func scanDevice(row pgx.Row) (store.Device, error) {
	var dev store.Device
	err := row.Scan(&dev.ID, &dev.UID, &dev.Protocol, &dev.Name, &dev.Disabled, &dev.CreatedAt)
	dev.CreatedAt = dev.CreatedAt.UTC()
	return dev, err
}
