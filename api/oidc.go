package api

import (
	"context"
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/coreos/go-oidc/v3/oidc"
	"golang.org/x/oauth2"

	"dozor/auth"
	"dozor/store"
)

// oidcCookie carries the state, nonce and PKCE verifier of one sign-in
// from the redirect to the identity provider back to the callback.
const (
	oidcCookie    = "dozor_oidc"
	oidcCookieTTL = 10 * time.Minute
)

// OIDCConfig names the bank's identity provider and this server's client
// registration there.
type OIDCConfig struct {
	Issuer       string // discovery at Issuer + /.well-known/openid-configuration
	ClientID     string
	ClientSecret string
	RedirectURL  string // this server's /api/v1/auth/oidc/callback as the browser sees it
}

// OIDC signs staff in through an OpenID Connect provider (authorisation
// code flow with PKCE and a nonce). The account is the one whose OIDC
// subject is the provider's issuer and subject ("issuer sub", as an admin
// set it with PATCH /api/v1/users/{id}); the provider proves who the
// person is, Dozor's account says what they may do. Build it with NewOIDC.
type OIDC struct {
	issuer   string
	verifier *oidc.IDTokenVerifier
	oauth    oauth2.Config
}

// NewOIDC reads the provider's discovery document and keys.
func NewOIDC(ctx context.Context, c OIDCConfig) (*OIDC, error) {
	if c.Issuer == "" || c.ClientID == "" || c.RedirectURL == "" {
		return nil, errors.New("oidc: issuer, client id and redirect URL are required")
	}
	p, err := oidc.NewProvider(ctx, c.Issuer)
	if err != nil {
		return nil, fmt.Errorf("oidc discovery: %w", err)
	}
	return &OIDC{
		issuer:   c.Issuer,
		verifier: p.Verifier(&oidc.Config{ClientID: c.ClientID}),
		oauth: oauth2.Config{ClientID: c.ClientID, ClientSecret: c.ClientSecret,
			RedirectURL: c.RedirectURL, Endpoint: p.Endpoint(),
			Scopes: []string{oidc.ScopeOpenID, "profile"}},
	}, nil
}

func (s *Server) oidcRoutes() []route {
	public := []Role{RolePublic}
	return []route{
		{"GET /api/v1/auth/oidc/login", public, s.oidcLogin},
		{"GET /api/v1/auth/oidc/callback", public, s.oidcCallback},
	}
}

// oidcLogin sends the browser to the identity provider.
func (s *Server) oidcLogin(w http.ResponseWriter, r *http.Request) {
	o := s.cfg.OIDC
	if o == nil || s.cfg.Accounts == nil {
		writeError(w, http.StatusNotFound, "sign-in through an identity provider is not enabled")
		return
	}
	if s.throttled(w, r) {
		return
	}
	state, nonce, verifier := randomString(), randomString(), oauth2.GenerateVerifier()
	http.SetCookie(w, &http.Cookie{Name: oidcCookie, Value: state + "." + nonce + "." + verifier,
		Path: "/api/v1/auth/oidc/", MaxAge: int(oidcCookieTTL.Seconds()), HttpOnly: true,
		Secure: r.TLS != nil, SameSite: http.SameSiteLaxMode}) // Lax: the provider redirects back
	http.Redirect(w, r, o.oauth.AuthCodeURL(state, oidc.Nonce(nonce),
		oauth2.S256ChallengeOption(verifier)), http.StatusFound)
}

// oidcCallback finishes a sign-in: it checks the state, redeems the code,
// verifies the ID token and its nonce, finds the account by subject and
// starts a browser session, then sends the browser to the web app.
func (s *Server) oidcCallback(w http.ResponseWriter, r *http.Request) {
	o := s.cfg.OIDC
	if o == nil || s.cfg.Accounts == nil {
		writeError(w, http.StatusNotFound, "sign-in through an identity provider is not enabled")
		return
	}
	if s.throttled(w, r) {
		return
	}
	http.SetCookie(w, &http.Cookie{Name: oidcCookie, Path: "/api/v1/auth/oidc/", MaxAge: -1,
		HttpOnly: true, Secure: r.TLS != nil, SameSite: http.SameSiteLaxMode})
	nonce, verifier, ok := oidcState(r)
	if !ok {
		writeError(w, http.StatusBadRequest, "sign-in expired or started elsewhere; start again")
		return
	}
	if e := r.URL.Query().Get("error"); e != "" {
		writeError(w, http.StatusUnauthorized, "identity provider refused: "+clip(e))
		return
	}
	subject, err := o.exchange(r.Context(), r.URL.Query().Get("code"), nonce, verifier)
	if err != nil {
		s.log.Warn("OIDC sign-in refused", "remote", remote(r), "err", err)
		_ = s.Audit(r, "auth.login_failed", "user/?", "oidc: "+clip(err.Error()))
		writeError(w, http.StatusUnauthorized, "identity provider sign-in failed")
		return
	}
	u, err := s.cfg.Accounts.Users().BySubject(r.Context(), subject)
	if err == nil && u.Disabled {
		err = store.ErrNotFound
	}
	if errors.Is(err, store.ErrNotFound) {
		_ = s.Audit(r, "auth.login_failed", "user/?", "oidc subject "+clip(subject))
		writeError(w, http.StatusForbidden, "no enabled Dozor account for this identity")
		return
	}
	if err != nil {
		s.storeError(w, "user", err)
		return
	}
	if now := s.now(); now.Before(u.LockedUntil) {
		s.locked(w, u.LockedUntil.Sub(now))
		return
	}
	s.webSession(w, r, u)
}

