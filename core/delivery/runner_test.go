package delivery_test

import (
	"bytes"
	"context"
	"math/rand/v2"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/webriskops/webhook-setup/core"
	"github.com/webriskops/webhook-setup/core/codes"
	"github.com/webriskops/webhook-setup/core/delivery"
	"github.com/webriskops/webhook-setup/core/payload"
)

// TestRunnerRetriesThenDelivers: a 503 and a dropped connection are retried;
// every attempt is recorded, and the delivery ends delivered.
func TestRunnerRetriesThenDelivers(t *testing.T) {
	s, tg := openStore(t)
	rc := newReceiver(t, func(n int, _ string, w http.ResponseWriter, _ *http.Request) bool {
		switch n {
		case 1:
			w.WriteHeader(503)
			return true
		case 2:
			c, _, _ := http.NewResponseController(w).Hijack()
			c.Close()
			return true
		}
		return false
	})
	ds := enqueue(t, s, tg, 1, 5)
	r := runner(s, rc.endpoint(t, s, tg, time.Second), time.Second, t.TempDir())
	var outcomes []delivery.Outcome
	r.OnOutcome = func(_ delivery.Delivery, o delivery.Outcome) { outcomes = append(outcomes, o) }
	sum, err := r.Run(ctx, delivery.RunOptions{IDs: ids(ds), Until: time.Now().Add(10 * time.Second)})
	if err != nil || sum.Delivered != 1 || sum.Total() != 1 || sum.All()[0].Attempts != 3 {
		t.Fatalf("Run = %+v, %v", sum, err)
	}
	rc.checkValid()
	atts, _ := s.Attempts(ctx, ds[0].ID)
	if len(atts) != 3 || atts[0].HTTPStatus != 503 || atts[1].Code != string(codes.DeliveryFailed) || atts[2].HTTPStatus != 200 {
		t.Fatalf("attempts %+v", atts)
	}
	if len(outcomes) != 3 || outcomes[2].Status != delivery.StatusDelivered {
		t.Fatalf("outcomes %+v", outcomes)
	}
	d, _ := s.Delivery(ctx, ds[0].ID)
	if d.Status != delivery.StatusDelivered || d.Attempts != 3 {
		t.Fatalf("stored %+v", d)
	}
}

// TestRunnerExhaustionWritesBundle: when the budget is used up the delivery
// fails and its bundle holds the body byte for byte as the receiver saw it.
func TestRunnerExhaustionWritesBundle(t *testing.T) {
	s, tg := openStore(t)
	rc := newReceiver(t, func(_ int, _ string, w http.ResponseWriter, _ *http.Request) bool {
		w.Header().Set("Retry-After", "0")
		w.WriteHeader(503)
		return true
	})
	dir := filepath.Join(t.TempDir(), "fallback")
	ds := enqueue(t, s, tg, 1, 2)
	sum, err := runner(s, rc.endpoint(t, s, tg, time.Second), time.Second, dir).
		Run(ctx, delivery.RunOptions{IDs: ids(ds), Until: time.Now().Add(10 * time.Second)})
	if err != nil || sum.Failed != 1 {
		t.Fatalf("Run = %+v, %v", sum, err)
	}
	rep := sum.All()[0]
	if rep.Attempts != 2 || rep.LastCode != string(codes.DeliveryFailed) || rep.FallbackPath != filepath.Join(dir, ds[0].ID) {
		t.Fatalf("report %+v", rep)
	}
	got, err := os.ReadFile(filepath.Join(rep.FallbackPath, delivery.BundlePayload))
	if err != nil || len(rc.bodies) != 2 || !bytes.Equal(got, rc.bodies[0]) || !bytes.Equal(got, rc.bodies[1]) {
		t.Fatalf("payload.json differs from the body on the wire (%v)", err)
	}
	checkBundle(t, rep.FallbackPath, ds[0].ID, "gave up after 2 attempts")
	d, _ := s.Delivery(ctx, ds[0].ID)
	if d.Status != delivery.StatusFailed || d.FallbackPath != rep.FallbackPath {
		t.Fatalf("stored %+v", d)
	}
}

