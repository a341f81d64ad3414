package api

import (
	"net/http"

	"dozor/auth"
	"dozor/store"
)

// changePassword lets a signed-in user change their own password by giving
// the current one. A wrong current password counts as a failed login (the
// same lockout), and attempts are limited per address like logins, so a
// stolen access token cannot be used to guess the password. Success ends
// every session of the account, this one included: the user signs in
// again with the new password.
func (s *Server) changePassword(w http.ResponseWriter, r *http.Request) {
	p, _ := PrincipalFrom(r.Context())
	if p.UserID == 0 {
		writeError(w, http.StatusBadRequest, "only a user account has a password to change")
		return
	}
	if s.throttled(w, r) {
		return
	}
	var req struct {
		Old string `json:"old_password"`
		New string `json:"new_password"`
	}
	if !readJSON(w, r, &req) {
		return
	}
	u, ok := s.checkOldPassword(w, r, p.UserID, req.Old)
	if !ok {
		return
	}
	if req.New == req.Old {
		writeError(w, http.StatusBadRequest, "new_password: must differ from the current one")
		return
	}
	h, err := auth.HashPassword(req.New)
	if err != nil {
		writeError(w, http.StatusBadRequest, "new_password: 10 to 256 characters")
		return
	}
	u.PasswordHash = h
	ctx := r.Context()
	if err := s.cfg.Accounts.Users().Update(ctx, u); err != nil {
		s.storeError(w, "user", err)
		return
	}
	n, err := s.cfg.Accounts.Sessions().RevokeUser(ctx, u.ID, s.now().UTC())
	if err != nil {
		s.storeError(w, "sessions", err)
		return
	}
	_ = s.Audit(r, "user.password_change", userObj(u.ID), "")
	writeJSON(w, http.StatusOK, map[string]int{"sessions_ended": n})
}

// checkOldPassword verifies the caller's current password under the
// login's lockout rules.
func (s *Server) checkOldPassword(w http.ResponseWriter, r *http.Request, id int64,
	pw string) (store.User, bool) {
	ctx, now, users := r.Context(), s.now(), s.cfg.Accounts.Users()
	u, err := users.Get(ctx, id)
	if err != nil {
		s.storeError(w, "user", err)
		return u, false
	}
	if now.Before(u.LockedUntil) {
		auth.DummyCheck()
		s.locked(w, u.LockedUntil.Sub(now))
		return u, false
	}
	if u.PasswordHash == "" {
		writeError(w, http.StatusConflict, "this account signs in through the identity provider")
		return u, false
	}
	ok, err := auth.CheckPassword(u.PasswordHash, pw)
	if err != nil {
		s.log.Error("Stored password hash unreadable", "user", u.ID, "err", err)
	}
	if ok {
		if u.FailedLogins > 0 {
			err = users.ResetLogins(ctx, u.ID)
		}
		if err != nil {
			s.storeError(w, "user", err)
		}
		return u, err == nil
	}
	l := s.cfg.Limits
	after, err := users.LoginFailed(ctx, u.ID, l.MaxFailures, now.Add(l.LockFor))
	if err != nil {
		s.storeError(w, "user", err)
		return u, false
	}
	action := "user.password_change_failed"
	if !after.LockedUntil.IsZero() && after.FailedLogins == l.MaxFailures {
		action = "auth.locked"
	}
	_ = s.Audit(r, action, userObj(u.ID), "")
	writeError(w, http.StatusBadRequest, "old_password: wrong password")
	return u, false
}
