package api

import (
	"context"
	"errors"
	"net/http"
	"strconv"
	"time"

	"dozor/auth"
	"dozor/store"
)

func (s *Server) trustRoutes() []route {
	issuers := []Role{RoleAdmin, RoleSupervisor}
	return []route{
		{"POST /api/v1/enrolments", issuers, s.createEnrolment},
		{"POST /api/v1/phone/enrol", []Role{RolePublic}, s.enrolPhone},
		{"GET /api/v1/phone/commands", []Role{RoleDevice}, s.phoneCommands},
		{"POST /api/v1/phone/commands/{id}/ack", []Role{RoleDevice}, s.ackCommand},
		{"POST /api/v1/devices/{uid}/revoke", issuers, s.revokeDevice},
		{"POST /api/v1/devices/{uid}/wipe", issuers, s.wipeDevice},
		{"GET /api/v1/devices/{uid}/commands", []Role{RoleAdmin, RoleSupervisor, RoleAuditor},
			s.deviceCommands},
	}
}

// validUID checks a device identity given by a phone: the characters of
// IMEIs, install ids and Traccar Client ids, nothing a path or a log line
// could misread.
func validUID(uid string) bool {
	if uid == "" || len(uid) > 64 {
		return false
	}
	for _, c := range uid {
		if !(c == '-' || c == '_' || c == '.' || c >= '0' && c <= '9' || c >= 'a' && c <= 'z' ||
			c >= 'A' && c <= 'Z') || uid == "." || uid == ".." {
			return false
		}
	}
	return true
}

func (s *Server) createEnrolment(w http.ResponseWriter, r *http.Request) {
	var req struct {
		UserID    int64  `json:"user_id"`
		DeviceUID string `json:"device_uid"` // optional: the one device the code may enrol
	}
	if !readJSON(w, r, &req) {
		return
	}
	if req.DeviceUID != "" && !validUID(req.DeviceUID) {
		writeError(w, http.StatusBadRequest, "device_uid: 1 to 64 letters, digits, '.', '-' or '_'")
		return
	}
	p, _ := PrincipalFrom(r.Context())
	u, err := s.cfg.Accounts.Users().Get(r.Context(), req.UserID)
	if err == nil && (!s.userVisible(p, u) || u.Role != string(RoleCollector) || u.Disabled) {
		err = store.ErrNotFound // another team's account looks absent
	}
	if err != nil {
		s.storeError(w, "collector account", err)
		return
	}
	code := auth.NewEnrolmentCode()
	now := s.now().UTC().Truncate(time.Millisecond)
	e, err := s.cfg.Accounts.Trust().CreateEnrolment(r.Context(), store.Enrolment{
		CodeHash: auth.Hash(code), UserID: u.ID, CreatedBy: p.UserID, CreatedAt: now,
		ExpiresAt: now.Add(s.cfg.Limits.EnrolTTL), DeviceUID: req.DeviceUID})
	if err != nil {
		s.storeError(w, "enrolment", err)
		return
	}
	detail := "enrolment=" + strconv.FormatInt(e.ID, 10)
	if e.DeviceUID != "" {
		detail += " device=" + e.DeviceUID
	}
	_ = s.Audit(r, "device.enrolment_issued", userObj(u.ID), detail)
	out := map[string]any{"code": code, "user_id": u.ID, "expires_at": e.ExpiresAt}
	if e.DeviceUID != "" {
		out["device_uid"] = e.DeviceUID
	}
	writeJSON(w, http.StatusCreated, out)
}

// userVisible reports whether account u is within the caller's reach: every
// account for admins, the collectors of their teams for supervisors.
func (s *Server) userVisible(p *Principal, u store.User) bool {
	if p.Bootstrap || p.Role == RoleAdmin {
		return true
	}
	if p.Role != RoleSupervisor {
		return false
	}
	for _, t := range u.Teams {
		if p.InTeam(t) {
			return true
		}
	}
	return false
}

