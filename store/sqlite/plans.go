package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"

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
	p.UpdatedAt = now()
	if p.Breaks == nil {
		p.Breaks = []store.ProfileBreak{}
	}
	res, err := c.s.w.ExecContext(ctx, `INSERT INTO collector_profiles (collector_id,
		home_lat, home_lon, shift_start, shift_end, breaks, time_zone, max_visits, updated_at)
		SELECT id, ?, ?, ?, ?, ?, ?, ?, ? FROM collectors WHERE id = ?
		ON CONFLICT (collector_id) DO UPDATE SET home_lat = excluded.home_lat,
		home_lon = excluded.home_lon, shift_start = excluded.shift_start,
		shift_end = excluded.shift_end, breaks = excluded.breaks,
		time_zone = excluded.time_zone, max_visits = excluded.max_visits,
		updated_at = excluded.updated_at`,
		p.HomeLat, p.HomeLon, p.ShiftStart, p.ShiftEnd, toJSON(p.Breaks), p.TimeZone,
		p.MaxVisits, ms(p.UpdatedAt), p.CollectorID)
	return p, affected("put collector profile", res, err)
}

func scanCollectorProfile(scan func(...any) error) (store.CollectorProfile, error) {
	var (
		p       store.CollectorProfile
		breaks  string
		updated int64
	)
	err := scan(&p.CollectorID, &p.HomeLat, &p.HomeLon, &p.ShiftStart, &p.ShiftEnd, &breaks,
		&p.TimeZone, &p.MaxVisits, &updated)
	if err != nil {
		return p, err
	}
	p.UpdatedAt = fromMS(updated)
	return p, json.Unmarshal([]byte(breaks), &p.Breaks)
}

func (c collectorProfiles) Get(ctx context.Context, id int64) (store.CollectorProfile, error) {
	p, err := scanCollectorProfile(c.s.r.QueryRowContext(ctx, `SELECT `+collectorProfileCols+
		` FROM collector_profiles p WHERE p.collector_id = ?`, id).Scan)
	return p, wrap("get collector profile", err)
}

func (c collectorProfiles) List(ctx context.Context, team string) ([]store.CollectorProfile, error) {
	rows, err := c.s.r.QueryContext(ctx, `SELECT `+collectorProfileCols+`
		FROM collector_profiles p JOIN collectors c ON c.id = p.collector_id
		WHERE c.team = ? ORDER BY p.collector_id`, team)
	if err != nil {
		return nil, wrap("list collector profiles", err)
	}
	defer rows.Close()
	out := []store.CollectorProfile{}
	for rows.Next() {
		p, err := scanCollectorProfile(rows.Scan)
		if err != nil {
			return nil, wrap("list collector profiles", err)
		}
		out = append(out, p)
	}
	return out, wrap("list collector profiles", rows.Err())
}

type debtorProfiles struct{ s *Store }

const debtorProfileCols = `p.debtor_id, p.priority, p.amount_overdue, p.service_min,
	p.time_zone, p.region, p.updated_at`

func (d debtorProfiles) Put(ctx context.Context, p store.DebtorProfile) (store.DebtorProfile, error) {
	p.UpdatedAt = now()
	res, err := d.s.w.ExecContext(ctx, `INSERT INTO debtor_profiles (debtor_id, priority,
		amount_overdue, service_min, time_zone, region, updated_at)
		SELECT id, ?, ?, ?, ?, ?, ? FROM debtors WHERE id = ?
		ON CONFLICT (debtor_id) DO UPDATE SET priority = excluded.priority,
		amount_overdue = excluded.amount_overdue, service_min = excluded.service_min,
		time_zone = excluded.time_zone, region = excluded.region,
		updated_at = excluded.updated_at`,
		p.Priority, p.AmountOverdue, p.ServiceMinutes, p.TimeZone, p.Region, ms(p.UpdatedAt),
		p.DebtorID)
	return p, affected("put debtor profile", res, err)
}

func scanDebtorProfile(scan func(...any) error) (store.DebtorProfile, error) {
	var (
		p       store.DebtorProfile
		updated int64
	)
	err := scan(&p.DebtorID, &p.Priority, &p.AmountOverdue, &p.ServiceMinutes, &p.TimeZone,
		&p.Region, &updated)
	p.UpdatedAt = fromMS(updated)
	return p, err
}

