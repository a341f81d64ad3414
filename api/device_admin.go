package api

import (
	"fmt"
	"net/http"

	"dozor/store"
)

// DeviceHooks lets the API reach the running listeners when it changes a
// device, so that a change takes effect at once rather than at the next
// restart. ingest.Registry implements it.
type DeviceHooks interface {
	// DeviceChanged gives the device as now stored.
	DeviceChanged(d store.Device)
}

func (s *Server) deviceAdminRoutes() []route {
	return []route{
		{"PATCH /api/v1/devices/{uid}", []Role{RoleAdmin}, s.patchDevice},
	}
}

// patchDevice renames, disables or re-enables a device. A disabled device
// is refused by every listener from its next message on: its open
// connections close, its logins and phone requests are refused.
func (s *Server) patchDevice(w http.ResponseWriter, r *http.Request) {
	var req struct {
		Name     *string `json:"name"`
		Disabled *bool   `json:"disabled"`
	}
	if !readJSON(w, r, &req) {
		return
	}
	if req.Name != nil && s.badRequest(w, text("name", *req.Name, 200, false)) {
		return
	}
	up, ok := s.cfg.Store.Devices().(store.DeviceUpdater)
	if !ok {
		writeError(w, http.StatusNotImplemented, "this store cannot change devices")
		return
	}
	d, ok := s.device(w, r)
	if !ok {
		return
	}
	if req.Name != nil {
		d.Name = *req.Name
	}
	if req.Disabled != nil {
		d.Disabled = *req.Disabled
	}
	d, err := up.Update(r.Context(), d)
	if err != nil {
		s.storeError(w, "device", err)
		return
	}
	if s.cfg.Devices != nil {
		s.cfg.Devices.DeviceChanged(d)
	}
	_ = s.Audit(r, deviceAction(req.Disabled), "device/"+d.UID,
		fmt.Sprintf("name=%q disabled=%v", d.Name, d.Disabled))
	writeJSON(w, http.StatusOK, d)
}

// deviceAction names the audit action of a device change.
func deviceAction(disabled *bool) string {
	switch {
	case disabled == nil:
		return "device.update"
	case *disabled:
		return "device.disable"
	}
	return "device.enable"
}
