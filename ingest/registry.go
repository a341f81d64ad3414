package ingest

import (
	"context"
	"errors"
	"fmt"
	"sync"

	"dozor/store"
)

// Policy says what happens to a device the registry does not know.
type Policy string

// Unknown-device policies.
const (
	// PolicyRegister accepts an unknown device and creates it: the
	// embedded default, so that a tracker pointed at a new server works.
	PolicyRegister Policy = "register"
	// PolicyReject refuses an unknown device's handshake.
	PolicyReject Policy = "reject"
)

// ErrRefused is returned when policy or the device's state refuses it.
var ErrRefused = errors.New("ingest: device refused")

// ParsePolicy checks a policy name.
func ParsePolicy(s string) (Policy, error) {
	switch Policy(s) {
	case PolicyRegister, PolicyReject:
		return Policy(s), nil
	}
	return "", fmt.Errorf("unknown-device policy %q: want register or reject", s)
}

// Registry resolves device identities to stored devices, with a cache so
// that the common case (a known device reconnecting) needs no store read.
// It is safe for concurrent use.
type Registry struct {
	devices store.Devices
	policy  Policy

	mu    sync.RWMutex
	byUID map[string]store.Device
}

// NewRegistry returns a registry over devices with the given policy.
func NewRegistry(devices store.Devices, policy Policy) *Registry {
	return &Registry{devices: devices, policy: policy, byUID: make(map[string]store.Device)}
}

// Preload fills the cache with every stored device, so that logins after a
// restart resolve without touching the store.
func (r *Registry) Preload(ctx context.Context) (int, error) {
	after := ""
	n := 0
	for {
		page, err := r.devices.List(ctx, after, 5000)
		if err != nil {
			return n, fmt.Errorf("preload devices: %w", err)
		}
		if len(page) == 0 {
			return n, nil
		}
		r.mu.Lock()
		for _, d := range page {
			r.byUID[d.UID] = d
		}
		r.mu.Unlock()
		n += len(page)
		after = page[len(page)-1].UID
	}
}

// Cached returns the device for uid if the cache holds it. It never blocks
// on the store, so event loops may call it.
func (r *Registry) Cached(uid string) (store.Device, bool) {
	r.mu.RLock()
	d, ok := r.byUID[uid]
	r.mu.RUnlock()
	return d, ok
}

// Resolve returns the device for uid, creating it under PolicyRegister. It
// may read and write the store: call it off the event loops. A disabled
// device, or an unknown one under PolicyReject, gives ErrRefused.
func (r *Registry) Resolve(ctx context.Context, uid, protocol string) (store.Device, error) {
	if d, ok := r.Cached(uid); ok {
		return checkEnabled(d)
	}
	d, err := r.devices.ByUID(ctx, uid)
	if errors.Is(err, store.ErrNotFound) {
		d, err = r.create(ctx, uid, protocol)
	}
	if err != nil {
		return store.Device{}, err
	}
	return checkEnabled(r.remember(d))
}

func (r *Registry) create(ctx context.Context, uid, protocol string) (store.Device, error) {
	if r.policy != PolicyRegister {
		return store.Device{}, fmt.Errorf("unknown device %q: %w", uid, ErrRefused)
	}
	d, err := r.devices.Create(ctx, store.Device{UID: uid, Protocol: protocol})
	if errors.Is(err, store.ErrConflict) {
		// Another connection created it first.
		return r.devices.ByUID(ctx, uid)
	}
	if err != nil {
		return store.Device{}, fmt.Errorf("register device %q: %w", uid, err)
	}
	return d, nil
}

func checkEnabled(d store.Device) (store.Device, error) {
	if d.Disabled {
		return store.Device{}, fmt.Errorf("device %q disabled: %w", d.UID, ErrRefused)
	}
	return d, nil
}
