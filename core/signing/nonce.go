package signing

import (
	"math"
	"sync"
	"time"
)

// DefaultMaxNonces bounds a NonceCache made with max <= 0: about 5 MiB, and
// more than 200 deliveries a second for a whole 300 s window.
const DefaultMaxNonces = 65536

// NonceCache is the replay window of a receiver: it remembers each accepted
// nonce until its timestamp is older than the window, after which Verify
// refuses the timestamp anyway. It is safe for concurrent use and holds at
// most Max nonces; when full of live nonces it refuses new ones (fails
// closed) instead of forgetting one that could then be replayed. Only
// nonces of deliveries whose signature verified are recorded, so an
// attacker without a secret cannot fill it; a sender refused for a full
// cache retries later with a new nonce.
type NonceCache struct {
	window time.Duration
	max    int

	mu        sync.Mutex
	expires   map[string]int64 // nonce → Unix second after which it may be forgotten
	nextSweep int64
	lastSweep int64
}

// NewNonceCache returns a replay window of the given length (DefaultTolerance
// when window <= 0), holding at most max nonces (DefaultMaxNonces when
// max <= 0). Use the same window as Verify's tolerance.
func NewNonceCache(window time.Duration, max int) *NonceCache {
	if window <= 0 {
		window = DefaultTolerance
	}
	if max <= 0 {
		max = DefaultMaxNonces
	}
	return &NonceCache{window: window, max: max, expires: make(map[string]int64)}
}

// Seen records nonce, sent with Unix timestamp ts, and reports whether the
// delivery must be refused: the nonce was already recorded within the
// window, or the cache is full of live nonces. now is the receiver's clock.
func (c *NonceCache) Seen(nonce string, ts int64, now time.Time) bool {
	replayed, full := c.check(nonce, ts, now)
	return replayed || full
}

// Len returns the number of nonces held, expired ones not yet swept included.
func (c *NonceCache) Len() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.expires)
}

// check is Seen with the two refusals told apart.
func (c *NonceCache) check(nonce string, ts int64, now time.Time) (replayed, full bool) {
	n := now.Unix()
	win := int64(c.window / time.Second)
	c.mu.Lock()
	defer c.mu.Unlock()
	if exp, ok := c.expires[nonce]; ok && exp >= n {
		return true, false
	}
	// Sweeping is O(len): it runs every quarter window, and when the cache
	// is full at most once a second, so a full cache under load does not
	// turn every request into a scan.
	if n >= c.nextSweep || len(c.expires) >= c.max && n != c.lastSweep {
		c.sweep(n)
		c.lastSweep, c.nextSweep = n, n+max(win/4, 1)
	}
	if len(c.expires) >= c.max {
		return false, true
	}
	exp := ts + win
	if exp < ts { // overflow: remember it for ever, which Verify never lets happen
		exp = math.MaxInt64
	}
	c.expires[nonce] = exp
	return false, false
}

// sweep forgets every nonce whose timestamp has left the window.
func (c *NonceCache) sweep(now int64) {
	for k, exp := range c.expires {
		if exp < now {
			delete(c.expires, k)
		}
	}
}

// Restore records nonce as used until expires (Unix seconds), as a
// receiver does when it reloads its window after a restart (receive
// --state). A nonce already expired at now, or one beyond the cache's
// bound, is not kept.
func (c *NonceCache) Restore(nonce string, expires int64, now time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if expires < now.Unix() || len(c.expires) >= c.max {
		return
	}
	if cur, ok := c.expires[nonce]; !ok || cur < expires {
		c.expires[nonce] = expires
	}
}

// Live returns the nonces still inside the window at now, with the Unix
// second after which each may be forgotten.
func (c *NonceCache) Live(now time.Time) map[string]int64 {
	n := now.Unix()
	c.mu.Lock()
	defer c.mu.Unlock()
	out := make(map[string]int64, len(c.expires))
	for k, exp := range c.expires {
		if exp >= n {
			out[k] = exp
		}
	}
	return out
}
