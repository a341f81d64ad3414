// Package auth holds the credentials Dozor issues and checks: argon2id
// password hashes, signed short-lived access tokens, opaque random tokens
// (refresh tokens, web sessions, device credentials, enrolment codes) kept
// only as hashes, and the per-address limiter of login attempts.
//
// It knows no HTTP routes and no storage; the api package combines it with
// the store.
package auth

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base32"
	"encoding/base64"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"golang.org/x/crypto/argon2"
)

// Sentinel errors.
var (
	// ErrBadToken: a token is malformed, forged or expired.
	ErrBadToken = errors.New("auth: bad token")
	// ErrWeakPassword: a new password is too short or too long.
	ErrWeakPassword = errors.New("auth: password must be 10 to 256 characters")
	// ErrBadHash: a stored password hash is not one this package wrote.
	ErrBadHash = errors.New("auth: unknown password hash format")
)

// Argon2id parameters: OWASP's second recommended set (19 MiB, 2 passes,
// one lane), about 25 ms on the development machine, so that a login costs
// the server little and a stolen hash costs a guesser a lot.
const (
	argonTime    = 2
	argonMemory  = 19 * 1024
	argonThreads = 1
	argonKeyLen  = 32
	saltLen      = 16
)

// Password length limits, in bytes.
const (
	MinPassword = 10
	MaxPassword = 256
)

// CheckPolicy reports whether pw is acceptable as a new password.
func CheckPolicy(pw string) error {
	if len(pw) < MinPassword || len(pw) > MaxPassword {
		return ErrWeakPassword
	}
	return nil
}

// HashPassword returns the argon2id hash of pw in the PHC string format.
func HashPassword(pw string) (string, error) {
	if err := CheckPolicy(pw); err != nil {
		return "", err
	}
	salt := make([]byte, saltLen)
	_, _ = rand.Read(salt)
	key := argon2.IDKey([]byte(pw), salt, argonTime, argonMemory, argonThreads, argonKeyLen)
	b64 := base64.RawStdEncoding
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s", argon2.Version, argonMemory,
		argonTime, argonThreads, b64.EncodeToString(salt), b64.EncodeToString(key)), nil
}

// CheckPassword reports whether pw matches hash. An empty hash (an account
// without a password, such as an OIDC-only one) never matches.
func CheckPassword(hash, pw string) (bool, error) {
	if hash == "" {
		DummyCheck()
		return false, nil
	}
	parts := strings.Split(hash, "$")
	if len(parts) != 6 || parts[1] != "argon2id" || parts[2] != "v=19" {
		return false, ErrBadHash
	}
	var m, t uint32
	var p uint8
	if _, err := fmt.Sscanf(parts[3], "m=%d,t=%d,p=%d", &m, &t, &p); err != nil ||
		m == 0 || m > 1<<20 || t == 0 || t > 16 || p == 0 {
		return false, ErrBadHash
	}
	b64 := base64.RawStdEncoding
	salt, err1 := b64.DecodeString(parts[4])
	want, err2 := b64.DecodeString(parts[5])
	if err1 != nil || err2 != nil || len(want) == 0 || len(want) > 64 {
		return false, ErrBadHash
	}
	if len(pw) > MaxPassword {
		pw = pw[:MaxPassword] // bound the work; such a password never matches
	}
	got := argon2.IDKey([]byte(pw), salt, t, m, p, uint32(len(want)))
	return subtle.ConstantTimeCompare(got, want) == 1, nil
}

// dummyHash is checked against when the account does not exist, so that a
// wrong name costs as much time as a wrong password.
var dummyHash, _ = HashPassword("dozor-dummy-password")

// DummyCheck spends the time of one password check.
func DummyCheck() { _, _ = CheckPassword(dummyHash, "x") }

// Token prefixes name what a random token is for, so that one pasted in
// the wrong place is recognised and secret scanners can find them.
const (
	PrefixAccess  = "dza." // signed access token
	PrefixRefresh = "dzr_" // API session refresh token
	PrefixWeb     = "dzw_" // browser session cookie
	PrefixDevice  = "dzd_" // device credential
	prefixLen     = 4
)

// NewToken returns a random token with the prefix: 32 random bytes in
// base64url.
func NewToken(prefix string) string {
	b := make([]byte, 32)
	_, _ = rand.Read(b)
	return prefix + base64.RawURLEncoding.EncodeToString(b)
}

// Hash returns the SHA-256 of a token in hex: what the store keeps. Tokens
// carry 256 random bits, so an unsalted fast hash is enough.
func Hash(token string) string {
	sum := sha256.Sum256([]byte(token))
	return hex.EncodeToString(sum[:])
}

