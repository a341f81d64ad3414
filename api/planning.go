package api

import (
	"errors"
	"fmt"
	"math"
	"net/http"
	"time"

	"dozor/store"
)

// Planning data: collector and debtor profiles, visit outcomes, holidays.

var outcomeResults = []string{store.OutcomeContact, store.OutcomePromise, store.OutcomeRefused,
	store.OutcomeNoContact, store.OutcomeThirdParty, store.OutcomeWrongAddress}

// outcome records the result of a stored visit: by the collector who made
// it, or by a supervisor of the collector's team.
func (a *planAPI) outcome(w http.ResponseWriter, r *http.Request) {
	id, ok := pathID(w, r)
	var req struct {
		Result string `json:"result"`
		Note   string `json:"note"`
	}
	if !ok || !readJSON(w, r, &req) {
		return
	}
	known := false
	for _, res := range outcomeResults {
		known = known || req.Result == res
	}
	if !known {
		writeError(w, http.StatusBadRequest, fmt.Sprintf("result: want one of %v", outcomeResults))
		return
	}
	if a.s.badRequest(w, text("note", req.Note, 2000, false)) {
		return
	}
	v, err := a.pl.Outcomes().Visit(r.Context(), id)
	if err == nil {
		err = a.mayRecord(r, v)
	}
	if err != nil {
		a.s.storeError(w, "visit", err)
		return
	}
	p, _ := PrincipalFrom(r.Context())
	o, err := a.pl.Outcomes().Put(r.Context(), store.Outcome{VisitID: id, Result: req.Result,
		Note: req.Note, RecordedBy: p.actor()})
	if err != nil {
		a.s.storeError(w, "visit", err)
		return
	}
	_ = a.s.Audit(r, "visit.outcome", fmt.Sprintf("visit/%d", id), "result="+req.Result)
	writeJSON(w, http.StatusOK, o)
}

// mayRecord answers ErrNotFound for a visit outside the caller's reach.
func (a *planAPI) mayRecord(r *http.Request, v store.Visit) error {
	p, _ := PrincipalFrom(r.Context())
	if p.Role == RoleCollector {
		if p.CollectorID == 0 || p.CollectorID != v.CollectorID {
			return store.ErrNotFound
		}
		return nil
	}
	return a.collectorInTeam(r, v.CollectorID)
}

// collectorInTeam answers ErrNotFound for a collector outside the
// caller's teams.
func (a *planAPI) collectorInTeam(r *http.Request, id int64) error {
	c, err := a.s.cfg.Store.Geo().Collectors().Get(r.Context(), id)
	if p, _ := PrincipalFrom(r.Context()); err == nil && !p.InTeam(c.Team) {
		return store.ErrNotFound
	}
	return err
}

func (a *planAPI) debtorInTeam(r *http.Request, id int64) error {
	d, err := a.s.cfg.Store.Geo().Debtors().Get(r.Context(), id)
	if p, _ := PrincipalFrom(r.Context()); err == nil && !p.InTeam(d.Team) {
		return store.ErrNotFound
	}
	return err
}

func (a *planAPI) getCollectorProfile(w http.ResponseWriter, r *http.Request) {
	id, ok := pathID(w, r)
	if !ok {
		return
	}
	err := a.collectorInTeam(r, id)
	var p store.CollectorProfile
	if err == nil {
		p, err = a.pl.CollectorProfiles().Get(r.Context(), id)
	}
	if err != nil {
		a.s.storeError(w, "collector profile", err)
		return
	}
	writeJSON(w, http.StatusOK, p)
}

func checkCollectorProfile(p store.CollectorProfile) error {
	errs := []error{checkLatLon(p.HomeLat, p.HomeLon), checkZone(p.TimeZone)}
	if p.ShiftStart < 0 || p.ShiftEnd > 36*60 || p.ShiftStart >= p.ShiftEnd {
		errs = append(errs, errors.New("shift: want 0 <= shift_start_min < shift_end_min <= 2160"))
	}
	if len(p.Breaks) > 5 {
		errs = append(errs, errors.New("breaks: at most 5"))
	}
	for _, b := range p.Breaks {
		if b.From < 0 || b.From > b.To || b.To > 36*60 || b.Minutes <= 0 || b.Minutes > 240 {
			errs = append(errs, errors.New("break: want 0 <= from_min <= to_min, 1 to 240 minutes"))
		}
	}
	if p.MaxVisits < 0 || p.MaxVisits > 200 {
		errs = append(errs, errors.New("max_visits: want 0 to 200"))
	}
	return errors.Join(errs...)
}

