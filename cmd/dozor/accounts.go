package main

import (
	"context"
	"crypto/tls"
	"errors"

	"dozor/api"
	"dozor/ingest"
	"dozor/store"
)

// withAccounts gives the API the accounts part of the store, the access
// token signer and the credential lifetimes of the configuration.
func withAccounts(ctx context.Context, cfg Config, st store.Store, ac *api.Config) error {
	acc, ok := st.(store.Accounts)
	if !ok {
		return errors.New("the store keeps no accounts")
	}
	signer, err := api.SigningKey(ctx, st.Meta())
	if err != nil {
		return err
	}
	ac.Accounts, ac.Signer = acc, signer
	ac.Limits.AccessTTL = cfg.AccessTTL
	if cfg.OIDCIssuer != "" {
		ac.OIDC, err = api.NewOIDC(ctx, api.OIDCConfig{Issuer: cfg.OIDCIssuer,
			ClientID: cfg.OIDCClientID, ClientSecret: cfg.OIDCSecret,
			RedirectURL: cfg.OIDCRedirect})
	}
	return err
}

// applyTrustOption applies a listener option of issue 5 (tls, open,
// enrolled, allowlist) and reports whether opt was one.
func applyTrustOption(l *ingest.ListenerConfig, opt string) bool {
	switch opt {
	case "tls":
		l.TLS = &tls.Config{MinVersion: tls.VersionTLS12} // certificate set by serve
	case string(ingest.PhonesOpen), string(ingest.PhonesEnrolled):
		l.Phones = ingest.Phones(opt)
	case "allowlist":
		l.AllowList = true // only devices registered ahead, whatever --unknown-devices
	default:
		return false
	}
	return true
}
