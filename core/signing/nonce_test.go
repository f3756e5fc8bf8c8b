package signing

import (
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

func TestNonceCacheReplayAndExpiry(t *testing.T) {
	c := NewNonceCache(300*time.Second, 0)
	now := time.Unix(1_000_000, 0)
	ts := now.Unix()
	if c.Seen("a", ts, now) {
		t.Fatal("first sight reported as seen")
	}
	if !c.Seen("a", ts, now.Add(300*time.Second)) {
		t.Fatal("replay at the edge of the window not caught")
	}
	if c.Seen("b", ts, now) {
		t.Fatal("another nonce reported as seen")
	}
	// Once ts has left the window the nonce may be forgotten: Verify refuses
	// the timestamp by then.
	if c.Seen("a", ts, now.Add(301*time.Second)) {
		t.Fatal("nonce remembered past its window")
	}
	// A nonce sent with a future timestamp lives until that timestamp leaves
	// the window.
	if c.Seen("f", ts+300, now) || !c.Seen("f", ts+300, now.Add(599*time.Second)) {
		t.Fatal("future-stamped nonce forgotten too early")
	}
}

func TestNonceCacheBoundedFailsClosed(t *testing.T) {
	c := NewNonceCache(300*time.Second, 3)
	now := time.Unix(1_000_000, 0)
	for i := range 3 {
		if c.Seen(fmt.Sprint(i), now.Unix(), now) {
			t.Fatal("fresh nonce refused")
		}
	}
	replayed, full := c.check("x", now.Unix(), now)
	if replayed || !full {
		t.Fatalf("full cache: replayed=%v full=%v, want full", replayed, full)
	}
	if c.Len() != 3 {
		t.Fatalf("Len = %d, want 3", c.Len())
	}
	// A live nonce is never dropped to make room.
	if !c.Seen("0", now.Unix(), now) {
		t.Fatal("live nonce forgotten when full")
	}
	// After the window, the sweep frees room.
	later := now.Add(301 * time.Second)
	if c.Seen("x", later.Unix(), later) {
		t.Fatal("cache did not free expired nonces")
	}
	if c.Len() != 1 {
		t.Fatalf("Len = %d after sweep, want 1", c.Len())
	}
}

func TestNonceCacheSweepsOverTime(t *testing.T) {
	c := NewNonceCache(4*time.Second, 0)
	start := time.Unix(1_000_000, 0)
	for i := range 10_000 {
		now := start.Add(time.Duration(i) * time.Millisecond * 10) // 100 s in all
		c.Seen(fmt.Sprint(i), now.Unix(), now)
	}
	// Only nonces from about the last window plus a sweep interval remain.
	if n := c.Len(); n > 600 {
		t.Fatalf("Len = %d: expired nonces pile up", n)
	}
}

func TestNonceCacheConcurrent(t *testing.T) {
	c := NewNonceCache(0, 0)
	now := time.Unix(1_000_000, 0)
	var fresh atomic.Int64
	var wg sync.WaitGroup
	for g := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range 500 {
				// Every goroutine offers the same 500 nonces: each must be
				// accepted exactly once overall.
				if !c.Seen(fmt.Sprint(i), now.Unix(), now.Add(time.Duration(g)*time.Millisecond)) {
					fresh.Add(1)
				}
			}
		}()
	}
	wg.Wait()
	if fresh.Load() != 500 {
		t.Fatalf("%d nonces accepted, want 500", fresh.Load())
	}
}