// checkBundle checks the files, their modes, and that nothing secret is in
// them.
func checkBundle(t *testing.T, dir, id string, readmeHas ...string) {
	t.Helper()
	if fi, err := os.Stat(dir); err != nil || fi.Mode().Perm() != 0o700 {
		t.Fatalf("bundle folder %v %v", fi, err)
	}
	for _, name := range []string{delivery.BundlePayload, delivery.BundleTicket, delivery.BundleReadme} {
		fi, err := os.Stat(filepath.Join(dir, name))
		if err != nil || fi.Mode().Perm() != 0o600 {
			t.Fatalf("%s: %v %v", name, fi, err)
		}
		b, _ := os.ReadFile(filepath.Join(dir, name))
		if bytes.Contains(b, []byte(testSecret)) || bytes.Contains(b, []byte(hookToken)) {
			t.Fatalf("%s holds a secret or the URL token:\n%s", name, b)
		}
	}
	readme, _ := os.ReadFile(filepath.Join(dir, delivery.BundleReadme))
	for _, want := range append(readmeHas, "deliveries retry "+id, "sha256") {
		if !strings.Contains(string(readme), want) {
			t.Fatalf("README.txt lacks %q:\n%s", want, readme)
		}
	}
	md, _ := os.ReadFile(filepath.Join(dir, delivery.BundleTicket))
	if !strings.HasPrefix(string(md), "# Finding ") || !strings.Contains(string(md), "Something to fix.") {
		t.Fatalf("ticket.md:\n%s", md)
	}
}

// TestRunnerRedirectIsBlockedNotFollowed: a 3xx ends the delivery blocked
// and the redirect target sees nothing.
func TestRunnerRedirectIsBlockedNotFollowed(t *testing.T) {
	s, tg := openStore(t)
	elsewhere := newReceiver(t, nil)
	rc := newReceiver(t, func(_ int, _ string, w http.ResponseWriter, r *http.Request) bool {
		http.Redirect(w, r, elsewhere.srv.URL+"/final", http.StatusTemporaryRedirect)
		return true
	})
	ds := enqueue(t, s, tg, 1, 5)
	sum, err := runner(s, rc.endpoint(t, s, tg, time.Second), time.Second, t.TempDir()).
		Run(ctx, delivery.RunOptions{IDs: ids(ds), Until: time.Now().Add(10 * time.Second)})
	if err != nil || sum.Blocked != 1 || sum.All()[0].LastCode != string(codes.RedirectBlocked) || rc.count() != 1 {
		t.Fatalf("Run = %+v, %v (requests %d)", sum, err, rc.count())
	}
	if n := elsewhere.count(); n != 0 {
		t.Fatalf("the redirect was followed: %d requests", n)
	}
}

// TestRunnerResumesAfterLease: a delivery claimed by a process that died is
// sent once its lease ends.
func TestRunnerResumesAfterLease(t *testing.T) {
	s, tg := openStore(t)
	rc := newReceiver(t, nil)
	ds := enqueue(t, s, tg, 3, 5)
	if got, err := s.Claim(ctx, "dead-process", 0, time.Now(), 1500*time.Millisecond); err != nil || len(got) != 3 {
		t.Fatalf("Claim = %d, %v", len(got), err)
	}
	start := time.Now()
	sum, err := runner(s, rc.endpoint(t, s, tg, time.Second), time.Second, t.TempDir()).
		Run(ctx, delivery.RunOptions{Until: time.Now().Add(10 * time.Second)})
	if err != nil || sum.Delivered != 3 {
		t.Fatalf("drain = %+v, %v", sum, err)
	}
	if el := time.Since(start); el < time.Second {
		t.Fatalf("drain sent claimed deliveries after %v, before the lease ended", el)
	}
	for _, d := range ds {
		if rc.processed[d.IdempotencyKey] != 1 || rc.keys[d.IdempotencyKey] != 1 {
			t.Fatalf("key %s: %d requests, processed %d", d.IdempotencyKey, rc.keys[d.IdempotencyKey], rc.processed[d.IdempotencyKey])
		}
	}
}

