package api

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"net/http"
	"strconv"
	"strings"
	"time"

	"dozor/auth"
	"dozor/plans"
	"dozor/store"
)

// Plan request limits.
const (
	maxEdits     = 200
	maxTimeLimit = 120 // seconds a POST /api/v1/plans may ask the solver for
)

// planAPI serves the day plans (issue 8). svc is nil when the store keeps
// no planning data; every plan route then answers 501.
type planAPI struct {
	s   *Server
	pl  store.Planning
	svc *plans.Service
}

func (s *Server) planRoutes() []route {
	a := &planAPI{s: s}
	if pl, ok := s.cfg.Store.(store.Planning); ok {
		a.pl, a.svc = pl, plans.New(s.cfg.Store, pl, plans.Config{})
	}
	staff := []Role{RoleSupervisor}
	readers := []Role{RoleSupervisor, RoleAuditor}
	return []route{
		{"POST /api/v1/plans", staff, a.need(a.build)},
		{"GET /api/v1/plans", readers, a.need(a.list)},
		{"GET /api/v1/plans/{id}", readers, a.need(a.get)},
		{"GET /api/v1/plans/{id}/versions/{version}", readers, a.need(a.version)},
		{"POST /api/v1/plans/{id}/edits", staff, a.need(a.edit)},
		// The phone calls with its device credential, the collector's
		// browser or script with an account: meAuth picks the check.
		{"GET /api/v1/me/plan", []Role{RolePublic}, a.meAuth(a.need(a.myPlan))},
		{"POST /api/v1/visits/{id}/outcome", []Role{RoleSupervisor, RoleCollector},
			a.need(a.outcome)},
		{"GET /api/v1/collectors/{id}/profile", readers, a.need(a.getCollectorProfile)},
		{"PUT /api/v1/collectors/{id}/profile", staff, a.need(a.putCollectorProfile)},
		{"GET /api/v1/debtors/{id}/profile", readers, a.need(a.getDebtorProfile)},
		{"PUT /api/v1/debtors/{id}/profile", staff, a.need(a.putDebtorProfile)},
		{"GET /api/v1/holidays", []Role{RoleSupervisor, RoleAuditor, RoleAdmin}, a.need(a.holidays)},
		{"PUT /api/v1/holidays/{date}", []Role{RoleAdmin}, a.need(a.putHoliday)},
		{"DELETE /api/v1/holidays/{date}", []Role{RoleAdmin}, a.need(a.deleteHoliday)},
	}
}

func (a *planAPI) need(h http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if a.svc == nil {
			writeError(w, http.StatusNotImplemented, "this store keeps no planning data")
			return
		}
		h(w, r)
	}
}

// meAuth admits a collector's account (access token or cookie) or an
// enrolled phone's device credential, through the same checks as every
// other route.
func (a *planAPI) meAuth(h http.HandlerFunc) http.HandlerFunc {
	users := a.s.auth([]Role{RoleCollector}, h)
	devices := a.s.auth([]Role{RoleDevice}, h)
	return func(w http.ResponseWriter, r *http.Request) {
		tok, _ := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
		if auth.Kind(tok) == "device" {
			devices.ServeHTTP(w, r)
			return
		}
		users.ServeHTTP(w, r)
	}
}

// planError answers an error of the planning service.
func (a *planAPI) planError(w http.ResponseWriter, what string, err error) {
	switch {
	case errors.Is(err, plans.ErrInvalid), errors.Is(err, plans.ErrBadEdit):
		writeError(w, http.StatusUnprocessableEntity, err.Error())
	case errors.Is(err, store.ErrConflict):
		writeError(w, http.StatusConflict, "the plan changed meanwhile: "+
			"reload it and edit the current version")
	case errors.Is(err, context.DeadlineExceeded), errors.Is(err, context.Canceled):
		writeError(w, http.StatusServiceUnavailable, "planning interrupted")
	default:
		a.s.storeError(w, what, err)
	}
}

