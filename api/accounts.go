package api

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"dozor/auth"
	"dozor/store"
)

// Limits are the lifetimes of credentials and the bounds on guessing them.
// Zero fields mean the defaults below.
type Limits struct {
	AccessTTL  time.Duration // access token; default 15m
	RefreshTTL time.Duration // API session (refresh token); default 30 days
	WebTTL     time.Duration // browser session cookie; default 12h
	EnrolTTL   time.Duration // enrolment code; default 24h

	MaxFailures int           // failed logins that lock an account; default 5
	LockFor     time.Duration // lockout; default 15m

	// AddrEvery and AddrBurst bound login, refresh and enrolment attempts
	// per client address: AddrBurst at once, then one per AddrEvery;
	// default 20 and one per 3s.
	AddrEvery time.Duration
	AddrBurst int
}

func (l Limits) withDefaults() Limits {
	def := func(d *time.Duration, v time.Duration) {
		if *d <= 0 {
			*d = v
		}
	}
	def(&l.AccessTTL, 15*time.Minute)
	def(&l.RefreshTTL, 30*24*time.Hour)
	def(&l.WebTTL, 12*time.Hour)
	def(&l.EnrolTTL, 24*time.Hour)
	def(&l.LockFor, 15*time.Minute)
	def(&l.AddrEvery, 3*time.Second)
	if l.MaxFailures <= 0 {
		l.MaxFailures = 5
	}
	if l.AddrBurst <= 0 {
		l.AddrBurst = 20
	}
	return l
}

func (s *Server) initAuth() {
	s.cfg.Limits = s.cfg.Limits.withDefaults()
	l := s.cfg.Limits
	if s.cfg.Accounts != nil {
		s.signer = s.cfg.Signer
	}
	s.csrf = http.NewCrossOriginProtection()
	s.addrLimit = auth.NewLimiter(l.AddrEvery, l.AddrBurst)
	s.nameLimit = auth.NewLimiter(l.LockFor/time.Duration(l.MaxFailures), l.MaxFailures)
}

func (s *Server) accountRoutes() []route {
	public := []Role{RolePublic}
	admin := []Role{RoleAdmin}
	return append([]route{
		{"POST /api/v1/auth/login", public, s.login},
		{"POST /api/v1/auth/refresh", public, s.refresh},
		{"POST /api/v1/auth/logout", nil, s.logout},
		{"GET /api/v1/me", nil, s.me},
		{"POST /api/v1/me/password", nil, s.changePassword}, // password.go
		{"GET /api/v1/users", admin, s.listUsers},
		{"POST /api/v1/users", admin, s.createUser},
		{"GET /api/v1/users/{id}", admin, s.getUser},
		{"PATCH /api/v1/users/{id}", admin, s.patchUser},
		{"POST /api/v1/users/{id}/unlock", admin, s.unlockUser},
		{"GET /api/v1/audit", []Role{RoleAuditor}, s.listAudit},
	}, s.oidcRoutes()...)
}

// Roles lists the account roles.
var Roles = []Role{RoleAdmin, RoleSupervisor, RoleAuditor, RoleCollector}

// ValidUser checks what a user record may hold; the CLI uses it too.
func ValidUser(u store.User) error {
	if err := text("name", u.Name, 64, true); err != nil {
		return err
	}
	for _, c := range u.Name {
		if !(c == '.' || c == '-' || c == '_' || c == '@' || c >= '0' && c <= '9' ||
			c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z') {
			return errors.New("name: letters, digits and . - _ @ only")
		}
	}
	if !slices.Contains(Roles, Role(u.Role)) {
		return fmt.Errorf("role %q: want admin, supervisor, auditor or collector", clip(u.Role))
	}
	if len(u.Teams) > 50 {
		return errors.New("teams: at most 50")
	}
	for _, t := range u.Teams {
		if err := text("team", t, 64, true); err != nil {
			return err
		}
	}
	if u.CollectorID < 0 || u.CollectorID != 0 && u.Role != string(RoleCollector) {
		return errors.New("collector_id: only for role collector")
	}
	return validSubject(u.OIDCSubject)
}

