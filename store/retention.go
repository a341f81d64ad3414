package store

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// Retainer is implemented by stores that can forget old fixes. Both stores
// do, with the same rule, so `--retention` means the same on either.
type Retainer interface {
	// DropBefore removes every fix whose fix time is before
	// RetentionCutoff(before), that is, whole UTC days that ended at or
	// before it, and returns how many days of fixes it removed (PostgreSQL:
	// daily partitions dropped; SQLite: distinct days among the deleted
	// rows). Fixes on the cutoff's own day and later are kept.
	DropBefore(ctx context.Context, before time.Time) (int, error)
}

// RetentionCutoff returns the start of the UTC day of t: retention keeps
// whole days, so a fix is dropped only once its whole day is older than the
// retention period.
func RetentionCutoff(t time.Time) time.Time { return t.UTC().Truncate(24 * time.Hour) }

// ParseRetention parses a retention period: a number of days ("400d"), any
// time.ParseDuration value ("72h"), or "0" (keep everything, returned as 0).
// Negative periods are refused.
func ParseRetention(s string) (time.Duration, error) {
	s = strings.TrimSpace(s)
	var (
		d   time.Duration
		err error
	)
	if n, ok := strings.CutSuffix(s, "d"); ok {
		var days int64
		days, err = strconv.ParseInt(n, 10, 32)
		d = time.Duration(days) * 24 * time.Hour
	} else {
		d, err = time.ParseDuration(s)
	}
	if err != nil || d < 0 {
		return 0, fmt.Errorf("retention %q: want days (400d) or a duration (72h)", s)
	}
	return d, nil
}

// ApplyRetention drops from r the fixes older than keep, counted back from
// now; keep 0 keeps everything. A server calls it at start and then daily.
func ApplyRetention(
	ctx context.Context, r Retainer, keep time.Duration, now time.Time,
) (int, error) {
	if keep <= 0 {
		return 0, nil
	}
	return r.DropBefore(ctx, now.Add(-keep))
}
