package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"

	"dozor/store"
)

type visits struct{ s *Store }

// visitBody holds the visit's array fields, stored as JSON.
type visitBody struct {
	Devices []int64  `json:"devices"`
	FixIDs  []int64  `json:"fix_ids"`
	Reasons []string `json:"spoof_reasons"`
}

func (v visits) Put(ctx context.Context, x store.Visit, e store.VisitEvent) error {
	var dep any
	if x.DepartedAt != nil {
		dep = ms(*x.DepartedAt)
	}
	body := toJSON(visitBody{x.DeviceIDs, x.FixIDs, x.SpoofReasons})
	return v.s.tx(ctx, "put visit", func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO visits (id, collector_id, zone_id,
			debtor_id, arrived_at, departed_at, dwell, fix_count, median_accuracy,
			spoof_score, status, updated_at, body) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)
			ON CONFLICT (id) DO UPDATE SET collector_id = excluded.collector_id,
			zone_id = excluded.zone_id, debtor_id = excluded.debtor_id,
			arrived_at = excluded.arrived_at, departed_at = excluded.departed_at,
			dwell = excluded.dwell, fix_count = excluded.fix_count,
			median_accuracy = excluded.median_accuracy, spoof_score = excluded.spoof_score,
			status = excluded.status, updated_at = excluded.updated_at, body = excluded.body`,
			x.ID, x.CollectorID, x.ZoneID, x.DebtorID, ms(x.ArrivedAt), dep, x.Dwell,
			x.FixCount, x.MedianAccuracy, x.SpoofScore, x.Status, ms(now()), body)
		if err != nil {
			return err
		}
		_, err = tx.ExecContext(ctx, `INSERT INTO visit_events (visit_id, type, at, payload)
			VALUES (?, ?, ?, ?)`, x.ID, e.Type, ms(e.At), string(e.Payload))
		return err
	})
}

func (v visits) List(ctx context.Context, q store.VisitQuery) ([]store.Visit, error) {
	limit := q.Limit
	if limit <= 0 || limit > store.MaxVisitLimit {
		limit = store.MaxVisitLimit
	}
	from, to := int64(-1<<62), int64(1<<62)
	if !q.From.IsZero() {
		from = ms(q.From)
	}
	if !q.To.IsZero() {
		to = ms(q.To)
	}
	rows, err := v.s.r.QueryContext(ctx, `SELECT id, collector_id, zone_id, debtor_id,
		arrived_at, departed_at, dwell, fix_count, median_accuracy, spoof_score, status,
		updated_at, body FROM visits
		WHERE arrived_at >= ? AND arrived_at < ?
		AND (? = 0 OR collector_id = ?) AND (? = 0 OR debtor_id = ?) AND (? = 0 OR zone_id = ?)
		ORDER BY arrived_at, id LIMIT ?`, from, to, q.CollectorID, q.CollectorID,
		q.DebtorID, q.DebtorID, q.ZoneID, q.ZoneID, limit)
	if err != nil {
		return nil, wrap("list visits", err)
	}
	defer rows.Close()
	out := []store.Visit{}
	for rows.Next() {
		x, err := scanVisit(rows.Scan)
		if err != nil {
			return nil, wrap("list visits", err)
		}
		out = append(out, x)
	}
	return out, wrap("list visits", rows.Err())
}

func scanVisit(scan func(...any) error) (store.Visit, error) {
	var (
		x        store.Visit
		arr, upd int64
		dep      sql.NullInt64
		body     string
		b        visitBody
	)
	err := scan(&x.ID, &x.CollectorID, &x.ZoneID, &x.DebtorID, &arr, &dep, &x.Dwell,
		&x.FixCount, &x.MedianAccuracy, &x.SpoofScore, &x.Status, &upd, &body)
	if err != nil {
		return x, err
	}
	x.ArrivedAt, x.UpdatedAt = fromMS(arr), fromMS(upd)
	if dep.Valid {
		t := fromMS(dep.Int64)
		x.DepartedAt = &t
	}
	if err := json.Unmarshal([]byte(body), &b); err != nil {
		return x, err
	}
	x.DeviceIDs, x.FixIDs, x.SpoofReasons = b.Devices, b.FixIDs, b.Reasons
	return x, nil
}

func (v visits) Events(ctx context.Context, visitID int64) ([]store.VisitEvent, error) {
	rows, err := v.s.r.QueryContext(ctx, `SELECT id, visit_id, type, at, payload
		FROM visit_events WHERE visit_id = ? ORDER BY id`, visitID)
	if err != nil {
		return nil, wrap("visit events", err)
	}
	defer rows.Close()
	out := []store.VisitEvent{}
	for rows.Next() {
		var (
			e       store.VisitEvent
			at      int64
			payload string
		)
		if err := rows.Scan(&e.ID, &e.VisitID, &e.Type, &at, &payload); err != nil {
			return nil, wrap("visit events", err)
		}
		e.At, e.Payload = fromMS(at), []byte(payload)
		out = append(out, e)
	}
	return out, wrap("visit events", rows.Err())
}
