package e2e

import (
	"fmt"
	"net/http"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/webriskops/webhook-setup/core/signing"
)

// TestZapierPaceHoldsAcrossProcesses: two exports and a test send, three
// processes started together, to one zapier_webhook target (rehearsed
// against a loopback TLS receiver, paced like the target) start their
// deliveries one pace apart between them, as the Zapier recipe's one
// delivery per 2-second slice needs, not one pace apart each.
//
// The pace books starts 2.2 s apart (1/2s at 90 %). The receiver logs when
// each request arrived; arrivals may drift from the booked starts by
// scheduling delay and a TLS handshake on this shared machine, so the test
// allows 0.7 s of it and asks for gaps of at least 1.5 s. Without the
// shared pace the three processes start within milliseconds of each other.
func TestZapierPaceHoldsAcrossProcesses(t *testing.T) {
	h := newHome(t)
	h.addZapier("zap")
	var (
		mu       sync.Mutex
		arrivals []time.Time
		signedAt []string
	)
	wr := newWire(t, func(_ int, _ string, w http.ResponseWriter, r *http.Request) bool {
		mu.Lock()
		arrivals = append(arrivals, time.Now())
		signedAt = append(signedAt, signing.HeaderValue(r.Header, signing.HeaderTimestamp))
		mu.Unlock()
		return false
	})
	batch := func(name string, first int) string {
		var b strings.Builder
		for i := first; i < first+3; i++ {
			fmt.Fprintf(&b, `{"title":"Finding %d","description":"Fix it.","severity":"high","kind":"finding","finding_id":"fnd_pace_%d"}`+"\n", i, i)
		}
		return h.writeFile(name, b.String())
	}
	procs := []*proc{
		h.spawn(nil, "export", "zap", "--ticket", batch("a.ndjson", 0), "--to", wr.url(), "--ca-file", wr.caFile),
		h.spawn(nil, "export", "zap", "--ticket", batch("b.ndjson", 10), "--to", wr.url(), "--ca-file", wr.caFile),
		h.spawn(nil, "test-send", "zap", "--to", wr.url(), "--ca-file", wr.caFile),
	}
	for _, p := range procs {
		if code := p.wait(t, 90*time.Second); code != 0 {
			t.Fatalf("%v exited %d:\n%s\n%s", p.cmd.Args[1:], code, p.stdout, p.stderr)
		}
	}
	wr.check()
	mu.Lock()
	defer mu.Unlock()
	if len(arrivals) != 7 {
		t.Fatalf("the receiver saw %d requests, want 7 (6 exported tickets and a test send)", len(arrivals))
	}
	sort.Slice(arrivals, func(i, j int) bool { return arrivals[i].Before(arrivals[j]) })
	const minGap = 1500 * time.Millisecond
	for i := 1; i < len(arrivals); i++ {
		if gap := arrivals[i].Sub(arrivals[i-1]); gap < minGap {
			t.Errorf("requests %d and %d arrived %s apart; the shared pace keeps starts 2.2 s apart (allowing 0.7 s of drift: at least %s)",
				i-1, i, gap.Round(time.Millisecond), minGap)
		}
	}
	seen := map[string]bool{}
	for _, ts := range signedAt {
		if seen[ts] {
			t.Errorf("two deliveries were signed in the same second %s: the Zapier recipe's slice would hold two", ts)
		}
		seen[ts] = true
	}
}
