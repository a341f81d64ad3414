package sqlite

import (
	"context"
	"strings"
	"time"

	"dozor/store"
)

type trust struct{ s *Store }

const selectEnrolment = `SELECT id, code_hash, user_id, created_by, created_at, expires_at,
	used_at, device_id, device_uid FROM enrolments`

func (t trust) CreateEnrolment(ctx context.Context, e store.Enrolment) (store.Enrolment, error) {
	if e.CreatedAt.IsZero() {
		e.CreatedAt = nowMS()
	}
	res, err := t.s.w.ExecContext(ctx,
		`INSERT INTO enrolments (code_hash, user_id, created_by, created_at, expires_at,
		 device_uid) VALUES (?, ?, ?, ?, ?, ?)`,
		e.CodeHash, e.UserID, e.CreatedBy, unixMS(e.CreatedAt), unixMS(e.ExpiresAt), e.DeviceUID)
	if err != nil {
		return store.Enrolment{}, wrap("create enrolment", err)
	}
	e.ID, err = res.LastInsertId()
	return e, wrap("create enrolment", err)
}

func (t trust) Enrolment(ctx context.Context, codeHash string) (store.Enrolment, error) {
	e, err := scanEnrolment(t.s.r.QueryRowContext(ctx,
		selectEnrolment+" WHERE code_hash = ?", codeHash).Scan)
	return e, wrap("enrolment", err)
}

func (t trust) Redeem(ctx context.Context, codeHash string, at time.Time,
	c store.Credential) (store.Enrolment, error) {
	if c.CreatedAt.IsZero() {
		c.CreatedAt = at
	}
	tx, err := t.s.w.BeginTx(ctx, nil)
	if err != nil {
		return store.Enrolment{}, wrap("redeem", err)
	}
	defer tx.Rollback() //nolint:errcheck

	res, err := tx.ExecContext(ctx,
		`UPDATE enrolments SET used_at = ?, device_id = ?
		 WHERE code_hash = ? AND used_at = 0 AND expires_at > ?
		 AND (device_uid = '' OR device_uid = (SELECT uid FROM devices WHERE id = ?))`,
		unixMS(at), c.DeviceID, codeHash, unixMS(at), c.DeviceID)
	if err := changed("redeem", res, err); err != nil {
		return store.Enrolment{}, err
	}
	_, err = tx.ExecContext(ctx,
		`INSERT INTO device_credentials (device_id, user_id, token_hash, created_at)
		 VALUES (?, ?, ?, ?)
		 ON CONFLICT (device_id) DO UPDATE SET user_id = excluded.user_id,
		 token_hash = excluded.token_hash, created_at = excluded.created_at, revoked_at = 0`,
		c.DeviceID, c.UserID, c.TokenHash, unixMS(c.CreatedAt))
	if err != nil {
		return store.Enrolment{}, wrap("redeem", err)
	}
	e, err := scanEnrolment(tx.QueryRowContext(ctx,
		selectEnrolment+" WHERE code_hash = ?", codeHash).Scan)
	if err != nil {
		return store.Enrolment{}, wrap("redeem", err)
	}
	return e, wrap("redeem", tx.Commit())
}

const selectCredential = `SELECT c.device_id, d.uid, c.user_id, c.token_hash, c.created_at,
	c.revoked_at FROM device_credentials c JOIN devices d ON d.id = c.device_id`

func (t trust) CredentialByToken(ctx context.Context, hash string) (store.Credential, error) {
	c, err := scanCredential(t.s.r.QueryRowContext(ctx,
		selectCredential+" WHERE c.token_hash = ?", hash).Scan)
	return c, wrap("credential by token", err)
}

func (t trust) Credential(ctx context.Context, deviceID int64) (store.Credential, error) {
	c, err := scanCredential(t.s.r.QueryRowContext(ctx,
		selectCredential+" WHERE c.device_id = ?", deviceID).Scan)
	return c, wrap("credential", err)
}

func (t trust) RevokeCredential(ctx context.Context, deviceID int64, at time.Time) error {
	res, err := t.s.w.ExecContext(ctx,
		`UPDATE device_credentials
		 SET revoked_at = CASE WHEN revoked_at = 0 THEN ? ELSE revoked_at END
		 WHERE device_id = ?`, unixMS(at), deviceID)
	return changed("revoke credential", res, err)
}

