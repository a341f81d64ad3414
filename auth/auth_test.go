package auth

import (
	"errors"
	"strings"
	"testing"
	"time"
)

func TestPassword(t *testing.T) {
	h, err := HashPassword("correct horse battery")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(h, "$argon2id$v=19$m=19456,t=2,p=1$") {
		t.Fatalf("hash %q", h)
	}
	if ok, err := CheckPassword(h, "correct horse battery"); !ok || err != nil {
		t.Fatalf("right password: %v %v", ok, err)
	}
	if ok, _ := CheckPassword(h, "correct horse batterY"); ok {
		t.Fatal("wrong password accepted")
	}
	if ok, _ := CheckPassword("", "anything"); ok {
		t.Fatal("empty hash accepted")
	}
	h2, _ := HashPassword("correct horse battery")
	if h == h2 {
		t.Fatal("same salt twice")
	}
	for _, bad := range []string{"plain", "$argon2id$v=19$m=0,t=1,p=1$AAAA$AAAA",
		"$argon2id$v=19$m=99999999,t=1,p=1$AAAA$AAAA", "$bcrypt$x$y$z$w"} {
		if _, err := CheckPassword(bad, "x"); !errors.Is(err, ErrBadHash) {
			t.Errorf("hash %q: %v", bad, err)
		}
	}
	if _, err := HashPassword("short"); !errors.Is(err, ErrWeakPassword) {
		t.Fatalf("short password: %v", err)
	}
}

func TestAccessToken(t *testing.T) {
	s, err := NewSigner([]byte(strings.Repeat("k", 32)))
	if err != nil {
		t.Fatal(err)
	}
	now := time.Unix(1764756000, 0)
	tok := s.Sign(Claims{UserID: 7, SessionID: 9, Expires: now.Add(15 * time.Minute)})
	c, err := s.Verify(tok, now)
	if err != nil || c.UserID != 7 || c.SessionID != 9 {
		t.Fatalf("verify: %+v %v", c, err)
	}
	if _, err := s.Verify(tok, now.Add(15*time.Minute)); !errors.Is(err, ErrBadToken) {
		t.Fatalf("expired token: %v", err)
	}
	other, _ := NewSigner([]byte(strings.Repeat("x", 32)))
	forged := other.Sign(Claims{UserID: 1, SessionID: 1, Expires: now.Add(time.Hour)})
	// A token with its claims changed but the old signature.
	payload, sig, _ := strings.Cut(strings.TrimPrefix(tok, PrefixAccess), ".")
	swapped := PrefixAccess + payload[:len(payload)-2] + "AA." + sig
	for _, bad := range []string{forged, swapped, "", "dza.", "dza.x.y", tok + "x", strings.Repeat("a", 500)} {
		if _, err := s.Verify(bad, now); !errors.Is(err, ErrBadToken) {
			t.Errorf("token %q accepted: %v", bad, err)
		}
	}
	if Kind(tok) != "access" || Kind(NewToken(PrefixDevice)) != "device" || Kind("x") != "" {
		t.Fatal("Kind")
	}
}

func TestEnrolmentCode(t *testing.T) {
	c := NewEnrolmentCode()
	if len(c) != 19 || strings.Count(c, "-") != 3 {
		t.Fatalf("code %q", c)
	}
	typed := strings.ToLower(strings.ReplaceAll(c, "-", " "))
	if NormalizeCode(typed) != c {
		t.Fatalf("normalize %q = %q, want %q", typed, NormalizeCode(typed), c)
	}
	if NormalizeCode("oooo-iiii-llll-0000") != "0000-1111-1111-0000" {
		t.Fatal("confusable letters not mapped")
	}
}

func TestLimiter(t *testing.T) {
	l := NewLimiter(10*time.Second, 3)
	now := time.Unix(0, 0)
	for i := range 3 {
		if ok, _ := l.Allow("10.0.0.1", now); !ok {
			t.Fatalf("attempt %d refused", i)
		}
	}
	ok, wait := l.Allow("10.0.0.1", now)
	if ok || wait <= 0 || wait > 10*time.Second {
		t.Fatalf("fourth attempt: %v wait %v", ok, wait)
	}
	if ok, _ := l.Allow("10.0.0.2", now); !ok {
		t.Fatal("another address shares the bucket")
	}
	if ok, _ := l.Allow("10.0.0.1", now.Add(10*time.Second)); !ok {
		t.Fatal("no refill")
	}
}
