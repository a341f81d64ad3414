package api

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"slices"
	"strconv"

	"github.com/paulmach/orb"

	"dozor/geofence"
	"dozor/store"
)

// checkZone validates the fields the API owns and asks the engine.
func (s *Server) checkZone(z store.Zone) error {
	if err := text("address", z.Address, 500, false); err != nil {
		return err
	}
	if z.DebtorID <= 0 {
		return errors.New("debtor_id is required")
	}
	if z.MinDwell < 0 || z.MinDwell > 24*3600 {
		return errors.New("min_dwell_s: want 0 to 86400 seconds")
	}
	return s.hooks().ValidateZone(z)
}

func (s *Server) listZones(w http.ResponseWriter, r *http.Request) {
	debtor, err := queryID(r, "debtor")
	if s.badRequest(w, err) {
		return
	}
	zs, err := s.cfg.Store.Geo().Zones().List(r.Context(), debtor)
	if err != nil {
		s.storeError(w, "zones", err)
		return
	}
	visible, err := s.visibleDebtors(r)
	if err != nil {
		s.storeError(w, "zones", err)
		return
	}
	zs = slices.DeleteFunc(zs, func(z store.Zone) bool { return !visible[z.DebtorID] })
	if !s.mustAudit(w, r, "zone.list", "zones/"+itoa(int64(len(zs)))) {
		return
	}
	writeJSON(w, http.StatusOK, zs)
}

func (s *Server) createZone(w http.ResponseWriter, r *http.Request) {
	var z store.Zone
	if !readJSON(w, r, &z) {
		return
	}
	z.ID = 0
	if s.badRequest(w, s.checkZone(z)) {
		return
	}
	if _, ok := s.debtorOf(w, r, z.DebtorID); !ok {
		return
	}
	made, err := s.cfg.Store.Geo().Zones().Create(r.Context(), []store.Zone{z})
	if errors.Is(err, store.ErrNotFound) {
		writeError(w, http.StatusUnprocessableEntity, "debtor_id: no such debtor")
		return
	}
	if err != nil {
		s.storeError(w, "zone", err)
		return
	}
	if err := s.hooks().ZoneChanged(made[0]); err != nil {
		s.log.Error("Zone stored but not indexed", "zone", made[0].ID, "err", err)
	}
	_ = s.Audit(r, "zone.create", "zone/"+itoa(made[0].ID), "debtor/"+itoa(z.DebtorID))
	writeJSON(w, http.StatusCreated, made[0])
}

func (s *Server) getZone(w http.ResponseWriter, r *http.Request) {
	id, ok := pathID(w, r)
	if !ok {
		return
	}
	z, ok := s.zoneOf(w, r, id)
	if !ok || !s.mustAudit(w, r, "zone.read", "zone/"+itoa(id)) {
		return
	}
	writeJSON(w, http.StatusOK, z)
}

func (s *Server) updateZone(w http.ResponseWriter, r *http.Request) {
	id, ok := pathID(w, r)
	if !ok {
		return
	}
	old, ok := s.zoneOf(w, r, id)
	if !ok {
		return
	}
	var z store.Zone
	if !readJSON(w, r, &z) {
		return
	}
	z.ID, z.DebtorID = id, old.DebtorID
	if s.badRequest(w, s.checkZone(z)) {
		return
	}
	if err := s.cfg.Store.Geo().Zones().Update(r.Context(), z); err != nil {
		s.storeError(w, "zone", err)
		return
	}
	if err := s.hooks().ZoneChanged(z); err != nil {
		s.log.Error("Zone stored but not indexed", "zone", z.ID, "err", err)
	}
	_ = s.Audit(r, "zone.update", "zone/"+itoa(id), "")
	writeJSON(w, http.StatusOK, z)
}

func (s *Server) deleteZone(w http.ResponseWriter, r *http.Request) {
	id, ok := pathID(w, r)
	if !ok {
		return
	}
	if _, ok := s.zoneOf(w, r, id); !ok {
		return
	}
	if err := s.cfg.Store.Geo().Zones().Delete(r.Context(), id); err != nil {
		s.storeError(w, "zone", err)
		return
	}
	s.hooks().ZoneRemoved(id)
	_ = s.Audit(r, "zone.delete", "zone/"+itoa(id), "")
	w.WriteHeader(http.StatusNoContent)
}