type loginRequest struct {
	Name     string `json:"name"`
	Password string `json:"password"`
	Session  string `json:"session"` // "api" (default) or "web" (cookie)
}

// tokenResponse is what a login or refresh returns to an API client.
type tokenResponse struct {
	AccessToken  string    `json:"access_token"`
	TokenType    string    `json:"token_type"`
	ExpiresIn    int       `json:"expires_in"`
	RefreshToken string    `json:"refresh_token,omitempty"`
	User         *userJSON `json:"user,omitempty"`
}

type userJSON struct {
	ID          int64    `json:"id"`
	Name        string   `json:"name"`
	Role        string   `json:"role"`
	Teams       []string `json:"teams"`
	CollectorID int64    `json:"collector_id,omitempty"`
}

// throttled answers 429 when the caller's address has no attempts left.
func (s *Server) throttled(w http.ResponseWriter, r *http.Request) bool {
	ok, wait := s.addrLimit.Allow(remote(r), s.now())
	if ok {
		return false
	}
	w.Header().Set("Retry-After", strconv.Itoa(int(wait.Seconds())+1))
	writeError(w, http.StatusTooManyRequests, "too many attempts from your address; retry later")
	return true
}

const badLogin = "wrong name or password"

func (s *Server) login(w http.ResponseWriter, r *http.Request) {
	if s.cfg.Accounts == nil {
		writeError(w, http.StatusNotFound, "accounts are not enabled")
		return
	}
	if s.throttled(w, r) {
		return
	}
	var req loginRequest
	if !readJSON(w, r, &req) {
		return
	}
	if req.Session != "" && req.Session != store.SessionAPI && req.Session != store.SessionWeb {
		writeError(w, http.StatusBadRequest, `session: want "api" or "web"`)
		return
	}
	if req.Session == store.SessionWeb {
		if err := s.csrf.Check(r); err != nil {
			writeError(w, http.StatusForbidden, "cross-origin request refused")
			return
		}
	}
	u, ok := s.checkLogin(w, r, req)
	if !ok {
		return
	}
	s.startSession(w, r, u, req.Session)
}

// checkLogin verifies the name and password, counting failures per
// account (lockout) and, for unknown names, per name in memory, so that a
// locked account and an unknown one answer alike.
func (s *Server) checkLogin(w http.ResponseWriter, r *http.Request, req loginRequest) (store.User, bool) {
	ctx, now := r.Context(), s.now()
	users := s.cfg.Accounts.Users()
	u, err := users.ByName(ctx, req.Name)
	if err != nil && !errors.Is(err, store.ErrNotFound) {
		s.storeError(w, "user", err)
		return u, false
	}
	if err != nil || u.Disabled {
		auth.DummyCheck()
		if ok, _ := s.nameLimit.Allow("name:"+req.Name, now); !ok {
			s.locked(w, s.cfg.Limits.LockFor)
			return u, false
		}
		_ = s.Audit(r, "auth.login_failed", "user/?", "name="+strconv.Quote(clip(req.Name)))
		writeError(w, http.StatusUnauthorized, badLogin)
		return u, false
	}
	if now.Before(u.LockedUntil) {
		auth.DummyCheck()
		s.locked(w, u.LockedUntil.Sub(now))
		return u, false
	}
	ok, err := auth.CheckPassword(u.PasswordHash, req.Password)
	if err != nil {
		s.log.Error("Stored password hash unreadable", "user", u.ID, "err", err)
	}
	if !ok {
		l := s.cfg.Limits
		after, err := users.LoginFailed(ctx, u.ID, l.MaxFailures, now.Add(l.LockFor))
		if err != nil {
			s.storeError(w, "user", err)
			return u, false
		}
		action := "auth.login_failed"
		if !after.LockedUntil.IsZero() && after.FailedLogins == l.MaxFailures {
			action = "auth.locked"
		}
		_ = s.Audit(r, action, userObj(u.ID), "")
		writeError(w, http.StatusUnauthorized, badLogin)
		return u, false
	}
	if u.FailedLogins > 0 || !u.LockedUntil.IsZero() {
		if err := users.ResetLogins(ctx, u.ID); err != nil {
			s.storeError(w, "user", err)
			return u, false
		}
	}
	return u, true
}