// TestRunnerUnderChaos: 200 exports through a receiver that fails 30% of
// requests with 503 and drops 10% of connections (half of them after doing
// the work) all arrive, each processed exactly once.
func TestRunnerUnderChaos(t *testing.T) {
	s, tg := openStore(t)
	var mu sync.Mutex
	rng := rand.New(rand.NewPCG(1, 2))
	var rc *receiver
	rc = newReceiver(t, func(_ int, key string, w http.ResponseWriter, _ *http.Request) bool {
		mu.Lock()
		p := rng.Float64()
		mu.Unlock()
		switch {
		case p < 0.30:
			w.WriteHeader(503)
		case p < 0.35:
			c, _, _ := http.NewResponseController(w).Hijack()
			c.Close()
		case p < 0.40:
			rc.accept(key, discard{})
			c, _, _ := http.NewResponseController(w).Hijack()
			c.Close()
		default:
			return false
		}
		return true
	})
	ds := enqueue(t, s, tg, 200, 30)
	r := runner(s, rc.endpoint(t, s, tg, 2*time.Second), 2*time.Second, t.TempDir())
	sum, err := r.Run(ctx, delivery.RunOptions{IDs: ids(ds), Until: time.Now().Add(60 * time.Second)})
	if err != nil || sum.Delivered != 200 {
		t.Fatalf("Run = delivered %d failed %d pending %d, %v", sum.Delivered, sum.Failed, sum.Pending, err)
	}
	rc.checkValid()
	if len(rc.processed) != 200 {
		t.Fatalf("%d distinct keys processed, want 200", len(rc.processed))
	}
	for _, d := range ds {
		if rc.processed[d.IdempotencyKey] != 1 {
			t.Fatalf("key %s processed %d times", d.IdempotencyKey, rc.processed[d.IdempotencyKey])
		}
	}
	if rc.count() <= 200 {
		t.Fatalf("only %d requests: the chaos did not happen", rc.count())
	}
}

// discard is a ResponseWriter for work done without answering.
type discard struct{}

func (discard) Header() http.Header         { return http.Header{} }
func (discard) Write(b []byte) (int, error) { return len(b), nil }
func (discard) WriteHeader(int)             {}

// TestTwoDrainsNeverSendTheSameDelivery: two runners draining one outbox at
// once split the work; no delivery is sent twice.
func TestTwoDrainsNeverSendTheSameDelivery(t *testing.T) {
	s, tg := openStore(t)
	rc := newReceiver(t, func(_ int, _ string, _ http.ResponseWriter, _ *http.Request) bool {
		time.Sleep(time.Millisecond) // a slow receiver, so the two drains overlap
		return false
	})
	ds := enqueue(t, s, tg, 300, 5)
	ep := rc.endpoint(t, s, tg, 2*time.Second)
	var wg sync.WaitGroup
	sums := make([]delivery.Summary, 2)
	for i := range sums {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var err error
			sums[i], err = runner(s, ep, 2*time.Second, t.TempDir()).Run(ctx, delivery.RunOptions{Until: time.Now().Add(30 * time.Second)})
			if err != nil {
				t.Error(err)
			}
		}()
	}
	wg.Wait()
	if sums[0].Delivered+sums[1].Delivered != 300 || sums[0].Delivered == 0 || sums[1].Delivered == 0 {
		t.Fatalf("drains delivered %d and %d", sums[0].Delivered, sums[1].Delivered)
	}
	for _, d := range ds {
		if rc.keys[d.IdempotencyKey] != 1 {
			t.Fatalf("key %s was sent %d times", d.IdempotencyKey, rc.keys[d.IdempotencyKey])
		}
	}
}

// hangingReceiver is a receiver that never answers: each request is
// announced on started and then held until the sender gives up on it.
func hangingReceiver(t *testing.T) (*receiver, chan struct{}) {
	started := make(chan struct{}, 10)
	// The handler waits for the test to end, not for the request's
	// context: under load the server's context can end before the client
	// gives up, and the handler's return then answered an implicit 200
	// (seen 3 times in 300 runs). release runs before the server closes
	// (cleanups run last-registered first), so Close does not wait on it.
	release := make(chan struct{})
	rc := newReceiver(t, func(_ int, _ string, _ http.ResponseWriter, r *http.Request) bool {
		started <- struct{}{}
		<-release
		return true
	})
	t.Cleanup(func() { close(release) })
	return rc, started
}

