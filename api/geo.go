package api

import (
	"encoding/json"
	"errors"
	"fmt"
	"mime"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"dozor/store"
)

// GeoHooks keeps the running visit engine in step with what the API
// changes in the store.
type GeoHooks interface {
	// ValidateZone says why the engine could not use a zone (nil: fine).
	ValidateZone(z store.Zone) error
	ZoneChanged(z store.Zone) error
	ZoneRemoved(id int64)
	DeviceLinked(device, collector int64)
}

// Body limits.
const (
	maxJSONBody   = 1 << 20
	maxImportBody = 64 << 20
)

// geoRoutes: people and places. Debtor data (debtors, their zones) is for
// supervisors of the debtor's team and auditors, never admins; collectors
// and device links are also for admins; visits also for the collector who
// made them. Every object of another team answers 404.
func (s *Server) geoRoutes() []route {
	var (
		sup        = []Role{RoleSupervisor}
		debtorRead = []Role{RoleSupervisor, RoleAuditor}
		people     = []Role{RoleAdmin, RoleSupervisor}
		peopleRead = []Role{RoleAdmin, RoleSupervisor, RoleAuditor}
		visitRead  = []Role{RoleSupervisor, RoleAuditor, RoleCollector}
	)
	return []route{
		{"GET /api/v1/collectors", peopleRead, s.listCollectors},
		{"POST /api/v1/collectors", people, s.createCollector},
		{"GET /api/v1/collectors/{id}", peopleRead, s.getCollector},
		{"PUT /api/v1/collectors/{id}", people, s.updateCollector},
		{"DELETE /api/v1/collectors/{id}", people, s.deleteCollector},
		{"PUT /api/v1/devices/{uid}/collector", people, s.linkDevice},
		{"GET /api/v1/debtors", debtorRead, s.listDebtors},
		{"POST /api/v1/debtors", sup, s.createDebtor},
		{"GET /api/v1/debtors/{id}", debtorRead, s.getDebtor},
		{"PUT /api/v1/debtors/{id}", sup, s.updateDebtor},
		{"DELETE /api/v1/debtors/{id}", sup, s.deleteDebtor},
		{"GET /api/v1/zones", debtorRead, s.listZones},
		{"POST /api/v1/zones", sup, s.createZone},
		{"POST /api/v1/zones/import", sup, s.importZones},
		{"GET /api/v1/zones/{id}", debtorRead, s.getZone},
		{"PUT /api/v1/zones/{id}", sup, s.updateZone},
		{"DELETE /api/v1/zones/{id}", sup, s.deleteZone},
		{"GET /api/v1/visits", visitRead, s.listVisits},
		{"GET /api/v1/visits/{id}/events", visitRead, s.visitEvents},
	}
}

// caller is the authenticated caller; routes behind auth always have one.
func caller(r *http.Request) *Principal {
	if p, ok := PrincipalFrom(r.Context()); ok {
		return p
	}
	return &Principal{}
}

// ownTeam checks that the caller may put an object in team.
func ownTeam(w http.ResponseWriter, r *http.Request, team string) bool {
	if caller(r).InTeam(team) {
		return true
	}
	writeError(w, http.StatusForbidden, fmt.Sprintf("team %q is not one of yours", clip(team)))
	return false
}

// collectorOf loads a collector the caller may see, or answers 404.
func (s *Server) collectorOf(w http.ResponseWriter, r *http.Request, id int64) (
	store.Collector, bool) {
	c, err := s.cfg.Store.Geo().Collectors().Get(r.Context(), id)
	if err == nil && !caller(r).InTeam(c.Team) {
		err = store.ErrNotFound
	}
	if err != nil {
		s.storeError(w, "collector", err)
		return c, false
	}
	return c, true
}

// debtorOf loads a debtor the caller may see, or answers 404.
func (s *Server) debtorOf(w http.ResponseWriter, r *http.Request, id int64) (store.Debtor, bool) {
	d, err := s.cfg.Store.Geo().Debtors().Get(r.Context(), id)
	if err == nil && !caller(r).InTeam(d.Team) {
		err = store.ErrNotFound
	}
	if err != nil {
		s.storeError(w, "debtor", err)
		return d, false
	}
	return d, true
}

// readJSON decodes a JSON body into v: application/json only, at most
// maxJSONBody bytes, no unknown fields, nothing after the value.
func readJSON(w http.ResponseWriter, r *http.Request, v any) bool {
	mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if mt != "application/json" {
		writeError(w, http.StatusUnsupportedMediaType, "want Content-Type application/json")
		return false
	}
	dec := json.NewDecoder(http.MaxBytesReader(w, r.Body, maxJSONBody))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			writeError(w, http.StatusRequestEntityTooLarge, "body over limit")
			return false
		}
		writeError(w, http.StatusBadRequest, "body: "+clip(err.Error()))
		return false
	}
	if dec.More() {
		writeError(w, http.StatusBadRequest, "body: more than one JSON value")
		return false
	}
	return true
}

// pathID reads the {id} path value.
func pathID(w http.ResponseWriter, r *http.Request) (int64, bool) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil || id <= 0 {
		writeError(w, http.StatusNotFound, "not found")
		return 0, false
	}
	return id, true
}

// queryID reads an optional positive integer query parameter.
func queryID(r *http.Request, key string) (int64, error) {
	v := r.URL.Query().Get(key)
	if v == "" {
		return 0, nil
	}
	id, err := strconv.ParseInt(v, 10, 64)
	if err != nil || id <= 0 {
		return 0, fmt.Errorf("%s: want a positive integer id, got %q", key, clip(v))
	}
	return id, nil
}