func (d debtorProfiles) Get(ctx context.Context, id int64) (store.DebtorProfile, error) {
	p, err := scanDebtorProfile(d.s.r.QueryRowContext(ctx, `SELECT `+debtorProfileCols+
		` FROM debtor_profiles p WHERE p.debtor_id = ?`, id).Scan)
	return p, wrap("get debtor profile", err)
}

func (d debtorProfiles) List(ctx context.Context, team string) ([]store.DebtorProfile, error) {
	rows, err := d.s.r.QueryContext(ctx, `SELECT `+debtorProfileCols+`
		FROM debtor_profiles p JOIN debtors d ON d.id = p.debtor_id
		WHERE d.team = ? ORDER BY p.debtor_id`, team)
	if err != nil {
		return nil, wrap("list debtor profiles", err)
	}
	defer rows.Close()
	out := []store.DebtorProfile{}
	for rows.Next() {
		p, err := scanDebtorProfile(rows.Scan)
		if err != nil {
			return nil, wrap("list debtor profiles", err)
		}
		out = append(out, p)
	}
	return out, wrap("list debtor profiles", rows.Err())
}

type outcomes struct{ s *Store }

const outcomeCols = `visit_id, result, note, recorded_by, recorded_at, collector_id,
	debtor_id, zone_id, arrived_at`

func (o outcomes) Put(ctx context.Context, x store.Outcome) (store.Outcome, error) {
	x.RecordedAt = now()
	err := o.s.tx(ctx, "put outcome", func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `INSERT INTO visit_outcomes (`+outcomeCols+`)
			SELECT id, ?, ?, ?, ?, collector_id, debtor_id, zone_id, arrived_at
			FROM visits WHERE id = ?
			ON CONFLICT (visit_id) DO UPDATE SET result = excluded.result,
			note = excluded.note, recorded_by = excluded.recorded_by,
			recorded_at = excluded.recorded_at`,
			x.Result, x.Note, x.RecordedBy, ms(x.RecordedAt), x.VisitID)
		if err := affected("put outcome", res, err); err != nil {
			return err
		}
		var err2 error
		x, err2 = scanOutcome(tx.QueryRowContext(ctx, `SELECT `+outcomeCols+
			` FROM visit_outcomes WHERE visit_id = ?`, x.VisitID).Scan)
		return err2
	})
	return x, err
}

func scanOutcome(scan func(...any) error) (store.Outcome, error) {
	var (
		x             store.Outcome
		recorded, arr int64
	)
	err := scan(&x.VisitID, &x.Result, &x.Note, &x.RecordedBy, &recorded, &x.CollectorID,
		&x.DebtorID, &x.ZoneID, &arr)
	x.RecordedAt, x.ArrivedAt = fromMS(recorded), fromMS(arr)
	return x, err
}

func (o outcomes) Get(ctx context.Context, visitID int64) (store.Outcome, error) {
	x, err := scanOutcome(o.s.r.QueryRowContext(ctx, `SELECT `+outcomeCols+
		` FROM visit_outcomes WHERE visit_id = ?`, visitID).Scan)
	return x, wrap("get outcome", err)
}

func (o outcomes) List(ctx context.Context, q store.OutcomeQuery) ([]store.Outcome, error) {
	limit := q.Limit
	if limit <= 0 || limit > store.MaxOutcomeLimit {
		limit = store.MaxOutcomeLimit
	}
	from, to := int64(-1<<62), int64(1<<62)
	if !q.From.IsZero() {
		from = ms(q.From)
	}
	if !q.To.IsZero() {
		to = ms(q.To)
	}
	rows, err := o.s.r.QueryContext(ctx, `SELECT `+outcomeCols+` FROM visit_outcomes
		WHERE arrived_at >= ? AND arrived_at < ? AND (? = 0 OR debtor_id = ?)
		ORDER BY arrived_at, visit_id LIMIT ?`, from, to, q.DebtorID, q.DebtorID, limit)
	if err != nil {
		return nil, wrap("list outcomes", err)
	}
	defer rows.Close()
	out := []store.Outcome{}
	for rows.Next() {
		x, err := scanOutcome(rows.Scan)
		if err != nil {
			return nil, wrap("list outcomes", err)
		}
		out = append(out, x)
	}
	return out, wrap("list outcomes", rows.Err())
}

