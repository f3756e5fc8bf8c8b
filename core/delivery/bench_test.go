package delivery_test

import (
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"slices"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/webriskops/webhook-setup/core"
	"github.com/webriskops/webhook-setup/core/delivery"
	"github.com/webriskops/webhook-setup/core/payload"
	"github.com/webriskops/webhook-setup/store"
)

// benchWorkers is the concurrency of both sides: the runner's default,
// or BENCH_WORKERS.
func benchWorkers() int {
	if w, err := strconv.Atoi(os.Getenv("BENCH_WORKERS")); err == nil && w > 0 {
		return w
	}
	return delivery.DefaultWorkers
}

// bareLoop posts n signed deliveries to rc with workers goroutines over
// one keep-alive client, nothing queued or recorded, and returns how long
// that took. The bodies are built before the clock starts.
func bareLoop(b *testing.B, rc *receiver, tg core.Target, n, workers int, run string) time.Duration {
	tr := rc.srv.Client().Transport.(*http.Transport).Clone()
	tr.MaxIdleConnsPerHost = workers
	client := &http.Client{Transport: tr}
	defer tr.CloseIdleConnections()
	bodies := make([][]byte, n)
	keys := make([]string, n)
	for i := range bodies {
		keys[i] = delivery.ExportKey(tg.ID, ticket(i), run)
		bodies[i], _ = payload.Build(payload.TargetRef{ID: tg.ID, Name: tg.Name}, "generic_webhook", ticket(i), keys[i], false, time.Now())
	}
	u, _ := url.Parse(rc.srv.URL)
	next := make(chan int, n)
	for i := range n {
		next <- i
	}
	close(next)
	var wg sync.WaitGroup
	var once sync.Once
	start := time.Now()
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				req, err := delivery.NewRequest(ctx, u, []string{testSecret}, keys[i], bodies[i], time.Now())
				if err == nil {
					var resp *http.Response
					if resp, err = client.Do(req); err == nil {
						io.Copy(io.Discard, resp.Body)
						resp.Body.Close()
						if resp.StatusCode != 200 {
							err = fmt.Errorf("status %d", resp.StatusCode)
						}
					}
				}
				if err != nil {
					once.Do(func() { b.Errorf("bare loop: %v", err) })
				}
			}
		}()
	}
	wg.Wait()
	return time.Since(start)
}

// runOnce queues n exports of tg in s (idempotency keys of run) and sends
// them with the runner (workers workers, unpaced), returning the time of
// the run alone, not of the queuing.
func runOnce(b *testing.B, s *store.Store, tg core.Target, rc *receiver, n, workers int, run string) time.Duration {
	ds := make([]delivery.Delivery, n)
	now := time.Now()
	for i := range ds {
		key := delivery.ExportKey(tg.ID, ticket(i), run)
		body, err := payload.Build(payload.TargetRef{ID: tg.ID, Name: tg.Name}, string(tg.ProviderKey), ticket(i), key, false, now)
		if err != nil {
			b.Fatal(err)
		}
		ds[i] = delivery.Delivery{TargetID: tg.ID, IdempotencyKey: key, Body: body, MaxAttempts: 3}
	}
	ds, err := s.Enqueue(ctx, ds)
	if err != nil {
		b.Fatal(err)
	}
	ep := rc.endpoint(b, s, tg, 5*time.Second)
	r := runner(s, ep, 5*time.Second, b.TempDir())
	r.Workers = workers
	start := time.Now()
	sum, err := r.Run(ctx, delivery.RunOptions{IDs: ids(ds)})
	took := time.Since(start)
	if err != nil || sum.Delivered != n {
		b.Fatalf("delivered %d of %d: %v", sum.Delivered, n, err)
	}
	return took
}

// BenchmarkBareLoop is the yardstick: a plain net/http client posting b.N
// signed deliveries with the runner's concurrency over kept-alive TLS
// connections to the same verifying receiver, nothing queued or recorded.
func BenchmarkBareLoop(b *testing.B) {
	_, tg := openStore(b)
	rc := newReceiver(b, nil)
	took := bareLoop(b, rc, tg, b.N, benchWorkers(), "bench")
	b.ReportMetric(float64(b.N)/took.Seconds(), "deliveries/s")
}

// BenchmarkRunner sends b.N queued exports through the runner, each
// signed, verified by the receiver and durably recorded in the SQLite
// outbox (the queuing is not timed).
func BenchmarkRunner(b *testing.B) {
	s, tg := openStore(b)
	rc := newReceiver(b, nil)
	b.ResetTimer()
	took := runOnce(b, s, tg, rc, b.N, benchWorkers(), "bench")
	b.ReportMetric(float64(b.N)/took.Seconds(), "deliveries/s")
}

// BenchmarkRunnerVsBare runs the two side by side, in adjacent turns of n
// (2,000; smoke: 50) deliveries each, into one receiver: x-bare is the
// median over the turns of the runner's rate over the bare loop's (the
// export budget is 0.5 or more). ns/op is one delivery through the runner.
func BenchmarkRunnerVsBare(b *testing.B) {
	n := 50
	if os.Getenv("BENCH_FULL") != "" {
		n = 2000
	}
	workers := benchWorkers()
	s, tg := openStore(b)
	rc := newReceiver(b, nil)
	var tRunner time.Duration
	var runnerRates, bareRates, ratios []float64
	for i := 0; b.Loop(); i++ {
		bare := bareLoop(b, rc, tg, n, workers, fmt.Sprintf("bare-%d", i))
		run := runOnce(b, s, tg, rc, n, workers, fmt.Sprintf("runner-%d", i))
		tRunner += run
		runnerRates = append(runnerRates, float64(n)/run.Seconds())
		bareRates = append(bareRates, float64(n)/bare.Seconds())
		ratios = append(ratios, bare.Seconds()/run.Seconds())
	}
	b.ReportMetric(float64(tRunner.Nanoseconds())/float64(b.N*n), "ns/op")
	reportPairs(b, runnerRates, bareRates, ratios)
	b.ReportMetric(float64(workers), "workers")
}

// reportPairs reports the medians of rounds measured in adjacent pairs:
// both rates, and x-bare, the median of each pair's ratio (a round slowed
// by another job on the machine slows its pair too, or is outvoted).
func reportPairs(b *testing.B, rates, bare, ratios []float64) {
	med := func(vs []float64) float64 {
		s := slices.Clone(vs)
		slices.Sort(s)
		return s[len(s)/2]
	}
	b.ReportMetric(med(rates), "deliveries/s")
	b.ReportMetric(med(bare), "deliveries/s-bare")
	b.ReportMetric(med(ratios), "x-bare")
}
