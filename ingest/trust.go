package ingest

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"net/http"
	"strings"

	"dozor/store"
)

// Phones is an HTTP position listener's policy toward phones.
type Phones string

// Phone policies.
const (
	// PhonesOpen accepts the device id alone, as Traccar does, for phones
	// not enrolled yet; a token, if sent, must be valid, and a device that
	// holds a credential is refused without it, so an enrolled phone
	// cannot be impersonated by its id. The default.
	PhonesOpen Phones = "open"
	// PhonesEnrolled requires every request to carry a device credential
	// (Authorization: Bearer, or token= in the URL for Traccar Client,
	// which can only set the URL); the fixes are attributed to the device
	// bound to it.
	PhonesEnrolled Phones = "enrolled"
)

// Sentinel errors of device credentials.
var (
	ErrNoCredential  = errors.New("ingest: device credential required")
	ErrBadCredential = errors.New("ingest: unknown or revoked device credential")
	ErrWrongDevice   = errors.New("ingest: device id does not match the credential")
)

// Credentials finds device credentials by token hash and by device.
type Credentials interface {
	CredentialByToken(ctx context.Context, hash string) (store.Credential, error)
	Credential(ctx context.Context, deviceID int64) (store.Credential, error)
}

// WithPhones sets the handler's phone policy (empty: PhonesOpen).
func (h *HTTPHandler) WithPhones(p Phones) *HTTPHandler {
	h.phones = p
	return h
}

// credential reads the device token of a request, from the Authorization
// header or the token query parameter, and returns the live credential
// (nil without a token under PhonesOpen) and the request target with the
// token removed, so that it never reaches the decoder, the attributes or
// a log line.
func (h *HTTPHandler) credential(r *http.Request) (*store.Credential, string, int, error) {
	target := r.URL.RequestURI()
	tok, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
	q := r.URL.Query()
	if qt := q.Get("token"); qt != "" || q.Has("token") {
		if !ok {
			tok = qt
		}
		q.Del("token")
		u := *r.URL
		u.RawQuery = q.Encode()
		target = u.RequestURI()
	}
	if tok == "" {
		if h.phones == PhonesEnrolled {
			return nil, target, http.StatusUnauthorized, ErrNoCredential
		}
		return nil, target, 0, nil
	}
	if h.p.Credentials == nil {
		return nil, target, http.StatusUnauthorized, ErrBadCredential
	}
	sum := sha256.Sum256([]byte(tok))
	c, err := h.p.Credentials.CredentialByToken(r.Context(), hex.EncodeToString(sum[:]))
	if errors.Is(err, store.ErrNotFound) || err == nil && !c.RevokedAt.IsZero() {
		return nil, target, http.StatusUnauthorized, ErrBadCredential
	}
	if err != nil {
		return nil, target, http.StatusServiceUnavailable, err
	}
	return &c, target, 0, nil
}

// admit checks a resolved device against the request's credential: the
// credential's own device only, and no enrolled device without its token.
func (h *HTTPHandler) admit(ctx context.Context, cred *store.Credential, dev store.Device) (int, error) {
	if cred != nil {
		if dev.ID != cred.DeviceID {
			return http.StatusForbidden, fmt.Errorf("%w (%q)", ErrWrongDevice, dev.UID)
		}
		return 0, nil
	}
	if h.p.Credentials == nil {
		return 0, nil
	}
	_, err := h.p.Credentials.Credential(ctx, dev.ID)
	switch {
	case err == nil:
		return http.StatusUnauthorized, fmt.Errorf("device %q is enrolled: %w", dev.UID, ErrNoCredential)
	case errors.Is(err, store.ErrNotFound):
		return 0, nil
	}
	return http.StatusServiceUnavailable, err
}

// ParsePhones checks a phone policy name.
func ParsePhones(s string) (Phones, error) {
	switch Phones(s) {
	case PhonesOpen, PhonesEnrolled:
		return Phones(s), nil
	}
	return "", fmt.Errorf("phone policy %q: want open or enrolled", s)
}