// enrolAlphabet is Crockford-like base32 without the letters people
// confuse (I, L, O, U).
var enrolEncoding = base32.NewEncoding("0123456789ABCDEFGHJKMNPQRSTVWXYZ").WithPadding(base32.NoPadding)

// NewEnrolmentCode returns a one-time code a person can type: 16
// characters (80 bits) in groups of four.
func NewEnrolmentCode() string {
	b := make([]byte, 10)
	_, _ = rand.Read(b)
	s := enrolEncoding.EncodeToString(b)
	return s[0:4] + "-" + s[4:8] + "-" + s[8:12] + "-" + s[12:16]
}

// NormalizeCode undoes what people do to a typed code: case, spaces,
// dashes, O for 0, I and L for 1.
func NormalizeCode(code string) string {
	r := strings.NewReplacer("-", "", " ", "", "O", "0", "I", "1", "L", "1")
	c := r.Replace(strings.ToUpper(code))
	if len(c) != 16 {
		return c
	}
	return c[0:4] + "-" + c[4:8] + "-" + c[8:12] + "-" + c[12:16]
}

// Claims are what an access token says.
type Claims struct {
	UserID    int64
	SessionID int64
	Expires   time.Time
}

// Signer issues and verifies access tokens: PrefixAccess, then the claims
// (user id, session id, expiry in unix seconds) in base64url, then an
// HMAC-SHA256 over them. The server checks the session and the user on
// every request, so revoking either stops the token before it expires.
type Signer struct {
	key []byte
}

// NewSigner returns a signer with a key of at least 32 bytes.
func NewSigner(key []byte) (*Signer, error) {
	if len(key) < 32 {
		return nil, errors.New("auth: signing key shorter than 32 bytes")
	}
	return &Signer{key: append([]byte(nil), key...)}, nil
}

// Sign returns the access token for c.
func (s *Signer) Sign(c Claims) string {
	body := make([]byte, 0, 24)
	body = binary.BigEndian.AppendUint64(body, uint64(c.UserID))
	body = binary.BigEndian.AppendUint64(body, uint64(c.SessionID))
	body = binary.BigEndian.AppendUint64(body, uint64(c.Expires.Unix()))
	enc := base64.RawURLEncoding
	payload := enc.EncodeToString(body)
	return PrefixAccess + payload + "." + enc.EncodeToString(s.mac(payload))
}

// Verify checks the token's signature and expiry at now.
func (s *Signer) Verify(token string, now time.Time) (Claims, error) {
	rest, ok := strings.CutPrefix(token, PrefixAccess)
	if !ok || len(rest) > 128 {
		return Claims{}, ErrBadToken
	}
	payload, sig, ok := strings.Cut(rest, ".")
	enc := base64.RawURLEncoding
	mac, err := enc.DecodeString(sig)
	if !ok || err != nil || !hmac.Equal(mac, s.mac(payload)) {
		return Claims{}, ErrBadToken
	}
	body, err := enc.DecodeString(payload)
	if err != nil || len(body) != 24 {
		return Claims{}, ErrBadToken
	}
	c := Claims{
		UserID:    int64(binary.BigEndian.Uint64(body[0:])),
		SessionID: int64(binary.BigEndian.Uint64(body[8:])),
		Expires:   time.Unix(int64(binary.BigEndian.Uint64(body[16:])), 0).UTC(),
	}
	if !now.Before(c.Expires) {
		return Claims{}, fmt.Errorf("%w: expired at %s", ErrBadToken, c.Expires.Format(time.RFC3339))
	}
	return c, nil
}

func (s *Signer) mac(payload string) []byte {
	h := hmac.New(sha256.New, s.key)
	h.Write([]byte("dozor access v1\x00" + payload))
	return h.Sum(nil)
}

// Kind returns what a bearer token is by its prefix: "access", "refresh",
// "web", "device" or "" for anything else.
func Kind(token string) string {
	switch {
	case strings.HasPrefix(token, PrefixAccess):
		return "access"
	case len(token) < prefixLen:
		return ""
	}
	switch token[:prefixLen] {
	case PrefixRefresh:
		return "refresh"
	case PrefixWeb:
		return "web"
	case PrefixDevice:
		return "device"
	}
	return ""
}

// ParseID parses a positive decimal id from a path.
func ParseID(s string) (int64, bool) {
	if len(s) == 0 || len(s) > 18 {
		return 0, false
	}
	n, err := strconv.ParseInt(s, 10, 64)
	return n, err == nil && n > 0
}