// planFor reads the header of plan {id} if the caller may see its team;
// another team's plan looks absent.
func (a *planAPI) planFor(w http.ResponseWriter, r *http.Request) (store.Plan, bool) {
	id, ok := pathID(w, r)
	if !ok {
		return store.Plan{}, false
	}
	p, err := a.svc.Header(r.Context(), id)
	if pr, _ := PrincipalFrom(r.Context()); err == nil && !pr.InTeam(p.Team) {
		err = store.ErrNotFound
	}
	if err != nil {
		a.s.storeError(w, "plan", err)
		return p, false
	}
	return p, true
}

func (a *planAPI) build(w http.ResponseWriter, r *http.Request) {
	var req struct {
		Date      string  `json:"date"`
		Team      string  `json:"team"`
		TimeLimit float64 `json:"time_limit_s"`
	}
	if !readJSON(w, r, &req) {
		return
	}
	if _, err := time.Parse(time.DateOnly, req.Date); err != nil {
		writeError(w, http.StatusBadRequest, "date: want YYYY-MM-DD")
		return
	}
	if req.TimeLimit < 0 || req.TimeLimit > maxTimeLimit {
		writeError(w, http.StatusBadRequest, "time_limit_s: want 0 to 120 seconds")
		return
	}
	if a.s.badRequest(w, text("team", req.Team, 100, true)) {
		return
	}
	p, _ := PrincipalFrom(r.Context())
	if !p.InTeam(req.Team) {
		writeError(w, http.StatusForbidden, "not one of your teams")
		return
	}
	v, err := a.svc.Build(r.Context(), plans.BuildRequest{Date: req.Date, Team: req.Team,
		TimeLimit: time.Duration(req.TimeLimit * float64(time.Second)), Author: p.actor()})
	if err != nil {
		a.planError(w, "plan", err)
		return
	}
	_ = a.s.Audit(r, "plan.create", planObj(v.ID), "date="+v.Date+" team="+v.Team)
	w.Header().Set("ETag", versionTag(v.ID, v.Version))
	writeJSON(w, http.StatusCreated, v)
}

func planObj(id int64) string { return "plan/" + strconv.FormatInt(id, 10) }

// versionTag is the ETag of a plan version, for If-Match on edits.
func versionTag(id int64, version int) string {
	return `"plan-` + strconv.FormatInt(id, 10) + "-v" + strconv.Itoa(version) + `"`
}

func (a *planAPI) list(w http.ResponseWriter, r *http.Request) {
	q := store.PlanQuery{Date: r.URL.Query().Get("date"), Team: r.URL.Query().Get("team"),
		Status: r.URL.Query().Get("status")}
	if q.Date != "" {
		if _, err := time.Parse(time.DateOnly, q.Date); err != nil {
			writeError(w, http.StatusBadRequest, "date: want YYYY-MM-DD")
			return
		}
	}
	vs, err := a.svc.List(r.Context(), q)
	if err != nil {
		a.planError(w, "plans", err)
		return
	}
	p, _ := PrincipalFrom(r.Context())
	out := []*plans.View{}
	for _, v := range vs {
		if p.InTeam(v.Team) {
			out = append(out, v)
		}
	}
	writeJSON(w, http.StatusOK, out)
}

func (a *planAPI) get(w http.ResponseWriter, r *http.Request) {
	h, ok := a.planFor(w, r)
	if !ok {
		return
	}
	v, err := a.svc.Get(r.Context(), h.ID, true)
	if err != nil {
		a.planError(w, "plan", err)
		return
	}
	w.Header().Set("ETag", versionTag(v.ID, v.Version))
	writeJSON(w, http.StatusOK, v)
}

// version answers the stored document of one version of a plan.
func (a *planAPI) version(w http.ResponseWriter, r *http.Request) {
	h, ok := a.planFor(w, r)
	if !ok {
		return
	}
	n, err := strconv.Atoi(r.PathValue("version"))
	if err != nil || n < 1 || n > h.Version {
		writeError(w, http.StatusNotFound, "no such version")
		return
	}
	vs, err := a.pl.Plans().Versions(r.Context(), h.ID)
	if err != nil || len(vs) < n {
		a.planError(w, "plan version", errors.Join(err, store.ErrNotFound))
		return
	}
	writeJSON(w, http.StatusOK, vs[n-1])
}

