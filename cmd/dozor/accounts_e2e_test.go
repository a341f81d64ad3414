package main

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"
)

// call makes an API request with an optional bearer token and JSON body
// and decodes a JSON answer into out.
func (s *server) call(method, path, token string, body any, out any) int {
	s.t.Helper()
	var rd io.Reader
	if body != nil {
		b, _ := json.Marshal(body)
		rd = bytes.NewReader(b)
	}
	req, _ := http.NewRequest(method, "http://"+s.http+path, rd)
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		s.t.Fatal(err)
	}
	defer resp.Body.Close()
	if out != nil && resp.StatusCode < 300 {
		if err := json.NewDecoder(resp.Body).Decode(out); err != nil {
			s.t.Fatalf("%s %s: %v", method, path, err)
		}
	}
	return resp.StatusCode
}

type tokens struct {
	Access  string `json:"access_token"`
	Refresh string `json:"refresh_token"`
}

func (s *server) login(name, password string) (tokens, int) {
	var tk tokens
	code := s.call("POST", "/api/v1/auth/login", "",
		map[string]string{"name": name, "password": password}, &tk)
	return tk, code
}

func (s *server) mustLogin(name, password string) tokens {
	s.t.Helper()
	tk, code := s.login(name, password)
	if code != http.StatusOK {
		s.t.Fatalf("login %s: status %d", name, code)
	}
	return tk
}

func (s *server) addUser(name, role, password string, teams ...string) int64 {
	s.t.Helper()
	var u struct {
		ID int64 `json:"id"`
	}
	code := s.call("POST", "/api/v1/users", testToken, map[string]any{"name": name, "role": role,
		"teams": teams, "password": password}, &u)
	if code != http.StatusCreated {
		s.t.Fatalf("add user %s: status %d", name, code)
	}
	return u.ID
}

// TestUserCLIAndLogin creates the first admin with `dozor user add` on the
// server's data folder, logs in, and uses `dozor user disable` and
// `passwd` against the running server.
func TestUserCLIAndLogin(t *testing.T) {
	s := startServer(t, "")
	out, err := runDozor(t, "first-admin-pass\n", "user", "add", "--data", s.data,
		"--name", "root", "--role", "admin", "--password-stdin")
	if err != nil || !strings.Contains(out, "created") {
		t.Fatalf("user add: %q %v", out, err)
	}
	if _, err := runDozor(t, "x\n", "user", "add", "--data", s.data, "--name", "root",
		"--role", "admin", "--password-stdin"); err == nil {
		t.Fatal("second user with the same name accepted")
	}
	if _, err := runDozor(t, "", "user", "add", "--data", s.data, "--name", "x",
		"--role", "root"); err == nil {
		t.Fatal("unknown role accepted")
	}
	tk := s.mustLogin("root", "first-admin-pass")
	var me struct{ Name, Role string }
	if code := s.call("GET", "/api/v1/me", tk.Access, nil, &me); code != 200 || me.Role != "admin" {
		t.Fatalf("me: %d %+v", code, me)
	}

	if _, err := runDozor(t, "", "user", "disable", "--data", s.data, "--name", "root"); err != nil {
		t.Fatal(err)
	}
	if code := s.call("GET", "/api/v1/me", tk.Access, nil, nil); code != http.StatusUnauthorized {
		t.Fatalf("disabled account's token: status %d, want 401", code)
	}
	if _, code := s.login("root", "first-admin-pass"); code != http.StatusUnauthorized {
		t.Fatalf("disabled account login: status %d", code)
	}
	if _, err := runDozor(t, "", "user", "enable", "--data", s.data, "--name", "root"); err != nil {
		t.Fatal(err)
	}
	out, err = runDozor(t, "", "user", "passwd", "--data", s.data, "--name", "root")
	if err != nil {
		t.Fatal(err)
	}
	pw := strings.TrimSpace(strings.TrimPrefix(strings.SplitN(out, "\n", 2)[0], "Password (shown once):"))
	if _, code := s.login("root", "first-admin-pass"); code != http.StatusUnauthorized {
		t.Fatalf("old password: status %d", code)
	}
	s.mustLogin("root", pw)
}

