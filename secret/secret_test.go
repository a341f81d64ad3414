package secret

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func ring(t *testing.T, ids ...string) (*Keyring, []Key) {
	t.Helper()
	var keys []Key
	for _, id := range ids {
		k, err := NewKey(id)
		if err != nil {
			t.Fatal(err)
		}
		keys = append(keys, k)
	}
	kr, err := NewKeyring(keys...)
	if err != nil {
		t.Fatal(err)
	}
	return kr, keys
}

func TestSealOpen(t *testing.T) {
	kr, _ := ring(t, "k1")
	for _, plain := range []string{"", "Иванов Иван Иванович", "+7 916 000-00-00", strings.Repeat("x", 5000)} {
		s := kr.Seal(plain, "debtor.name")
		if strings.Contains(s, plain) && plain != "" {
			t.Fatalf("sealed value contains the plaintext")
		}
		if !strings.HasPrefix(s, "dz1.k1.") || !IsSealed(s) {
			t.Fatalf("sealed %q: bad prefix", s)
		}
		got, err := kr.Open(s, "debtor.name")
		if err != nil || got != plain {
			t.Fatalf("open: %q, %v; want %q", got, err, plain)
		}
	}
	a, b := kr.Seal("same", "c"), kr.Seal("same", "c")
	if a == b {
		t.Fatal("two seals of one value are equal: nonce reused")
	}
}

func TestOpenRefuses(t *testing.T) {
	kr, _ := ring(t, "k1")
	other, _ := ring(t, "k1")
	s := kr.Seal("Петров", "debtor.name")
	tampered := []byte(s)
	tampered[len(tampered)-3] ^= 0x01
	cases := []struct {
		name, v, ctx string
		want         error
	}{
		{"wrong context", s, "debtor.phone", ErrOpen},
		{"altered", string(tampered), "debtor.name", ErrOpen},
		{"plain", "Петров", "debtor.name", ErrNotSealed},
		{"truncated", s[:20], "debtor.name", ErrOpen},
		{"unknown key", strings.Replace(s, "dz1.k1.", "dz1.k9.", 1), "debtor.name", ErrUnknownKey},
		{"bad id", "dz1.../x", "debtor.name", ErrNotSealed},
	}
	for _, c := range cases {
		if _, err := kr.Open(c.v, c.ctx); !errors.Is(err, c.want) {
			t.Errorf("%s: err %v, want %v", c.name, err, c.want)
		}
	}
	if _, err := other.Open(s, "debtor.name"); !errors.Is(err, ErrOpen) {
		t.Errorf("another key with the same id: err %v, want ErrOpen", err)
	}
}

func TestRotation(t *testing.T) {
	old, keys := ring(t, "k1")
	s := old.Seal("Сидорова", "debtor.name")

	k2, _ := NewKey("k2")
	kr, err := NewKeyring(k2, keys[0])
	if err != nil {
		t.Fatal(err)
	}
	if got, err := kr.Open(s, "debtor.name"); err != nil || got != "Сидорова" {
		t.Fatalf("old value with the rotated ring: %q, %v", got, err)
	}
	re, changed, err := kr.Reseal(s, "debtor.name")
	if err != nil || !changed {
		t.Fatalf("reseal: changed %v, %v", changed, err)
	}
	if id, _ := KeyOf(re); id != "k2" {
		t.Fatalf("resealed with %q, want k2", id)
	}
	if again, changed, _ := kr.Reseal(re, "debtor.name"); changed || again != re {
		t.Fatal("reseal of a current value changed it")
	}
	plain, changed, err := kr.Reseal("not yet sealed", "debtor.name")
	if err != nil || !changed || !IsSealed(plain) {
		t.Fatalf("reseal of a plain value: %q %v %v", plain, changed, err)
	}

	// With the old key dropped, the resealed value still opens.
	only, _ := NewKeyring(k2)
	if got, err := only.Open(re, "debtor.name"); err != nil || got != "Сидорова" {
		t.Fatalf("after dropping k1: %q, %v", got, err)
	}
	if _, err := only.Open(s, "debtor.name"); !errors.Is(err, ErrUnknownKey) {
		t.Fatalf("value of a dropped key: %v, want ErrUnknownKey", err)
	}
}

func TestLoad(t *testing.T) {
	k1, _ := NewKey("k1")
	k2, _ := NewKey("k2")
	text := "# keys\n" + FormatKey(k2) + "\n\n" + FormatKey(k1) + "\n"
	path := filepath.Join(t.TempDir(), "keys")
	if err := os.WriteFile(path, []byte(text), 0o600); err != nil {
		t.Fatal(err)
	}
	kr, err := Load(path, "")
	if err != nil {
		t.Fatal(err)
	}
	if kr.Current() != "k2" || len(kr.IDs()) != 2 {
		t.Fatalf("current %s, ids %v", kr.Current(), kr.IDs())
	}
	env, err := Load("", FormatKey(k1)+";"+FormatKey(k2))
	if err != nil || env.Current() != "k1" {
		t.Fatalf("env keys: %v", err)
	}
	if err := os.Chmod(path, 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := Load(path, ""); err == nil {
		t.Fatal("a world-readable key file was accepted")
	}
	bad := []string{"", "k1", "k1 c2hvcnQ=", "k1 " + FormatKey(k1)[3:] + "\n" + FormatKey(k1), "bad/id " + FormatKey(k1)[3:]}
	for _, b := range bad {
		if _, err := Load("", b); err == nil {
			t.Errorf("keys %q accepted", b)
		}
	}
}
