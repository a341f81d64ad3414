package sqlite

import (
	"context"
	"strings"

	"dozor/store"
)

type audit struct{ s *Store }

func (a audit) Append(ctx context.Context, e store.AuditEvent) (store.AuditEvent, error) {
	if e.Time.IsZero() {
		e.Time = nowMS()
	}
	res, err := a.s.w.ExecContext(ctx,
		`INSERT INTO audit_log (at, actor, actor_id, role, remote, action, object, detail)
		 VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
		unixMS(e.Time), e.Actor, e.ActorID, e.Role, e.Remote, e.Action, e.Object, e.Detail)
	if err != nil {
		return store.AuditEvent{}, wrap("append audit", err)
	}
	e.ID, err = res.LastInsertId()
	return e, wrap("append audit", err)
}

func (a audit) List(ctx context.Context, q store.AuditQuery) ([]store.AuditEvent, error) {
	where := []string{"id > ?"}
	args := []any{q.After}
	if !q.From.IsZero() {
		where, args = append(where, "at >= ?"), append(args, unixMS(q.From))
	}
	if !q.To.IsZero() {
		where, args = append(where, "at < ?"), append(args, unixMS(q.To))
	}
	if q.Action != "" {
		if strings.HasSuffix(q.Action, ".") {
			where, args = append(where, "substr(action, 1, ?) = ?"),
				append(args, len(q.Action), q.Action)
		} else {
			where, args = append(where, "action = ?"), append(args, q.Action)
		}
	}
	if q.Actor != "" {
		where, args = append(where, "actor = ?"), append(args, q.Actor)
	}
	limit := q.Limit
	if limit <= 0 || limit > store.MaxAuditLimit {
		limit = store.MaxAuditLimit
	}
	rows, err := a.s.r.QueryContext(ctx,
		`SELECT id, at, actor, actor_id, role, remote, action, object, detail FROM audit_log
		 WHERE `+strings.Join(where, " AND ")+` ORDER BY id LIMIT ?`, append(args, limit)...)
	if err != nil {
		return nil, wrap("list audit", err)
	}
	defer rows.Close()
	var out []store.AuditEvent
	for rows.Next() {
		var (
			e  store.AuditEvent
			at int64
		)
		if err := rows.Scan(&e.ID, &at, &e.Actor, &e.ActorID, &e.Role, &e.Remote, &e.Action,
			&e.Object, &e.Detail); err != nil {
			return nil, wrap("list audit", err)
		}
		e.Time = msTime(at)
		out = append(out, e)
	}
	return out, wrap("list audit", rows.Err())
}
