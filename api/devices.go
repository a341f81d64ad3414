package api

import (
	"encoding/json"
	"errors"
	"net/http"
	"time"

	"dozor/geofence/cell"
	"dozor/protocols"
	"dozor/store"
)

const maxDevicePage = 1000

func (s *Server) deviceRoutes() []route {
	staff := []Role{RoleAdmin, RoleSupervisor, RoleAuditor}
	return []route{
		{"GET /api/v1/devices", staff, s.listDevices},
		{"GET /api/v1/devices/{uid}", staff, s.getDevice},
		{"GET /api/v1/devices/{uid}/fixes", staff, s.deviceFixes},
		{"GET /api/v1/devices/{uid}/last", staff, s.lastFix},
		{"POST /api/v1/devices", []Role{RoleAdmin, RoleSupervisor}, s.createDevice},
	}
}

// createDevice registers a device ahead of its first connection (the
// allow-list of a listener with the reject policy) and may link it to a
// collector.
func (s *Server) createDevice(w http.ResponseWriter, r *http.Request) {
	var body struct {
		UID         string `json:"uid"`
		Protocol    string `json:"protocol"`
		Name        string `json:"name"`
		CollectorID int64  `json:"collector_id"`
	}
	if !readJSON(w, r, &body) {
		return
	}
	err := errors.Join(text("uid", body.UID, 64, true), text("protocol", body.Protocol, 32, true),
		text("name", body.Name, 200, false))
	if s.badRequest(w, err) {
		return
	}
	d, err := s.cfg.Store.Devices().Create(r.Context(), store.Device{
		UID: body.UID, Protocol: body.Protocol, Name: body.Name})
	if errors.Is(err, store.ErrConflict) {
		writeError(w, http.StatusConflict, "a device with this uid exists")
		return
	}
	if err != nil {
		s.storeError(w, "device", err)
		return
	}
	if body.CollectorID != 0 {
		if err := s.cfg.Store.Geo().Collectors().Link(r.Context(), d.UID, body.CollectorID); err != nil {
			s.storeError(w, "collector", err)
			return
		}
		s.hooks().DeviceLinked(d.ID, body.CollectorID)
	}
	writeJSON(w, http.StatusCreated, d)
}

func (s *Server) listDevices(w http.ResponseWriter, r *http.Request) {
	limit, err := queryInt(r, "limit", maxDevicePage, maxDevicePage)
	if err != nil {
		writeError(w, http.StatusBadRequest, err.Error())
		return
	}
	if limit == 0 {
		limit = maxDevicePage
	}
	after := r.URL.Query().Get("after")
	devs, err := s.cfg.Store.Devices().List(r.Context(), after, limit)
	if err != nil {
		s.storeError(w, "devices", err)
		return
	}
	devs, err = s.visibleDevices(r, devs)
	if err != nil {
		s.storeError(w, "devices", err)
		return
	}
	writeJSON(w, http.StatusOK, devs)
}

// device returns the device of the {uid} path if the caller may see it;
// another team's device answers 404 like a missing one.
func (s *Server) device(w http.ResponseWriter, r *http.Request) (store.Device, bool) {
	d, err := s.cfg.Store.Devices().ByUID(r.Context(), r.PathValue("uid"))
	if err == nil {
		if p, ok := PrincipalFrom(r.Context()); ok {
			var vis bool
			if vis, err = s.deviceVisible(r, p, d); err == nil && !vis {
				err = store.ErrNotFound
			}
		}
	}
	if err != nil {
		s.storeError(w, "device", err)
		return d, false
	}
	return d, true
}

func (s *Server) getDevice(w http.ResponseWriter, r *http.Request) {
	if d, ok := s.device(w, r); ok {
		writeJSON(w, http.StatusOK, d)
	}
}

func (s *Server) deviceFixes(w http.ResponseWriter, r *http.Request) {
	q, err := parseTrackQuery(r)
	if err != nil {
		writeError(w, http.StatusBadRequest, err.Error())
		return
	}
	s.track(w, r, q)
}

// parseTrackQuery reads from, to and limit of a track request.
func parseTrackQuery(r *http.Request) (store.TrackQuery, error) {
	var (
		q   store.TrackQuery
		err error
	)
	if q.From, err = queryTime(r, "from"); err != nil {
		return q, err
	}
	if q.To, err = queryTime(r, "to"); err != nil {
		return q, err
	}
	q.Limit, err = queryInt(r, "limit", store.MaxTrackLimit, store.MaxTrackLimit)
	return q, err
}

func (s *Server) track(w http.ResponseWriter, r *http.Request, q store.TrackQuery) {
	if !q.From.IsZero() && !q.To.IsZero() && !q.From.Before(q.To) {
		writeError(w, http.StatusBadRequest, "from must be before to")
		return
	}
	d, ok := s.device(w, r)
	if !ok {
		return
	}
	q.DeviceID = d.ID
	recs, err := s.cfg.Store.Fixes().Track(r.Context(), q)
	if err != nil {
		s.storeError(w, "fixes", err)
		return
	}
	writeFixes(w, recs)
}

// writeFixes answers 200 with recs as a JSON array of FixJSON.
func writeFixes(w http.ResponseWriter, recs []store.FixRecord) {
	out := make([]FixJSON, len(recs))
	for i := range recs {
		out[i] = NewFixJSON(&recs[i])
	}
	writeJSON(w, http.StatusOK, out)
}

func (s *Server) lastFix(w http.ResponseWriter, r *http.Request) {
	d, ok := s.device(w, r)
	if !ok {
		return
	}
	rec, err := s.cfg.Store.Fixes().Last(r.Context(), d.ID)
	if err != nil {
		s.storeError(w, "fix", err)
		return
	}
	writeJSON(w, http.StatusOK, NewFixJSON(&rec))
}

// FixJSON is a stored fix as the API shows it: times in RFC 3339 UTC,
// speed in km/h, the H3 cell in its usual hexadecimal form.
type FixJSON struct {
	ID         int64           `json:"id"`
	DeviceID   int64           `json:"device_id"`
	Time       time.Time       `json:"time"`
	Received   time.Time       `json:"received"`
	Lat        float64         `json:"lat"`
	Lon        float64         `json:"lon"`
	Altitude   float64         `json:"altitude"`
	Speed      float64         `json:"speed_kmh"`
	Course     float64         `json:"course"`
	Satellites int             `json:"satellites"`
	HDOP       float64         `json:"hdop,omitempty"`
	Accuracy   float64         `json:"accuracy,omitempty"`
	Valid      bool            `json:"valid"`
	Protocol   string          `json:"protocol"`
	Cell       string          `json:"cell,omitempty"`
	Attrs      json.RawMessage `json:"attrs"`
}

// NewFixJSON converts a stored fix.
func NewFixJSON(r *store.FixRecord) FixJSON {
	f := &r.Fix
	out := FixJSON{
		ID: r.ID, DeviceID: r.DeviceID, Time: f.Time.UTC(), Received: f.Received.UTC(),
		Lat: f.Lat, Lon: f.Lon,
		Altitude: f.Altitude, Speed: f.Speed, Course: f.Course, Satellites: f.Satellites,
		HDOP: f.HDOP, Accuracy: f.Accuracy, Valid: f.Valid, Protocol: f.Protocol,
		Attrs: protocols.Attrs(f.Attrs).AppendJSON(nil),
	}
	if f.Cell != 0 {
		out.Cell = cell.String(f.Cell)
	}
	return out
}