func (s *Server) locked(w http.ResponseWriter, wait time.Duration) {
	w.Header().Set("Retry-After", strconv.Itoa(int(wait.Seconds())+1))
	writeError(w, http.StatusTooManyRequests,
		"too many failed logins: account locked for a while; an admin can lift it")
}

func userObj(id int64) string { return "user/" + strconv.FormatInt(id, 10) }

// startSession creates the session of a good login and answers with
// tokens (API) or a cookie (web).
func (s *Server) startSession(w http.ResponseWriter, r *http.Request, u store.User, kind string) {
	if kind == "" {
		kind = store.SessionAPI
	}
	l, now := s.cfg.Limits, s.now().UTC()
	prefix, ttl := auth.PrefixRefresh, l.RefreshTTL
	if kind == store.SessionWeb {
		prefix, ttl = auth.PrefixWeb, l.WebTTL
	}
	tok := auth.NewToken(prefix)
	sess, err := s.cfg.Accounts.Sessions().Create(r.Context(), store.Session{UserID: u.ID,
		Kind: kind, TokenHash: auth.Hash(tok), Remote: remote(r), CreatedAt: now,
		ExpiresAt: now.Add(ttl)})
	if err != nil {
		s.storeError(w, "session", err)
		return
	}
	r = r.WithContext(withCaller(r.Context(), u, sess.ID))
	_ = s.Audit(r, "auth.login", userObj(u.ID), "session="+kind)
	uj := newUserJSON(u)
	if kind == store.SessionWeb {
		http.SetCookie(w, &http.Cookie{Name: SessionCookie, Value: tok, Path: "/",
			MaxAge: int(ttl.Seconds()), HttpOnly: true, Secure: r.TLS != nil,
			SameSite: http.SameSiteStrictMode})
		writeJSON(w, http.StatusOK, map[string]any{"user": uj, "expires_at": sess.ExpiresAt})
		return
	}
	writeJSON(w, http.StatusOK, tokenResponse{AccessToken: s.access(u.ID, sess.ID),
		TokenType: "Bearer", ExpiresIn: int(l.AccessTTL.Seconds()), RefreshToken: tok, User: &uj})
}

func (s *Server) access(userID, sessionID int64) string {
	return s.signer.Sign(auth.Claims{UserID: userID, SessionID: sessionID,
		Expires: s.now().Add(s.cfg.Limits.AccessTTL)})
}

func newUserJSON(u store.User) userJSON {
	return userJSON{ID: u.ID, Name: u.Name, Role: u.Role, Teams: u.Teams, CollectorID: u.CollectorID}
}

func (s *Server) refresh(w http.ResponseWriter, r *http.Request) {
	if s.cfg.Accounts == nil {
		writeError(w, http.StatusNotFound, "accounts are not enabled")
		return
	}
	if s.throttled(w, r) {
		return
	}
	var req struct {
		RefreshToken string `json:"refresh_token"`
	}
	if !readJSON(w, r, &req) {
		return
	}
	ctx, now := r.Context(), s.now().UTC()
	if auth.Kind(req.RefreshToken) != "refresh" {
		writeError(w, http.StatusUnauthorized, "invalid refresh token")
		return
	}
	old := auth.Hash(req.RefreshToken)
	sess, err := s.cfg.Accounts.Sessions().ByToken(ctx, old)
	if err == nil && (sess.Kind != store.SessionAPI || !sess.Live(now)) {
		err = store.ErrNotFound
	}
	var u store.User
	if err == nil {
		u, err = s.cfg.Accounts.Users().Get(ctx, sess.UserID)
		if err == nil && u.Disabled {
			err = store.ErrNotFound
		}
	}
	tok := auth.NewToken(auth.PrefixRefresh)
	if err == nil {
		err = s.cfg.Accounts.Sessions().Rotate(ctx, sess.ID, old, auth.Hash(tok), now,
			now.Add(s.cfg.Limits.RefreshTTL))
	}
	if errors.Is(err, store.ErrNotFound) {
		writeError(w, http.StatusUnauthorized, "invalid refresh token")
		return
	}
	if err != nil {
		s.storeError(w, "session", err)
		return
	}
	writeJSON(w, http.StatusOK, tokenResponse{AccessToken: s.access(u.ID, sess.ID),
		TokenType: "Bearer", ExpiresIn: int(s.cfg.Limits.AccessTTL.Seconds()), RefreshToken: tok})
}

