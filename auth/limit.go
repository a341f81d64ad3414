package auth

import (
	"sync"
	"time"

	"golang.org/x/time/rate"
)

// Limiter bounds attempts per key (a client address, an unknown account
// name) with a token bucket each. Idle buckets are forgotten, so the map
// stays as small as the set of recent callers. It is safe for concurrent
// use.
type Limiter struct {
	every time.Duration
	burst int
	max   int // keys kept; past it, the oldest idle ones are dropped

	mu   sync.Mutex
	keys map[string]*bucket
}

type bucket struct {
	lim  *rate.Limiter
	seen time.Time
}

// NewLimiter allows burst attempts at once per key, then one every every.
func NewLimiter(every time.Duration, burst int) *Limiter {
	return &Limiter{every: every, burst: burst, max: 100000, keys: make(map[string]*bucket)}
}

// Allow takes one attempt for key at now; if none is left it returns false
// and how long until the next one.
func (l *Limiter) Allow(key string, now time.Time) (bool, time.Duration) {
	l.mu.Lock()
	defer l.mu.Unlock()
	b, ok := l.keys[key]
	if !ok {
		if len(l.keys) >= l.max {
			l.sweep(now)
		}
		b = &bucket{lim: rate.NewLimiter(rate.Every(l.every), l.burst)}
		l.keys[key] = b
	}
	b.seen = now
	r := b.lim.ReserveN(now, 1)
	if d := r.DelayFrom(now); d > 0 {
		r.CancelAt(now)
		return false, d
	}
	return true, 0
}

// sweep drops buckets idle long enough to be full again.
func (l *Limiter) sweep(now time.Time) {
	full := l.every * time.Duration(l.burst)
	for k, b := range l.keys {
		if now.Sub(b.seen) > full {
			delete(l.keys, k)
		}
	}
}
