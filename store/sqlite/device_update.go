package sqlite

import (
	"context"

	"dozor/store"
)

var _ store.DeviceUpdater = (*devices)(nil)

// Update implements store.DeviceUpdater.
func (d *devices) Update(ctx context.Context, dev store.Device) (store.Device, error) {
	row := d.s.w.QueryRowContext(ctx,
		`UPDATE devices SET name = ?, disabled = ? WHERE id = ?
		 RETURNING id, uid, protocol, name, disabled, created_at`,
		dev.Name, dev.Disabled, dev.ID)
	out, err := scanDevice(row.Scan)
	return out, wrap("update device", err)
}
