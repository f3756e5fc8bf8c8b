package ui

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"github.com/webriskops/webhook-setup/core/delivery"
)

// TestPaceWarning: the case, in the words an operator reads; none
// when the pace finishes in time.
func TestPaceWarning(t *testing.T) {
	got := paceWarning(delivery.EstimateRun(2000, 20, 60*time.Second), 20, 60*time.Second)
	want := "2,000 at 20/s (paced at 18/s) ≈ 111s > --wait 60s: about 920 will stay queued for drain"
	if got != want {
		t.Fatalf("got  %q\nwant %q", got, want)
	}
	if w := paceWarning(delivery.EstimateRun(100, 20, 60*time.Second), 20, 60*time.Second); w != "" {
		t.Fatalf("a pace that finishes in time warned: %q", w)
	}
	for d, want := range map[time.Duration]string{59 * time.Second: "59s", 111 * time.Second: "111s", 4 * time.Minute: "4m", 90 * time.Minute: "1h30m", 2 * time.Hour: "2h"} {
		if got := shortDuration(d); got != want {
			t.Errorf("shortDuration(%s) = %q, want %q", d, got, want)
		}
	}
}

// TestProgressCounts: outcomes move deliveries from queued to retrying to
// an end; a retried delivery that ends counts once.
func TestProgressCounts(t *testing.T) {
	var out bytes.Buffer
	now := time.Unix(1000, 0)
	p := &progress{events: &out, now: func() time.Time { return now }, retrying: map[string]bool{}}
	p.c.Total = 4
	p.start(struct{}{})
	now = now.Add(2 * time.Second)
	a, b := delivery.Delivery{ID: "a"}, delivery.Delivery{ID: "b"}
	p.observe(a, delivery.Outcome{Status: delivery.StatusPending})
	p.observe(b, delivery.Outcome{Status: delivery.StatusDelivered})
	c := p.counts()
	if c.Delivered != 1 || c.Retrying != 1 || c.Queued != 2 || c.Rate != 0.5 || c.ETA != 6 {
		t.Fatalf("after one retry and one delivery: %+v", c)
	}
	p.observe(a, delivery.Outcome{Status: delivery.StatusFailed})
	c = p.counts()
	if c.Retrying != 0 || c.Failed != 1 || c.Queued != 2 {
		t.Fatalf("after the retry failed: %+v", c)
	}
	if line := c.line(); line != "delivered 1 · retrying 0 · failed 1 · queued 2 of 4 · 1.0/s · ETA 2s" {
		t.Fatalf("line %q", line)
	}
	p.finish()
	lines := strings.Split(strings.TrimSpace(out.String()), "\n")
	if len(lines) < 2 || !strings.HasPrefix(lines[0], `{"event":"start"`) || !strings.HasPrefix(lines[len(lines)-1], `{"event":"progress","total":4,"delivered":1,`) {
		t.Fatalf("events:\n%s", out.String())
	}
}

func TestThousands(t *testing.T) {
	for n, want := range map[int]string{0: "0", 999: "999", 1000: "1,000", 1234567: "1,234,567", -2000: "-2,000"} {
		if got := thousands(n); got != want {
			t.Errorf("thousands(%d) = %q, want %q", n, got, want)
		}
	}
}