func (o outcomes) Visit(ctx context.Context, id int64) (store.Visit, error) {
	x, err := scanVisit(o.s.r.QueryRowContext(ctx, `SELECT id, collector_id, zone_id,
		debtor_id, arrived_at, departed_at, dwell, fix_count, median_accuracy, spoof_score,
		status, updated_at, body FROM visits WHERE id = ?`, id).Scan)
	return x, wrap("get visit", err)
}

type holidays struct{ s *Store }

func (h holidays) Put(ctx context.Context, x store.Holiday) error {
	_, err := h.s.w.ExecContext(ctx, `INSERT INTO holidays (date, region, name)
		VALUES (?, ?, ?) ON CONFLICT (date, region) DO UPDATE SET name = excluded.name`,
		x.Date, x.Region, x.Name)
	return wrap("put holiday", err)
}

func (h holidays) Delete(ctx context.Context, date, region string) error {
	res, err := h.s.w.ExecContext(ctx, `DELETE FROM holidays WHERE date = ? AND region = ?`,
		date, region)
	return affected("delete holiday", res, err)
}

func (h holidays) List(ctx context.Context, from, to string) ([]store.Holiday, error) {
	rows, err := h.s.r.QueryContext(ctx, `SELECT date, region, name FROM holidays
		WHERE date >= ? AND date <= ? ORDER BY date, region`, from, to)
	if err != nil {
		return nil, wrap("list holidays", err)
	}
	defer rows.Close()
	out := []store.Holiday{}
	for rows.Next() {
		var x store.Holiday
		if err := rows.Scan(&x.Date, &x.Region, &x.Name); err != nil {
			return nil, wrap("list holidays", err)
		}
		out = append(out, x)
	}
	return out, wrap("list holidays", rows.Err())
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
	x.CreatedAt = now()
	x.UpdatedBy, x.UpdatedAt = x.CreatedBy, x.CreatedAt
	if x.Collectors == nil {
		x.Collectors = []int64{}
	}
	err := p.s.tx(ctx, "create plan", func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `UPDATE plans SET status = ?
			WHERE date = ? AND team = ? AND status = ?`,
			store.PlanSuperseded, x.Date, x.Team, store.PlanActive); err != nil {
			return err
		}
		res, err := tx.ExecContext(ctx, `INSERT INTO plans (date, team, version, status,
			created_by, created_at, updated_by, updated_at, collectors, problem, body)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`, x.Date, x.Team, x.Version, x.Status,
			x.CreatedBy, ms(x.CreatedAt), x.UpdatedBy, ms(x.UpdatedAt), toJSON(x.Collectors),
			string(x.Problem), string(x.Body))
		if err != nil {
			return err
		}
		if x.ID, err = res.LastInsertId(); err != nil {
			return err
		}
		return p.writeVersion(ctx, tx, x, change)
	})
	return x, err
}

// writeVersion appends x's current version to the history and replaces
// its collector index.
func (p plans) writeVersion(ctx context.Context, tx *sql.Tx, x store.Plan,
	change json.RawMessage) error {
	if _, err := tx.ExecContext(ctx, `INSERT INTO plan_versions (plan_id, version, author,
		at, change, body) VALUES (?, ?, ?, ?, ?, ?)`, x.ID, x.Version, x.UpdatedBy,
		ms(x.UpdatedAt), string(change), string(x.Body)); err != nil {
		return err
	}
	if _, err := tx.ExecContext(ctx, `DELETE FROM plan_collectors WHERE plan_id = ?`,
		x.ID); err != nil {
		return err
	}
	for _, c := range x.Collectors {
		if _, err := tx.ExecContext(ctx, `INSERT OR IGNORE INTO plan_collectors
			(plan_id, collector_id) VALUES (?, ?)`, x.ID, c); err != nil {
			return err
		}
	}
	return nil
}

