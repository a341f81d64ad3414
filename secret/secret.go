// Package secret seals personal data for storage: each value is encrypted
// with XChaCha20-Poly1305 under a key from a keyring, and carries the id of
// that key, so that a copy of the database alone reveals nothing and keys
// can be rotated without a flag day.
//
// A sealed value is text, safe for any TEXT column:
//
//	dz1.<key id>.<base64url(nonce || ciphertext || tag)>
//
// The nonce is 24 random bytes (XChaCha20), so random nonces never repeat in
// practice however many values one key seals. The caller's context string
// (for example "debtor.name") is the associated data: a value moved to
// another column does not open.
//
// Rotation: add a new key in front of the keyring (it becomes the current
// key), restart, then re-seal the stored values (Reseal, or `dozor keys
// rotate`) and only then drop the old key. Opening works with any key the
// ring holds; sealing always uses the current one.
package secret

import (
	"bufio"
	"crypto/cipher"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"golang.org/x/crypto/chacha20poly1305"
)

// Prefix starts every sealed value.
const Prefix = "dz1."

// KeySize is the size of a key in bytes.
const KeySize = chacha20poly1305.KeySize

// maxKeyID bounds a key id; ids are short names such as "2026-12".
const maxKeyID = 32

// Sentinel errors.
var (
	// ErrNotSealed: the value is not in the sealed format.
	ErrNotSealed = errors.New("secret: value is not sealed")
	// ErrUnknownKey: the value was sealed with a key the ring lacks.
	ErrUnknownKey = errors.New("secret: unknown key")
	// ErrOpen: the value does not authenticate (wrong key, wrong context or
	// altered bytes).
	ErrOpen = errors.New("secret: value does not authenticate")
	// ErrNoKey: the keyring is empty.
	ErrNoKey = errors.New("secret: no key")
)

// Keyring holds the keys by id; the first is the current key. It is safe
// for concurrent use once built.
type Keyring struct {
	current string
	ids     []string
	aead    map[string]cipher.AEAD
}

// Key is one named key.
type Key struct {
	ID    string
	Bytes []byte
}

// NewKeyring returns a keyring whose current key is keys[0].
func NewKeyring(keys ...Key) (*Keyring, error) {
	if len(keys) == 0 {
		return nil, ErrNoKey
	}
	kr := &Keyring{current: keys[0].ID, aead: make(map[string]cipher.AEAD, len(keys))}
	for _, k := range keys {
		if err := checkID(k.ID); err != nil {
			return nil, err
		}
		if _, dup := kr.aead[k.ID]; dup {
			return nil, fmt.Errorf("secret: key id %q given twice", k.ID)
		}
		a, err := chacha20poly1305.NewX(k.Bytes)
		if err != nil {
			return nil, fmt.Errorf("secret: key %q: want %d bytes, got %d", k.ID, KeySize, len(k.Bytes))
		}
		kr.aead[k.ID] = a
		kr.ids = append(kr.ids, k.ID)
	}
	return kr, nil
}

func checkID(id string) error {
	if id == "" || len(id) > maxKeyID {
		return fmt.Errorf("secret: key id %q: want 1 to %d characters", id, maxKeyID)
	}
	for _, c := range id {
		ok := c == '-' || c == '_' || c >= '0' && c <= '9' || c >= 'a' && c <= 'z' ||
			c >= 'A' && c <= 'Z'
		if !ok {
			return fmt.Errorf("secret: key id %q: only letters, digits, - and _", id)
		}
	}
	return nil
}

// Current returns the id of the key that seals.
func (kr *Keyring) Current() string { return kr.current }

// IDs returns the key ids, current first.
func (kr *Keyring) IDs() []string { return append([]string(nil), kr.ids...) }

// Seal encrypts plaintext under the current key, binding it to context.
func (kr *Keyring) Seal(plaintext, context string) string {
	a := kr.aead[kr.current]
	buf := make([]byte, a.NonceSize(), a.NonceSize()+len(plaintext)+a.Overhead())
	if _, err := rand.Read(buf); err != nil {
		panic("secret: no randomness: " + err.Error()) // crypto/rand never fails on Linux
	}
	buf = a.Seal(buf, buf, []byte(plaintext), []byte(context))
	return Prefix + kr.current + "." + base64.RawURLEncoding.EncodeToString(buf)
}

// Open decrypts a sealed value with whichever key sealed it.
func (kr *Keyring) Open(sealed, context string) (string, error) {
	id, a, body, err := kr.parse(sealed)
	if err != nil {
		return "", err
	}
	if len(body) < a.NonceSize()+a.Overhead() {
		return "", fmt.Errorf("%w (key %s, too short)", ErrOpen, id)
	}
	n := a.NonceSize()
	out, err := a.Open(nil, body[:n], body[n:], []byte(context))
	if err != nil {
		return "", fmt.Errorf("%w (key %s, context %q)", ErrOpen, id, context)
	}
	return string(out), nil
}