func (s *Server) logout(w http.ResponseWriter, r *http.Request) {
	p, _ := PrincipalFrom(r.Context())
	if p.SessionID != 0 {
		if err := s.cfg.Accounts.Sessions().Revoke(r.Context(), p.SessionID, s.now().UTC()); err != nil {
			s.storeError(w, "session", err)
			return
		}
		_ = s.Audit(r, "auth.logout", userObj(p.UserID), "")
	}
	if p.Via == "cookie" {
		http.SetCookie(w, &http.Cookie{Name: SessionCookie, Value: "", Path: "/", MaxAge: -1,
			HttpOnly: true, Secure: r.TLS != nil, SameSite: http.SameSiteStrictMode})
	}
	w.WriteHeader(http.StatusNoContent)
}

func (s *Server) me(w http.ResponseWriter, r *http.Request) {
	p, _ := PrincipalFrom(r.Context())
	writeJSON(w, http.StatusOK, userJSON{ID: p.UserID, Name: p.Name, Role: string(p.Role),
		Teams: append([]string{}, p.Teams...), CollectorID: p.CollectorID})
}

func (s *Server) listUsers(w http.ResponseWriter, r *http.Request) {
	us, err := s.cfg.Accounts.Users().List(r.Context())
	if err != nil {
		s.storeError(w, "users", err)
		return
	}
	if us == nil {
		us = []store.User{}
	}
	writeJSON(w, http.StatusOK, us)
}

type userRequest struct {
	Name        string    `json:"name"`
	Role        *string   `json:"role"`
	Teams       *[]string `json:"teams"`
	CollectorID *int64    `json:"collector_id"`
	Password    *string   `json:"password"`
	Disabled    *bool     `json:"disabled"`
	OIDCSubject *string   `json:"oidc_subject"` // "issuer sub"; empty unlinks
}

// apply copies the fields present in the request onto u.
func (q userRequest) apply(u *store.User) error {
	if q.Role != nil {
		u.Role = *q.Role
	}
	if q.Teams != nil {
		u.Teams = *q.Teams
	}
	if q.CollectorID != nil {
		u.CollectorID = *q.CollectorID
	}
	if q.Disabled != nil {
		u.Disabled = *q.Disabled
	}
	if q.OIDCSubject != nil {
		u.OIDCSubject = *q.OIDCSubject
	}
	if q.Password != nil {
		h, err := auth.HashPassword(*q.Password)
		if err != nil {
			return errors.New("password: 10 to 256 characters")
		}
		u.PasswordHash = h
	}
	return ValidUser(*u)
}

func (s *Server) createUser(w http.ResponseWriter, r *http.Request) {
	var req userRequest
	if !readJSON(w, r, &req) {
		return
	}
	u := store.User{Name: req.Name, Teams: []string{}}
	if req.Password == nil {
		writeError(w, http.StatusBadRequest, "password: required")
		return
	}
	if s.badRequest(w, req.apply(&u)) {
		return
	}
	u, err := s.cfg.Accounts.Users().Create(r.Context(), u)
	if errors.Is(err, store.ErrConflict) {
		writeError(w, http.StatusConflict, "name or oidc_subject already taken")
		return
	}
	if err != nil {
		s.storeError(w, "user", err)
		return
	}
	_ = s.Audit(r, "user.create", userObj(u.ID), describeUser(u))
	writeJSON(w, http.StatusCreated, u)
}