const selectCommand = `SELECT id, device_id, kind, created_by, created_at, delivered_at,
	acked_at FROM device_commands`

func (t trust) QueueCommand(ctx context.Context, c store.Command) (store.Command, error) {
	if c.CreatedAt.IsZero() {
		c.CreatedAt = nowMS()
	}
	res, err := t.s.w.ExecContext(ctx,
		`INSERT INTO device_commands (device_id, kind, created_by, created_at)
		 VALUES (?, ?, ?, ?)`, c.DeviceID, c.Kind, c.CreatedBy, unixMS(c.CreatedAt))
	if err != nil {
		return store.Command{}, wrap("queue command", err)
	}
	c.ID, err = res.LastInsertId()
	return c, wrap("queue command", err)
}

func (t trust) Commands(ctx context.Context, deviceID int64, pending bool) ([]store.Command, error) {
	q := selectCommand + " WHERE device_id = ?"
	if pending {
		q += " AND acked_at = 0"
	}
	rows, err := t.s.r.QueryContext(ctx, q+" ORDER BY id", deviceID)
	if err != nil {
		return nil, wrap("commands", err)
	}
	defer rows.Close()
	var out []store.Command
	for rows.Next() {
		c, err := scanCommand(rows.Scan)
		if err != nil {
			return nil, wrap("commands", err)
		}
		out = append(out, c)
	}
	return out, wrap("commands", rows.Err())
}

func (t trust) CommandDelivered(ctx context.Context, deviceID int64, ids []int64,
	at time.Time) error {
	if len(ids) == 0 {
		return nil
	}
	args := []any{unixMS(at), deviceID}
	for _, id := range ids {
		args = append(args, id)
	}
	_, err := t.s.w.ExecContext(ctx,
		`UPDATE device_commands SET delivered_at = ?
		 WHERE device_id = ? AND delivered_at = 0 AND id IN (?`+
			strings.Repeat(", ?", len(ids)-1)+`)`, args...)
	return wrap("command delivered", err)
}

func (t trust) AckCommand(ctx context.Context, deviceID, id int64,
	at time.Time) (store.Command, error) {
	res, err := t.s.w.ExecContext(ctx,
		`UPDATE device_commands
		 SET acked_at = CASE WHEN acked_at = 0 THEN ? ELSE acked_at END,
		 delivered_at = CASE WHEN delivered_at = 0 THEN ? ELSE delivered_at END
		 WHERE id = ? AND device_id = ?`, unixMS(at), unixMS(at), id, deviceID)
	if err := changed("ack command", res, err); err != nil {
		return store.Command{}, err
	}
	c, err := scanCommand(t.s.w.QueryRowContext(ctx, selectCommand+" WHERE id = ?", id).Scan)
	return c, wrap("ack command", err)
}

func scanEnrolment(scan func(...any) error) (store.Enrolment, error) {
	var (
		e                      store.Enrolment
		created, expires, used int64
	)
	err := scan(&e.ID, &e.CodeHash, &e.UserID, &e.CreatedBy, &created, &expires, &used, &e.DeviceID,
		&e.DeviceUID)
	e.CreatedAt, e.ExpiresAt, e.UsedAt = msTime(created), msTime(expires), msTime(used)
	return e, err
}

func scanCredential(scan func(...any) error) (store.Credential, error) {
	var (
		c                store.Credential
		created, revoked int64
	)
	err := scan(&c.DeviceID, &c.DeviceUID, &c.UserID, &c.TokenHash, &created, &revoked)
	c.CreatedAt, c.RevokedAt = msTime(created), msTime(revoked)
	return c, err
}

func scanCommand(scan func(...any) error) (store.Command, error) {
	var (
		c                         store.Command
		created, delivered, acked int64
	)
	err := scan(&c.ID, &c.DeviceID, &c.Kind, &c.CreatedBy, &created, &delivered, &acked)
	c.CreatedAt, c.DeliveredAt, c.AckedAt = msTime(created), msTime(delivered), msTime(acked)
	return c, err
}