// enrolPhone redeems a one-time code for a phone: the phone names its
// identity (the id set in Traccar Client, or the app's install id) and
// receives the credential bound to that device. Unknown, used and expired
// codes answer alike.
func (s *Server) enrolPhone(w http.ResponseWriter, r *http.Request) {
	if s.cfg.Accounts == nil {
		writeError(w, http.StatusNotFound, "accounts are not enabled")
		return
	}
	if s.throttled(w, r) {
		return
	}
	var req struct {
		Code string `json:"code"`
		UID  string `json:"uid"`
	}
	if !readJSON(w, r, &req) {
		return
	}
	if !validUID(req.UID) {
		writeError(w, http.StatusBadRequest, "uid: 1 to 64 letters, digits, '.', '-' or '_'")
		return
	}
	ctx, now := r.Context(), s.now().UTC().Truncate(time.Millisecond)
	tr := s.cfg.Accounts.Trust()
	codeHash := auth.Hash(auth.NormalizeCode(req.Code))
	e, err := tr.Enrolment(ctx, codeHash)
	why := "unknown, used or expired code"
	if err == nil && (!e.UsedAt.IsZero() || !now.Before(e.ExpiresAt)) {
		err = store.ErrNotFound
	}
	if err == nil && e.DeviceUID != "" && e.DeviceUID != req.UID {
		// Answered like a wrong code; the store's Redeem refuses it too.
		err, why = store.ErrNotFound, "code scoped to device "+e.DeviceUID
	}
	if errors.Is(err, store.ErrNotFound) {
		_ = s.Audit(r, "device.enrol_refused", "device/"+req.UID, why)
		writeError(w, http.StatusNotFound, "unknown, used or expired enrolment code")
		return
	}
	if err != nil {
		s.storeError(w, "enrolment", err)
		return
	}
	dev, ok := s.phoneDevice(w, r, req.UID, e.UserID)
	if !ok {
		return
	}
	tok := auth.NewToken(auth.PrefixDevice)
	_, err = tr.Redeem(ctx, codeHash, now, store.Credential{DeviceID: dev.ID, UserID: e.UserID,
		TokenHash: auth.Hash(tok), CreatedAt: now})
	if errors.Is(err, store.ErrNotFound) {
		writeError(w, http.StatusNotFound, "unknown, used or expired enrolment code")
		return
	}
	if err != nil {
		s.storeError(w, "enrolment", err)
		return
	}
	r = r.WithContext(withDevice(ctx, dev, e.UserID))
	_ = s.Audit(r, "device.enrol", "device/"+dev.UID, "user="+strconv.FormatInt(e.UserID, 10))
	writeJSON(w, http.StatusCreated, map[string]any{"device_token": tok, "uid": dev.UID})
}

// phoneDevice finds or registers the phone's device record. A device
// already holding a live credential of another account is refused: it
// must be revoked first.
func (s *Server) phoneDevice(w http.ResponseWriter, r *http.Request, uid string,
	userID int64) (store.Device, bool) {
	ctx := r.Context()
	dev, err := s.cfg.Store.Devices().ByUID(ctx, uid)
	if errors.Is(err, store.ErrNotFound) {
		dev, err = s.cfg.Store.Devices().Create(ctx, store.Device{UID: uid, Protocol: "osmand"})
		if errors.Is(err, store.ErrConflict) {
			dev, err = s.cfg.Store.Devices().ByUID(ctx, uid)
		}
	}
	if err != nil {
		s.storeError(w, "device", err)
		return dev, false
	}
	c, err := s.cfg.Accounts.Trust().Credential(ctx, dev.ID)
	if err == nil && c.RevokedAt.IsZero() && c.UserID != userID {
		writeError(w, http.StatusConflict, "device enrolled for another account; revoke it first")
		return dev, false
	}
	if err != nil && !errors.Is(err, store.ErrNotFound) {
		s.storeError(w, "credential", err)
		return dev, false
	}
	return dev, true
}

func withDevice(ctx context.Context, dev store.Device, userID int64) context.Context {
	return context.WithValue(ctx, principalKey{}, &Principal{Role: RoleDevice, Device: dev, UserID: userID,
		Via: "device"})
}

// phoneCommands delivers the device's pending commands and records the
// first delivery of each.
func (s *Server) phoneCommands(w http.ResponseWriter, r *http.Request) {
	p, _ := PrincipalFrom(r.Context())
	tr := s.cfg.Accounts.Trust()
	cmds, err := tr.Commands(r.Context(), p.Device.ID, true)
	if err != nil {
		s.storeError(w, "commands", err)
		return
	}
	var fresh []int64
	for _, c := range cmds {
		if c.DeliveredAt.IsZero() {
			fresh = append(fresh, c.ID)
		}
	}
	if len(fresh) > 0 {
		if err := tr.CommandDelivered(r.Context(), p.Device.ID, fresh, s.now().UTC()); err != nil {
			s.storeError(w, "commands", err)
			return
		}
		for _, id := range fresh {
			_ = s.Audit(r, "device.command_delivered", commandObj(id), "")
		}
	}
	if cmds == nil {
		cmds = []store.Command{}
	}
	writeJSON(w, http.StatusOK, cmds)
}

func commandObj(id int64) string { return "command/" + strconv.FormatInt(id, 10) }

func (s *Server) ackCommand(w http.ResponseWriter, r *http.Request) {
	id, ok := pathID(w, r)
	if !ok {
		return
	}
	p, _ := PrincipalFrom(r.Context())
	c, err := s.cfg.Accounts.Trust().AckCommand(r.Context(), p.Device.ID, id, s.now().UTC())
	if err != nil {
		s.storeError(w, "command", err)
		return
	}
	_ = s.Audit(r, "device.command_ack", commandObj(c.ID), "kind="+c.Kind)
	writeJSON(w, http.StatusOK, c)
}

