package delivery

import (
	"math/rand/v2"
	"net/http"
	"strconv"
	"time"
)

// Backoff limits: the first retry waits about a second, doubling up to Max.
const (
	BaseBackoff       = time.Second
	DefaultMaxBackoff = 10 * time.Minute
	jitter            = 0.2
	minRetryAfter     = time.Second
	maxRetryAfter     = time.Hour
)

// Backoff returns the wait before attempt number next (2 for the first
// retry): 1 s doubling per attempt, ±20% jitter, capped at max.
func Backoff(next int, max time.Duration) time.Duration {
	if max <= 0 {
		max = DefaultMaxBackoff
	}
	d := BaseBackoff
	for i := 2; i < next && d < max; i++ {
		d *= 2
	}
	d = time.Duration(float64(d) * (1 - jitter + 2*jitter*rand.Float64()))
	if d > max {
		d = max
	}
	return d
}

// RetryAfter reads a Retry-After header (delay seconds or an HTTP date)
// relative to now, clamped to [1 s, 1 h]. ok is false when the header is
// absent or unreadable.
func RetryAfter(h http.Header, now time.Time) (d time.Duration, ok bool) {
	v := h.Get("Retry-After")
	if v == "" {
		return 0, false
	}
	if secs, err := strconv.ParseInt(v, 10, 64); err == nil {
		if secs < 0 {
			return 0, false
		}
		if secs > int64(maxRetryAfter/time.Second) {
			return maxRetryAfter, true
		}
		d = time.Duration(secs) * time.Second
	} else if at, err := http.ParseTime(v); err == nil {
		d = at.Sub(now)
	} else {
		return 0, false
	}
	return min(max(d, minRetryAfter), maxRetryAfter), true
}

// Delay is the wait before attempt number next after a retryable result:
// the receiver's Retry-After when it sent one, else Backoff.
func Delay(r Result, next int, max time.Duration) time.Duration {
	if r.RetryAfter > 0 {
		return r.RetryAfter
	}
	return Backoff(next, max)
}
