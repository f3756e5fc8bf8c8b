package delivery_test

import (
	"sort"
	"sync"
	"testing"
	"time"

	"github.com/webriskops/webhook-setup/core/delivery"
	"github.com/webriskops/webhook-setup/store"
)

// Two pacers (two processes' worth) sharing a target's pace through the
// store hand out starts at least one spacing apart between them, not one
// spacing apart each; without Share the same two pacers double the pace,
// which is what the test would catch if the hook were lost.
func TestSharedPaceHoldsAcrossPacers(t *testing.T) {
	s, tg := openStore(t)
	other, err := store.Open(s.Path(), s.KeyFile())
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close()
	perSecond := 0.5 // zapier_webhook's 1/2s
	spacing := time.Duration(float64(time.Second) / (perSecond * 0.9))
	starts := func(share bool) []time.Time {
		a, b := delivery.NewPacer(perSecond), delivery.NewPacer(perSecond)
		if share {
			a.Share(s, tg.ID)
			b.Share(other, tg.ID)
		}
		var (
			mu  sync.Mutex
			out []time.Time
			wg  sync.WaitGroup
		)
		for _, p := range []*delivery.Pacer{a, b} {
			wg.Add(1)
			go func(p *delivery.Pacer) {
				defer wg.Done()
				for i := 0; i < 5; i++ {
					asked := time.Now()
					wait, ok := p.Reserve(time.Time{})
					if !ok {
						t.Error("Reserve without a deadline refused")
						return
					}
					mu.Lock()
					out = append(out, asked.Add(wait))
					mu.Unlock()
				}
			}(p)
		}
		wg.Wait()
		sort.Slice(out, func(i, j int) bool { return out[i].Before(out[j]) })
		return out
	}
	// The starts are booked times, not measured ones: the test sleeps not
	// at all. A little slack covers the clock reads between booking and
	// asking.
	const slack = 50 * time.Millisecond
	shared := starts(true)
	for i := 1; i < len(shared); i++ {
		if gap := shared[i].Sub(shared[i-1]); gap < spacing-slack {
			t.Errorf("shared pace: starts %d and %d are %s apart, want at least %s", i-1, i, gap, spacing)
		}
	}
	alone := starts(false)
	tooClose := 0
	for i := 1; i < len(alone); i++ {
		if alone[i].Sub(alone[i-1]) < spacing-slack {
			tooClose++
		}
	}
	if tooClose == 0 {
		t.Error("two unshared pacers kept the spacing between them: the test cannot tell sharing from not")
	}
}

// A start the shared book cannot give before the deadline is not taken:
// Reserve says no, and the runner leaves the delivery to a later claim.
func TestSharedPaceDeadline(t *testing.T) {
	s, tg := openStore(t)
	a, b := delivery.NewPacer(0.5), delivery.NewPacer(0.5)
	a.Share(s, tg.ID)
	b.Share(s, tg.ID)
	if _, ok := a.Reserve(time.Time{}); !ok {
		t.Fatal("first reservation refused")
	}
	if _, ok := b.Reserve(time.Now().Add(time.Second)); ok {
		t.Fatal("a second pacer got a start within 1 s of the first, inside a 2.2 s spacing")
	}
}
