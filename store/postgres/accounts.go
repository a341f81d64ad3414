package postgres

import (
	"context"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

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

// nullTime stores the zero time as NULL.
func nullTime(t time.Time) any {
	if t.IsZero() {
		return nil
	}
	return t
}

// timeOrZero reads a nullable time back, in UTC.
func timeOrZero(t *time.Time) time.Time {
	if t == nil {
		return time.Time{}
	}
	return t.UTC()
}

func nowUTC() time.Time { return time.Now().UTC().Truncate(time.Millisecond) }

func nullText(s string) any {
	if s == "" {
		return nil
	}
	return s
}

// oneRow turns a statement that changed no row into ErrNotFound.
func (s *Store) oneRow(op string, tag pgconn.CommandTag, err error) error {
	if err != nil {
		return s.wrap(op, err)
	}
	if tag.RowsAffected() == 0 {
		return s.wrap(op, pgx.ErrNoRows)
	}
	return nil
}

type users struct{ s *Store }

const selectUser = `SELECT id, name, role, teams, collector_id, password_hash,
	COALESCE(oidc_subject, ''), disabled, failed_logins, locked_until, created_at FROM users`

func (u users) Create(ctx context.Context, v store.User) (store.User, error) {
	if v.CreatedAt.IsZero() {
		v.CreatedAt = nowUTC()
	}
	if v.Teams == nil {
		v.Teams = []string{}
	}
	err := u.s.pool.QueryRow(ctx,
		`INSERT INTO users (name, role, teams, collector_id, password_hash, oidc_subject,
		 disabled, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id`,
		v.Name, v.Role, v.Teams, v.CollectorID, v.PasswordHash, nullText(v.OIDCSubject),
		v.Disabled, v.CreatedAt).Scan(&v.ID)
	return v, u.s.wrap("create user", err)
}

func (u users) one(ctx context.Context, op, where string, arg any) (store.User, error) {
	v, err := scanUser(u.s.pool.QueryRow(ctx, selectUser+" WHERE "+where, arg))
	return v, u.s.wrap(op, err)
}

func (u users) Get(ctx context.Context, id int64) (store.User, error) {
	return u.one(ctx, "user", "id = $1", id)
}

func (u users) ByName(ctx context.Context, name string) (store.User, error) {
	return u.one(ctx, "user by name", "name = $1", name)
}

func (u users) BySubject(ctx context.Context, subject string) (store.User, error) {
	return u.one(ctx, "user by subject", "oidc_subject = $1", subject)
}

func (u users) List(ctx context.Context) ([]store.User, error) {
	rows, err := u.s.pool.Query(ctx, selectUser+" ORDER BY name")
	if err != nil {
		return nil, u.s.wrap("list users", err)
	}
	defer rows.Close()
	var out []store.User
	for rows.Next() {
		v, err := scanUser(rows)
		if err != nil {
			return nil, u.s.wrap("list users", err)
		}
		out = append(out, v)
	}
	return out, u.s.wrap("list users", rows.Err())
}

func (u users) Update(ctx context.Context, v store.User) error {
	if v.Teams == nil {
		v.Teams = []string{}
	}
	tag, err := u.s.pool.Exec(ctx,
		`UPDATE users SET role = $1, teams = $2, collector_id = $3, password_hash = $4,
		 oidc_subject = $5, disabled = $6 WHERE id = $7`,
		v.Role, v.Teams, v.CollectorID, v.PasswordHash, nullText(v.OIDCSubject), v.Disabled, v.ID)
	return u.s.oneRow("update user", tag, err)
}

func (u users) LoginFailed(ctx context.Context, id int64, maxFails int,
	lockUntil time.Time) (store.User, error) {
	v, err := scanUser(u.s.pool.QueryRow(ctx,
		`UPDATE users SET failed_logins = failed_logins + 1,
		 locked_until = CASE WHEN failed_logins + 1 >= $1 THEN $2 ELSE locked_until END
		 WHERE id = $3 RETURNING id, name, role, teams, collector_id, password_hash,
		 COALESCE(oidc_subject, ''), disabled, failed_logins, locked_until, created_at`,
		maxFails, lockUntil, id))
	return v, u.s.wrap("login failed", err)
}

func (u users) ResetLogins(ctx context.Context, id int64) error {
	tag, err := u.s.pool.Exec(ctx,
		`UPDATE users SET failed_logins = 0, locked_until = NULL WHERE id = $1`, id)
	return u.s.oneRow("reset logins", tag, err)
}

func scanUser(row pgx.Row) (store.User, error) {
	var (
		v      store.User
		locked *time.Time
	)
	err := row.Scan(&v.ID, &v.Name, &v.Role, &v.Teams, &v.CollectorID, &v.PasswordHash,
		&v.OIDCSubject, &v.Disabled, &v.FailedLogins, &locked, &v.CreatedAt)
	if v.Teams == nil {
		v.Teams = []string{}
	}
	v.LockedUntil, v.CreatedAt = timeOrZero(locked), v.CreatedAt.UTC()
	return v, err
}

type sessions struct{ s *Store }

const selectSession = `SELECT id, user_id, kind, token_hash, remote, created_at, expires_at,
	revoked_at FROM sessions`

func (ss sessions) Create(ctx context.Context, v store.Session) (store.Session, error) {
	if v.CreatedAt.IsZero() {
		v.CreatedAt = nowUTC()
	}
	err := ss.s.pool.QueryRow(ctx,
		`INSERT INTO sessions (user_id, kind, token_hash, remote, created_at, expires_at)
		 VALUES ($1, $2, $3, $4, $5, $6) RETURNING id`,
		v.UserID, v.Kind, v.TokenHash, v.Remote, v.CreatedAt, v.ExpiresAt).Scan(&v.ID)
	return v, ss.s.wrap("create session", err)
}

func (ss sessions) Get(ctx context.Context, id int64) (store.Session, error) {
	v, err := scanSession(ss.s.pool.QueryRow(ctx, selectSession+" WHERE id = $1", id))
	return v, ss.s.wrap("session", err)
}

func (ss sessions) ByToken(ctx context.Context, hash string) (store.Session, error) {
	v, err := scanSession(ss.s.pool.QueryRow(ctx, selectSession+" WHERE token_hash = $1", hash))
	return v, ss.s.wrap("session by token", err)
}

func (ss sessions) Rotate(ctx context.Context, id int64, old, hash string,
	at, expires time.Time) error {
	tag, err := ss.s.pool.Exec(ctx,
		`UPDATE sessions SET token_hash = $1, expires_at = $2
		 WHERE id = $3 AND token_hash = $4 AND revoked_at IS NULL AND expires_at > $5`,
		hash, expires, id, old, at)
	return ss.s.oneRow("rotate session", tag, err)
}

func (ss sessions) Revoke(ctx context.Context, id int64, at time.Time) error {
	tag, err := ss.s.pool.Exec(ctx,
		`UPDATE sessions SET revoked_at = COALESCE(revoked_at, $1) WHERE id = $2`, at, id)
	return ss.s.oneRow("revoke session", tag, err)
}

func (ss sessions) RevokeUser(ctx context.Context, userID int64, at time.Time) (int, error) {
	tag, err := ss.s.pool.Exec(ctx,
		`UPDATE sessions SET revoked_at = $1 WHERE user_id = $2 AND revoked_at IS NULL`,
		at, userID)
	return int(tag.RowsAffected()), ss.s.wrap("revoke sessions", err)
}

func scanSession(row pgx.Row) (store.Session, error) {
	var (
		v       store.Session
		revoked *time.Time
	)
	err := row.Scan(&v.ID, &v.UserID, &v.Kind, &v.TokenHash, &v.Remote, &v.CreatedAt,
		&v.ExpiresAt, &revoked)
	v.CreatedAt, v.ExpiresAt, v.RevokedAt = v.CreatedAt.UTC(), v.ExpiresAt.UTC(), timeOrZero(revoked)
	return v, err
}
