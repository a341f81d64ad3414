package postgres

import (
	"context"
	"time"

	"github.com/jackc/pgx/v5"

	"dozor/store"
)

type trust struct{ s *Store }

const selectEnrolment = `SELECT id, code_hash, user_id, created_by, created_at, expires_at,
	used_at, device_id, device_uid FROM enrolments`

func (t trust) CreateEnrolment(ctx context.Context, e store.Enrolment) (store.Enrolment, error) {
	if e.CreatedAt.IsZero() {
		e.CreatedAt = nowUTC()
	}
	err := t.s.pool.QueryRow(ctx,
		`INSERT INTO enrolments (code_hash, user_id, created_by, created_at, expires_at,
		 device_uid) VALUES ($1, $2, $3, $4, $5, $6) RETURNING id`,
		e.CodeHash, e.UserID, e.CreatedBy, e.CreatedAt, e.ExpiresAt, e.DeviceUID).Scan(&e.ID)
	return e, t.s.wrap("create enrolment", err)
}

func (t trust) Enrolment(ctx context.Context, codeHash string) (store.Enrolment, error) {
	e, err := scanEnrolment(t.s.pool.QueryRow(ctx,
		selectEnrolment+" WHERE code_hash = $1", codeHash))
	return e, t.s.wrap("enrolment", err)
}

func (t trust) Redeem(ctx context.Context, codeHash string, at time.Time,
	c store.Credential) (store.Enrolment, error) {
	if c.CreatedAt.IsZero() {
		c.CreatedAt = at
	}
	var e store.Enrolment
	err := pgx.BeginFunc(ctx, t.s.pool, func(tx pgx.Tx) error {
		var err error
		e, err = scanEnrolment(tx.QueryRow(ctx,
			`UPDATE enrolments SET used_at = $1, device_id = $2
			 WHERE code_hash = $3 AND used_at IS NULL AND expires_at > $1
			 AND (device_uid = '' OR device_uid = (SELECT uid FROM devices WHERE id = $2))
			 RETURNING id, code_hash, user_id, created_by, created_at, expires_at, used_at,
			 device_id, device_uid`, at, c.DeviceID, codeHash))
		if err != nil {
			return err
		}
		_, err = tx.Exec(ctx,
			`INSERT INTO device_credentials (device_id, user_id, token_hash, created_at)
			 VALUES ($1, $2, $3, $4)
			 ON CONFLICT (device_id) DO UPDATE SET user_id = excluded.user_id,
			 token_hash = excluded.token_hash, created_at = excluded.created_at,
			 revoked_at = NULL`, c.DeviceID, c.UserID, c.TokenHash, c.CreatedAt)
		return err
	})
	return e, t.s.wrap("redeem", err)
}

const selectCredential = `SELECT c.device_id, d.uid, c.user_id, c.token_hash, c.created_at,
	c.revoked_at FROM device_credentials c JOIN devices d ON d.id = c.device_id`

func (t trust) CredentialByToken(ctx context.Context, hash string) (store.Credential, error) {
	c, err := scanCredential(t.s.pool.QueryRow(ctx,
		selectCredential+" WHERE c.token_hash = $1", hash))
	return c, t.s.wrap("credential by token", err)
}

func (t trust) Credential(ctx context.Context, deviceID int64) (store.Credential, error) {
	c, err := scanCredential(t.s.pool.QueryRow(ctx,
		selectCredential+" WHERE c.device_id = $1", deviceID))
	return c, t.s.wrap("credential", err)
}

func (t trust) RevokeCredential(ctx context.Context, deviceID int64, at time.Time) error {
	tag, err := t.s.pool.Exec(ctx,
		`UPDATE device_credentials SET revoked_at = COALESCE(revoked_at, $1)
		 WHERE device_id = $2`, at, deviceID)
	return t.s.oneRow("revoke credential", tag, err)
}

const commandCols = `id, device_id, kind, created_by, created_at, delivered_at, acked_at`

func (t trust) QueueCommand(ctx context.Context, c store.Command) (store.Command, error) {
	if c.CreatedAt.IsZero() {
		c.CreatedAt = nowUTC()
	}
	err := t.s.pool.QueryRow(ctx,
		`INSERT INTO device_commands (device_id, kind, created_by, created_at)
		 VALUES ($1, $2, $3, $4) RETURNING id`,
		c.DeviceID, c.Kind, c.CreatedBy, c.CreatedAt).Scan(&c.ID)
	return c, t.s.wrap("queue command", err)
}

func (t trust) Commands(ctx context.Context, deviceID int64, pending bool) ([]store.Command, error) {
	q := `SELECT ` + commandCols + ` FROM device_commands WHERE device_id = $1`
	if pending {
		q += " AND acked_at IS NULL"
	}
	rows, err := t.s.pool.Query(ctx, q+" ORDER BY id", deviceID)
	if err != nil {
		return nil, t.s.wrap("commands", err)
	}
	defer rows.Close()
	var out []store.Command
	for rows.Next() {
		c, err := scanCommand(rows)
		if err != nil {
			return nil, t.s.wrap("commands", err)
		}
		out = append(out, c)
	}
	return out, t.s.wrap("commands", rows.Err())
}

func (t trust) CommandDelivered(ctx context.Context, deviceID int64, ids []int64,
	at time.Time) error {
	if len(ids) == 0 {
		return nil
	}
	_, err := t.s.pool.Exec(ctx,
		`UPDATE device_commands SET delivered_at = $1
		 WHERE device_id = $2 AND delivered_at IS NULL AND id = ANY($3)`, at, deviceID, ids)
	return t.s.wrap("command delivered", err)
}

func (t trust) AckCommand(ctx context.Context, deviceID, id int64,
	at time.Time) (store.Command, error) {
	c, err := scanCommand(t.s.pool.QueryRow(ctx,
		`UPDATE device_commands SET acked_at = COALESCE(acked_at, $1),
		 delivered_at = COALESCE(delivered_at, $1)
		 WHERE id = $2 AND device_id = $3 RETURNING `+commandCols, at, id, deviceID))
	return c, t.s.wrap("ack command", err)
}

func scanEnrolment(row pgx.Row) (store.Enrolment, error) {
	var (
		e    store.Enrolment
		used *time.Time
	)
	err := row.Scan(&e.ID, &e.CodeHash, &e.UserID, &e.CreatedBy, &e.CreatedAt, &e.ExpiresAt,
		&used, &e.DeviceID, &e.DeviceUID)
	e.CreatedAt, e.ExpiresAt, e.UsedAt = e.CreatedAt.UTC(), e.ExpiresAt.UTC(), timeOrZero(used)
	return e, err
}

func scanCredential(row pgx.Row) (store.Credential, error) {
	var (
		c       store.Credential
		revoked *time.Time
	)
	err := row.Scan(&c.DeviceID, &c.DeviceUID, &c.UserID, &c.TokenHash, &c.CreatedAt, &revoked)
	c.CreatedAt, c.RevokedAt = c.CreatedAt.UTC(), timeOrZero(revoked)
	return c, err
}

func scanCommand(row pgx.Row) (store.Command, error) {
	var (
		c                store.Command
		delivered, acked *time.Time
	)
	err := row.Scan(&c.ID, &c.DeviceID, &c.Kind, &c.CreatedBy, &c.CreatedAt, &delivered, &acked)
	c.CreatedAt, c.DeliveredAt, c.AckedAt = c.CreatedAt.UTC(), timeOrZero(delivered),
		timeOrZero(acked)
	return c, err
}
