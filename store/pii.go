package store

import (
	"errors"
	"fmt"

	"dozor/secret"
)

// ErrNoKey: a stored value is sealed but the store has no keys to open it.
var ErrNoKey = errors.New("store: sealed personal data and no data keys")

// Field names of sealed personal data; each is the AEAD's associated data,
// so a value copied to another column does not open.
const (
	FieldDebtorName  = "debtor.name"
	FieldDebtorPhone = "debtor.phone"
	FieldZoneAddress = "zone.address"
)

// PII seals the fields that identify a person (debtor names and phones,
// address text) before they reach the database, and opens them on the way
// out, so that a copy of the database alone reveals nothing. With no keys it
// stores plain text; values stored plain before keys were configured are
// read as they are and sealed when next written (or by `dozor keys rotate`).
type PII struct {
	Keys *secret.Keyring
}

// Seal returns v sealed for field, or v itself without keys.
func (p PII) Seal(v, field string) string {
	if p.Keys == nil {
		return v
	}
	return p.Keys.Seal(v, field)
}

// Open returns the plain value of a stored field.
func (p PII) Open(v, field string) (string, error) {
	if !secret.IsSealed(v) {
		return v, nil
	}
	if p.Keys == nil {
		return "", fmt.Errorf("%s: %w", field, ErrNoKey)
	}
	out, err := p.Keys.Open(v, field)
	if err != nil {
		return "", fmt.Errorf("open %s: %w", field, err)
	}
	return out, nil
}

// SealAll seals each value of vs for field, in a new slice.
func (p PII) SealAll(vs []string, field string) []string {
	out := make([]string, len(vs))
	for i, v := range vs {
		out[i] = p.Seal(v, field)
	}
	return out
}

// OpenAll opens each value of vs in place.
func (p PII) OpenAll(vs []string, field string) error {
	for i, v := range vs {
		o, err := p.Open(v, field)
		if err != nil {
			return err
		}
		vs[i] = o
	}
	return nil
}
