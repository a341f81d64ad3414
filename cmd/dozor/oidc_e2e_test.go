package main

import (
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"math/big"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"sync"
	"testing"
	"time"
)

// testOP is a minimal OpenID Connect provider: discovery, JWKS, an
// authorisation endpoint that signs in whoever sub names at once, and a
// token endpoint that checks the client secret and the PKCE verifier and
// returns an RS256 ID token.
type testOP struct {
	t   *testing.T
	srv *httptest.Server
	key *rsa.PrivateKey

	mu    sync.Mutex
	sub   string
	codes map[string]url.Values // code -> the authorisation request
}

const (
	opClient = "dozor"
	opSecret = "op-client-secret"
)

func newTestOP(t *testing.T) *testOP {
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	op := &testOP{t: t, key: key, codes: map[string]url.Values{}}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /.well-known/openid-configuration", op.discovery)
	mux.HandleFunc("GET /jwks", op.jwks)
	mux.HandleFunc("GET /authorize", op.authorize)
	mux.HandleFunc("POST /token", op.token)
	op.srv = httptest.NewServer(mux)
	t.Cleanup(op.srv.Close)
	return op
}

func (op *testOP) discovery(w http.ResponseWriter, _ *http.Request) {
	u := op.srv.URL
	_ = json.NewEncoder(w).Encode(map[string]any{"issuer": u,
		"authorization_endpoint": u + "/authorize", "token_endpoint": u + "/token",
		"jwks_uri": u + "/jwks", "response_types_supported": []string{"code"},
		"subject_types_supported":               []string{"public"},
		"id_token_signing_alg_values_supported": []string{"RS256"}})
}

func (op *testOP) jwks(w http.ResponseWriter, _ *http.Request) {
	b64 := base64.RawURLEncoding.EncodeToString
	pub := op.key.PublicKey
	_ = json.NewEncoder(w).Encode(map[string]any{"keys": []map[string]string{{"kty": "RSA",
		"kid": "k1", "alg": "RS256", "use": "sig", "n": b64(pub.N.Bytes()),
		"e": b64(big.NewInt(int64(pub.E)).Bytes())}}})
}

func (op *testOP) authorize(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	if q.Get("client_id") != opClient || q.Get("code_challenge_method") != "S256" {
		http.Error(w, "bad authorisation request", http.StatusBadRequest)
		return
	}
	code := randomString(op.t)
	op.mu.Lock()
	q.Set("sub", op.sub)
	op.codes[code] = q
	op.mu.Unlock()
	back, _ := url.Parse(q.Get("redirect_uri"))
	back.RawQuery = url.Values{"code": {code}, "state": {q.Get("state")}}.Encode()
	http.Redirect(w, r, back.String(), http.StatusFound)
}

func (op *testOP) token(w http.ResponseWriter, r *http.Request) {
	id, secret, ok := r.BasicAuth()
	if !ok {
		id, secret = r.PostFormValue("client_id"), r.PostFormValue("client_secret")
	}
	op.mu.Lock()
	q, found := op.codes[r.PostFormValue("code")]
	delete(op.codes, r.PostFormValue("code"))
	op.mu.Unlock()
	sum := sha256.Sum256([]byte(r.PostFormValue("code_verifier")))
	if id != opClient || secret != opSecret || !found ||
		base64.RawURLEncoding.EncodeToString(sum[:]) != q.Get("code_challenge") {
		w.WriteHeader(http.StatusBadRequest)
		_, _ = w.Write([]byte(`{"error":"invalid_grant"}`))
		return
	}
	now := time.Now().Unix()
	idToken := op.sign(map[string]any{"iss": op.srv.URL, "sub": q.Get("sub"), "aud": opClient,
		"iat": now, "exp": now + 300, "nonce": q.Get("nonce")})
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(map[string]any{"access_token": "op-access", "token_type": "Bearer",
		"expires_in": 300, "id_token": idToken})
}

func (op *testOP) sign(claims map[string]any) string {
	b64 := base64.RawURLEncoding.EncodeToString
	h, _ := json.Marshal(map[string]string{"alg": "RS256", "kid": "k1", "typ": "JWT"})
	c, _ := json.Marshal(claims)
	in := b64(h) + "." + b64(c)
	sum := sha256.Sum256([]byte(in))
	sig, err := rsa.SignPKCS1v15(rand.Reader, op.key, crypto.SHA256, sum[:])
	if err != nil {
		op.t.Fatal(err)
	}
	return in + "." + b64(sig)
}

func (op *testOP) signInAs(sub string) {
	op.mu.Lock()
	op.sub = sub
	op.mu.Unlock()
}

func randomString(t *testing.T) string {
	b := make([]byte, 16)
	if _, err := rand.Read(b); err != nil {
		t.Fatal(err)
	}
	return base64.RawURLEncoding.EncodeToString(b)
}

