package postgres

import (
	"context"
	"encoding/json"
	"time"

	"github.com/jackc/pgx/v5"

	"dozor/store"
)

var _ store.Planning = (*Store)(nil)

// CollectorProfiles implements store.Planning.
func (s *Store) CollectorProfiles() store.CollectorProfiles { return collectorProfiles{s} }

// DebtorProfiles implements store.Planning.
func (s *Store) DebtorProfiles() store.DebtorProfiles { return debtorProfiles{s} }

// Outcomes implements store.Planning.
func (s *Store) Outcomes() store.Outcomes { return outcomes{s} }

// Holidays implements store.Planning.
func (s *Store) Holidays() store.Holidays { return holidays{s} }

// Plans implements store.Planning.
func (s *Store) Plans() store.Plans { return plans{s} }

type collectorProfiles struct{ s *Store }

const collectorProfileCols = `p.collector_id, p.home_lat, p.home_lon, p.shift_start,
	p.shift_end, p.breaks, p.time_zone, p.max_visits, p.updated_at`

func (c collectorProfiles) Put(ctx context.Context, p store.CollectorProfile) (
	store.CollectorProfile, error) {
	p.UpdatedAt = nowUTC()
	if p.Breaks == nil {
		p.Breaks = []store.ProfileBreak{}
	}
	tag, err := c.s.pool.Exec(ctx, `INSERT INTO collector_profiles (collector_id, home_lat,
		home_lon, shift_start, shift_end, breaks, time_zone, max_visits, updated_at)
		SELECT id, $1, $2, $3, $4, $5, $6, $7, $8 FROM collectors WHERE id = $9
		ON CONFLICT (collector_id) DO UPDATE SET home_lat = excluded.home_lat,
		home_lon = excluded.home_lon, shift_start = excluded.shift_start,
		shift_end = excluded.shift_end, breaks = excluded.breaks,
		time_zone = excluded.time_zone, max_visits = excluded.max_visits,
		updated_at = excluded.updated_at`,
		p.HomeLat, p.HomeLon, p.ShiftStart, p.ShiftEnd, p.Breaks, p.TimeZone, p.MaxVisits,
		p.UpdatedAt, p.CollectorID)
	return p, c.s.changed("put collector profile", tag, err)
}

func scanCollectorProfile(row pgx.Row) (store.CollectorProfile, error) {
	var p store.CollectorProfile
	err := row.Scan(&p.CollectorID, &p.HomeLat, &p.HomeLon, &p.ShiftStart, &p.ShiftEnd,
		&p.Breaks, &p.TimeZone, &p.MaxVisits, &p.UpdatedAt)
	p.UpdatedAt = p.UpdatedAt.UTC()
	return p, err
}

func (c collectorProfiles) Get(ctx context.Context, id int64) (store.CollectorProfile, error) {
	p, err := scanCollectorProfile(c.s.pool.QueryRow(ctx, `SELECT `+collectorProfileCols+`
		FROM collector_profiles p WHERE p.collector_id = $1`, id))
	return p, c.s.wrap("get collector profile", err)
}

func (c collectorProfiles) List(ctx context.Context, team string) ([]store.CollectorProfile, error) {
	rows, err := c.s.pool.Query(ctx, `SELECT `+collectorProfileCols+`
		FROM collector_profiles p JOIN collectors c ON c.id = p.collector_id
		WHERE c.team = $1 ORDER BY p.collector_id`, team)
	if err != nil {
		return nil, c.s.wrap("list collector profiles", err)
	}
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (store.CollectorProfile, error) {
		return scanCollectorProfile(r)
	})
	if out == nil {
		out = []store.CollectorProfile{}
	}
	return out, c.s.wrap("list collector profiles", err)
}

type debtorProfiles struct{ s *Store }

const debtorProfileCols = `p.debtor_id, p.priority, p.amount_overdue, p.service_min,
	p.time_zone, p.region, p.updated_at`

func (d debtorProfiles) Put(ctx context.Context, p store.DebtorProfile) (store.DebtorProfile, error) {
	p.UpdatedAt = nowUTC()
	tag, err := d.s.pool.Exec(ctx, `INSERT INTO debtor_profiles (debtor_id, priority,
		amount_overdue, service_min, time_zone, region, updated_at)
		SELECT id, $1, $2, $3, $4, $5, $6 FROM debtors WHERE id = $7
		ON CONFLICT (debtor_id) DO UPDATE SET priority = excluded.priority,
		amount_overdue = excluded.amount_overdue, service_min = excluded.service_min,
		time_zone = excluded.time_zone, region = excluded.region,
		updated_at = excluded.updated_at`,
		p.Priority, p.AmountOverdue, p.ServiceMinutes, p.TimeZone, p.Region, p.UpdatedAt,
		p.DebtorID)
	return p, d.s.changed("put debtor profile", tag, err)
}

