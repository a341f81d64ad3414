package postgres

import (
	"context"
	"time"

	"github.com/jackc/pgx/v5"

	"dozor/store"
)

type visits struct{ s *Store }

func nonNil[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}

func (v visits) Put(ctx context.Context, x store.Visit, e store.VisitEvent) error {
	err := pgx.BeginFunc(ctx, v.s.pool, func(tx pgx.Tx) error {
		_, err := tx.Exec(ctx, `INSERT INTO visits (id, collector_id, zone_id, debtor_id,
			arrived_at, departed_at, dwell, fix_count, median_accuracy, spoof_score, status,
			updated_at, device_ids, fix_ids, spoof_reasons)
			VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,$13,$14,$15)
			ON CONFLICT (id) DO UPDATE SET collector_id = EXCLUDED.collector_id,
			zone_id = EXCLUDED.zone_id, debtor_id = EXCLUDED.debtor_id,
			arrived_at = EXCLUDED.arrived_at, departed_at = EXCLUDED.departed_at,
			dwell = EXCLUDED.dwell, fix_count = EXCLUDED.fix_count,
			median_accuracy = EXCLUDED.median_accuracy, spoof_score = EXCLUDED.spoof_score,
			status = EXCLUDED.status, updated_at = EXCLUDED.updated_at,
			device_ids = EXCLUDED.device_ids, fix_ids = EXCLUDED.fix_ids,
			spoof_reasons = EXCLUDED.spoof_reasons`,
			x.ID, x.CollectorID, x.ZoneID, x.DebtorID, x.ArrivedAt, x.DepartedAt, x.Dwell,
			x.FixCount, x.MedianAccuracy, x.SpoofScore, x.Status, now(),
			nonNil(x.DeviceIDs), nonNil(x.FixIDs), nonNil(x.SpoofReasons))
		if err != nil {
			return err
		}
		_, err = tx.Exec(ctx, `INSERT INTO visit_events (visit_id, type, at, payload)
			VALUES ($1, $2, $3, $4)`, x.ID, e.Type, e.At, string(e.Payload))
		return err
	})
	return v.s.wrap("put visit", err)
}

func (v visits) List(ctx context.Context, q store.VisitQuery) ([]store.Visit, error) {
	limit := q.Limit
	if limit <= 0 || limit > store.MaxVisitLimit {
		limit = store.MaxVisitLimit
	}
	var from, to *time.Time
	if !q.From.IsZero() {
		from = &q.From
	}
	if !q.To.IsZero() {
		to = &q.To
	}
	rows, err := v.s.pool.Query(ctx, `SELECT id, collector_id, zone_id, debtor_id,
		arrived_at, departed_at, dwell, fix_count, median_accuracy, spoof_score, status,
		updated_at, device_ids, fix_ids, spoof_reasons FROM visits
		WHERE ($1::timestamptz IS NULL OR arrived_at >= $1)
		AND ($2::timestamptz IS NULL OR arrived_at < $2)
		AND ($3 = 0 OR collector_id = $3) AND ($4 = 0 OR debtor_id = $4)
		AND ($5 = 0 OR zone_id = $5)
		ORDER BY arrived_at, id LIMIT $6`, from, to, q.CollectorID, q.DebtorID, q.ZoneID, limit)
	if err != nil {
		return nil, v.s.wrap("list visits", err)
	}
	defer rows.Close()
	out := []store.Visit{}
	for rows.Next() {
		var x store.Visit
		err := rows.Scan(&x.ID, &x.CollectorID, &x.ZoneID, &x.DebtorID, &x.ArrivedAt,
			&x.DepartedAt, &x.Dwell, &x.FixCount, &x.MedianAccuracy, &x.SpoofScore, &x.Status,
			&x.UpdatedAt, &x.DeviceIDs, &x.FixIDs, &x.SpoofReasons)
		if err != nil {
			return nil, v.s.wrap("list visits", err)
		}
		x.ArrivedAt, x.UpdatedAt = x.ArrivedAt.UTC(), x.UpdatedAt.UTC()
		if x.DepartedAt != nil {
			t := x.DepartedAt.UTC()
			x.DepartedAt = &t
		}
		out = append(out, x)
	}
	return out, v.s.wrap("list visits", rows.Err())
}

func (v visits) Events(ctx context.Context, visitID int64) ([]store.VisitEvent, error) {
	rows, err := v.s.pool.Query(ctx, `SELECT id, visit_id, type, at, payload
		FROM visit_events WHERE visit_id = $1 ORDER BY id`, visitID)
	if err != nil {
		return nil, v.s.wrap("visit events", err)
	}
	defer rows.Close()
	out := []store.VisitEvent{}
	for rows.Next() {
		var e store.VisitEvent
		if err := rows.Scan(&e.ID, &e.VisitID, &e.Type, &e.At, &e.Payload); err != nil {
			return nil, v.s.wrap("visit events", err)
		}
		e.At = e.At.UTC()
		out = append(out, e)
	}
	return out, v.s.wrap("visit events", rows.Err())
}