// TestRunnerInterrupted: an interrupt records the attempt in flight as
// interrupted (pending, due at once) and releases what was not started.
func TestRunnerInterrupted(t *testing.T) {
	s, tg := openStore(t)
	rc, started := hangingReceiver(t)
	ds := enqueue(t, s, tg, 20, 5)
	r := runner(s, rc.endpoint(t, s, tg, 5*time.Second), 5*time.Second, t.TempDir())
	r.Workers = 1
	cctx, cancel := context.WithCancel(ctx)
	go func() { <-started; cancel() }()
	sum, err := r.Run(cctx, delivery.RunOptions{IDs: ids(ds)})
	if err != context.Canceled || sum.Pending != 20 {
		t.Fatalf("Run = %+v, %v", sum, err)
	}
	n, next, err := s.Pending(ctx, time.Now())
	if err != nil || n != 20 || next.After(time.Now()) {
		t.Fatalf("Pending = %d %v %v: the interrupted run left claims behind", n, next, err)
	}
	atts, _ := s.Attempts(ctx, ds[0].ID)
	if len(atts) != 1 || !strings.Contains(atts[0].Reason, "interrupted") {
		t.Fatalf("attempts %+v", atts)
	}
}

// TestRehearsalsAndRealExportsNeverCross: a rehearsal export is blocked at a
// real endpoint; a real export is never sent to a rehearsal receiver.
func TestRehearsalsAndRealExportsNeverCross(t *testing.T) {
	s, tg := openStore(t)
	rc := newReceiver(t, nil)
	rehearsal := enqueue(t, s, tg, 1, 5)
	real := *rc.endpoint(t, s, tg, time.Second)
	real.Rehearsal = false
	sum, err := runner(s, &real, time.Second, t.TempDir()).Run(ctx, delivery.RunOptions{IDs: ids(rehearsal)})
	if err != nil || sum.Blocked != 1 {
		t.Fatalf("rehearsal at a real endpoint: %+v %v", sum, err)
	}
	// The rehearsal is blocked before any endpoint is looked up (no DNS).
	rehearsal = enqueue(t, s, tg, 2, 5)[1:]
	r := runner(s, nil, time.Second, t.TempDir())
	r.Endpoint = func(context.Context, delivery.Delivery) (*delivery.Endpoint, error) {
		t.Fatal("endpoint looked up for a rehearsal export in a real run")
		return nil, nil
	}
	sum, err = r.Run(ctx, delivery.RunOptions{IDs: ids(rehearsal)})
	if err != nil || sum.Blocked != 1 || !strings.Contains(mustGet(t, s, rehearsal[0].ID).LastReason, "rehearsal") {
		t.Fatalf("rehearsal at a real endpoint: %+v %v", sum, err)
	}

	body, _ := testBody(t, tg.ID)
	prod, err := s.Enqueue(ctx, []delivery.Delivery{{TargetID: tg.ID, IdempotencyKey: "wro_0123456789abcdef0123456789abcdef", Body: body, MaxAttempts: 3}})
	if err != nil {
		t.Fatal(err)
	}
	r = runner(s, rc.endpoint(t, s, tg, time.Second), time.Second, t.TempDir())
	r.Rehearsal = true
	sum, err = r.Run(ctx, delivery.RunOptions{IDs: ids(prod), Until: time.Now().Add(3 * time.Second)})
	if err != nil || sum.Pending != 1 || mustGet(t, s, prod[0].ID).Attempts != 0 {
		t.Fatalf("real export at a rehearsal receiver: %+v %v", sum, err)
	}
	if rc.count() != 0 {
		t.Fatalf("receiver got %d requests", rc.count())
	}
}

