package api

import (
	"net/http"

	"dozor/store"
)

func (s *Server) listVisits(w http.ResponseWriter, r *http.Request) {
	q, err := visitQuery(r)
	if s.badRequest(w, err) {
		return
	}
	vs, err := s.cfg.Store.Geo().Visits().List(r.Context(), q)
	if err != nil {
		s.storeError(w, "visits", err)
		return
	}
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
	if len(evs) == 0 {
		writeError(w, http.StatusNotFound, "visit not found")
		return
	}
	writeJSON(w, http.StatusOK, evs)
}
