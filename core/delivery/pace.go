package delivery

import (
	"context"
	"sync"
	"time"
)

// Pacer spaces deliveries to one target so they stay under the receiver's
// intake limit (Make about 300 per 10 s) or what its recipe can hold
// (Zapier one per 2 s), and slows down further when the receiver still
// answers 429.
//
// It hands out evenly spaced start times (no bursts), because receivers
// count requests in short windows. A 429 halves the rate and pauses every
// sender until its Retry-After has passed; each delivered attempt then wins
// back a little of the rate, never above the configured limit.
//
// Starts are spaced for headroom × the rate, a little under it: receivers
// count requests as they arrive, and arrivals jitter (a new connection's
// TLS handshake, a stalled process on a busy machine), so a sender at
// exactly the limit puts limit+1 requests in some window and is answered
// 429, and one 429 costs its Retry-After, a second or more (BenchmarkPacing
// in e2e, docs/performance.md).
type Pacer struct {
	mu       sync.Mutex
	limit    float64 // configured requests per second; 0 = unpaced
	rate     float64 // current requests per second
	next     time.Time
	pauseEnd time.Time
	now      func() time.Time
	// shared, when set, books every start across processes (Share).
	shared *sharedPace
}

// headroom is the share of the rate the starts are spaced for.
const headroom = 0.9

// NewPacer paces at perSecond requests per second (0 or less: no pacing).
func NewPacer(perSecond float64) *Pacer {
	return &Pacer{limit: perSecond, rate: perSecond, now: time.Now}
}

// Wait blocks until the caller may start its next attempt.
func (p *Pacer) Wait(ctx context.Context) error {
	wait, _, err := p.reserve(time.Time{})
	if err != nil {
		return err
	}
	return sleep(ctx, wait)
}

// Reserve books the caller's next start and says how long to wait for it.
// When deadline is not zero and the start would fall after it, nothing is
// booked and ok is false: a runner whose claim would run out first leaves
// the delivery to a later claim instead of sending it late. That holds for
// an unpaced (or nil) pacer too, whose start is now.
//
// A start the shared book (Share) could not book counts as after the
// deadline: the delivery is left to a later claim rather than sent unpaced.
func (p *Pacer) Reserve(deadline time.Time) (wait time.Duration, ok bool) {
	wait, ok, err := p.reserve(deadline)
	return wait, ok && err == nil
}

// reserve is Reserve that also says why a shared booking failed.
func (p *Pacer) reserve(deadline time.Time) (wait time.Duration, ok bool, err error) {
	if p == nil || p.limit <= 0 {
		// Unpaced: the start is now.
		return 0, deadline.IsZero() || !time.Now().After(deadline), nil
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	now := p.now()
	start := p.nextStart(now)
	if !deadline.IsZero() && start.After(deadline) {
		return 0, false, nil
	}
	spacing := time.Duration(float64(time.Second) / (p.rate * headroom))
	start, ok, err = p.book(start, spacing, deadline)
	if err != nil || !ok {
		return 0, false, err
	}
	p.next = start.Add(spacing)
	return max(start.Sub(now), 0), true, nil
}

// nextStart is when the next attempt may start, seen at now: the paced
// slot, not before now nor before a 429 pause ends. p.mu is held.
func (p *Pacer) nextStart(now time.Time) time.Time {
	start := p.next
	if start.Before(now) {
		start = now
	}
	if start.Before(p.pauseEnd) {
		start = p.pauseEnd
	}
	return start
}

// starts is how many attempts may start within d from now at the current
// pace; paced is false when the pacer does not pace (any number may).
func (p *Pacer) starts(d time.Duration) (n int, paced bool) {
	if p == nil || p.limit <= 0 {
		return 0, false
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	now := p.now()
	start := p.nextStart(now)
	left := d - start.Sub(now)
	if left <= 0 {
		return 0, true
	}
	return int(min(left.Seconds()*p.rate*headroom, 1<<30)), true
}

// Throttled records a 429: the rate halves (down to a floor) and nobody
// starts before retryAfter has passed.
func (p *Pacer) Throttled(retryAfter time.Duration) {
	if p == nil || p.limit <= 0 {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	p.rate = max(p.rate/2, p.limit/16)
	if end := p.now().Add(retryAfter); end.After(p.pauseEnd) {
		p.pauseEnd = end
	}
}

// Delivered records a success: the rate recovers by a twentieth of the
// limit, up to the limit.
func (p *Pacer) Delivered() {
	if p == nil || p.limit <= 0 {
		return
	}
	p.mu.Lock()
	p.rate = min(p.rate+p.limit/20, p.limit)
	p.mu.Unlock()
}

// Rate is the current pace in requests per second.
func (p *Pacer) Rate() float64 {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.rate
}
