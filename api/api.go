// Package api is Dozor's HTTP API: the read side of what ingest kept, the
// health endpoints and the metrics. Every /api/ route declares the roles it
// admits (authn.go); accounts and sessions are in accounts.go, device trust
// in trust.go.
package api

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strconv"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"dozor/auth"
	"dozor/store"
)

// MetaAdminToken is the meta key of the admin token's SHA-256 hash.
const MetaAdminToken = "admin_token_sha256"

// ReadyCheck reports whether one part of the server is ready; nil is ready.
type ReadyCheck func(ctx context.Context) error

// Config wires the API to the rest of the server.
type Config struct {
	Store    store.Store
	Gatherer prometheus.Gatherer
	Log      *slog.Logger

	// TokenHash is the SHA-256 of the admin bearer token.
	TokenHash [sha256.Size]byte

	// AdminTokenAllRoles lets the admin token pass every role check
	// (supervisor and auditor routes too). Off by default: the token is an
	// admin, and admins see no debtor data.
	AdminTokenAllRoles bool

	// Ready lists the readiness checks of /readyz by name.
	Ready map[string]ReadyCheck

	// Geo keeps the visit engine in step with zone and device changes;
	// nil when the server runs without it.
	Geo GeoHooks

	// Devices is told of device changes (device_admin.go); nil when no
	// listener runs.
	Devices DeviceHooks

	// OIDC signs staff in through the bank's identity provider
	// (oidc.go); nil when none is configured.
	OIDC *OIDC

	// Accounts holds users, sessions, device trust and the audit log;
	// Signer signs access tokens. With either nil only the admin token
	// authenticates.
	Accounts store.Accounts
	Signer   *auth.Signer
	Limits   Limits
	Now      func() time.Time // tests; nil is time.Now
}

// Server is the API's http.Handler.
type Server struct {
	cfg Config
	mux *http.ServeMux
	log *slog.Logger

	signer    *auth.Signer
	csrf      *http.CrossOriginProtection
	addrLimit *auth.Limiter // login, refresh and enrolment attempts per address
	nameLimit *auth.Limiter // failed logins per unknown account name
}

// New returns the API handler.
func New(cfg Config) *Server {
	s := &Server{cfg: cfg, mux: http.NewServeMux(), log: cfg.Log}
	s.initAuth()
	if s.log == nil {
		s.log = slog.New(slog.DiscardHandler)
	}
	s.routes()
	return s
}

// Role is what a caller may do. Every API route declares the roles it
// allows.
type Role string

// Roles.
const (
	RoleAdmin      Role = "admin"      // users, devices, configuration
	RoleSupervisor Role = "supervisor" // their teams: live map, plans, visits
	RoleAuditor    Role = "auditor"    // read-only: visits, proofs, audit log
	RoleCollector  Role = "collector"  // their own plan, debtors and visits
)

// route is one API endpoint and the roles allowed to call it.
type route struct {
	pattern string
	roles   []Role
	h       http.HandlerFunc
}

func (s *Server) routes() {
	s.mux.HandleFunc("GET /healthz", s.healthz)
	s.mux.HandleFunc("GET /readyz", s.readyz)
	if s.cfg.Gatherer != nil {
		s.mux.Handle("GET /metrics", promhttp.HandlerFor(s.cfg.Gatherer, promhttp.HandlerOpts{}))
	}
	for _, r := range s.table() {
		s.mux.Handle(r.pattern, s.auth(r.roles, r.h))
	}
	s.mux.Handle("/api/", s.auth(nil, func(w http.ResponseWriter, _ *http.Request) {
		writeError(w, http.StatusNotFound, "no such endpoint")
	}))
}

// table is every API route with the roles it allows.
func (s *Server) table() []route {
	groups := [][]route{s.deviceRoutes(), s.geoRoutes(), s.accountRoutes(), s.trustRoutes()}
	groups = append(groups, s.liveRoutes(), s.deviceAdminRoutes())
	groups = append(groups, s.planRoutes(), s.areaRoutes())
	var out []route
	for _, g := range groups {
		out = append(out, g...)
	}
	return out
}

