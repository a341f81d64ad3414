package storetest

import (
	"context"
	"errors"
	"slices"
	"testing"
	"time"

	"dozor/store"
)

// Exec runs one raw SQL statement on the store under test, to show what
// the database itself refuses.
type Exec func(s store.Store, sql string) error

// RunAccounts runs the conformance tests of store.Accounts. exec may be
// nil; with it the audit log is also shown to refuse UPDATE and DELETE at
// the database level.
func RunAccounts(t *testing.T, open func(t *testing.T) store.Store, exec Exec) {
	accounts := func(t *testing.T) (store.Store, store.Accounts) {
		s := open(t)
		t.Cleanup(func() { s.Close() })
		a, ok := s.(store.Accounts)
		if !ok {
			t.Fatalf("%T does not implement store.Accounts", s)
		}
		return s, a
	}
	t.Run("Users", func(t *testing.T) { _, a := accounts(t); testUsers(t, a.Users()) })
	t.Run("Lockout", func(t *testing.T) { _, a := accounts(t); testLockout(t, a.Users()) })
	t.Run("Sessions", func(t *testing.T) { _, a := accounts(t); testSessions(t, a) })
	t.Run("Enrolment", func(t *testing.T) { s, a := accounts(t); testEnrolment(t, s, a) })
	t.Run("Commands", func(t *testing.T) { s, a := accounts(t); testCommands(t, s, a) })
	t.Run("Audit", func(t *testing.T) { s, a := accounts(t); testAudit(t, s, a.Audit(), exec) })
}

var bg = context.Background()

// ts is a time the stores keep exactly (millisecond, UTC).
func parseUTC(s string) time.Time {
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		panic(err)
	}
	return t.UTC()
}

func mustUser(t *testing.T, u store.Users, name, role string, teams ...string) store.User {
	t.Helper()
	v, err := u.Create(bg, store.User{Name: name, Role: role, Teams: teams, PasswordHash: "h:" + name})
	if err != nil {
		t.Fatal(err)
	}
	return v
}

func testUsers(t *testing.T, u store.Users) {
	sup := mustUser(t, u, "olga", "supervisor", "north", "east")
	col := mustUser(t, u, "ivan", "collector")
	if _, err := u.Create(bg, store.User{Name: "olga", Role: "admin"}); !errors.Is(err, store.ErrConflict) {
		t.Fatalf("taken name: %v, want ErrConflict", err)
	}
	got, err := u.ByName(bg, "olga")
	if err != nil {
		t.Fatal(err)
	}
	if got.ID != sup.ID || got.Role != "supervisor" || !slices.Equal(got.Teams, []string{"north", "east"}) ||
		got.PasswordHash != "h:olga" || got.Disabled || got.CreatedAt.IsZero() {
		t.Fatalf("by name: %+v", got)
	}
	if _, err := u.ByName(bg, "nobody"); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("unknown name: %v", err)
	}
	if _, err := u.Get(bg, 999999); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("unknown id: %v", err)
	}

	col.Teams, col.CollectorID, col.Disabled = []string{"north"}, 42, true
	col.PasswordHash, col.OIDCSubject = "h2", "https://idp.bank sub-1"
	if err := u.Update(bg, col); err != nil {
		t.Fatal(err)
	}
	got, err = u.BySubject(bg, "https://idp.bank sub-1")
	if err != nil {
		t.Fatal(err)
	}
	if got.ID != col.ID || got.CollectorID != 42 || !got.Disabled || got.PasswordHash != "h2" ||
		!slices.Equal(got.Teams, []string{"north"}) {
		t.Fatalf("after update: %+v", got)
	}
	sup.OIDCSubject = col.OIDCSubject
	if err := u.Update(bg, sup); !errors.Is(err, store.ErrConflict) {
		t.Fatalf("taken subject: %v, want ErrConflict", err)
	}
	if err := u.Update(bg, store.User{ID: 999999, Role: "admin"}); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("update of a missing user: %v", err)
	}
	list, err := u.List(bg)
	if err != nil || len(list) != 2 || list[0].Name != "ivan" || list[1].Name != "olga" {
		t.Fatalf("list: %+v %v", list, err)
	}
	if list[0].Teams == nil || list[1].Teams == nil {
		t.Fatal("teams must be an empty list, not nil")
	}
}

