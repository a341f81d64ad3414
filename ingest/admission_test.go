package ingest

import (
	"context"
	"errors"
	"testing"

	"dozor/store"
)

// fakeDevices is a store.Devices over a map; during runs inside ByUID, so
// a test can land an admin's change between the store read and the cache.
type fakeDevices struct {
	byUID   map[string]store.Device
	created int
	during  func()
}

func (f *fakeDevices) Create(_ context.Context, d store.Device) (store.Device, error) {
	f.created++
	d.ID = int64(100 + f.created)
	f.byUID[d.UID] = d
	return d, nil
}

func (f *fakeDevices) ByUID(_ context.Context, uid string) (store.Device, error) {
	d, ok := f.byUID[uid]
	if f.during != nil {
		f.during()
	}
	if !ok {
		return d, store.ErrNotFound
	}
	return d, nil
}

func (f *fakeDevices) List(context.Context, string, int) ([]store.Device, error) {
	return nil, nil
}

func TestDisableDuringLookupWins(t *testing.T) {
	dev := store.Device{ID: 1, UID: "356300000000001", Protocol: "teltonika"}
	f := &fakeDevices{byUID: map[string]store.Device{dev.UID: dev}}
	r := NewRegistry(f, PolicyRegister)
	off := dev
	off.Disabled = true
	f.during = func() { r.DeviceChanged(off) } // the store read returns the old state

	if _, err := r.Resolve(context.Background(), dev.UID, "teltonika"); !errors.Is(err, ErrRefused) {
		t.Fatalf("resolve after a disable that raced the lookup: %v, want ErrRefused", err)
	}
	if err := r.recheck(dev); !errors.Is(err, ErrRefused) {
		t.Fatalf("recheck of a disabled device: %v", err)
	}
	r.DeviceChanged(dev)
	if err := r.recheck(dev); err != nil {
		t.Fatalf("recheck after re-enable: %v", err)
	}
}

func TestAllowList(t *testing.T) {
	f := &fakeDevices{byUID: map[string]store.Device{
		"ahead": {ID: 1, UID: "ahead", Protocol: "teltonika"},
		"phone": {ID: 2, UID: "phone", Protocol: "osmand"},
		"off":   {ID: 3, UID: "off", Protocol: "teltonika", Disabled: true},
	}}
	r := NewRegistry(f, PolicyRegister)
	ctx := context.Background()
	for _, tc := range []struct {
		uid string
		ok  bool
	}{{"ahead", true}, {"phone", false}, {"off", false}, {"unknown", false}} {
		_, err := r.resolveFor(ctx, tc.uid, "teltonika", true)
		if (err == nil) != tc.ok || err != nil && !errors.Is(err, ErrRefused) {
			t.Errorf("allow-list %s: %v, want ok=%v", tc.uid, err, tc.ok)
		}
	}
	if f.created != 0 {
		t.Fatalf("allow-list listener created %d devices", f.created)
	}
	if _, err := r.resolveFor(ctx, "unknown", "teltonika", false); err != nil || f.created != 1 {
		t.Fatalf("open listener under PolicyRegister: %v, created %d", err, f.created)
	}
}