// browserSignIn follows the sign-in redirects with a fresh cookie jar and
// returns the last status and the Dozor session cookie, if one was set.
func browserSignIn(t *testing.T, s *server) (int, string) {
	t.Helper()
	jar, _ := cookiejar.New(nil)
	c := &http.Client{Jar: jar, Timeout: 20 * time.Second}
	resp, err := c.Get("http://" + s.http + "/api/v1/auth/oidc/login")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	for _, ck := range jar.Cookies(&url.URL{Scheme: "http", Host: s.http, Path: "/"}) {
		if ck.Name == "dozor_session" {
			return resp.StatusCode, ck.Value
		}
	}
	return resp.StatusCode, ""
}

// TestOIDCSignIn: a supervisor whose account an admin linked to the
// provider's subject signs in through the provider and gets a browser
// session; an identity without a linked account, a disabled account and
// a callback without the sign-in's state are refused; the audit log
// records the sign-ins.
func TestOIDCSignIn(t *testing.T) {
	op := newTestOP(t)
	s := &server{t: t, data: t.TempDir(), http: freePort(t), telt: freePort(t),
		osmand: freePort(t)}
	s.extraArg = []string{"--oidc-issuer", op.srv.URL, "--oidc-client-id", opClient,
		"--oidc-redirect-url", "http://" + s.http + "/api/v1/auth/oidc/callback"}
	t.Setenv("DOZOR_OIDC_CLIENT_SECRET", opSecret)
	s.start()

	olga := s.addUser("olga", "supervisor", "olga-password-1", "north")
	petr := s.addUser("petr", "supervisor", "petr-password-1", "south")
	link := func(id int64, sub string) int {
		return s.call("PATCH", "/api/v1/users/"+idStr(id), testToken,
			map[string]string{"oidc_subject": sub}, nil)
	}
	if code := link(olga, op.srv.URL+" olga-sub"); code != 200 {
		t.Fatalf("link olga: %d", code)
	}
	if code := link(petr, op.srv.URL+" olga-sub"); code != 409 {
		t.Fatalf("same subject for a second account: %d, want 409", code)
	}
	if code := link(petr, "olga-sub"); code != 400 {
		t.Fatalf("subject without issuer: %d, want 400", code)
	}

	op.signInAs("olga-sub")
	if _, cookie := browserSignIn(t, s); cookie == "" {
		t.Fatal("no session cookie after signing in through the provider")
	} else {
		req, _ := http.NewRequest("GET", "http://"+s.http+"/api/v1/me", nil)
		req.AddCookie(&http.Cookie{Name: "dozor_session", Value: cookie})
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		var me struct{ Name, Role string }
		_ = json.NewDecoder(resp.Body).Decode(&me)
		resp.Body.Close()
		if resp.StatusCode != 200 || me.Name != "olga" || me.Role != "supervisor" {
			t.Fatalf("me with the provider's session: %d %+v", resp.StatusCode, me)
		}
	}

	op.signInAs("stranger")
	if code, cookie := browserSignIn(t, s); code != http.StatusForbidden || cookie != "" {
		t.Fatalf("unlinked identity: %d, cookie %q; want 403 and none", code, cookie)
	}
	if code := s.call("PATCH", "/api/v1/users/"+idStr(olga), testToken,
		map[string]bool{"disabled": true}, nil); code != 200 {
		t.Fatalf("disable olga: %d", code)
	}
	op.signInAs("olga-sub")
	if code, cookie := browserSignIn(t, s); code != http.StatusForbidden || cookie != "" {
		t.Fatalf("disabled account: %d, cookie %q; want 403 and none", code, cookie)
	}
	resp, err := http.Get("http://" + s.http + "/api/v1/auth/oidc/callback?code=x&state=forged")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusBadRequest {
		t.Fatalf("callback without the sign-in cookie: %d, want 400", resp.StatusCode)
	}

	var events []struct{ Action, Object, Detail string }
	if code := s.call("GET", "/api/v1/audit?action=auth.", testToken, nil, &events); code != 200 {
		t.Fatalf("audit: %d", code)
	}
	var viaOIDC, refused int
	for _, e := range events {
		switch {
		case e.Action == "auth.login" && e.Detail == "session=web via=oidc" &&
			e.Object == "user/"+idStr(olga):
			viaOIDC++
		case e.Action == "auth.login_failed" && e.Detail == "oidc subject "+op.srv.URL+" stranger":
			refused++
		}
	}
	if viaOIDC != 1 || refused != 1 {
		t.Fatalf("audit: %d OIDC sign-ins, %d refusals; want 1 and 1: %+v", viaOIDC, refused, events)
	}
}