// text checks a free-text field: bounded length, valid UTF-8, no control
// characters.
func text(name, v string, maxLen int, required bool) error {
	switch {
	case required && strings.TrimSpace(v) == "":
		return fmt.Errorf("%s is required", name)
	case len(v) > maxLen:
		return fmt.Errorf("%s: longer than %d bytes", name, maxLen)
	case strings.ContainsFunc(v, func(r rune) bool { return r < 0x20 || r == 0xFFFD }):
		return fmt.Errorf("%s: control characters or invalid UTF-8", name)
	}
	return nil
}

func (s *Server) badRequest(w http.ResponseWriter, err error) bool {
	if err != nil {
		writeError(w, http.StatusBadRequest, err.Error())
		return true
	}
	return false
}

// Collectors.

func (s *Server) listCollectors(w http.ResponseWriter, r *http.Request) {
	cs, err := s.cfg.Store.Geo().Collectors().List(r.Context())
	if err != nil {
		s.storeError(w, "collectors", err)
		return
	}
	p := caller(r)
	cs = slices.DeleteFunc(cs, func(c store.Collector) bool { return !p.InTeam(c.Team) })
	writeJSON(w, http.StatusOK, cs)
}

func checkCollector(c store.Collector) error {
	return errors.Join(text("name", c.Name, 200, true), text("team", c.Team, 100, false))
}

func (s *Server) createCollector(w http.ResponseWriter, r *http.Request) {
	var c store.Collector
	if !readJSON(w, r, &c) || s.badRequest(w, checkCollector(c)) || !ownTeam(w, r, c.Team) {
		return
	}
	c, err := s.cfg.Store.Geo().Collectors().Create(r.Context(), store.Collector{
		Name: c.Name, Team: c.Team})
	if err != nil {
		s.storeError(w, "collector", err)
		return
	}
	_ = s.Audit(r, "collector.create", "collector/"+itoa(c.ID), c.Team)
	writeJSON(w, http.StatusCreated, c)
}

func (s *Server) getCollector(w http.ResponseWriter, r *http.Request) {
	id, ok := pathID(w, r)
	if !ok {
		return
	}
	c, ok := s.collectorOf(w, r, id)
	if !ok {
		return
	}
	devs, err := s.cfg.Store.Geo().Collectors().Devices(r.Context(), id)
	if err != nil {
		s.storeError(w, "collector", err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"collector": c, "devices": devs})
}

func (s *Server) updateCollector(w http.ResponseWriter, r *http.Request) {
	id, ok := pathID(w, r)
	if !ok {
		return
	}
	if _, ok := s.collectorOf(w, r, id); !ok {
		return
	}
	var c store.Collector
	if !readJSON(w, r, &c) || s.badRequest(w, checkCollector(c)) || !ownTeam(w, r, c.Team) {
		return
	}
	c.ID = id
	if err := s.cfg.Store.Geo().Collectors().Update(r.Context(), c); err != nil {
		s.storeError(w, "collector", err)
		return
	}
	_ = s.Audit(r, "collector.update", "collector/"+itoa(id), c.Team)
	writeJSON(w, http.StatusOK, c)
}

func (s *Server) deleteCollector(w http.ResponseWriter, r *http.Request) {
	id, ok := pathID(w, r)
	if !ok {
		return
	}
	if _, ok := s.collectorOf(w, r, id); !ok {
		return
	}
	devs, _ := s.cfg.Store.Geo().Collectors().Devices(r.Context(), id)
	if err := s.cfg.Store.Geo().Collectors().Delete(r.Context(), id); err != nil {
		s.storeError(w, "collector", err)
		return
	}
	for _, d := range devs {
		s.hooks().DeviceLinked(d.ID, 0)
	}
	_ = s.Audit(r, "collector.delete", "collector/"+itoa(id), "")
	w.WriteHeader(http.StatusNoContent)
}

func (s *Server) linkDevice(w http.ResponseWriter, r *http.Request) {
	var body struct {
		CollectorID int64 `json:"collector_id"`
	}
	if !readJSON(w, r, &body) {
		return
	}
	if body.CollectorID < 0 {
		writeError(w, http.StatusBadRequest, "collector_id: want an id, or 0 to unlink")
		return
	}
	d, ok := s.device(w, r)
	if !ok {
		return
	}
	if body.CollectorID != 0 {
		if _, ok := s.collectorOf(w, r, body.CollectorID); !ok {
			return
		}
	}
	if err := s.cfg.Store.Geo().Collectors().Link(r.Context(), d.UID, body.CollectorID); err != nil {
		s.storeError(w, "collector", err)
		return
	}
	s.hooks().DeviceLinked(d.ID, body.CollectorID)
	_ = s.Audit(r, "device.link", "device/"+d.UID, "collector/"+itoa(body.CollectorID))
	writeJSON(w, http.StatusOK, map[string]any{"device": d.UID, "collector_id": body.CollectorID})
}

// hooks returns the configured hooks, or ones that do nothing.
func (s *Server) hooks() GeoHooks {
	if s.cfg.Geo != nil {
		return s.cfg.Geo
	}
	return noHooks{}
}

type noHooks struct{}

func (noHooks) ValidateZone(store.Zone) error { return nil }
func (noHooks) ZoneChanged(store.Zone) error  { return nil }
func (noHooks) ZoneRemoved(int64)             {}
func (noHooks) DeviceLinked(int64, int64)     {}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }
