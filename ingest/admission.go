package ingest

import (
	"context"
	"errors"
	"fmt"

	"dozor/store"
)

// This file holds what decides, per listener and per message, whether a
// device may speak: the allow-list policy of a listener, and the registry's
// reaction to an admin disabling or re-enabling a device.

// DeviceChanged replaces the cached state of a device after the API changed
// it in the store. Disabling takes effect at once: HTTP and UDP messages
// are checked against the cache as they come, and stream connections
// (TCP, TLS) check it on each message and close when it says disabled.
func (r *Registry) DeviceChanged(d store.Device) {
	r.mu.Lock()
	r.byUID[d.UID] = d
	r.mu.Unlock()
}

// remember caches d unless the cache already holds the device, and returns
// the cached one: a lookup that read the store before an admin's change
// must not overwrite the newer state DeviceChanged put there.
func (r *Registry) remember(d store.Device) store.Device {
	r.mu.Lock()
	defer r.mu.Unlock()
	if c, ok := r.byUID[d.UID]; ok {
		return c
	}
	r.byUID[d.UID] = d
	return d
}

// recheck refuses a connection's device (zero: none yet) that the cache
// now says is disabled. It never blocks on the store, so event loops call
// it per message.
func (r *Registry) recheck(d store.Device) error {
	if d.ID == 0 {
		return nil
	}
	if c, ok := r.Cached(d.UID); ok && c.Disabled {
		return fmt.Errorf("device %q disabled: %w", d.UID, ErrRefused)
	}
	return nil
}

// resolveFor is Resolve under a listener's policy: on an allow-list
// listener an unknown device is refused whatever the global policy, and
// never created.
func (r *Registry) resolveFor(ctx context.Context, uid, proto string, allow bool) (
	store.Device, error) {
	if !allow {
		return r.Resolve(ctx, uid, proto)
	}
	d, ok := r.Cached(uid)
	if !ok {
		var err error
		d, err = r.devices.ByUID(ctx, uid)
		if errors.Is(err, store.ErrNotFound) {
			return store.Device{}, fmt.Errorf("device %q not on the allow-list: %w", uid, ErrRefused)
		}
		if err != nil {
			return store.Device{}, err
		}
		d = r.remember(d)
	}
	return admitDevice(d, proto, allow)
}

// admitDevice checks a known device against a listener's policy: it must
// be enabled and, on an allow-list listener, registered for the listener's
// protocol. The protocol check keeps a device created by another, open
// listener (or by a phone on the OsmAnd port) off the allow-list: under
// it only an admin's POST /api/v1/devices, or a device that spoke this
// protocol before the policy was set, lets a tracker in.
func admitDevice(d store.Device, proto string, allow bool) (store.Device, error) {
	if allow && d.Protocol != proto {
		return store.Device{}, fmt.Errorf("device %q registered for %s, not %s: %w",
			d.UID, d.Protocol, proto, ErrRefused)
	}
	return checkEnabled(d)
}

// WithAllowList sets the handler's allow-list policy (see admitDevice).
func (h *HTTPHandler) WithAllowList(allow bool) *HTTPHandler {
	h.allow = allow
	return h
}