func scanDebtorProfile(row pgx.Row) (store.DebtorProfile, error) {
	var p store.DebtorProfile
	err := row.Scan(&p.DebtorID, &p.Priority, &p.AmountOverdue, &p.ServiceMinutes,
		&p.TimeZone, &p.Region, &p.UpdatedAt)
	p.UpdatedAt = p.UpdatedAt.UTC()
	return p, err
}

func (d debtorProfiles) Get(ctx context.Context, id int64) (store.DebtorProfile, error) {
	p, err := scanDebtorProfile(d.s.pool.QueryRow(ctx, `SELECT `+debtorProfileCols+`
		FROM debtor_profiles p WHERE p.debtor_id = $1`, id))
	return p, d.s.wrap("get debtor profile", err)
}

func (d debtorProfiles) List(ctx context.Context, team string) ([]store.DebtorProfile, error) {
	rows, err := d.s.pool.Query(ctx, `SELECT `+debtorProfileCols+`
		FROM debtor_profiles p JOIN debtors d ON d.id = p.debtor_id
		WHERE d.team = $1 ORDER BY p.debtor_id`, team)
	if err != nil {
		return nil, d.s.wrap("list debtor profiles", err)
	}
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (store.DebtorProfile, error) {
		return scanDebtorProfile(r)
	})
	if out == nil {
		out = []store.DebtorProfile{}
	}
	return out, d.s.wrap("list debtor profiles", err)
}

type outcomes struct{ s *Store }

const outcomeCols = `visit_id, result, note, recorded_by, recorded_at, collector_id,
	debtor_id, zone_id, arrived_at`

func (o outcomes) Put(ctx context.Context, x store.Outcome) (store.Outcome, error) {
	x.RecordedAt = nowUTC()
	out, err := scanOutcome(o.s.pool.QueryRow(ctx, `INSERT INTO visit_outcomes (`+outcomeCols+`)
		SELECT id, $1, $2, $3, $4, collector_id, debtor_id, zone_id, arrived_at
		FROM visits WHERE id = $5
		ON CONFLICT (visit_id) DO UPDATE SET result = excluded.result,
		note = excluded.note, recorded_by = excluded.recorded_by,
		recorded_at = excluded.recorded_at
		RETURNING `+outcomeCols, x.Result, x.Note, x.RecordedBy, x.RecordedAt, x.VisitID))
	return out, o.s.wrap("put outcome", err)
}

func scanOutcome(row pgx.Row) (store.Outcome, error) {
	var x store.Outcome
	err := row.Scan(&x.VisitID, &x.Result, &x.Note, &x.RecordedBy, &x.RecordedAt,
		&x.CollectorID, &x.DebtorID, &x.ZoneID, &x.ArrivedAt)
	x.RecordedAt, x.ArrivedAt = x.RecordedAt.UTC(), x.ArrivedAt.UTC()
	return x, err
}

func (o outcomes) Get(ctx context.Context, visitID int64) (store.Outcome, error) {
	x, err := scanOutcome(o.s.pool.QueryRow(ctx, `SELECT `+outcomeCols+`
		FROM visit_outcomes WHERE visit_id = $1`, visitID))
	return x, o.s.wrap("get outcome", err)
}

func (o outcomes) List(ctx context.Context, q store.OutcomeQuery) ([]store.Outcome, error) {
	limit := q.Limit
	if limit <= 0 || limit > store.MaxOutcomeLimit {
		limit = store.MaxOutcomeLimit
	}
	var from, to *time.Time
	if !q.From.IsZero() {
		from = &q.From
	}
	if !q.To.IsZero() {
		to = &q.To
	}
	rows, err := o.s.pool.Query(ctx, `SELECT `+outcomeCols+` FROM visit_outcomes
		WHERE ($1::timestamptz IS NULL OR arrived_at >= $1)
		AND ($2::timestamptz IS NULL OR arrived_at < $2) AND ($3 = 0 OR debtor_id = $3)
		ORDER BY arrived_at, visit_id LIMIT $4`, from, to, q.DebtorID, limit)
	if err != nil {
		return nil, o.s.wrap("list outcomes", err)
	}
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (store.Outcome, error) {
		return scanOutcome(r)
	})
	if out == nil {
		out = []store.Outcome{}
	}
	return out, o.s.wrap("list outcomes", err)
}

