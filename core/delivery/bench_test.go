package delivery_test

import (
	"io"
	"net/url"
	"os"
	"strconv"
	"testing"
	"time"

	"github.com/webriskops/webhook-setup/core/delivery"
	"github.com/webriskops/webhook-setup/core/payload"
)

// BenchmarkBareLoop is the yardstick: a plain net/http client posting
// signed deliveries one after another over one kept-alive TLS connection to
// the same verifying receiver, with nothing queued or recorded.
func BenchmarkBareLoop(b *testing.B) {
	_, tg := openStore(b)
	rc := newReceiver(b, nil)
	client := rc.srv.Client()
	bodies := make([][]byte, b.N)
	keys := make([]string, b.N)
	for i := range bodies {
		keys[i] = delivery.ExportKey(tg.ID, ticket(i), "bench")
		bodies[i], _ = payload.Build(payload.TargetRef{ID: tg.ID, Name: tg.Name}, "generic_webhook", ticket(i), keys[i], false, time.Now())
	}
	u, _ := url.Parse(rc.srv.URL)
	b.ResetTimer()
	for i := range b.N {
		req, err := delivery.NewRequest(ctx, u, []string{testSecret}, keys[i], bodies[i], time.Now())
		if err != nil {
			b.Fatal(err)
		}
		resp, err := client.Do(req)
		if err != nil {
			b.Fatal(err)
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		if resp.StatusCode != 200 {
			b.Fatalf("status %d", resp.StatusCode)
		}
	}
}

// BenchmarkRunner sends b.N queued exports through the runner, each signed,
// verified by the receiver and durably recorded in the SQLite outbox. It
// should reach at least half of BenchmarkBareLoop's rate (the performance
// budget); BENCH_WORKERS overrides the number of workers.
func BenchmarkRunner(b *testing.B) {
	s, tg := openStore(b)
	rc := newReceiver(b, nil)
	ds := enqueue(b, s, tg, b.N, 3)
	ep := rc.endpoint(b, s, tg, 5*time.Second)
	r := runner(s, ep, 5*time.Second, b.TempDir())
	if w := os.Getenv("BENCH_WORKERS"); w != "" {
		r.Workers, _ = strconv.Atoi(w)
	}
	b.ResetTimer()
	sum, err := r.Run(ctx, delivery.RunOptions{IDs: ids(ds)})
	if err != nil || sum.Delivered != b.N {
		b.Fatalf("delivered %d of %d: %v", sum.Delivered, b.N, err)
	}
}