// importZones reads a GeoJSON FeatureCollection or a CSV of zones,
// validates every row, and stores all of them in one transaction, or none:
// any rejected row answers 422 with the report and changes nothing.
func (s *Server) importZones(w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxImportBody))
	if err != nil {
		writeError(w, http.StatusRequestEntityTooLarge, "import over 64 MiB")
		return
	}
	rep, err := parseImport(r.Header.Get("Content-Type"), body)
	if errors.Is(err, errImportType) {
		writeError(w, http.StatusUnsupportedMediaType, err.Error())
		return
	}
	if s.badRequest(w, err) {
		return
	}
	zones := s.importRows(r, &rep)
	if len(rep.Rejected) > 0 || len(zones) == 0 {
		rep.Accepted = 0
		writeJSON(w, http.StatusUnprocessableEntity, rep)
		return
	}
	made, err := s.cfg.Store.Geo().Zones().Create(r.Context(), zones)
	if err != nil {
		s.storeError(w, "zones", err)
		return
	}
	for _, z := range made {
		if err := s.hooks().ZoneChanged(z); err != nil {
			s.log.Error("Zone stored but not indexed", "zone", z.ID, "err", err)
		}
	}
	_ = s.Audit(r, "zone.import", "zones/"+itoa(int64(len(made))), "")
	writeJSON(w, http.StatusOK, rep)
}

var errImportType = errors.New("import: want Content-Type application/geo+json, " +
	"application/json or text/csv")

func parseImport(contentType string, body []byte) (geofence.ImportReport, error) {
	mt, _, _ := mime.ParseMediaType(contentType)
	switch mt {
	case "application/geo+json", "application/json":
		return geofence.ParseZonesGeoJSON(bytes.NewReader(body), geofence.IndexConfig{})
	case "text/csv":
		return geofence.ParseZonesCSV(bytes.NewReader(body), geofence.IndexConfig{})
	}
	return geofence.ImportReport{}, errImportType
}

// importRows converts the parsed zones for the store, rejecting rows whose
// debtor does not exist. The file's zone ids name rows in the report; the
// store assigns its own.
func (s *Server) importRows(r *http.Request, rep *geofence.ImportReport) []store.Zone {
	known := map[int64]bool{}
	var out []store.Zone
	for i, gz := range rep.Zones {
		if !known[gz.Debtor] {
			d, err := s.cfg.Store.Geo().Debtors().Get(r.Context(), gz.Debtor)
			if err == nil && !caller(r).InTeam(d.Team) {
				err = store.ErrNotFound
			}
			if err != nil {
				rep.Rejected = append(rep.Rejected, geofence.RejectedRow{Row: i + 1,
					ID:     strconv.FormatInt(gz.ID, 10),
					Reason: fmt.Sprintf("debtor %d does not exist", gz.Debtor)})
				continue
			}
			known[gz.Debtor] = true
		}
		out = append(out, storeZone(gz))
	}
	return out
}

// storeZone converts a parsed zone for the store.
func storeZone(gz geofence.Zone) store.Zone {
	z := store.Zone{DebtorID: gz.Debtor, Radius: gz.Radius, ExitRadius: gz.ExitRadius,
		ExitMargin: gz.ExitMargin, MinDwell: int(gz.MinDwell.Seconds())}
	if gz.Shape == geofence.ShapePolygon {
		z.Shape = "polygon"
		z.Polygon = polygonJSON(gz.Polygon)
		return z
	}
	z.Shape, z.Lat, z.Lon = "circle", gz.Center.Lat(), gz.Center.Lon()
	return z
}

func polygonJSON(p orb.Polygon) json.RawMessage {
	coords := make([][][2]float64, len(p))
	for i, ring := range p {
		for _, pt := range ring {
			coords[i] = append(coords[i], [2]float64{pt[0], pt[1]})
		}
	}
	b, _ := json.Marshal(map[string]any{"type": "Polygon", "coordinates": coords})
	return b
}

// zoneOf loads a zone whose debtor the caller may see, or answers 404.
func (s *Server) zoneOf(w http.ResponseWriter, r *http.Request, id int64) (store.Zone, bool) {
	z, err := s.cfg.Store.Geo().Zones().Get(r.Context(), id)
	if err != nil {
		s.storeError(w, "zone", err)
		return z, false
	}
	if _, ok := s.debtorOf(w, r, z.DebtorID); !ok {
		return z, false
	}
	return z, true
}

// visibleDebtors returns the ids of the debtors of the caller's teams.
func (s *Server) visibleDebtors(r *http.Request) (map[int64]bool, error) {
	ds, err := s.cfg.Store.Geo().Debtors().List(r.Context())
	if err != nil {
		return nil, err
	}
	p := caller(r)
	out := make(map[int64]bool, len(ds))
	for _, d := range ds {
		if p.InTeam(d.Team) {
			out[d.ID] = true
		}
	}
	return out, nil
}
