package store

import "context"

// DeviceUpdater changes what an admin may change on a registered device.
// The Devices of both stores implement it; callers reach it with a type
// assertion on Store.Devices().
type DeviceUpdater interface {
	// Update writes the name and the disabled flag of device d.ID (its
	// other fields are ignored) and returns the device as stored. An
	// unknown id fails with ErrNotFound.
	Update(ctx context.Context, d Device) (Device, error)
}
