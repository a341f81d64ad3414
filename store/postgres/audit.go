package postgres

import (
	"context"
	"fmt"
	"strings"

	"dozor/store"
)

type audit struct{ s *Store }

func (a audit) Append(ctx context.Context, e store.AuditEvent) (store.AuditEvent, error) {
	if e.Time.IsZero() {
		e.Time = nowUTC()
	}
	err := a.s.pool.QueryRow(ctx,
		`INSERT INTO audit_log (at, actor, actor_id, role, remote, action, object, detail)
		 VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id`,
		e.Time, e.Actor, e.ActorID, e.Role, e.Remote, e.Action, e.Object, e.Detail).Scan(&e.ID)
	return e, a.s.wrap("append audit", err)
}

func (a audit) List(ctx context.Context, q store.AuditQuery) ([]store.AuditEvent, error) {
	args := []any{q.After}
	where := []string{"id > $1"}
	add := func(cond string, v any) {
		args = append(args, v)
		where = append(where, fmt.Sprintf(cond, len(args)))
	}
	if !q.From.IsZero() {
		add("at >= $%d", q.From)
	}
	if !q.To.IsZero() {
		add("at < $%d", q.To)
	}
	if q.Action != "" {
		if strings.HasSuffix(q.Action, ".") {
			add("starts_with(action, $%d)", q.Action)
		} else {
			add("action = $%d", q.Action)
		}
	}
	if q.Actor != "" {
		add("actor = $%d", q.Actor)
	}
	limit := q.Limit
	if limit <= 0 || limit > store.MaxAuditLimit {
		limit = store.MaxAuditLimit
	}
	args = append(args, limit)
	rows, err := a.s.pool.Query(ctx,
		`SELECT id, at, actor, actor_id, role, remote, action, object, detail FROM audit_log
		 WHERE `+strings.Join(where, " AND ")+fmt.Sprintf(` ORDER BY id LIMIT $%d`, len(args)),
		args...)
	if err != nil {
		return nil, a.s.wrap("list audit", err)
	}
	defer rows.Close()
	var out []store.AuditEvent
	for rows.Next() {
		var e store.AuditEvent
		if err := rows.Scan(&e.ID, &e.Time, &e.Actor, &e.ActorID, &e.Role, &e.Remote,
			&e.Action, &e.Object, &e.Detail); err != nil {
			return nil, a.s.wrap("list audit", err)
		}
		e.Time = e.Time.UTC()
		out = append(out, e)
	}
	return out, a.s.wrap("list audit", rows.Err())
}