func mustGet(t *testing.T, s interface {
	Delivery(context.Context, string) (delivery.Delivery, error)
}, id string) delivery.Delivery {
	t.Helper()
	d, err := s.Delivery(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	return d
}

// TestRunnerWaitLimitLeavesPending: deliveries whose next attempt falls
// after Until stay pending, unclaimed.
func TestRunnerWaitLimitLeavesPending(t *testing.T) {
	s, tg := openStore(t)
	rc := newReceiver(t, func(_ int, _ string, w http.ResponseWriter, _ *http.Request) bool {
		w.Header().Set("Retry-After", "60")
		w.WriteHeader(429)
		return true
	})
	ds := enqueue(t, s, tg, 2, 5)
	start := time.Now()
	sum, err := runner(s, rc.endpoint(t, s, tg, time.Second), time.Second, t.TempDir()).
		Run(ctx, delivery.RunOptions{IDs: ids(ds), Until: time.Now().Add(2 * time.Second)})
	if err != nil || sum.Pending != 2 || time.Since(start) > 4*time.Second {
		t.Fatalf("Run = %+v, %v after %v", sum, err, time.Since(start))
	}
	d := mustGet(t, s, ds[0].ID)
	if d.Status != delivery.StatusPending || d.NextAttemptAt.Before(time.Now().Add(50*time.Second)) {
		t.Fatalf("stored %+v", d)
	}
}

// exports builds the rehearsal exports of tickets idx of tg, not queued,
// with the idempotency keys enqueue gives them.
func exports(t *testing.T, tg core.Target, idx ...int) []delivery.Delivery {
	t.Helper()
	ds := make([]delivery.Delivery, len(idx))
	for i, n := range idx {
		tk := ticket(n)
		key := delivery.ExportKey(tg.ID, tk, "run-"+t.Name())
		body, err := payload.Build(payload.TargetRef{ID: tg.ID, Name: tg.Name}, string(tg.ProviderKey), tk, key, false, time.Now())
		if err != nil {
			t.Fatal(err)
		}
		ds[i] = delivery.Delivery{TargetID: tg.ID, TargetName: tg.Name, IdempotencyKey: key, Body: body, MaxAttempts: 5}
	}
	return ds
}

func span(from, to int) []int {
	var out []int
	for i := from; i < to; i++ {
		out = append(out, i)
	}
	return out
}

// TestRunnerQueueSendsBatchesOnceQueued: an export's run sends each batch
// its Queue stores, and nothing before it is in the outbox; a ticket
// queued twice, or queued before the run, is one delivery, reported once,
// in the order queued.
func TestRunnerQueueSendsBatchesOnceQueued(t *testing.T) {
	s, tg := openStore(t)
	var mu sync.Mutex
	var early []string
	rc := newReceiver(t, func(_ int, key string, _ http.ResponseWriter, _ *http.Request) bool {
		list, err := s.Deliveries(ctx, "", 0)
		found := false
		for _, d := range list {
			found = found || d.IdempotencyKey == key
		}
		if err != nil || !found {
			mu.Lock()
			early = append(early, key)
			mu.Unlock()
		}
		return false
	})
	pre := enqueue(t, s, tg, 3, 5) // tickets 0, 1 and 2, pending
	batches := [][]delivery.Delivery{
		exports(t, tg, span(0, 10)...),
		exports(t, tg, append(span(10, 20), 5, 12)...),
		exports(t, tg, span(20, 30)...),
	}
	r := runner(s, rc.endpoint(t, s, tg, 2*time.Second), 2*time.Second, t.TempDir())
	sum, err := r.Run(ctx, delivery.RunOptions{
		Queue: func(_ context.Context, enqueue func([]delivery.Delivery) error) error {
			for _, b := range batches {
				if err := enqueue(b); err != nil {
					return err
				}
			}
			return nil
		},
		Until: time.Now().Add(30 * time.Second),
	})
	if err != nil || sum.Delivered != 30 || sum.Total() != 30 {
		t.Fatalf("Run = %d delivered of %d reported, %v", sum.Delivered, sum.Total(), err)
	}
	rc.checkValid()
	if len(early) > 0 {
		t.Fatalf("sent before it was queued: %v", early)
	}
	want := exports(t, tg, span(0, 30)...)
	for i, rep := range sum.All() {
		if rep.IdempotencyKey != want[i].IdempotencyKey || rep.Status != delivery.StatusDelivered || rep.Attempts != 1 {
			t.Fatalf("report %d = %+v, want key %s delivered", i, rep, want[i].IdempotencyKey)
		}
		if rc.keys[rep.IdempotencyKey] != 1 {
			t.Fatalf("key %s sent %d times", rep.IdempotencyKey, rc.keys[rep.IdempotencyKey])
		}
	}
	for i, d := range pre {
		if sum.All()[i].ID != d.ID {
			t.Fatalf("delivery queued before the run reported as %s, want %s", sum.All()[i].ID, d.ID)
		}
	}
	if list, _ := s.Deliveries(ctx, "", 0); len(list) != 30 {
		t.Fatalf("%d deliveries in the outbox, want 30", len(list))
	}
}

// TestRunnerQueueInterrupted: an interrupt while an export's run queues
// records the attempt in flight as interrupted and releases every claim,
// those taken at enqueue included; Queue's next batch is not queued.
func TestRunnerQueueInterrupted(t *testing.T) {
	s, tg := openStore(t)
	rc, started := hangingReceiver(t)
	r := runner(s, rc.endpoint(t, s, tg, 5*time.Second), 5*time.Second, t.TempDir())
	r.Workers = 1
	cctx, cancel := context.WithCancel(ctx)
	go func() { <-started; cancel() }()
	var second error
	sum, err := r.Run(cctx, delivery.RunOptions{
		Queue: func(qctx context.Context, enqueue func([]delivery.Delivery) error) error {
			if err := enqueue(exports(t, tg, span(0, 20)...)); err != nil {
				return err
			}
			<-qctx.Done()
			second = enqueue(exports(t, tg, span(20, 25)...))
			return second
		},
	})
	if err != context.Canceled || sum.Pending != 20 || sum.Total() != 20 {
		t.Fatalf("Run = %+v, %v", sum, err)
	}
	if second == nil {
		t.Fatal("a batch was queued after the interrupt")
	}
	n, next, err := s.Pending(ctx, time.Now())
	if err != nil || n != 20 || next.After(time.Now()) {
		t.Fatalf("Pending = %d %v %v: the interrupted run left claims behind", n, next, err)
	}
	atts, _ := s.Attempts(ctx, sum.All()[0].ID)
	if len(atts) != 1 || !strings.Contains(atts[0].Reason, "interrupted") {
		t.Fatalf("attempts %+v", atts)
	}
}

// TestRunnerQueueGoesOnAfterUntil: what Queue stores after Until stays
// queued, unclaimed, for a drain.
func TestRunnerQueueGoesOnAfterUntil(t *testing.T) {
	s, tg := openStore(t)
	rc := newReceiver(t, nil)
	until := time.Now().Add(time.Second)
	sum, err := runner(s, rc.endpoint(t, s, tg, time.Second), time.Second, t.TempDir()).Run(ctx, delivery.RunOptions{
		Queue: func(_ context.Context, enqueue func([]delivery.Delivery) error) error {
			if err := enqueue(exports(t, tg, span(0, 5)...)); err != nil {
				return err
			}
			// The case under test: the queue goes on past Until.
			time.Sleep(time.Until(until) + 100*time.Millisecond)
			return enqueue(exports(t, tg, span(5, 10)...))
		},
		Until: until,
	})
	if err != nil || sum.Delivered != 5 || sum.Pending != 5 || rc.count() != 5 {
		t.Fatalf("Run = %+v, %v; %d requests", sum, err, rc.count())
	}
	n, next, err := s.Pending(ctx, time.Now())
	if err != nil || n != 5 || next.After(time.Now()) {
		t.Fatalf("Pending = %d %v %v: claims left behind", n, next, err)
	}
}

// TestRunnerQueuePaced: with a paced target, only as many deliveries are
// queued claimed as can start in time; the rest are claimed as usual, and
// each is sent once.
func TestRunnerQueuePaced(t *testing.T) {
	s, tg := openStore(t)
	rc := newReceiver(t, nil)
	ep, err := delivery.RehearsalEndpoint(rc.srv.URL+"/hooks/"+hookToken, rc.pool(),
		delivery.ClientOptions(time.Second, time.Second, nil), core.RateLimit{Requests: 40, PerSeconds: 1})
	if err != nil {
		t.Fatal(err)
	}
	ep.Secrets = delivery.StoredSecrets(s, tg.ID)
	sum, err := runner(s, ep, time.Second, t.TempDir()).Run(ctx, delivery.RunOptions{
		Queue: func(_ context.Context, enqueue func([]delivery.Delivery) error) error {
			return enqueue(exports(t, tg, span(0, 30)...))
		},
		Until: time.Now().Add(30 * time.Second),
	})
	if err != nil || sum.Delivered != 30 {
		t.Fatalf("Run = %+v, %v", sum, err)
	}
	rc.checkValid()
	for _, rep := range sum.All() {
		if rc.keys[rep.IdempotencyKey] != 1 {
			t.Fatalf("key %s sent %d times", rep.IdempotencyKey, rc.keys[rep.IdempotencyKey])
		}
	}
}
