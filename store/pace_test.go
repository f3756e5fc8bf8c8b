package store

import (
	"sort"
	"sync"
	"testing"
	"time"
)

// Two handles on one database (two processes, as far as SQLite can tell)
// booking starts for one target at the same moment get starts at least the
// spacing apart; another target has its own pace.
func TestBookPaceSpacesStartsAcrossHandles(t *testing.T) {
	s := openTemp(t)
	handles := []*Store{s, reopen(t, s)}
	const spacing = 2200 * time.Millisecond
	now := time.Now()
	var (
		mu     sync.Mutex
		starts []time.Time
		wg     sync.WaitGroup
	)
	for i := 0; i < 20; i++ {
		wg.Add(1)
		go func(h *Store) {
			defer wg.Done()
			start, ok, err := h.BookPace(ctx, "target-a", now, spacing, time.Time{})
			if err != nil || !ok {
				t.Errorf("BookPace: %v %v", ok, err)
				return
			}
			mu.Lock()
			starts = append(starts, start)
			mu.Unlock()
		}(handles[i%2])
	}
	wg.Wait()
	sort.Slice(starts, func(i, j int) bool { return starts[i].Before(starts[j]) })
	for i := 1; i < len(starts); i++ {
		if gap := starts[i].Sub(starts[i-1]); gap < spacing {
			t.Errorf("starts %d and %d are %s apart, want at least %s", i-1, i, gap, spacing)
		}
	}
	if len(starts) > 0 && !starts[0].Equal(now) {
		t.Errorf("the first start is %s, want the earliest asked for (%s)", starts[0], now)
	}
	other, _, err := s.BookPace(ctx, "target-b", now, spacing, time.Time{})
	if err != nil || !other.Equal(now) {
		t.Errorf("another target's first start: %s, %v; want now", other, err)
	}
}

// A start that would fall after the deadline is not booked: the next
// caller gets the slot.
func TestBookPaceDeadlineBooksNothing(t *testing.T) {
	s := openTemp(t)
	now := time.Now()
	if _, ok, err := s.BookPace(ctx, "t", now, 10*time.Second, time.Time{}); err != nil || !ok {
		t.Fatalf("first booking: %v %v", ok, err)
	}
	if _, ok, err := s.BookPace(ctx, "t", now, 10*time.Second, now.Add(time.Second)); err != nil || ok {
		t.Fatalf("a start 10 s away with a deadline in 1 s: ok=%v err=%v, want not booked", ok, err)
	}
	start, ok, err := s.BookPace(ctx, "t", now, 10*time.Second, time.Time{})
	if err != nil || !ok || !start.Equal(now.Add(10*time.Second)) {
		t.Fatalf("after a refused booking: %s %v %v, want the slot 10 s after the first", start, ok, err)
	}
}