func (s *Server) revokeDevice(w http.ResponseWriter, r *http.Request) {
	d, ok := s.device(w, r)
	if !ok {
		return
	}
	if err := s.cfg.Accounts.Trust().RevokeCredential(r.Context(), d.ID, s.now().UTC()); err != nil {
		s.storeError(w, "device credential", err)
		return
	}
	_ = s.Audit(r, "device.revoke", "device/"+d.UID, "")
	w.WriteHeader(http.StatusNoContent)
}

// wipeDevice revokes the device's credential at once and queues a wipe
// command: the phone can still fetch and acknowledge its commands, and
// nothing else.
func (s *Server) wipeDevice(w http.ResponseWriter, r *http.Request) {
	d, ok := s.device(w, r)
	if !ok {
		return
	}
	p, _ := PrincipalFrom(r.Context())
	tr, now := s.cfg.Accounts.Trust(), s.now().UTC()
	err := tr.RevokeCredential(r.Context(), d.ID, now)
	if err != nil && !errors.Is(err, store.ErrNotFound) {
		s.storeError(w, "device credential", err)
		return
	}
	c, err := tr.QueueCommand(r.Context(), store.Command{DeviceID: d.ID, Kind: store.CommandWipe,
		CreatedBy: p.UserID, CreatedAt: now})
	if err != nil {
		s.storeError(w, "command", err)
		return
	}
	_ = s.Audit(r, "device.wipe", "device/"+d.UID, commandObj(c.ID))
	writeJSON(w, http.StatusAccepted, c)
}

func (s *Server) deviceCommands(w http.ResponseWriter, r *http.Request) {
	d, ok := s.device(w, r)
	if !ok {
		return
	}
	cmds, err := s.cfg.Accounts.Trust().Commands(r.Context(), d.ID, false)
	if err != nil {
		s.storeError(w, "commands", err)
		return
	}
	if cmds == nil {
		cmds = []store.Command{}
	}
	writeJSON(w, http.StatusOK, cmds)
}

// deviceVisible reports whether the caller may see device d: every device
// for admins and auditors; for supervisors, devices whose collector (issue
// 4's link) or whose enrolled account is in one of their teams; for
// collectors, their own.
func (s *Server) deviceVisible(r *http.Request, p *Principal, d store.Device) (bool, error) {
	if p.SeesAllTeams() {
		return true, nil
	}
	owners, err := s.cfg.Store.Geo().Collectors().Owners(r.Context())
	if err != nil {
		return false, err
	}
	return s.deviceVisibleWith(r, p, d, owners)
}

// deviceVisibleWith is deviceVisible with the device-to-collector map
// already read.
func (s *Server) deviceVisibleWith(r *http.Request, p *Principal, d store.Device,
	owners map[int64]int64) (bool, error) {
	if p.SeesAllTeams() {
		return true, nil
	}
	ctx := r.Context()
	if cid, ok := owners[d.ID]; ok {
		if p.Role == RoleCollector {
			return p.CollectorID == cid, nil
		}
		c, err := s.cfg.Store.Geo().Collectors().Get(ctx, cid)
		if err == nil && p.InTeam(c.Team) {
			return true, nil
		}
		if err != nil && !errors.Is(err, store.ErrNotFound) {
			return false, err
		}
	}
	if s.cfg.Accounts == nil {
		return false, nil
	}
	cred, err := s.cfg.Accounts.Trust().Credential(ctx, d.ID)
	if errors.Is(err, store.ErrNotFound) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	if p.Role == RoleCollector {
		return cred.UserID == p.UserID, nil
	}
	u, err := s.cfg.Accounts.Users().Get(ctx, cred.UserID)
	if err != nil {
		return false, nil
	}
	return s.userVisible(p, u), nil
}

// visibleDevices keeps the devices the caller may see.
func (s *Server) visibleDevices(r *http.Request, devs []store.Device) ([]store.Device, error) {
	out := []store.Device{}
	p, ok := PrincipalFrom(r.Context())
	var owners map[int64]int64
	if ok && !p.SeesAllTeams() {
		var err error
		if owners, err = s.cfg.Store.Geo().Collectors().Owners(r.Context()); err != nil {
			return nil, err
		}
	}
	for _, d := range devs {
		vis := !ok
		if ok {
			var err error
			if vis, err = s.deviceVisibleWith(r, p, d, owners); err != nil {
				return nil, err
			}
		}
		if vis {
			out = append(out, d)
		}
	}
	return out, nil
}