func testLockout(t *testing.T, u store.Users) {
	v := mustUser(t, u, "ivan", "collector")
	until := parseUTC("2026-12-03T10:15:00Z")
	for i := 1; i <= 3; i++ {
		got, err := u.LoginFailed(bg, v.ID, 3, until)
		if err != nil {
			t.Fatal(err)
		}
		if got.FailedLogins != i {
			t.Fatalf("failure %d counted as %d", i, got.FailedLogins)
		}
		if locked := !got.LockedUntil.IsZero(); locked != (i == 3) {
			t.Fatalf("after %d failures locked until %v", i, got.LockedUntil)
		}
	}
	got, _ := u.Get(bg, v.ID)
	if !got.LockedUntil.Equal(until) {
		t.Fatalf("locked until %v, want %v", got.LockedUntil, until)
	}
	if err := u.ResetLogins(bg, v.ID); err != nil {
		t.Fatal(err)
	}
	got, _ = u.Get(bg, v.ID)
	if got.FailedLogins != 0 || !got.LockedUntil.IsZero() {
		t.Fatalf("after reset: %+v", got)
	}
	if _, err := u.LoginFailed(bg, 999999, 3, until); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("failure of a missing user: %v", err)
	}
}

func testSessions(t *testing.T, a store.Accounts) {
	ss := a.Sessions()
	v := mustUser(t, a.Users(), "ivan", "collector")
	t0 := parseUTC("2026-12-03T10:00:00Z")
	s1, err := ss.Create(bg, store.Session{UserID: v.ID, Kind: store.SessionAPI, TokenHash: "aa",
		Remote: "10.0.0.1", CreatedAt: t0, ExpiresAt: t0.Add(time.Hour)})
	if err != nil {
		t.Fatal(err)
	}
	s2, _ := ss.Create(bg, store.Session{UserID: v.ID, Kind: store.SessionWeb, TokenHash: "bb",
		CreatedAt: t0, ExpiresAt: t0.Add(time.Hour)})
	if _, err := ss.Create(bg, store.Session{UserID: v.ID, Kind: "api", TokenHash: "aa",
		ExpiresAt: t0}); !errors.Is(err, store.ErrConflict) {
		t.Fatalf("same token twice: %v", err)
	}
	got, err := ss.ByToken(bg, "aa")
	if err != nil || got.ID != s1.ID || got.Remote != "10.0.0.1" || !got.ExpiresAt.Equal(t0.Add(time.Hour)) {
		t.Fatalf("by token: %+v %v", got, err)
	}
	if !got.Live(t0) || got.Live(t0.Add(time.Hour)) {
		t.Fatal("Live does not follow the expiry")
	}

	// Rotation is compare-and-swap: a replayed old token loses.
	if err := ss.Rotate(bg, s1.ID, "aa", "cc", t0, t0.Add(2*time.Hour)); err != nil {
		t.Fatal(err)
	}
	if err := ss.Rotate(bg, s1.ID, "aa", "dd", t0, t0.Add(2*time.Hour)); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("rotation with a spent token: %v", err)
	}
	if _, err := ss.ByToken(bg, "aa"); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("old token still found: %v", err)
	}
	if err := ss.Rotate(bg, s1.ID, "cc", "dd", t0.Add(3*time.Hour), t0.Add(4*time.Hour)); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("rotation of an expired session: %v", err)
	}

	at := t0.Add(time.Minute)
	if err := ss.Revoke(bg, s1.ID, at); err != nil {
		t.Fatal(err)
	}
	if err := ss.Revoke(bg, s1.ID, at.Add(time.Minute)); err != nil {
		t.Fatal(err)
	}
	got, _ = ss.Get(bg, s1.ID)
	if !got.RevokedAt.Equal(at) || got.Live(t0) {
		t.Fatalf("revoked: %+v", got)
	}
	if err := ss.Rotate(bg, s1.ID, "cc", "dd", t0, t0.Add(time.Hour)); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("rotation of a revoked session: %v", err)
	}
	n, err := ss.RevokeUser(bg, v.ID, at)
	if err != nil || n != 1 {
		t.Fatalf("revoke user: %d %v, want the one live session", n, err)
	}
	if got, _ := ss.Get(bg, s2.ID); got.RevokedAt.IsZero() {
		t.Fatal("web session not revoked with its user")
	}
	if err := ss.Revoke(bg, 999999, at); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("revoke of a missing session: %v", err)
	}
}