func scanPlan(scan func(...any) error, extra ...any) (store.Plan, error) {
	var (
		x                store.Plan
		created, updated int64
		collectors, body string
	)
	dst := append([]any{&x.ID, &x.Date, &x.Team, &x.Version, &x.Status, &x.CreatedBy,
		&created, &x.UpdatedBy, &updated, &collectors, &body}, extra...)
	if err := scan(dst...); err != nil {
		return x, err
	}
	x.CreatedAt, x.UpdatedAt = fromMS(created), fromMS(updated)
	x.Body = json.RawMessage(body)
	return x, json.Unmarshal([]byte(collectors), &x.Collectors)
}

func (p plans) Get(ctx context.Context, id int64) (store.Plan, error) {
	var problem string
	x, err := scanPlan(p.s.r.QueryRowContext(ctx, `SELECT `+planCols+`, problem
		FROM plans WHERE id = ?`, id).Scan, &problem)
	x.Problem = json.RawMessage(problem)
	return x, wrap("get plan", err)
}

func (p plans) List(ctx context.Context, q store.PlanQuery) ([]store.Plan, error) {
	rows, err := p.s.r.QueryContext(ctx, `SELECT `+planCols+` FROM plans
		WHERE (? = '' OR date = ?) AND (? = '' OR team = ?) AND (? = '' OR status = ?)
		ORDER BY id DESC`, q.Date, q.Date, q.Team, q.Team, q.Status, q.Status)
	if err != nil {
		return nil, wrap("list plans", err)
	}
	defer rows.Close()
	out := []store.Plan{}
	for rows.Next() {
		x, err := scanPlan(rows.Scan)
		if err != nil {
			return nil, wrap("list plans", err)
		}
		out = append(out, x)
	}
	return out, wrap("list plans", rows.Err())
}

func (p plans) Update(ctx context.Context, id int64, base int, author string,
	collectors []int64, body, change json.RawMessage) (store.Plan, error) {
	if collectors == nil {
		collectors = []int64{}
	}
	var x store.Plan
	err := p.s.tx(ctx, "update plan", func(tx *sql.Tx) error {
		var err error
		x, err = scanPlan(tx.QueryRowContext(ctx, `SELECT `+planCols+` FROM plans
			WHERE id = ?`, id).Scan)
		if err != nil {
			return err
		}
		if x.Version != base {
			return store.ErrConflict
		}
		x.Version, x.UpdatedBy, x.UpdatedAt = base+1, author, now()
		x.Collectors, x.Body = collectors, body
		if _, err := tx.ExecContext(ctx, `UPDATE plans SET version = ?, updated_by = ?,
			updated_at = ?, collectors = ?, body = ? WHERE id = ?`, x.Version, author,
			ms(x.UpdatedAt), toJSON(collectors), string(body), id); err != nil {
			return err
		}
		return p.writeVersion(ctx, tx, x, change)
	})
	return x, err
}

func (p plans) Versions(ctx context.Context, id int64) ([]store.PlanVersion, error) {
	rows, err := p.s.r.QueryContext(ctx, `SELECT plan_id, version, author, at, change, body
		FROM plan_versions WHERE plan_id = ? ORDER BY version`, id)
	if err != nil {
		return nil, wrap("plan versions", err)
	}
	defer rows.Close()
	out := []store.PlanVersion{}
	for rows.Next() {
		var (
			v            store.PlanVersion
			at           int64
			change, body string
		)
		if err := rows.Scan(&v.PlanID, &v.Version, &v.Author, &at, &change, &body); err != nil {
			return nil, wrap("plan versions", err)
		}
		v.At, v.Change, v.Body = fromMS(at), json.RawMessage(change), json.RawMessage(body)
		out = append(out, v)
	}
	return out, wrap("plan versions", rows.Err())
}

func (p plans) ForCollector(ctx context.Context, collectorID int64, date string) (store.Plan, error) {
	x, err := scanPlan(p.s.r.QueryRowContext(ctx, `SELECT `+planColsP+`
		FROM plans p JOIN plan_collectors c ON c.plan_id = p.id
		WHERE c.collector_id = ? AND p.date = ? AND p.status = ?
		ORDER BY p.id DESC LIMIT 1`, collectorID, date, store.PlanActive).Scan)
	return x, wrap("plan for collector", err)
}