// KeyOf returns the id of the key that sealed the value.
func KeyOf(sealed string) (string, error) {
	rest, ok := strings.CutPrefix(sealed, Prefix)
	if !ok {
		return "", ErrNotSealed
	}
	id, _, ok := strings.Cut(rest, ".")
	if !ok || checkID(id) != nil {
		return "", ErrNotSealed
	}
	return id, nil
}

// IsSealed reports whether s is in the sealed format (it may still fail to
// open).
func IsSealed(s string) bool {
	_, err := KeyOf(s)
	return err == nil
}

// Reseal re-encrypts a value under the current key. A value already sealed
// with the current key is returned unchanged with changed false; a plain
// (never sealed) value is sealed, so that Reseal also migrates old rows.
func (kr *Keyring) Reseal(v, context string) (out string, changed bool, err error) {
	id, err := KeyOf(v)
	if errors.Is(err, ErrNotSealed) {
		return kr.Seal(v, context), true, nil
	}
	if id == kr.current {
		return v, false, nil
	}
	plain, err := kr.Open(v, context)
	if err != nil {
		return "", false, err
	}
	return kr.Seal(plain, context), true, nil
}

func (kr *Keyring) parse(sealed string) (string, cipher.AEAD, []byte, error) {
	id, err := KeyOf(sealed)
	if err != nil {
		return "", nil, nil, err
	}
	a, ok := kr.aead[id]
	if !ok {
		return "", nil, nil, fmt.Errorf("%w %q", ErrUnknownKey, id)
	}
	body, err := base64.RawURLEncoding.DecodeString(sealed[len(Prefix)+len(id)+1:])
	if err != nil {
		return "", nil, nil, fmt.Errorf("%w (key %s, bad encoding)", ErrOpen, id)
	}
	return id, a, body, nil
}

// NewKey returns a fresh random key with the given id.
func NewKey(id string) (Key, error) {
	if err := checkID(id); err != nil {
		return Key{}, err
	}
	k := Key{ID: id, Bytes: make([]byte, KeySize)}
	_, err := rand.Read(k.Bytes)
	return k, err
}

// FormatKey renders a key as one line of a key file.
func FormatKey(k Key) string {
	return k.ID + " " + base64.StdEncoding.EncodeToString(k.Bytes)
}

// ParseKeys reads keys, one per line as "<id> <base64 key>"; blank lines
// and lines starting with # are skipped. In an environment variable the
// keys may be separated by ";" instead of newlines. The first key is the
// current one.
func ParseKeys(r io.Reader) ([]Key, error) {
	var keys []Key
	sc := bufio.NewScanner(r)
	line := 0
	for sc.Scan() {
		for _, entry := range strings.Split(sc.Text(), ";") {
			line++
			entry = strings.TrimSpace(entry)
			if entry == "" || strings.HasPrefix(entry, "#") {
				continue
			}
			id, b64, ok := strings.Cut(entry, " ")
			if !ok {
				return nil, fmt.Errorf("secret: key entry %d: want \"<id> <base64 key>\"", line)
			}
			b, err := base64.StdEncoding.DecodeString(strings.TrimSpace(b64))
			if err != nil || len(b) != KeySize {
				return nil, fmt.Errorf("secret: key entry %d (%s): want %d bytes in base64",
					line, id, KeySize)
			}
			keys = append(keys, Key{ID: id, Bytes: b})
		}
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("secret: read keys: %w", err)
	}
	if len(keys) == 0 {
		return nil, ErrNoKey
	}
	return keys, nil
}

// Load builds the keyring from a key file (path) or, if path is empty, from
// the keys text in env. A key file readable by others than its owner is
// refused.
func Load(path, env string) (*Keyring, error) {
	var src io.Reader
	switch {
	case path != "":
		fi, err := os.Stat(path)
		if err != nil {
			return nil, fmt.Errorf("secret: key file: %w", err)
		}
		if fi.Mode().Perm()&0o077 != 0 {
			return nil, fmt.Errorf("secret: key file %s is readable by others (mode %v): "+
				"chmod 600 it", path, fi.Mode().Perm())
		}
		b, err := os.ReadFile(path)
		if err != nil {
			return nil, fmt.Errorf("secret: key file: %w", err)
		}
		src = strings.NewReader(string(b))
	case env != "":
		src = strings.NewReader(env)
	default:
		return nil, ErrNoKey
	}
	keys, err := ParseKeys(src)
	if err != nil {
		return nil, err
	}
	return NewKeyring(keys...)
}