// ServeHTTP implements http.Handler.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("X-Content-Type-Options", "nosniff")
	s.mux.ServeHTTP(w, r)
}

func (s *Server) healthz(w http.ResponseWriter, _ *http.Request) {
	writeJSON(w, http.StatusOK, map[string]string{"status": "ok"})
}

// readyz runs every readiness check; any failure answers 503 with reasons.
func (s *Server) readyz(w http.ResponseWriter, r *http.Request) {
	ctx, cancel := context.WithTimeout(r.Context(), 2*time.Second)
	defer cancel()
	status := http.StatusOK
	out := map[string]string{}
	for name, check := range s.cfg.Ready {
		if err := check(ctx); err != nil {
			status = http.StatusServiceUnavailable
			out[name] = err.Error()
			continue
		}
		out[name] = "ok"
	}
	writeJSON(w, status, out)
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

func writeError(w http.ResponseWriter, status int, msg string) {
	writeJSON(w, status, map[string]string{"error": msg})
}

// storeError answers a store error: 404 for not found, 503 otherwise.
func (s *Server) storeError(w http.ResponseWriter, what string, err error) {
	if errors.Is(err, store.ErrNotFound) {
		writeError(w, http.StatusNotFound, what+" not found")
		return
	}
	s.log.Error("Store query failed", "what", what, "err", err)
	writeError(w, http.StatusServiceUnavailable, "store unavailable")
}

// NewToken returns a random bearer token and its hash.
func NewToken() (string, [sha256.Size]byte) {
	var b [24]byte
	_, _ = rand.Read(b[:])
	tok := hex.EncodeToString(b[:])
	return tok, sha256.Sum256([]byte(tok))
}

// AdminToken returns the hash of the admin token. With env set, its hash
// is stored and used. Otherwise the stored hash is used, or on first start
// a token is generated, its hash stored, and the token returned in fresh so
// the caller prints it once.
func AdminToken(ctx context.Context, meta store.Meta, env string) (
	hash [sha256.Size]byte, fresh string, err error) {
	if env != "" {
		hash = sha256.Sum256([]byte(env))
		return hash, "", meta.Put(ctx, MetaAdminToken, hex.EncodeToString(hash[:]))
	}
	stored, err := meta.Get(ctx, MetaAdminToken)
	if errors.Is(err, store.ErrNotFound) {
		tok, h := NewToken()
		ok, err := meta.PutIfAbsent(ctx, MetaAdminToken, hex.EncodeToString(h[:]))
		if err != nil {
			return hash, "", fmt.Errorf("store admin token: %w", err)
		}
		if ok {
			return h, tok, nil
		}
		stored, err = meta.Get(ctx, MetaAdminToken)
	}
	if err != nil {
		return hash, "", fmt.Errorf("read admin token: %w", err)
	}
	b, err := hex.DecodeString(stored)
	if err != nil || len(b) != sha256.Size {
		return hash, "", errors.New("stored admin token hash is corrupt")
	}
	copy(hash[:], b)
	return hash, "", nil
}

func queryInt(r *http.Request, key string, def, maxV int) (int, error) {
	v := r.URL.Query().Get(key)
	if v == "" {
		return def, nil
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 0 {
		return 0, fmt.Errorf("%s: want a non-negative integer, got %q", key, clip(v))
	}
	return min(n, maxV), nil
}

func queryTime(r *http.Request, key string) (time.Time, error) {
	v := r.URL.Query().Get(key)
	if v == "" {
		return time.Time{}, nil
	}
	t, err := time.Parse(time.RFC3339Nano, v)
	if err != nil {
		return time.Time{}, fmt.Errorf("%s: want an RFC 3339 time such as "+
			"2026-12-03T10:00:00Z, got %q", key, clip(v))
	}
	return t.UTC(), nil
}

func clip(s string) string {
	if len(s) > 64 {
		return s[:64] + "..."
	}
	return s
}
