package api

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"errors"
	"fmt"
	"net"
	"net/http"
	"slices"
	"strings"
	"time"

	"dozor/auth"
	"dozor/store"
)

// Pseudo-roles of routes that no account calls.
const (
	// RolePublic routes need no credential (login, refresh, phone
	// enrolment); they are rate limited per address instead.
	RolePublic Role = "public"
	// RoleDevice routes are called by an enrolled phone with its device
	// credential.
	RoleDevice Role = "device"
)

// SessionCookie is the name of the browser session cookie.
const SessionCookie = "dozor_session"

// Principal is the authenticated caller of a request.
type Principal struct {
	UserID      int64
	Name        string
	Role        Role
	Teams       []string
	CollectorID int64
	SessionID   int64
	Via         string // "bearer", "cookie", "admin-token" or "device"

	// Bootstrap marks the admin token of DOZOR_ADMIN_TOKEN, for scripts
	// and first setup. It holds the admin role only (no debtor data)
	// unless the server runs with AdminTokenAllRoles, when it passes every
	// role check (tests and the demo); either way it is audited as such.
	Bootstrap bool
	allRoles  bool

	// Device and Credential are set for a device credential. A revoked
	// credential only reaches the command routes, so that a wipe queued
	// with the revocation is still delivered and acknowledged.
	Device     store.Device
	Credential store.Credential
}

type principalKey struct{}

// PrincipalFrom returns the caller of an authenticated request.
func PrincipalFrom(ctx context.Context) (*Principal, bool) {
	p, ok := ctx.Value(principalKey{}).(*Principal)
	return p, ok
}

// SeesAllTeams reports whether the caller's role spans every team.
func (p *Principal) SeesAllTeams() bool {
	return p.Bootstrap || p.Role == RoleAdmin || p.Role == RoleAuditor
}

// InTeam reports whether objects of team are visible to the caller: all
// teams for auditors, admins and the admin token, the caller's own teams
// for supervisors and collectors.
func (p *Principal) InTeam(team string) bool {
	return p.SeesAllTeams() || slices.Contains(p.Teams, team)
}

func (p *Principal) allowed(roles []Role) bool {
	if roles == nil {
		return p.Role != RoleDevice
	}
	return p.allRoles || slices.Contains(roles, p.Role)
}

// actor is how the audit log names the caller.
func (p *Principal) actor() string {
	switch {
	case p.Bootstrap:
		return "admin-token"
	case p.Role == RoleDevice:
		return "device:" + p.Device.UID
	}
	return p.Name
}

// auth wraps a route's handler: it authenticates the caller and admits
// holders of one of roles (nil: any user account). RolePublic routes skip
// authentication; RoleDevice routes take device credentials only.
func (s *Server) auth(roles []Role, h http.HandlerFunc) http.Handler {
	public := slices.Contains(roles, RolePublic)
	device := slices.Contains(roles, RoleDevice)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if public {
			h(w, r)
			return
		}
		p, status, msg := s.authenticate(r, device)
		if p == nil {
			if status == http.StatusUnauthorized {
				w.Header().Set("WWW-Authenticate", `Bearer realm="dozor"`)
			}
			writeError(w, status, msg)
			return
		}
		if !p.allowed(roles) {
			writeError(w, http.StatusForbidden, "not allowed for your role")
			return
		}
		h(w, r.WithContext(context.WithValue(r.Context(), principalKey{}, p)))
	})
}

// authenticate finds the caller: a bearer token (access token, device
// credential or the admin token) or the browser session cookie.
func (s *Server) authenticate(r *http.Request, device bool) (*Principal, int, string) {
	ctx := r.Context()
	if h := r.Header.Get("Authorization"); h != "" {
		tok, ok := strings.CutPrefix(h, "Bearer ")
		if !ok || tok == "" || len(tok) > 512 {
			return nil, http.StatusUnauthorized, "want Authorization: Bearer <token>"
		}
		switch kind := auth.Kind(tok); {
		case kind == "device" && device:
			return s.deviceCaller(ctx, tok)
		case kind == "access" && !device:
			return s.accessCaller(ctx, tok)
		case kind == "" && !device && s.isAdminToken(tok):
			return &Principal{Name: "admin-token", Role: RoleAdmin, Via: "admin-token",
				Bootstrap: true, allRoles: s.cfg.AdminTokenAllRoles}, 0, ""
		}
		return nil, http.StatusUnauthorized, "missing or wrong bearer token"
	}
	if c, err := r.Cookie(SessionCookie); err == nil && !device {
		if err := s.csrf.Check(r); err != nil {
			return nil, http.StatusForbidden, "cross-origin request refused"
		}
		return s.cookieCaller(ctx, c.Value)
	}
	return nil, http.StatusUnauthorized, "missing or wrong bearer token"
}

func (s *Server) isAdminToken(tok string) bool {
	if s.cfg.TokenHash == ([sha256.Size]byte{}) {
		return false
	}
	sum := sha256.Sum256([]byte(tok))
	return subtle.ConstantTimeCompare(sum[:], s.cfg.TokenHash[:]) == 1
}

