package postgres

import (
	"context"

	"dozor/store"
)

var _ store.DeviceUpdater = (*devices)(nil)

// Update implements store.DeviceUpdater.
func (d *devices) Update(ctx context.Context, dev store.Device) (store.Device, error) {
	row := d.s.pool.QueryRow(ctx,
		`UPDATE devices SET name = $1, disabled = $2 WHERE id = $3
		 RETURNING id, uid, protocol, name, disabled, created_at`,
		dev.Name, dev.Disabled, dev.ID)
	out, err := scanDevice(row)
	return out, d.s.wrap("update device", err)
}