func testEnrolment(t *testing.T, s store.Store, a store.Accounts) {
	tr := a.Trust()
	admin := mustUser(t, a.Users(), "root", "admin")
	col := mustUser(t, a.Users(), "ivan", "collector")
	dev := mustDevice(t, s, "phone-1")
	t0 := parseUTC("2026-12-03T10:00:00Z")
	e, err := tr.CreateEnrolment(bg, store.Enrolment{CodeHash: "code1", UserID: col.ID,
		CreatedBy: admin.ID, CreatedAt: t0, ExpiresAt: t0.Add(time.Hour)})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := tr.CreateEnrolment(bg, store.Enrolment{CodeHash: "expired", UserID: col.ID,
		CreatedBy: admin.ID, CreatedAt: t0, ExpiresAt: t0.Add(time.Minute)}); err != nil {
		t.Fatal(err)
	}
	got, err := tr.Enrolment(bg, "code1")
	if err != nil || got.ID != e.ID || got.UserID != col.ID || !got.UsedAt.IsZero() {
		t.Fatalf("enrolment: %+v %v", got, err)
	}

	at := t0.Add(10 * time.Minute)
	cred := store.Credential{DeviceID: dev.ID, UserID: col.ID, TokenHash: "tok1"}
	if _, err := tr.Redeem(bg, "expired", at, cred); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("expired code: %v", err)
	}
	if _, err := tr.Redeem(bg, "nope", at, cred); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("unknown code: %v", err)
	}
	if _, err := tr.Credential(bg, dev.ID); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("a failed redeem left a credential: %v", err)
	}
	used, err := tr.Redeem(bg, "code1", at, cred)
	if err != nil || !used.UsedAt.Equal(at) || used.DeviceID != dev.ID {
		t.Fatalf("redeem: %+v %v", used, err)
	}
	cred.TokenHash = "tok2"
	if _, err := tr.Redeem(bg, "code1", at, cred); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("second use of a code: %v", err)
	}

	c, err := tr.CredentialByToken(bg, "tok1")
	if err != nil || c.DeviceID != dev.ID || c.DeviceUID != "phone-1" || c.UserID != col.ID || !c.RevokedAt.IsZero() ||
		!c.CreatedAt.Equal(at) {
		t.Fatalf("credential: %+v %v", c, err)
	}
	if err := tr.RevokeCredential(bg, dev.ID, at.Add(time.Minute)); err != nil {
		t.Fatal(err)
	}
	c, _ = tr.Credential(bg, dev.ID)
	if !c.RevokedAt.Equal(at.Add(time.Minute)) {
		t.Fatalf("revoked at %v", c.RevokedAt)
	}
	if err := tr.RevokeCredential(bg, 999999, at); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("revoke without a credential: %v", err)
	}

	// Enrolling the device again replaces the revoked credential.
	if _, err := tr.CreateEnrolment(bg, store.Enrolment{CodeHash: "code2", UserID: col.ID,
		CreatedBy: admin.ID, CreatedAt: t0, ExpiresAt: t0.Add(time.Hour)}); err != nil {
		t.Fatal(err)
	}
	if _, err := tr.Redeem(bg, "code2", at, store.Credential{DeviceID: dev.ID, UserID: col.ID,
		TokenHash: "tok3"}); err != nil {
		t.Fatal(err)
	}
	if _, err := tr.CredentialByToken(bg, "tok1"); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("replaced token still found: %v", err)
	}
	c, _ = tr.CredentialByToken(bg, "tok3")
	if !c.RevokedAt.IsZero() {
		t.Fatal("new credential born revoked")
	}
}

