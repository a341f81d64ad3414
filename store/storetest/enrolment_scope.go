package storetest

import (
	"errors"
	"testing"
	"time"

	"dozor/store"
)

// RunEnrolmentScope runs the conformance tests of enrolment codes scoped
// to one device identity.
func RunEnrolmentScope(t *testing.T, open Opener) {
	t.Run("EnrolmentScope", func(t *testing.T) {
		s := open(t)
		defer s.Close()
		a, ok := s.(store.Accounts)
		if !ok {
			t.Fatal("store does not keep accounts")
		}
		testEnrolmentScope(t, s, a)
	})
}

func testEnrolmentScope(t *testing.T, s store.Store, a store.Accounts) {
	tr := a.Trust()
	admin := mustUser(t, a.Users(), "root", "admin")
	col := mustUser(t, a.Users(), "ivan", "collector")
	mine := mustDevice(t, s, "phone-mine")
	other := mustDevice(t, s, "phone-other")
	t0 := parseUTC("2026-12-03T10:00:00Z")

	e, err := tr.CreateEnrolment(bg, store.Enrolment{CodeHash: "scoped", UserID: col.ID,
		CreatedBy: admin.ID, CreatedAt: t0, ExpiresAt: t0.Add(time.Hour), DeviceUID: mine.UID})
	if err != nil || e.DeviceUID != mine.UID {
		t.Fatalf("create scoped enrolment: %+v %v", e, err)
	}
	if got, err := tr.Enrolment(bg, "scoped"); err != nil || got.DeviceUID != mine.UID {
		t.Fatalf("scoped enrolment read back: %+v %v", got, err)
	}

	at := t0.Add(time.Minute)
	_, err = tr.Redeem(bg, "scoped", at, store.Credential{DeviceID: other.ID, UserID: col.ID,
		TokenHash: "tok-other"})
	if !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("scoped code redeemed for another device: %v", err)
	}
	if _, err := tr.Credential(bg, other.ID); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("refused redeem left a credential: %v", err)
	}
	used, err := tr.Redeem(bg, "scoped", at, store.Credential{DeviceID: mine.ID, UserID: col.ID,
		TokenHash: "tok-mine"})
	if err != nil || used.DeviceID != mine.ID || used.DeviceUID != mine.UID {
		t.Fatalf("redeem for the scoped device: %+v %v", used, err)
	}

	// An unscoped code still serves any device.
	if _, err := tr.CreateEnrolment(bg, store.Enrolment{CodeHash: "open", UserID: col.ID,
		CreatedBy: admin.ID, CreatedAt: t0, ExpiresAt: t0.Add(time.Hour)}); err != nil {
		t.Fatal(err)
	}
	if e, err := tr.Redeem(bg, "open", at, store.Credential{DeviceID: other.ID, UserID: col.ID,
		TokenHash: "tok-open"}); err != nil || e.DeviceUID != "" {
		t.Fatalf("unscoped code: %+v %v", e, err)
	}
}