func (s *Server) accessCaller(ctx context.Context, tok string) (*Principal, int, string) {
	if s.signer == nil {
		return nil, http.StatusUnauthorized, "accounts are not enabled"
	}
	c, err := s.signer.Verify(tok, s.now())
	if err != nil {
		return nil, http.StatusUnauthorized, "invalid or expired access token"
	}
	sess, err := s.cfg.Accounts.Sessions().Get(ctx, c.SessionID)
	if err != nil || sess.UserID != c.UserID || !sess.Live(s.now()) {
		return s.lookupFailed(err, "session ended")
	}
	return s.userCaller(ctx, sess, "bearer")
}

func (s *Server) cookieCaller(ctx context.Context, tok string) (*Principal, int, string) {
	if s.cfg.Accounts == nil || auth.Kind(tok) != "web" {
		return nil, http.StatusUnauthorized, "invalid session cookie"
	}
	sess, err := s.cfg.Accounts.Sessions().ByToken(ctx, auth.Hash(tok))
	if err != nil || sess.Kind != store.SessionWeb || !sess.Live(s.now()) {
		return s.lookupFailed(err, "session ended")
	}
	return s.userCaller(ctx, sess, "cookie")
}

func (s *Server) userCaller(ctx context.Context, sess store.Session, via string) (*Principal, int, string) {
	u, err := s.cfg.Accounts.Users().Get(ctx, sess.UserID)
	if err != nil || u.Disabled {
		return s.lookupFailed(err, "account disabled")
	}
	return &Principal{UserID: u.ID, Name: u.Name, Role: Role(u.Role), Teams: u.Teams,
		CollectorID: u.CollectorID, SessionID: sess.ID, Via: via}, 0, ""
}

func (s *Server) deviceCaller(ctx context.Context, tok string) (*Principal, int, string) {
	if s.cfg.Accounts == nil {
		return nil, http.StatusUnauthorized, "accounts are not enabled"
	}
	c, err := s.cfg.Accounts.Trust().CredentialByToken(ctx, auth.Hash(tok))
	if err != nil {
		return s.lookupFailed(err, "unknown device credential")
	}
	d, err := s.cfg.Store.Devices().ByUID(ctx, c.DeviceUID)
	if err != nil {
		return s.lookupFailed(err, "unknown device")
	}
	return &Principal{Role: RoleDevice, UserID: c.UserID, Via: "device", Device: d,
		Credential: c}, 0, ""
}

// lookupFailed answers 401 for a credential that does not hold, and 503
// when the store could not say.
func (s *Server) lookupFailed(err error, why string) (*Principal, int, string) {
	if err != nil && !errors.Is(err, store.ErrNotFound) {
		s.log.Error("Credential lookup failed", "err", err)
		return nil, http.StatusServiceUnavailable, "store unavailable"
	}
	return nil, http.StatusUnauthorized, why
}

func (s *Server) now() time.Time {
	if s.cfg.Now != nil {
		return s.cfg.Now()
	}
	return time.Now()
}

// remote is the caller's address without the port.
func remote(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}

// Audit records an event in the audit log with the request's caller and
// address. Routes call it for every read of personal data, every export
// and every change of users, devices and plans. A failure to record is
// logged and answered by the caller's choice (see mustAudit).
func (s *Server) Audit(r *http.Request, action, object, detail string) error {
	if s.cfg.Accounts == nil {
		return nil
	}
	e := store.AuditEvent{Time: s.now().UTC().Truncate(time.Millisecond), Remote: remote(r),
		Action: action, Object: object, Detail: detail}
	if p, ok := PrincipalFrom(r.Context()); ok {
		e.Actor, e.ActorID, e.Role = p.actor(), p.UserID, string(p.Role)
	} else {
		e.Actor = "anonymous"
	}
	if _, err := s.cfg.Accounts.Audit().Append(context.WithoutCancel(r.Context()), e); err != nil {
		s.log.Error("Audit event not recorded", "action", action, "object", object, "err", err)
		return err
	}
	return nil
}

// mustAudit records the event before personal data leaves the server: if
// the log cannot take it, the caller gets 503 and no data.
func (s *Server) mustAudit(w http.ResponseWriter, r *http.Request, action, object string) bool {
	if err := s.Audit(r, action, object, ""); err != nil {
		writeError(w, http.StatusServiceUnavailable, "audit log unavailable")
		return false
	}
	return true
}

// MetaSigningKey is the meta key of the access-token signing key (hex).
const MetaSigningKey = "access_token_key"

// SigningKey returns the access-token signer, with its key read from meta
// or, on first start, generated and stored there. Rotating the key (delete
// the meta row and restart) ends every access token at once; refresh
// tokens stay valid.
func SigningKey(ctx context.Context, meta store.Meta) (*auth.Signer, error) {
	b := make([]byte, 32)
	_, _ = rand.Read(b)
	if _, err := meta.PutIfAbsent(ctx, MetaSigningKey, hex.EncodeToString(b)); err != nil {
		return nil, fmt.Errorf("store signing key: %w", err)
	}
	v, err := meta.Get(ctx, MetaSigningKey)
	if err != nil {
		return nil, fmt.Errorf("read signing key: %w", err)
	}
	key, err := hex.DecodeString(v)
	if err != nil {
		return nil, errors.New("stored signing key is corrupt")
	}
	return auth.NewSigner(key)
}
