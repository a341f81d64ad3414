package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"time"

	"dozor/store"
)

var _ store.Accounts = (*Store)(nil)

// Users implements store.Accounts.
func (s *Store) Users() store.Users { return users{s} }

// Sessions implements store.Accounts.
func (s *Store) Sessions() store.Sessions { return sessions{s} }

// Trust implements store.Accounts.
func (s *Store) Trust() store.Trust { return trust{s} }

// Audit implements store.Accounts.
func (s *Store) Audit() store.Audit { return audit{s} }

// ms and fromMS convert times to the stored unix milliseconds, 0 for the
// zero time.
func unixMS(t time.Time) int64 {
	if t.IsZero() {
		return 0
	}
	return t.UnixMilli()
}

func msTime(v int64) time.Time {
	if v == 0 {
		return time.Time{}
	}
	return time.UnixMilli(v).UTC()
}

func nowMS() time.Time { return time.Now().UTC().Truncate(time.Millisecond) }

type users struct{ s *Store }

const selectUser = `SELECT id, name, role, teams, collector_id, password_hash,
	COALESCE(oidc_subject, ''), disabled, failed_logins, locked_until, created_at FROM users`

func nullIfEmpty(s string) any {
	if s == "" {
		return nil
	}
	return s
}

func teamsJSON(teams []string) string {
	if teams == nil {
		teams = []string{}
	}
	b, _ := json.Marshal(teams)
	return string(b)
}