// edit applies a list of edits to the current version (or to the version
// named by If-Match, refusing with 409 when the plan moved on). The new
// version is stored even when it breaks rules; the answer lists them.
func (a *planAPI) edit(w http.ResponseWriter, r *http.Request) {
	h, ok := a.planFor(w, r)
	if !ok {
		return
	}
	var edits []plans.Edit
	if !readJSON(w, r, &edits) {
		return
	}
	if len(edits) == 0 || len(edits) > maxEdits {
		writeError(w, http.StatusBadRequest, "want a list of 1 to 200 edits")
		return
	}
	base := 0
	if m := r.Header.Get("If-Match"); m != "" {
		for v := 1; v <= h.Version; v++ {
			if versionTag(h.ID, v) == m {
				base = v
			}
		}
		if base == 0 {
			writeError(w, http.StatusPreconditionFailed, "If-Match: not a version of this plan")
			return
		}
	}
	p, _ := PrincipalFrom(r.Context())
	v, err := a.svc.Edit(r.Context(), h.ID, base, p.actor(), edits)
	if err != nil {
		a.planError(w, "plan", err)
		return
	}
	_ = a.s.Audit(r, "plan.edit", planObj(v.ID), "version="+strconv.Itoa(v.Version)+
		" edits="+strconv.Itoa(len(edits))+" feasible="+strconv.FormatBool(v.Feasible))
	w.Header().Set("ETag", versionTag(v.ID, v.Version))
	writeJSON(w, http.StatusOK, v)
}

// myPlan answers the calling collector's route, with an ETag of its
// content: a phone polling with If-None-Match gets 304 until its own
// route changes.
func (a *planAPI) myPlan(w http.ResponseWriter, r *http.Request) {
	cid, ok := a.callerCollector(w, r)
	if !ok {
		return
	}
	date := r.URL.Query().Get("date")
	if date == "" {
		date = a.svc.Today(r.Context(), cid)
	} else if _, err := time.Parse(time.DateOnly, date); err != nil {
		writeError(w, http.StatusBadRequest, "date: want YYYY-MM-DD")
		return
	}
	day, err := a.svc.MyDay(r.Context(), cid, date)
	if errors.Is(err, store.ErrNotFound) {
		writeError(w, http.StatusNotFound, "no plan for you on "+date)
		return
	}
	if err != nil {
		a.planError(w, "plan", err)
		return
	}
	body, _ := json.Marshal(day)
	tag := dayTag(day)
	w.Header().Set("ETag", tag)
	w.Header().Set("Cache-Control", "private, no-cache")
	if r.Header.Get("If-None-Match") == tag {
		w.WriteHeader(http.StatusNotModified)
		return
	}
	if !a.s.mustAudit(w, r, "plan.read_own", planObj(day.PlanID)) {
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write(append(body, '\n'))
}

// dayTag is the ETag of a collector's day: a hash of the route alone, so
// that edits of other collectors' routes do not make the phone download
// its own again.
func dayTag(day *plans.Day) string {
	route, _ := json.Marshal([]any{day.PlanID, day.Date, day.Leave, day.Return, day.Stops})
	sum := sha256.Sum256(route)
	return `"` + hex.EncodeToString(sum[:12]) + `"`
}

// callerCollector resolves the collector record of the caller: the
// account's link, or for a phone the link of the account it was enrolled
// for.
func (a *planAPI) callerCollector(w http.ResponseWriter, r *http.Request) (int64, bool) {
	p, _ := PrincipalFrom(r.Context())
	cid := p.CollectorID
	if p.Role == RoleDevice {
		if !p.Credential.RevokedAt.IsZero() {
			writeError(w, http.StatusUnauthorized, "device credential revoked")
			return 0, false
		}
		u, err := a.s.cfg.Accounts.Users().Get(r.Context(), p.UserID)
		if err == nil && u.Disabled {
			err = store.ErrNotFound
		}
		if err != nil {
			a.s.storeError(w, "account of this device", err)
			return 0, false
		}
		cid = u.CollectorID
	}
	if cid == 0 {
		writeError(w, http.StatusNotFound, "your account is not linked to a collector")
		return 0, false
	}
	return cid, true
}
