package egts

import (
	"errors"
	"fmt"

	"dozor/protocols"
)

// ResultError is a decode error with the processing result the platform
// reports for it in EGTS_PT_RESPONSE. Decode returns it (wrapped in a
// protocols.OffsetError) whenever the transport header could be read, so
// that AppendReply can answer an Invalid packet with the right PR.
type ResultError struct {
	PID    uint16 // packet identifier of the refused packet
	Result Result // PR to report
	Err    error  // cause; wraps a protocols sentinel
}

func (e *ResultError) Error() string {
	return fmt.Sprintf("egts packet %d: %v (pr %d %s)", e.PID, e.Err, e.Result, e.Result)
}

// Unwrap returns the cause.
func (e *ResultError) Unwrap() error { return e.Err }

// failure builds the error Decode returns: the cause at a frame offset,
// carrying the PID and the processing result.
func failure(pid uint16, r Result, off int, sentinel error, format string, args ...any) error {
	cause := wrapf(sentinel, format, args...)
	return protocols.At(off, &ResultError{PID: pid, Result: r, Err: cause})
}

// resultOf extracts the ResultError from err, if any.
func resultOf(err error) (*ResultError, bool) {
	var re *ResultError
	ok := errors.As(err, &re)
	return re, ok
}

// wrapf wraps a sentinel with a formatted description.
func wrapf(sentinel error, format string, args ...any) error {
	return fmt.Errorf("%s: %w", fmt.Sprintf(format, args...), sentinel)
}