func (o outcomes) Visit(ctx context.Context, id int64) (store.Visit, error) {
	var x store.Visit
	err := o.s.pool.QueryRow(ctx, `SELECT id, collector_id, zone_id, debtor_id,
		arrived_at, departed_at, dwell, fix_count, median_accuracy, spoof_score, status,
		updated_at, device_ids, fix_ids, spoof_reasons FROM visits WHERE id = $1`, id).Scan(
		&x.ID, &x.CollectorID, &x.ZoneID, &x.DebtorID, &x.ArrivedAt, &x.DepartedAt, &x.Dwell,
		&x.FixCount, &x.MedianAccuracy, &x.SpoofScore, &x.Status, &x.UpdatedAt, &x.DeviceIDs,
		&x.FixIDs, &x.SpoofReasons)
	x.ArrivedAt, x.UpdatedAt = x.ArrivedAt.UTC(), x.UpdatedAt.UTC()
	if x.DepartedAt != nil {
		t := x.DepartedAt.UTC()
		x.DepartedAt = &t
	}
	return x, o.s.wrap("get visit", err)
}

type holidays struct{ s *Store }

func (h holidays) Put(ctx context.Context, x store.Holiday) error {
	_, err := h.s.pool.Exec(ctx, `INSERT INTO holidays (date, region, name)
		VALUES ($1, $2, $3) ON CONFLICT (date, region) DO UPDATE SET name = excluded.name`,
		x.Date, x.Region, x.Name)
	return h.s.wrap("put holiday", err)
}

func (h holidays) Delete(ctx context.Context, date, region string) error {
	tag, err := h.s.pool.Exec(ctx, `DELETE FROM holidays WHERE date = $1 AND region = $2`,
		date, region)
	return h.s.changed("delete holiday", tag, err)
}

func (h holidays) List(ctx context.Context, from, to string) ([]store.Holiday, error) {
	rows, err := h.s.pool.Query(ctx, `SELECT date, region, name FROM holidays
		WHERE date >= $1 AND date <= $2 ORDER BY date, region`, from, to)
	if err != nil {
		return nil, h.s.wrap("list holidays", err)
	}
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (store.Holiday, error) {
		var x store.Holiday
		return x, r.Scan(&x.Date, &x.Region, &x.Name)
	})
	if out == nil {
		out = []store.Holiday{}
	}
	return out, h.s.wrap("list holidays", err)
}

type plans struct{ s *Store }

const (
	planCols = `id, date, team, version, status, created_by, created_at, updated_by,
	updated_at, collectors, body`
	planColsP = `p.id, p.date, p.team, p.version, p.status, p.created_by, p.created_at,
	p.updated_by, p.updated_at, p.collectors, p.body`
)

func (p plans) Create(ctx context.Context, x store.Plan, change json.RawMessage) (store.Plan, error) {
	x.Version, x.Status = 1, store.PlanActive
	x.CreatedAt = nowUTC()
	x.UpdatedBy, x.UpdatedAt = x.CreatedBy, x.CreatedAt
	if x.Collectors == nil {
		x.Collectors = []int64{}
	}
	err := pgx.BeginFunc(ctx, p.s.pool, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `UPDATE plans SET status = $1
			WHERE date = $2 AND team = $3 AND status = $4`,
			store.PlanSuperseded, x.Date, x.Team, store.PlanActive); err != nil {
			return err
		}
		err := tx.QueryRow(ctx, `INSERT INTO plans (date, team, version, status, created_by,
			created_at, updated_by, updated_at, collectors, problem, body)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) RETURNING id`,
			x.Date, x.Team, x.Version, x.Status, x.CreatedBy, x.CreatedAt, x.UpdatedBy,
			x.UpdatedAt, x.Collectors, string(x.Problem), string(x.Body)).Scan(&x.ID)
		if err != nil {
			return err
		}
		return writeVersion(ctx, tx, x, change)
	})
	return x, p.s.wrap("create plan", err)
}

// writeVersion appends x's current version to the history and replaces
// its collector index.
func writeVersion(ctx context.Context, tx pgx.Tx, x store.Plan, change json.RawMessage) error {
	if _, err := tx.Exec(ctx, `INSERT INTO plan_versions (plan_id, version, author, at,
		change, body) VALUES ($1, $2, $3, $4, $5, $6)`, x.ID, x.Version, x.UpdatedBy,
		x.UpdatedAt, string(change), string(x.Body)); err != nil {
		return err
	}
	if _, err := tx.Exec(ctx, `DELETE FROM plan_collectors WHERE plan_id = $1`, x.ID); err != nil {
		return err
	}
	_, err := tx.Exec(ctx, `INSERT INTO plan_collectors (plan_id, collector_id)
		SELECT $1, c FROM unnest($2::bigint[]) AS c ON CONFLICT DO NOTHING`, x.ID, x.Collectors)
	return err
}

