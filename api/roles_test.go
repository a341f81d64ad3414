package api

import (
	"context"
	"crypto/rand"
	"encoding/json"
	"net/http/httptest"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"dozor/auth"
	"dozor/store"
	"dozor/store/sqlite"
)

// world is a server on a real SQLite store with two teams' worth of data
// and a signed-in user of every role.
type world struct {
	t       *testing.T
	srv     *Server
	st      store.Store
	tokens  map[string]string // principal -> bearer token ("" for nobody)
	north   map[string]int64  // ids of team north's objects
	south   map[string]int64  // ids of team south's objects
	adminTk string
}

const password = "correct horse battery staple"

func newWorld(t *testing.T) *world {
	t.Helper()
	ctx := context.Background()
	st, err := sqlite.Open(ctx, sqlite.Config{Dir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	key := make([]byte, 32)
	_, _ = rand.Read(key)
	signer, err := auth.NewSigner(key)
	if err != nil {
		t.Fatal(err)
	}
	adminTok, hash := NewToken()
	w := &world{t: t, st: st, adminTk: adminTok}
	w.srv = New(Config{Store: st, Accounts: store.Accounts(st), Signer: signer,
		TokenHash: hash, Limits: Limits{AddrBurst: 1000, AddrEvery: time.Millisecond}})
	w.north = w.team("north")
	w.south = w.team("south")
	w.users()
	return w
}

// team creates a collector with a device and a visit, a debtor and a zone.
func (w *world) team(name string) map[string]int64 {
	ctx := context.Background()
	g := w.st.Geo()
	c, _ := g.Collectors().Create(ctx, store.Collector{Name: "C " + name, Team: name})
	dev, _ := w.st.Devices().Create(ctx, store.Device{UID: "dev-" + name, Protocol: "osmand"})
	_ = g.Collectors().Link(ctx, dev.UID, c.ID)
	d, _ := g.Debtors().Create(ctx, store.Debtor{Name: "D " + name, Team: name,
		Phones: []string{"+7999"}})
	zs, err := g.Zones().Create(ctx, []store.Zone{{DebtorID: d.ID, Shape: "circle",
		Lat: 55.7, Lon: 37.6, Radius: 50}})
	if err != nil {
		w.t.Fatal(err)
	}
	v := store.Visit{ID: c.ID*1000 + 1, CollectorID: c.ID, ZoneID: zs[0].ID, DebtorID: d.ID,
		ArrivedAt: time.Now().UTC().Truncate(time.Millisecond), Status: "open"}
	payload, _ := json.Marshal(map[string]any{"visit": map[string]any{"collector": c.ID}})
	if err := g.Visits().Put(ctx, v, store.VisitEvent{Type: "visit.arrived",
		At: v.ArrivedAt, Payload: payload}); err != nil {
		w.t.Fatal(err)
	}
	return map[string]int64{"collector": c.ID, "device": dev.ID, "debtor": d.ID,
		"zone": zs[0].ID, "visit": v.ID}
}

// users creates an account per role (the collector linked to north's
// collector) and signs each in; plus callers with a revoked, expired and
// forged token.
func (w *world) users() {
	ctx := context.Background()
	hash, err := auth.HashPassword(password)
	if err != nil {
		w.t.Fatal(err)
	}
	accounts := w.srv.cfg.Accounts.Users()
	w.tokens = map[string]string{"nobody": ""}
	for _, role := range []string{"admin", "supervisor", "auditor", "collector", "revoked"} {
		u := store.User{Name: role, Role: role, Teams: []string{"north"}, PasswordHash: hash}
		if role == "collector" {
			u.CollectorID = w.north["collector"]
		}
		if role == "revoked" {
			u.Role = "supervisor"
		}
		if _, err := accounts.Create(ctx, u); err != nil {
			w.t.Fatal(err)
		}
		w.tokens[role] = w.login(role)
	}
	if code, _ := w.call("POST", "/api/v1/auth/logout", "revoked", ""); code >= 300 {
		w.t.Fatalf("logout: %d", code)
	}
	expired := w.srv.cfg.Signer.Sign(auth.Claims{UserID: 2, SessionID: 2,
		Expires: time.Now().Add(-time.Minute)})
	w.tokens["expired"] = expired
	tok := w.tokens["supervisor"]
	w.tokens["forged"] = tok[:len(tok)-4] + "AAAA"
}

func (w *world) login(name string) string {
	code, body := w.call("POST", "/api/v1/auth/login", "",
		`{"name":"`+name+`","password":"`+password+`"}`)
	if code != 200 {
		w.t.Fatalf("login %s: %d %s", name, code, body)
	}
	var out struct {
		AccessToken string `json:"access_token"`
	}
	_ = json.Unmarshal([]byte(body), &out)
	return out.AccessToken
}

func (w *world) call(method, path, who, body string) (int, string) {
	return w.callType(method, path, who, "application/json", body)
}

func (w *world) callType(method, path, who, ctype, body string) (int, string) {
	req := httptest.NewRequest(method, path, strings.NewReader(body))
	req.Header.Set("Content-Type", ctype)
	if tok := w.tokens[who]; tok != "" {
		req.Header.Set("Authorization", "Bearer "+tok)
	}
	rec := httptest.NewRecorder()
	w.srv.ServeHTTP(rec, req)
	return rec.Code, rec.Body.String()
}

// path fills a route pattern's wildcards with north's objects.
func (w *world) path(pattern string) string {
	_, p, _ := strings.Cut(pattern, " ")
	r := strings.NewReplacer("{uid}", "dev-north", "{id}", strconv.FormatInt(w.north["debtor"], 10))
	return r.Replace(p)
}

// TestRoleMatrix calls every route as every role, as nobody, and with a
// revoked, an expired and a forged token: callers without a valid session
// get 401, roles a route does not allow get 403 or 404, and allowed roles
// get past the gate.
func TestRoleMatrix(t *testing.T) {
	w := newWorld(t)
	roles := []Role{RoleAdmin, RoleSupervisor, RoleAuditor, RoleCollector}
	for _, r := range w.srv.table() {
		method, _, _ := strings.Cut(r.pattern, " ")
		path := w.path(r.pattern)
		// Public routes need no caller; logout would end the sessions the
		// matrix uses (the revoked caller covers it).
		if slices.Contains(r.roles, RolePublic) || r.pattern == "POST /api/v1/auth/logout" {
			continue
		}
		t.Run(r.pattern, func(t *testing.T) {
			for _, who := range []string{"nobody", "revoked", "expired", "forged"} {
				if code, body := w.call(method, path, who, "{}"); code != 401 {
					t.Errorf("%s: %d %s, want 401", who, code, body)
				}
			}
			for _, role := range roles {
				code, body := w.call(method, path, string(role), "{}")
				allowed := !slices.Contains(r.roles, RoleDevice) &&
					(r.roles == nil || slices.Contains(r.roles, role))
				switch {
				case allowed && (code == 401 || code == 403):
					t.Errorf("%s may call it, got %d %s", role, code, body)
				case !allowed && code != 403 && code != 404 && code != 401:
					t.Errorf("%s may not call it, got %d %s", role, code, body)
				}
			}
		})
	}
}

// TestOtherTeamIsNotFound: a supervisor of team north asking for team
// south's objects gets 404, the same answer as for objects that do not
// exist, and lists show only their team.
func TestOtherTeamIsNotFound(t *testing.T) {
	w := newWorld(t)
	s := w.south
	for _, path := range []string{
		"/api/v1/collectors/" + strconv.FormatInt(s["collector"], 10),
		"/api/v1/debtors/" + strconv.FormatInt(s["debtor"], 10),
		"/api/v1/zones/" + strconv.FormatInt(s["zone"], 10),
		"/api/v1/visits/" + strconv.FormatInt(s["visit"], 10) + "/events",
		"/api/v1/debtors/999999",
	} {
		if code, body := w.call("GET", path, "supervisor", ""); code != 404 {
			t.Errorf("GET %s as north's supervisor: %d %s, want 404", path, code, body)
		}
	}
	for _, path := range []string{"/api/v1/debtors", "/api/v1/zones", "/api/v1/collectors",
		"/api/v1/visits"} {
		_, body := w.call("GET", path, "supervisor", "")
		if strings.Contains(body, "south") || strings.Contains(body,
			`"id":`+strconv.FormatInt(s["debtor"], 10)+`,`) && path == "/api/v1/debtors" {
			t.Errorf("GET %s shows team south: %s", path, body)
		}
		var list []json.RawMessage
		_ = json.Unmarshal([]byte(body), &list)
		if len(list) != 1 {
			t.Errorf("GET %s as north's supervisor: %d items, want 1", path, len(list))
		}
	}
	// The collector sees their own visit only; the auditor sees both.
	_, body := w.call("GET", "/api/v1/visits", "collector", "")
	if !strings.Contains(body, strconv.FormatInt(w.north["visit"], 10)) ||
		strings.Contains(body, strconv.FormatInt(s["visit"], 10)) {
		t.Errorf("collector's visits: %s", body)
	}
	_, body = w.call("GET", "/api/v1/visits", "auditor", "")
	if !strings.Contains(body, strconv.FormatInt(s["visit"], 10)) {
		t.Errorf("auditor's visits: %s", body)
	}
	// Admins see no debtor data.
	if code, _ := w.call("GET", "/api/v1/debtors", "admin", ""); code != 403 {
		t.Errorf("admin reading debtors: %d, want 403", code)
	}
}

// TestDebtorReadsAreAudited: every read of a debtor card leaves an audit
// event naming who read what.
func TestDebtorReadsAreAudited(t *testing.T) {
	w := newWorld(t)
	id := strconv.FormatInt(w.north["debtor"], 10)
	if code, _ := w.call("GET", "/api/v1/debtors/"+id, "supervisor", ""); code != 200 {
		t.Fatalf("read: %d", code)
	}
	_, body := w.call("GET", "/api/v1/audit", "auditor", "")
	if !strings.Contains(body, `"debtor.read"`) || !strings.Contains(body, `"debtor/`+id+`"`) ||
		!strings.Contains(body, `"supervisor"`) {
		t.Fatalf("audit log lacks the read: %s", body)
	}
}

// TestAdminTokenIsAdminOnly: by default the bootstrap admin token is an
// admin: it manages users but reads no debtor data.
func TestAdminTokenIsAdminOnly(t *testing.T) {
	w := newWorld(t)
	w.tokens["token"] = w.adminTk
	if code, body := w.call("GET", "/api/v1/users", "token", ""); code != 200 {
		t.Fatalf("users with the admin token: %d %s", code, body)
	}
	for _, path := range []string{"/api/v1/debtors", "/api/v1/zones", "/api/v1/visits"} {
		if code, _ := w.call("GET", path, "token", ""); code != 403 {
			t.Errorf("GET %s with the admin token: %d, want 403", path, code)
		}
	}
}