func describeUser(u store.User) string {
	return fmt.Sprintf("name=%q role=%s teams=%q collector=%d disabled=%v",
		u.Name, u.Role, strings.Join(u.Teams, ","), u.CollectorID, u.Disabled)
}

func (s *Server) userByPath(w http.ResponseWriter, r *http.Request) (store.User, bool) {
	id, ok := pathID(w, r)
	if !ok {
		return store.User{}, false
	}
	u, err := s.cfg.Accounts.Users().Get(r.Context(), id)
	if err != nil {
		s.storeError(w, "user", err)
		return u, false
	}
	return u, true
}

func (s *Server) getUser(w http.ResponseWriter, r *http.Request) {
	if u, ok := s.userByPath(w, r); ok {
		writeJSON(w, http.StatusOK, u)
	}
}

func (s *Server) patchUser(w http.ResponseWriter, r *http.Request) {
	u, ok := s.userByPath(w, r)
	if !ok {
		return
	}
	var req userRequest
	if !readJSON(w, r, &req) {
		return
	}
	if req.Name != "" && req.Name != u.Name {
		writeError(w, http.StatusBadRequest, "name: cannot be changed")
		return
	}
	before := u
	if s.badRequest(w, req.apply(&u)) {
		return
	}
	ctx := r.Context()
	err := s.cfg.Accounts.Users().Update(ctx, u)
	if errors.Is(err, store.ErrConflict) {
		writeError(w, http.StatusConflict, "oidc_subject already linked to another account")
		return
	}
	if err != nil {
		s.storeError(w, "user", err)
		return
	}
	// A new password, a new role or a disabled account ends the sessions.
	if u.Disabled || u.PasswordHash != before.PasswordHash || u.Role != before.Role {
		if _, err := s.cfg.Accounts.Sessions().RevokeUser(ctx, u.ID, s.now().UTC()); err != nil {
			s.storeError(w, "sessions", err)
			return
		}
	}
	detail := describeUser(u)
	if req.Password != nil {
		detail += " password=changed"
	}
	_ = s.Audit(r, "user.update", userObj(u.ID), detail)
	writeJSON(w, http.StatusOK, u)
}

func (s *Server) unlockUser(w http.ResponseWriter, r *http.Request) {
	u, ok := s.userByPath(w, r)
	if !ok {
		return
	}
	if err := s.cfg.Accounts.Users().ResetLogins(r.Context(), u.ID); err != nil {
		s.storeError(w, "user", err)
		return
	}
	_ = s.Audit(r, "user.unlock", userObj(u.ID), "")
	w.WriteHeader(http.StatusNoContent)
}

func (s *Server) listAudit(w http.ResponseWriter, r *http.Request) {
	var (
		q   store.AuditQuery
		err error
	)
	if q.After, err = queryID(r, "after"); err == nil {
		if q.From, err = queryTime(r, "from"); err == nil {
			if q.To, err = queryTime(r, "to"); err == nil {
				q.Limit, err = queryInt(r, "limit", store.MaxAuditLimit, store.MaxAuditLimit)
			}
		}
	}
	if s.badRequest(w, err) {
		return
	}
	q.Action, q.Actor = r.URL.Query().Get("action"), r.URL.Query().Get("actor")
	evs, err := s.cfg.Accounts.Audit().List(r.Context(), q)
	if err != nil {
		s.storeError(w, "audit", err)
		return
	}
	if evs == nil {
		evs = []store.AuditEvent{}
	}
	writeJSON(w, http.StatusOK, evs)
}

// withCaller marks a request as made by u, for the audit of a login.
func withCaller(ctx context.Context, u store.User, sessionID int64) context.Context {
	return context.WithValue(ctx, principalKey{}, &Principal{UserID: u.ID, Name: u.Name, Role: Role(u.Role),
		Teams: u.Teams, SessionID: sessionID, Via: "login"})
}