func scanPlan(row pgx.Row, extra ...any) (store.Plan, error) {
	var (
		x    store.Plan
		body string
	)
	dst := append([]any{&x.ID, &x.Date, &x.Team, &x.Version, &x.Status, &x.CreatedBy,
		&x.CreatedAt, &x.UpdatedBy, &x.UpdatedAt, &x.Collectors, &body}, extra...)
	err := row.Scan(dst...)
	x.CreatedAt, x.UpdatedAt = x.CreatedAt.UTC(), x.UpdatedAt.UTC()
	x.Body = json.RawMessage(body)
	return x, err
}

func (p plans) Get(ctx context.Context, id int64) (store.Plan, error) {
	var problem string
	x, err := scanPlan(p.s.pool.QueryRow(ctx, `SELECT `+planCols+`, problem
		FROM plans WHERE id = $1`, id), &problem)
	x.Problem = json.RawMessage(problem)
	return x, p.s.wrap("get plan", err)
}

func (p plans) List(ctx context.Context, q store.PlanQuery) ([]store.Plan, error) {
	rows, err := p.s.pool.Query(ctx, `SELECT `+planCols+` FROM plans
		WHERE ($1 = '' OR date = $1) AND ($2 = '' OR team = $2) AND ($3 = '' OR status = $3)
		ORDER BY id DESC`, q.Date, q.Team, q.Status)
	if err != nil {
		return nil, p.s.wrap("list plans", err)
	}
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (store.Plan, error) {
		return scanPlan(r)
	})
	if out == nil {
		out = []store.Plan{}
	}
	return out, p.s.wrap("list plans", err)
}

func (p plans) Update(ctx context.Context, id int64, base int, author string,
	collectors []int64, body, change json.RawMessage) (store.Plan, error) {
	if collectors == nil {
		collectors = []int64{}
	}
	var x store.Plan
	err := pgx.BeginFunc(ctx, p.s.pool, func(tx pgx.Tx) error {
		var err error
		x, err = scanPlan(tx.QueryRow(ctx, `SELECT `+planCols+` FROM plans
			WHERE id = $1 FOR UPDATE`, id))
		if err != nil {
			return err
		}
		if x.Version != base {
			return store.ErrConflict
		}
		x.Version, x.UpdatedBy, x.UpdatedAt = base+1, author, nowUTC()
		x.Collectors, x.Body = collectors, body
		if _, err := tx.Exec(ctx, `UPDATE plans SET version = $1, updated_by = $2,
			updated_at = $3, collectors = $4, body = $5 WHERE id = $6`, x.Version, author,
			x.UpdatedAt, collectors, string(body), id); err != nil {
			return err
		}
		return writeVersion(ctx, tx, x, change)
	})
	return x, p.s.wrap("update plan", err)
}

func (p plans) Versions(ctx context.Context, id int64) ([]store.PlanVersion, error) {
	rows, err := p.s.pool.Query(ctx, `SELECT plan_id, version, author, at, change, body
		FROM plan_versions WHERE plan_id = $1 ORDER BY version`, id)
	if err != nil {
		return nil, p.s.wrap("plan versions", err)
	}
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (store.PlanVersion, error) {
		var (
			v            store.PlanVersion
			change, body string
		)
		err := r.Scan(&v.PlanID, &v.Version, &v.Author, &v.At, &change, &body)
		v.At, v.Change, v.Body = v.At.UTC(), json.RawMessage(change), json.RawMessage(body)
		return v, err
	})
	if out == nil {
		out = []store.PlanVersion{}
	}
	return out, p.s.wrap("plan versions", err)
}

func (p plans) ForCollector(ctx context.Context, collectorID int64, date string) (store.Plan, error) {
	x, err := scanPlan(p.s.pool.QueryRow(ctx, `SELECT `+planColsP+`
		FROM plans p JOIN plan_collectors c ON c.plan_id = p.id
		WHERE c.collector_id = $1 AND p.date = $2 AND p.status = $3
		ORDER BY p.id DESC LIMIT 1`, collectorID, date, store.PlanActive))
	return x, p.s.wrap("plan for collector", err)
}
