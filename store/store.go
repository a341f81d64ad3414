// Package store defines the persistence the rest of Dozor uses, as small
// interfaces, and the pieces shared by its implementations: the embedded
// default (store/sqlite) and PostgreSQL (store/postgres). Both pass the one
// conformance suite in store/storetest.
//
// The store holds no business rules. It keeps what it is given, answers the
// queries the API needs, and reports errors; it never logs.
package store

import (
	"context"
	"errors"
	"time"

	"dozor/protocols"
)

// Sentinel errors. Implementations wrap them; callers test with errors.Is.
var (
	// ErrNotFound: the object asked for does not exist.
	ErrNotFound = errors.New("store: not found")
	// ErrConflict: a unique value is already taken.
	ErrConflict = errors.New("store: conflict")
	// ErrClosed: the store was closed.
	ErrClosed = errors.New("store: closed")
	// ErrUnavailable: the store could not be reached (connection refused
	// or lost, server shutting down, no answer in time). The same call may
	// succeed unchanged once it is back, and a successful ping says so;
	// after any other error (a full disk, say) only the call itself can.
	ErrUnavailable = errors.New("store: unavailable")
)

// Store is the root of the persistence layer. It is safe for concurrent use.
type Store interface {
	// Devices is the registry of devices by their protocol identity.
	Devices() Devices

	// Fixes keeps positions.
	Fixes() Fixes

	// Meta keeps small named values (the admin token hash, the schema
	// owner's settings).
	Meta() Meta

	// Geo keeps collectors, debtors, their zones and visits.
	Geo() Geo

	// Ping reports whether the store is reachable and writable now.
	Ping(ctx context.Context) error

	// Close releases the store. Calls after Close fail with ErrClosed.
	Close() error
}

// Device is a tracker or phone known by its identity on the wire.
type Device struct {
	ID        int64     `json:"id"`
	UID       string    `json:"uid"`      // IMEI, terminal id, phone id
	Protocol  string    `json:"protocol"` // protocol it first spoke
	Name      string    `json:"name"`
	Disabled  bool      `json:"disabled"`
	CreatedAt time.Time `json:"created_at"`
}

// Devices is the device registry.
type Devices interface {
	// Create adds a device. A taken UID fails with ErrConflict.
	Create(ctx context.Context, d Device) (Device, error)

	// ByUID returns the device with that protocol identity, or ErrNotFound.
	ByUID(ctx context.Context, uid string) (Device, error)

	// List returns devices ordered by UID, at most limit (0: all) after the
	// UID cursor after (empty: from the start).
	List(ctx context.Context, after string, limit int) ([]Device, error)
}

// FixRecord is a fix on its way into the store, or read back from it.
type FixRecord struct {
	// ID is assigned by the journal before the write (see IDGen), so that
	// later stages can name the fix without a read back.
	ID int64

	// DeviceID is the stored device the fix belongs to.
	DeviceID int64

	// Fix is the position; Fix.Cell is set.
	Fix protocols.Fix

	// Duplicate is set by Append when the store already held the same
	// fix (same device, fix time and coordinates); the row was not written.
	Duplicate bool
}

// TrackQuery selects one device's fixes.
type TrackQuery struct {
	DeviceID int64
	From, To time.Time // fix time, From inclusive, To exclusive; zero: open
	Limit    int       // 0: implementation's maximum
}

// Fixes keeps positions.
type Fixes interface {
	// Append writes recs in one transaction and returns after it is
	// durable (committed and synced as the store is configured). Records
	// equal to one already stored get Duplicate set and are not written
	// again. On error nothing of the batch may be assumed stored.
	Append(ctx context.Context, recs []FixRecord) error

	// Track returns a device's fixes in fix-time order.
	Track(ctx context.Context, q TrackQuery) ([]FixRecord, error)

	// Last returns the device's fix with a position and the latest fix
	// time, or ErrNotFound. Records without a position (a status or an
	// alarm sent with no GPS fix, stored at 0,0 and not valid) are skipped.
	Last(ctx context.Context, deviceID int64) (FixRecord, error)

	// Count returns the number of fixes stored for the device.
	Count(ctx context.Context, deviceID int64) (int64, error)

	// InArea returns the fixes whose cell lies in one of the query's
	// cells, in fix-time order (then id), at most q.Limit. A bad query
	// cell fails with ErrBadCell. See AreaKeySQL for the index it uses.
	InArea(ctx context.Context, q AreaQuery) ([]FixRecord, error)
}

// Meta keeps small named values.
type Meta interface {
	// Get returns the value, or ErrNotFound.
	Get(ctx context.Context, key string) (string, error)

	// Put sets the value.
	Put(ctx context.Context, key, value string) error

	// PutIfAbsent sets the value unless the key exists, and reports
	// whether it did, so that racing first starts agree on one value.
	PutIfAbsent(ctx context.Context, key, value string) (bool, error)
}

// MaxTrackLimit caps one Track or InArea query.
const MaxTrackLimit = 10000

// ClampLimit is the number of rows a query asking for limit returns at
// most: MaxTrackLimit when limit is 0, negative or larger.
func ClampLimit(limit int) int {
	if limit <= 0 || limit > MaxTrackLimit {
		return MaxTrackLimit
	}
	return limit
}
