package sqlite

import (
	"context"
	"time"

	"dozor/store"
)

type devices struct{ s *Store }

func (d *devices) Create(ctx context.Context, dev store.Device) (store.Device, error) {
	if dev.CreatedAt.IsZero() {
		dev.CreatedAt = time.Now().UTC().Truncate(time.Millisecond)
	}
	res, err := d.s.w.ExecContext(ctx,
		`INSERT INTO devices (uid, protocol, name, disabled, created_at) VALUES (?, ?, ?, ?, ?)`,
		dev.UID, dev.Protocol, dev.Name, dev.Disabled, dev.CreatedAt.UnixMilli())
	if err != nil {
		return store.Device{}, wrap("create device", err)
	}
	dev.ID, err = res.LastInsertId()
	return dev, wrap("create device", err)
}

func (d *devices) ByUID(ctx context.Context, uid string) (store.Device, error) {
	row := d.s.r.QueryRowContext(ctx,
		`SELECT id, uid, protocol, name, disabled, created_at FROM devices WHERE uid = ?`, uid)
	dev, err := scanDevice(row.Scan)
	return dev, wrap("device by uid", err)
}

func (d *devices) List(ctx context.Context, after string, limit int) ([]store.Device, error) {
	if limit <= 0 {
		limit = -1
	}
	rows, err := d.s.r.QueryContext(ctx,
		`SELECT id, uid, protocol, name, disabled, created_at FROM devices
		 WHERE uid > ? ORDER BY uid LIMIT ?`, after, limit)
	if err != nil {
		return nil, wrap("list devices", err)
	}
	defer rows.Close()

	var out []store.Device
	for rows.Next() {
		dev, err := scanDevice(rows.Scan)
		if err != nil {
			return nil, wrap("list devices", err)
		}
		out = append(out, dev)
	}
	return out, wrap("list devices", rows.Err())
}

func scanDevice(scan func(...any) error) (store.Device, error) {
	var (
		dev     store.Device
		created int64
	)
	err := scan(&dev.ID, &dev.UID, &dev.Protocol, &dev.Name, &dev.Disabled, &created)
	dev.CreatedAt = time.UnixMilli(created).UTC()
	return dev, err
}
