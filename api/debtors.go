package api

import (
	"errors"
	"net/http"
	"slices"

	"dozor/store"
)

const maxPhones = 10

func checkDebtor(d store.Debtor) error {
	errs := []error{text("name", d.Name, 300, true), text("external_id", d.ExternalID, 100, false),
		text("team", d.Team, 100, false)}
	if len(d.Phones) > maxPhones {
		errs = append(errs, errors.New("phones: at most 10"))
	}
	for _, p := range d.Phones {
		errs = append(errs, text("phone", p, 40, true))
	}
	return errors.Join(errs...)
}

func (s *Server) listDebtors(w http.ResponseWriter, r *http.Request) {
	ds, err := s.cfg.Store.Geo().Debtors().List(r.Context())
	if err != nil {
		s.storeError(w, "debtors", err)
		return
	}
	p := caller(r)
	ds = slices.DeleteFunc(ds, func(d store.Debtor) bool { return !p.InTeam(d.Team) })
	if !s.mustAudit(w, r, "debtor.list", "debtors/"+itoa(int64(len(ds)))) {
		return
	}
	writeJSON(w, http.StatusOK, ds)
}

func (s *Server) createDebtor(w http.ResponseWriter, r *http.Request) {
	var d store.Debtor
	if !readJSON(w, r, &d) || s.badRequest(w, checkDebtor(d)) || !ownTeam(w, r, d.Team) {
		return
	}
	d, err := s.cfg.Store.Geo().Debtors().Create(r.Context(), store.Debtor{
		ExternalID: d.ExternalID, Name: d.Name, Phones: d.Phones, Team: d.Team})
	if errors.Is(err, store.ErrConflict) {
		writeError(w, http.StatusConflict, "external_id already used by another debtor")
		return
	}
	if err != nil {
		s.storeError(w, "debtor", err)
		return
	}
	_ = s.Audit(r, "debtor.create", "debtor/"+itoa(d.ID), d.Team)
	writeJSON(w, http.StatusCreated, d)
}

func (s *Server) getDebtor(w http.ResponseWriter, r *http.Request) {
	id, ok := pathID(w, r)
	if !ok {
		return
	}
	d, ok := s.debtorOf(w, r, id)
	if !ok || !s.mustAudit(w, r, "debtor.read", "debtor/"+itoa(id)) {
		return
	}
	zs, err := s.cfg.Store.Geo().Zones().List(r.Context(), id)
	if err != nil {
		s.storeError(w, "debtor", err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"debtor": d, "zones": zs})
}

func (s *Server) updateDebtor(w http.ResponseWriter, r *http.Request) {
	id, ok := pathID(w, r)
	if !ok {
		return
	}
	if _, ok := s.debtorOf(w, r, id); !ok {
		return
	}
	var d store.Debtor
	if !readJSON(w, r, &d) || s.badRequest(w, checkDebtor(d)) || !ownTeam(w, r, d.Team) {
		return
	}
	d.ID = id
	err := s.cfg.Store.Geo().Debtors().Update(r.Context(), d)
	if errors.Is(err, store.ErrConflict) {
		writeError(w, http.StatusConflict, "external_id already used by another debtor")
		return
	}
	if err != nil {
		s.storeError(w, "debtor", err)
		return
	}
	_ = s.Audit(r, "debtor.update", "debtor/"+itoa(id), d.Team)
	writeJSON(w, http.StatusOK, d)
}

func (s *Server) deleteDebtor(w http.ResponseWriter, r *http.Request) {
	id, ok := pathID(w, r)
	if !ok {
		return
	}
	if _, ok := s.debtorOf(w, r, id); !ok {
		return
	}
	zs, _ := s.cfg.Store.Geo().Zones().List(r.Context(), id)
	if err := s.cfg.Store.Geo().Debtors().Delete(r.Context(), id); err != nil {
		s.storeError(w, "debtor", err)
		return
	}
	for _, z := range zs {
		s.hooks().ZoneRemoved(z.ID)
	}
	_ = s.Audit(r, "debtor.delete", "debtor/"+itoa(id), "")
	w.WriteHeader(http.StatusNoContent)
}
