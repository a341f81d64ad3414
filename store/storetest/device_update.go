package storetest

import (
	"errors"
	"testing"

	"dozor/store"
)

// RunDeviceUpdate runs the conformance tests of store.DeviceUpdater, which
// the Devices of every store implement.
func RunDeviceUpdate(t *testing.T, open Opener) {
	t.Run("DisableEnableRename", func(t *testing.T) {
		s := open(t)
		defer s.Close()
		testDeviceUpdate(t, s)
	})
}

func testDeviceUpdate(t *testing.T, s store.Store) {
	up, ok := s.Devices().(store.DeviceUpdater)
	if !ok {
		t.Fatal("Devices does not implement store.DeviceUpdater")
	}
	c := ctx(t)
	d := mustDevice(t, s, "356000000000001")
	other := mustDevice(t, s, "356000000000002")

	d.Disabled, d.Name = true, "van 12"
	d.UID, d.Protocol = "ignored", "ignored"
	got, err := up.Update(c, d)
	if err != nil {
		t.Fatal(err)
	}
	if !got.Disabled || got.Name != "van 12" || got.UID != "356000000000001" ||
		got.Protocol != "teltonika" || got.ID != d.ID || got.CreatedAt.IsZero() {
		t.Fatalf("updated device: %+v", got)
	}
	if back, err := s.Devices().ByUID(c, got.UID); err != nil || back != got {
		t.Fatalf("read back %+v (%v), want %+v", back, err, got)
	}
	if back, _ := s.Devices().ByUID(c, other.UID); back.Disabled || back.Name != "" {
		t.Fatalf("another device changed: %+v", back)
	}

	got.Disabled = false
	if got, err = up.Update(c, got); err != nil || got.Disabled || got.Name != "van 12" {
		t.Fatalf("re-enable: %+v (%v)", got, err)
	}
	list, err := s.Devices().List(c, "", 0)
	if err != nil || len(list) != 2 || list[0] != got {
		t.Fatalf("list after update: %+v (%v)", list, err)
	}

	if _, err := up.Update(c, store.Device{ID: 999999, Name: "x"}); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("update of an unknown device: %v, want ErrNotFound", err)
	}
}