func (u users) Create(ctx context.Context, v store.User) (store.User, error) {
	if v.CreatedAt.IsZero() {
		v.CreatedAt = nowMS()
	}
	res, err := u.s.w.ExecContext(ctx,
		`INSERT INTO users (name, role, teams, collector_id, password_hash, oidc_subject,
		 disabled, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
		v.Name, v.Role, teamsJSON(v.Teams), v.CollectorID, v.PasswordHash,
		nullIfEmpty(v.OIDCSubject), v.Disabled, unixMS(v.CreatedAt))
	if err != nil {
		return store.User{}, wrap("create user", err)
	}
	v.ID, err = res.LastInsertId()
	if v.Teams == nil {
		v.Teams = []string{}
	}
	return v, wrap("create user", err)
}

func (u users) one(ctx context.Context, op, where string, arg any) (store.User, error) {
	v, err := scanUser(u.s.r.QueryRowContext(ctx, selectUser+" WHERE "+where, arg).Scan)
	return v, wrap(op, err)
}

func (u users) Get(ctx context.Context, id int64) (store.User, error) {
	return u.one(ctx, "user", "id = ?", id)
}

func (u users) ByName(ctx context.Context, name string) (store.User, error) {
	return u.one(ctx, "user by name", "name = ?", name)
}

func (u users) BySubject(ctx context.Context, subject string) (store.User, error) {
	return u.one(ctx, "user by subject", "oidc_subject = ?", subject)
}

func (u users) List(ctx context.Context) ([]store.User, error) {
	rows, err := u.s.r.QueryContext(ctx, selectUser+" ORDER BY name")
	if err != nil {
		return nil, wrap("list users", err)
	}
	defer rows.Close()
	var out []store.User
	for rows.Next() {
		v, err := scanUser(rows.Scan)
		if err != nil {
			return nil, wrap("list users", err)
		}
		out = append(out, v)
	}
	return out, wrap("list users", rows.Err())
}

func (u users) Update(ctx context.Context, v store.User) error {
	res, err := u.s.w.ExecContext(ctx,
		`UPDATE users SET role = ?, teams = ?, collector_id = ?, password_hash = ?,
		 oidc_subject = ?, disabled = ? WHERE id = ?`,
		v.Role, teamsJSON(v.Teams), v.CollectorID, v.PasswordHash,
		nullIfEmpty(v.OIDCSubject), v.Disabled, v.ID)
	return changed("update user", res, err)
}

func (u users) LoginFailed(ctx context.Context, id int64, maxFails int,
	lockUntil time.Time) (store.User, error) {
	res, err := u.s.w.ExecContext(ctx,
		`UPDATE users SET failed_logins = failed_logins + 1,
		 locked_until = CASE WHEN failed_logins + 1 >= ? THEN ? ELSE locked_until END
		 WHERE id = ?`, maxFails, unixMS(lockUntil), id)
	if err := changed("login failed", res, err); err != nil {
		return store.User{}, err
	}
	v, err := scanUser(u.s.w.QueryRowContext(ctx, selectUser+" WHERE id = ?", id).Scan)
	return v, wrap("login failed", err)
}

func (u users) ResetLogins(ctx context.Context, id int64) error {
	res, err := u.s.w.ExecContext(ctx,
		`UPDATE users SET failed_logins = 0, locked_until = 0 WHERE id = ?`, id)
	return changed("reset logins", res, err)
}

func scanUser(scan func(...any) error) (store.User, error) {
	var (
		v               store.User
		teams           string
		locked, created int64
	)
	err := scan(&v.ID, &v.Name, &v.Role, &teams, &v.CollectorID, &v.PasswordHash,
		&v.OIDCSubject, &v.Disabled, &v.FailedLogins, &locked, &created)
	if err != nil {
		return v, err
	}
	if err := json.Unmarshal([]byte(teams), &v.Teams); err != nil || v.Teams == nil {
		v.Teams = []string{}
	}
	v.LockedUntil, v.CreatedAt = msTime(locked), msTime(created)
	return v, nil
}

// affected turns an update of no row into ErrNotFound.

type sessions struct{ s *Store }

const selectSession = `SELECT id, user_id, kind, token_hash, remote, created_at, expires_at,
	revoked_at FROM sessions`

func (ss sessions) Create(ctx context.Context, v store.Session) (store.Session, error) {
	if v.CreatedAt.IsZero() {
		v.CreatedAt = nowMS()
	}
	res, err := ss.s.w.ExecContext(ctx,
		`INSERT INTO sessions (user_id, kind, token_hash, remote, created_at, expires_at)
		 VALUES (?, ?, ?, ?, ?, ?)`,
		v.UserID, v.Kind, v.TokenHash, v.Remote, unixMS(v.CreatedAt), unixMS(v.ExpiresAt))
	if err != nil {
		return store.Session{}, wrap("create session", err)
	}
	v.ID, err = res.LastInsertId()
	return v, wrap("create session", err)
}

func (ss sessions) Get(ctx context.Context, id int64) (store.Session, error) {
	v, err := scanSession(ss.s.r.QueryRowContext(ctx, selectSession+" WHERE id = ?", id).Scan)
	return v, wrap("session", err)
}

func (ss sessions) ByToken(ctx context.Context, hash string) (store.Session, error) {
	v, err := scanSession(ss.s.r.QueryRowContext(ctx,
		selectSession+" WHERE token_hash = ?", hash).Scan)
	return v, wrap("session by token", err)
}

func (ss sessions) Rotate(ctx context.Context, id int64, old, hash string,
	at, expires time.Time) error {
	res, err := ss.s.w.ExecContext(ctx,
		`UPDATE sessions SET token_hash = ?, expires_at = ?
		 WHERE id = ? AND token_hash = ? AND revoked_at = 0 AND expires_at > ?`,
		hash, unixMS(expires), id, old, unixMS(at))
	return changed("rotate session", res, err)
}

func (ss sessions) Revoke(ctx context.Context, id int64, at time.Time) error {
	res, err := ss.s.w.ExecContext(ctx,
		`UPDATE sessions SET revoked_at = CASE WHEN revoked_at = 0 THEN ? ELSE revoked_at END
		 WHERE id = ?`, unixMS(at), id)
	return changed("revoke session", res, err)
}

func (ss sessions) RevokeUser(ctx context.Context, userID int64, at time.Time) (int, error) {
	res, err := ss.s.w.ExecContext(ctx,
		`UPDATE sessions SET revoked_at = ? WHERE user_id = ? AND revoked_at = 0`, unixMS(at), userID)
	if err != nil {
		return 0, wrap("revoke sessions", err)
	}
	n, err := res.RowsAffected()
	return int(n), wrap("revoke sessions", err)
}

func scanSession(scan func(...any) error) (store.Session, error) {
	var (
		v                         store.Session
		created, expires, revoked int64
	)
	err := scan(&v.ID, &v.UserID, &v.Kind, &v.TokenHash, &v.Remote, &created, &expires, &revoked)
	v.CreatedAt, v.ExpiresAt, v.RevokedAt = msTime(created), msTime(expires), msTime(revoked)
	return v, err
}

// changed turns an update of no row into ErrNotFound.
func changed(op string, res sql.Result, err error) error {
	if err != nil {
		return wrap(op, err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return wrap(op, err)
	}
	if n == 0 {
		return wrap(op, sql.ErrNoRows)
	}
	return nil
}
