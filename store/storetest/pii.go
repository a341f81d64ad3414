package storetest

import (
	"strings"
	"testing"

	"dozor/secret"
	"dozor/store"
)

// PIIOpener opens a fresh store sealing personal data with pii, and dumps
// everything the store keeps as raw text (what a copy of the database
// reveals); reopen opens the same store again with other keys.
type PIIOpener struct {
	Open   func(t *testing.T, pii store.PII) store.Store
	Reopen func(t *testing.T, s store.Store, pii store.PII) store.Store
	Dump   func(t *testing.T, s store.Store) string
}

// RunPII checks that debtors' names, phones and address text are sealed
// at rest, read back in plain text, and move to a new key on rotation.
func RunPII(t *testing.T, o PIIOpener) {
	k1, _ := secret.NewKey("k1")
	k2, _ := secret.NewKey("k2")
	ring1, err := secret.NewKeyring(k1)
	if err != nil {
		t.Fatal(err)
	}
	s := o.Open(t, store.PII{Keys: ring1})
	name, phone, addr := "Сидоров Сидор Сидорович", "+79991234567", "ул. Ленина, д. 5, кв. 12"
	d, err := s.Geo().Debtors().Create(ctx(t), store.Debtor{Name: name, Phones: []string{phone}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.Geo().Zones().Create(ctx(t), []store.Zone{{DebtorID: d.ID, Address: addr,
		Shape: "circle", Lat: 55.7, Lon: 37.6, Radius: 50}}); err != nil {
		t.Fatal(err)
	}
	check := func(s store.Store) {
		t.Helper()
		got, err := s.Geo().Debtors().Get(ctx(t), d.ID)
		if err != nil || got.Name != name || len(got.Phones) != 1 || got.Phones[0] != phone {
			t.Fatalf("debtor read back %+v %v", got, err)
		}
		zs, err := s.Geo().Zones().List(ctx(t), d.ID)
		if err != nil || len(zs) != 1 || zs[0].Address != addr {
			t.Fatalf("zones read back %+v %v", zs, err)
		}
	}
	check(s)
	dump := o.Dump(t, s)
	for _, secret := range []string{name, phone, addr, "Сидоров", "79991234567", "Ленина"} {
		if strings.Contains(dump, secret) {
			t.Fatalf("the stored data shows %q in plain text", secret)
		}
	}
	if !strings.Contains(dump, "dz1.k1.") {
		t.Fatal("no value sealed under key k1 in the stored data")
	}

	// Rotate: k2 becomes current, k1 still opens; rewriting moves to k2.
	ring2, err := secret.NewKeyring(k2, k1)
	if err != nil {
		t.Fatal(err)
	}
	s = o.Reopen(t, s, store.PII{Keys: ring2})
	check(s)
	if err := store.Reseal(ctx(t), s); err != nil {
		t.Fatal(err)
	}
	check(s)
	if dump := o.Dump(t, s); !strings.Contains(dump, "dz1.k2.") {
		t.Fatal("no value sealed with the new key after Reseal")
	}
	// The old key can now be dropped: every live value opens with k2 alone.
	// (Old ciphertext may linger in free pages or the WAL until the
	// database reuses them; without k1 it is noise.)
	only2, err := secret.NewKeyring(k2)
	if err != nil {
		t.Fatal(err)
	}
	s = o.Reopen(t, s, store.PII{Keys: only2})
	check(s)

	// Without keys the sealed values do not open.
	s = o.Reopen(t, s, store.PII{})
	if _, err := s.Geo().Debtors().Get(ctx(t), d.ID); err == nil {
		t.Fatal("a sealed debtor opened without keys")
	}
}
