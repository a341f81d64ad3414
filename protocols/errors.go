package protocols

import (
	"encoding/hex"
	"errors"
	"fmt"
)

// Sentinel errors shared by every protocol. Decoders wrap them with context;
// callers test with errors.Is and name metrics with Reason.
var (
	// ErrTooLarge: a declared length or count is over a limit.
	ErrTooLarge = errors.New("over limit")
	// ErrTruncated: the frame ends before the data it declares.
	ErrTruncated = errors.New("truncated")
	// ErrChecksum: the frame's checksum does not match its bytes.
	ErrChecksum = errors.New("bad checksum")
	// ErrMalformed: the bytes do not follow the protocol's grammar.
	ErrMalformed = errors.New("malformed")
	// ErrUnsupported: valid framing, but a type this server does not decode.
	ErrUnsupported = errors.New("unsupported")
	// ErrNoIdentity: data arrived before the device identified itself.
	ErrNoIdentity = errors.New("no device identity")
)

// LimitError reports a device-controlled length or count over its limit.
type LimitError struct {
	What  string // "frame length", "record count"
	Value int
	Limit int
}

func (e *LimitError) Error() string {
	return fmt.Sprintf("%s %d over limit %d", e.What, e.Value, e.Limit)
}

// Unwrap makes errors.Is(err, ErrTooLarge) true.
func (e *LimitError) Unwrap() error { return ErrTooLarge }

// Limit returns a LimitError.
func Limit(what string, value, limit int) error {
	return &LimitError{What: what, Value: value, Limit: limit}
}

// OffsetError locates a decode error inside a frame.
type OffsetError struct {
	Offset int
	Err    error
}

func (e *OffsetError) Error() string { return fmt.Sprintf("at byte %d: %v", e.Offset, e.Err) }

// Unwrap returns the cause.
func (e *OffsetError) Unwrap() error { return e.Err }

// At wraps err with the byte offset where it was found.
func At(offset int, err error) error {
	if err == nil {
		return nil
	}
	return &OffsetError{Offset: offset, Err: err}
}

// Offset returns the offset recorded in err, or -1.
func Offset(err error) int {
	var oe *OffsetError
	if errors.As(err, &oe) {
		return oe.Offset
	}
	return -1
}

// Reason maps an error to a short label for metrics and logs.
func Reason(err error) string {
	switch {
	case err == nil:
		return ""
	case errors.Is(err, ErrTooLarge):
		return "too_large"
	case errors.Is(err, ErrTruncated):
		return "truncated"
	case errors.Is(err, ErrChecksum):
		return "checksum"
	case errors.Is(err, ErrUnsupported):
		return "unsupported"
	case errors.Is(err, ErrNoIdentity):
		return "no_identity"
	}
	return "malformed"
}

// Snippet returns up to n bytes of b around offset as hex, for log lines
// that must be enough to reproduce a problem.
func Snippet(b []byte, offset, n int) string {
	if offset < 0 || offset > len(b) {
		offset = 0
	}
	start := offset - n/4
	if start < 0 {
		start = 0
	}
	end := start + n
	if end > len(b) {
		end = len(b)
	}
	return hex.EncodeToString(b[start:end])
}