// oidcState checks the state parameter against the sign-in cookie and
// returns the nonce and PKCE verifier kept there.
func oidcState(r *http.Request) (nonce, verifier string, ok bool) {
	c, err := r.Cookie(oidcCookie)
	if err != nil {
		return "", "", false
	}
	parts := strings.Split(c.Value, ".")
	state := r.URL.Query().Get("state")
	if len(parts) != 3 || state == "" ||
		subtle.ConstantTimeCompare([]byte(parts[0]), []byte(state)) != 1 {
		return "", "", false
	}
	return parts[1], parts[2], true
}

// exchange redeems the code and returns the verified "issuer sub".
func (o *OIDC) exchange(ctx context.Context, code, nonce, verifier string) (string, error) {
	if code == "" {
		return "", errors.New("no code")
	}
	ctx, cancel := context.WithTimeout(ctx, 15*time.Second)
	defer cancel()
	tok, err := o.oauth.Exchange(ctx, code, oauth2.VerifierOption(verifier))
	if err != nil {
		return "", fmt.Errorf("redeem code: %w", err)
	}
	raw, ok := tok.Extra("id_token").(string)
	if !ok {
		return "", errors.New("no id_token in the token response")
	}
	id, err := o.verifier.Verify(ctx, raw)
	if err != nil {
		return "", fmt.Errorf("verify id_token: %w", err)
	}
	if subtle.ConstantTimeCompare([]byte(id.Nonce), []byte(nonce)) != 1 {
		return "", errors.New("id_token nonce does not match")
	}
	return id.Issuer + " " + id.Subject, nil
}

// webSession starts a browser session for u, signed in by the identity
// provider, and sends the browser to the web app.
func (s *Server) webSession(w http.ResponseWriter, r *http.Request, u store.User) {
	now, ttl := s.now().UTC(), s.cfg.Limits.WebTTL
	tok := auth.NewToken(auth.PrefixWeb)
	sess, err := s.cfg.Accounts.Sessions().Create(r.Context(), store.Session{UserID: u.ID,
		Kind: store.SessionWeb, TokenHash: auth.Hash(tok), Remote: remote(r), CreatedAt: now,
		ExpiresAt: now.Add(ttl)})
	if err != nil {
		s.storeError(w, "session", err)
		return
	}
	if u.FailedLogins > 0 {
		_ = s.cfg.Accounts.Users().ResetLogins(r.Context(), u.ID)
	}
	r = r.WithContext(withCaller(r.Context(), u, sess.ID))
	_ = s.Audit(r, "auth.login", userObj(u.ID), "session=web via=oidc")
	http.SetCookie(w, &http.Cookie{Name: SessionCookie, Value: tok, Path: "/",
		MaxAge: int(ttl.Seconds()), HttpOnly: true, Secure: r.TLS != nil,
		SameSite: http.SameSiteStrictMode})
	http.Redirect(w, r, "/", http.StatusSeeOther)
}

func randomString() string {
	b := make([]byte, 24)
	_, _ = rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}

// validSubject checks an account's OIDC subject: empty (not linked), or the
// provider's issuer URL and the subject separated by one space.
func validSubject(sub string) error {
	if sub == "" {
		return nil
	}
	iss, id, ok := strings.Cut(sub, " ")
	if !ok || !strings.HasPrefix(iss, "https://") && !strings.HasPrefix(iss, "http://") ||
		id == "" || strings.Contains(id, " ") {
		return errors.New(`oidc_subject: want "<issuer URL> <subject>"`)
	}
	return text("oidc_subject", sub, 512, true)
}
