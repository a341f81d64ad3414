package api

import (
	"encoding/json"
	"net/http"
	"slices"

	"dozor/store"
)

func (s *Server) listVisits(w http.ResponseWriter, r *http.Request) {
	q, err := visitQuery(r)
	if s.badRequest(w, err) {
		return
	}
	p := caller(r)
	if p.Role == RoleCollector {
		q.CollectorID = p.CollectorID // a collector sees their own visits only
		if p.CollectorID == 0 {
			writeJSON(w, http.StatusOK, []store.Visit{})
			return
		}
	}
	vs, err := s.cfg.Store.Geo().Visits().List(r.Context(), q)
	if err != nil {
		s.storeError(w, "visits", err)
		return
	}
	visible, err := s.visibleCollectors(r)
	if err != nil {
		s.storeError(w, "visits", err)
		return
	}
	vs = slices.DeleteFunc(vs, func(v store.Visit) bool { return !visible(v.CollectorID) })
	writeJSON(w, http.StatusOK, vs)
}

func visitQuery(r *http.Request) (store.VisitQuery, error) {
	var (
		q   store.VisitQuery
		err error
	)
	if q.From, err = queryTime(r, "from"); err != nil {
		return q, err
	}
	if q.To, err = queryTime(r, "to"); err != nil {
		return q, err
	}
	if q.CollectorID, err = queryID(r, "collector"); err != nil {
		return q, err
	}
	if q.DebtorID, err = queryID(r, "debtor"); err != nil {
		return q, err
	}
	if q.ZoneID, err = queryID(r, "zone"); err != nil {
		return q, err
	}
	q.Limit, err = queryInt(r, "limit", store.MaxVisitLimit, store.MaxVisitLimit)
	return q, err
}

func (s *Server) visitEvents(w http.ResponseWriter, r *http.Request) {
	id, ok := pathID(w, r)
	if !ok {
		return
	}
	evs, err := s.cfg.Store.Geo().Visits().Events(r.Context(), id)
	if err != nil {
		s.storeError(w, "visit", err)
		return
	}
	if len(evs) > 0 && !s.visitVisible(r, evs[0]) {
		evs = nil
	}
	if len(evs) == 0 {
		writeError(w, http.StatusNotFound, "visit not found")
		return
	}
	writeJSON(w, http.StatusOK, evs)
}

// visibleCollectors returns a test for the collectors whose visits the
// caller may see: their teams' (supervisors), every one (auditors), their
// own (collectors).
func (s *Server) visibleCollectors(r *http.Request) (func(int64) bool, error) {
	p := caller(r)
	if p.SeesAllTeams() {
		return func(int64) bool { return true }, nil
	}
	if p.Role == RoleCollector {
		return func(id int64) bool { return id == p.CollectorID }, nil
	}
	cs, err := s.cfg.Store.Geo().Collectors().List(r.Context())
	if err != nil {
		return nil, err
	}
	ok := map[int64]bool{}
	for _, c := range cs {
		if p.InTeam(c.Team) {
			ok[c.ID] = true
		}
	}
	return func(id int64) bool { return ok[id] }, nil
}

// visitVisible checks a visit event's collector against the caller.
func (s *Server) visitVisible(r *http.Request, e store.VisitEvent) bool {
	var body struct {
		Visit struct {
			Collector int64 `json:"collector"`
		} `json:"visit"`
	}
	if json.Unmarshal(e.Payload, &body) != nil {
		return false
	}
	visible, err := s.visibleCollectors(r)
	return err == nil && visible(body.Visit.Collector)
}