// TestLoginLockout: five wrong passwords lock the account (even the right
// password is then refused), an admin lifts the lock; an unknown name
// answers like a known one.
func TestLoginLockout(t *testing.T) {
	s := startServer(t, "")
	id := s.addUser("ivan", "collector", "ivan-password-1", "north")
	for i := range 5 {
		if _, code := s.login("ivan", "wrong-password"); code != http.StatusUnauthorized {
			t.Fatalf("wrong password %d: status %d", i, code)
		}
	}
	if _, code := s.login("ivan", "ivan-password-1"); code != http.StatusTooManyRequests {
		t.Fatalf("locked account with the right password: status %d, want 429", code)
	}
	for range 5 {
		s.login("nobody", "wrong-password")
	}
	if _, code := s.login("nobody", "wrong-password"); code != http.StatusTooManyRequests {
		t.Fatalf("unknown name after 6 tries: status %d, want 429 like a locked account", code)
	}
	if code := s.call("POST", "/api/v1/users/"+idStr(id)+"/unlock", testToken, nil, nil); code != 204 {
		t.Fatalf("unlock: %d", code)
	}
	s.mustLogin("ivan", "ivan-password-1")
}

// TestAddressRateLimit: one address gets a burst of attempts, then 429.
func TestAddressRateLimit(t *testing.T) {
	s := startServer(t, "")
	codes := map[int]int{}
	for i := range 30 {
		_, code := s.login("user"+idStr(int64(i)), "whatever-pass")
		codes[code]++
	}
	if codes[http.StatusTooManyRequests] == 0 || codes[http.StatusUnauthorized] == 0 {
		t.Fatalf("30 logins from one address: %v, want some 401 then 429", codes)
	}
}

// TestTokenExpiryAndRevocation runs with 2 s access tokens.
func TestTokenExpiryAndRevocation(t *testing.T) {
	s := startServer(t, "", "--access-ttl", "2s")
	s.addUser("olga", "supervisor", "olga-password-1", "north")
	tk := s.mustLogin("olga", "olga-password-1")
	if code := s.call("GET", "/api/v1/me", tk.Access, nil, nil); code != 200 {
		t.Fatalf("fresh token: %d", code)
	}
	forged := tk.Access[:len(tk.Access)-4] + "AAAA"
	if code := s.call("GET", "/api/v1/me", forged, nil, nil); code != http.StatusUnauthorized {
		t.Fatalf("forged token: %d", code)
	}
	time.Sleep(2100 * time.Millisecond)
	if code := s.call("GET", "/api/v1/me", tk.Access, nil, nil); code != http.StatusUnauthorized {
		t.Fatalf("expired token: %d, want 401", code)
	}
	var next tokens
	if code := s.call("POST", "/api/v1/auth/refresh", "",
		map[string]string{"refresh_token": tk.Refresh}, &next); code != 200 {
		t.Fatalf("refresh: %d", code)
	}
	if code := s.call("POST", "/api/v1/auth/refresh", "",
		map[string]string{"refresh_token": tk.Refresh}, nil); code != http.StatusUnauthorized {
		t.Fatalf("spent refresh token reused: %d, want 401", code)
	}
	if code := s.call("GET", "/api/v1/me", next.Access, nil, nil); code != 200 {
		t.Fatalf("refreshed token: %d", code)
	}
	if code := s.call("POST", "/api/v1/auth/logout", next.Access, nil, nil); code != 204 {
		t.Fatalf("logout: %d", code)
	}
	if code := s.call("GET", "/api/v1/me", next.Access, nil, nil); code != http.StatusUnauthorized {
		t.Fatalf("token of a revoked session: %d, want 401", code)
	}
	if code := s.call("POST", "/api/v1/auth/refresh", "",
		map[string]string{"refresh_token": next.Refresh}, nil); code != http.StatusUnauthorized {
		t.Fatalf("refresh of a revoked session: %d", code)
	}
}

func idStr(n int64) string { return strconv.FormatInt(n, 10) }
