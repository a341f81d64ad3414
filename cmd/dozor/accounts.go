package main

import (
	"context"
	"errors"

	"dozor/api"
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
	return nil
}