func checkLatLon(lat, lon float64) error {
	if math.IsNaN(lat) || math.IsNaN(lon) || math.Abs(lat) > 90 || math.Abs(lon) > 180 ||
		lat == 0 && lon == 0 {
		return errors.New("home_lat, home_lon: want a position in degrees")
	}
	return nil
}

func checkZone(name string) error {
	if name == "" {
		return nil
	}
	if len(name) > 64 {
		return errors.New("time_zone: too long")
	}
	if _, err := time.LoadLocation(name); err != nil {
		return fmt.Errorf("time_zone: unknown zone %q", clip(name))
	}
	return nil
}

func (a *planAPI) putCollectorProfile(w http.ResponseWriter, r *http.Request) {
	id, ok := pathID(w, r)
	var p store.CollectorProfile
	if !ok || !readJSON(w, r, &p) || a.s.badRequest(w, checkCollectorProfile(p)) {
		return
	}
	p.CollectorID = id
	err := a.collectorInTeam(r, id)
	if err == nil {
		p, err = a.pl.CollectorProfiles().Put(r.Context(), p)
	}
	if err != nil {
		a.s.storeError(w, "collector", err)
		return
	}
	writeJSON(w, http.StatusOK, p)
}

func (a *planAPI) getDebtorProfile(w http.ResponseWriter, r *http.Request) {
	id, ok := pathID(w, r)
	if !ok {
		return
	}
	err := a.debtorInTeam(r, id)
	var p store.DebtorProfile
	if err == nil {
		p, err = a.pl.DebtorProfiles().Get(r.Context(), id)
	}
	if err != nil {
		a.s.storeError(w, "debtor profile", err)
		return
	}
	writeJSON(w, http.StatusOK, p)
}

func checkDebtorProfile(p store.DebtorProfile) error {
	errs := []error{checkZone(p.TimeZone), text("region", p.Region, 50, false)}
	if math.IsNaN(p.Priority) || p.Priority < 0 || p.Priority > 1000 {
		errs = append(errs, errors.New("priority: want 0 to 1000"))
	}
	if math.IsNaN(p.AmountOverdue) || p.AmountOverdue < 0 || p.AmountOverdue > 1e12 {
		errs = append(errs, errors.New("amount_overdue: want 0 to 1e12"))
	}
	if p.ServiceMinutes < 0 || p.ServiceMinutes > 240 {
		errs = append(errs, errors.New("service_min: want 0 to 240"))
	}
	return errors.Join(errs...)
}

func (a *planAPI) putDebtorProfile(w http.ResponseWriter, r *http.Request) {
	id, ok := pathID(w, r)
	var p store.DebtorProfile
	if !ok || !readJSON(w, r, &p) || a.s.badRequest(w, checkDebtorProfile(p)) {
		return
	}
	p.DebtorID = id
	err := a.debtorInTeam(r, id)
	if err == nil {
		p, err = a.pl.DebtorProfiles().Put(r.Context(), p)
	}
	if err != nil {
		a.s.storeError(w, "debtor", err)
		return
	}
	writeJSON(w, http.StatusOK, p)
}

func (a *planAPI) holidays(w http.ResponseWriter, r *http.Request) {
	from, to := r.URL.Query().Get("from"), r.URL.Query().Get("to")
	if from == "" {
		from = "0000-01-01"
	}
	if to == "" {
		to = "9999-12-31"
	}
	hs, err := a.pl.Holidays().List(r.Context(), from, to)
	if err != nil {
		a.s.storeError(w, "holidays", err)
		return
	}
	writeJSON(w, http.StatusOK, hs)
}

func (a *planAPI) putHoliday(w http.ResponseWriter, r *http.Request) {
	var h store.Holiday
	if !readJSON(w, r, &h) {
		return
	}
	h.Date = r.PathValue("date")
	if _, err := time.Parse(time.DateOnly, h.Date); err != nil {
		writeError(w, http.StatusBadRequest, "date: want YYYY-MM-DD")
		return
	}
	if a.s.badRequest(w, errors.Join(text("region", h.Region, 50, false),
		text("name", h.Name, 200, false))) {
		return
	}
	if err := a.pl.Holidays().Put(r.Context(), h); err != nil {
		a.s.storeError(w, "holiday", err)
		return
	}
	writeJSON(w, http.StatusOK, h)
}

func (a *planAPI) deleteHoliday(w http.ResponseWriter, r *http.Request) {
	err := a.pl.Holidays().Delete(r.Context(), r.PathValue("date"), r.URL.Query().Get("region"))
	if err != nil {
		a.s.storeError(w, "holiday", err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}