func testCommands(t *testing.T, s store.Store, a store.Accounts) {
	tr := a.Trust()
	d1, d2 := mustDevice(t, s, "phone-1"), mustDevice(t, s, "phone-2")
	t0 := parseUTC("2026-12-03T10:00:00Z")
	c1, err := tr.QueueCommand(bg, store.Command{DeviceID: d1.ID, Kind: store.CommandWipe,
		CreatedBy: 1, CreatedAt: t0})
	if err != nil {
		t.Fatal(err)
	}
	c2, _ := tr.QueueCommand(bg, store.Command{DeviceID: d1.ID, Kind: store.CommandWipe, CreatedAt: t0})
	if _, err := tr.QueueCommand(bg, store.Command{DeviceID: d2.ID, Kind: store.CommandWipe,
		CreatedAt: t0}); err != nil {
		t.Fatal(err)
	}
	at := t0.Add(time.Minute)
	if err := tr.CommandDelivered(bg, d1.ID, []int64{c1.ID, c2.ID}, at); err != nil {
		t.Fatal(err)
	}
	if err := tr.CommandDelivered(bg, d1.ID, []int64{c1.ID}, at.Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	if _, err := tr.AckCommand(bg, d2.ID, c1.ID, at); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("ack by another device: %v", err)
	}
	acked, err := tr.AckCommand(bg, d1.ID, c1.ID, at.Add(time.Minute))
	if err != nil || !acked.AckedAt.Equal(at.Add(time.Minute)) || !acked.DeliveredAt.Equal(at) ||
		acked.Kind != store.CommandWipe || acked.CreatedBy != 1 {
		t.Fatalf("ack: %+v %v", acked, err)
	}
	again, _ := tr.AckCommand(bg, d1.ID, c1.ID, at.Add(time.Hour))
	if !again.AckedAt.Equal(acked.AckedAt) {
		t.Fatal("a second ack moved the first time")
	}
	pending, err := tr.Commands(bg, d1.ID, true)
	if err != nil || len(pending) != 1 || pending[0].ID != c2.ID {
		t.Fatalf("pending: %+v %v", pending, err)
	}
	all, _ := tr.Commands(bg, d1.ID, false)
	if len(all) != 2 || all[0].ID != c1.ID {
		t.Fatalf("all: %+v", all)
	}
}

func testAudit(t *testing.T, s store.Store, au store.Audit, exec Exec) {
	t0 := parseUTC("2026-12-03T10:00:00Z")
	events := []store.AuditEvent{
		{Time: t0, Actor: "root", ActorID: 1, Role: "admin", Remote: "10.0.0.1",
			Action: "user.create", Object: "user/2", Detail: `{"role":"collector"}`},
		{Time: t0.Add(time.Minute), Actor: "olga", ActorID: 2, Role: "supervisor",
			Remote: "10.0.0.2", Action: "debtor.read", Object: "debtor/12"},
		{Time: t0.Add(2 * time.Minute), Actor: "root", ActorID: 1, Role: "admin",
			Action: "user.disable", Object: "user/2"},
	}
	for i, e := range events {
		got, err := au.Append(bg, e)
		if err != nil {
			t.Fatal(err)
		}
		events[i].ID = got.ID
	}
	all, err := au.List(bg, store.AuditQuery{})
	if err != nil || len(all) != 3 {
		t.Fatalf("list: %d %v", len(all), err)
	}
	if all[1] != events[1] {
		t.Fatalf("read back %+v, want %+v", all[1], events[1])
	}
	cases := []struct {
		name string
		q    store.AuditQuery
		want []int
	}{
		{"after", store.AuditQuery{After: events[0].ID}, []int{1, 2}},
		{"prefix", store.AuditQuery{Action: "user."}, []int{0, 2}},
		{"exact", store.AuditQuery{Action: "user"}, nil},
		{"actor", store.AuditQuery{Actor: "olga"}, []int{1}},
		{"window", store.AuditQuery{From: t0.Add(time.Minute), To: t0.Add(2 * time.Minute)}, []int{1}},
		{"limit", store.AuditQuery{Limit: 1}, []int{0}},
	}
	for _, c := range cases {
		got, err := au.List(bg, c.q)
		if err != nil {
			t.Fatal(err)
		}
		var ids []int64
		for _, e := range got {
			ids = append(ids, e.ID)
		}
		var want []int64
		for _, i := range c.want {
			want = append(want, events[i].ID)
		}
		if !slices.Equal(ids, want) {
			t.Errorf("%s: ids %v, want %v", c.name, ids, want)
		}
	}
	if exec == nil {
		return
	}
	for _, sql := range []string{
		"UPDATE audit_log SET actor = 'someone else'",
		"DELETE FROM audit_log",
	} {
		if err := exec(s, sql); err == nil {
			t.Errorf("%s: the database allowed it", sql)
		}
	}
	if got, _ := au.List(bg, store.AuditQuery{}); len(got) != 3 || got[0].Actor != "root" {
		t.Fatalf("audit log changed: %+v", got)
	}
}
