package store

import (
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/webriskops/webhook-setup/core/codes"
	"github.com/webriskops/webhook-setup/core/delivery"
)

func newDeliveries(targetName string, n int) []delivery.Delivery {
	ds := make([]delivery.Delivery, n)
	for i := range ds {
		ds[i] = delivery.Delivery{
			TargetName:     targetName,
			IdempotencyKey: fmt.Sprintf("finding-%04d", i),
			Body:           []byte(fmt.Sprintf(`{"finding":%d}`, i)),
			MaxAttempts:    3,
		}
	}
	return ds
}

func TestEnqueueDedupe(t *testing.T) {
	s := openTemp(t)
	tg, _ := mustCreate(t, s, "hook")
	first, err := s.Enqueue(ctx, newDeliveries("hook", 3))
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range first {
		if d.TargetID != tg.ID || d.TargetName != "hook" || d.Status != delivery.StatusPending || d.Attempts != 0 ||
			d.MaxAttempts != 3 || d.ID == "" || d.NextAttemptAt.IsZero() || d.CreatedAt.IsZero() {
			t.Errorf("enqueued %+v", d)
		}
	}
	// Again, by target id, with one new key and a duplicate inside the batch.
	again := newDeliveries("", 4)
	for i := range again {
		again[i].TargetID = tg.ID
		again[i].Body = []byte("changed")
	}
	again = append(again, again[3])
	second, err := s.Enqueue(ctx, again)
	if err != nil {
		t.Fatal(err)
	}
	if len(second) != 5 {
		t.Fatalf("got %d results", len(second))
	}
	for i := range 3 {
		if second[i].ID != first[i].ID || string(second[i].Body) != string(first[i].Body) {
			t.Errorf("duplicate %d not deduped: %+v vs %+v", i, second[i], first[i])
		}
	}
	if second[3].ID != second[4].ID {
		t.Error("duplicate inside a batch queued twice")
	}
	if n := count(t, s.Path(), "deliveries"); n != 4 {
		t.Errorf("%d deliveries, want 4", n)
	}
	got, err := s.Delivery(ctx, first[0].ID)
	if err != nil || got.IdempotencyKey != "finding-0000" {
		t.Errorf("Get = %+v %v", got, err)
	}
	_, err = s.Delivery(ctx, "dlv_nope")
	if !errors.Is(err, ErrDeliveryNotFound) {
		t.Errorf("Get unknown = %v", err)
	}
	_, err = s.Enqueue(ctx, newDeliveries("no-such-target", 1))
	wantCode(t, err, codes.TargetNotFound)
	list, _ := s.Deliveries(ctx, "", 0)
	if len(list) != 4 {
		t.Errorf("List = %d", len(list))
	}
}

// TestEnqueueClaimed: the first n deliveries added are claimed for the
// worker in the same write. Deliveries already queued (earlier, or earlier
// in the batch) come back as stored and unclaimed. Nobody else can claim
// the new ones while the claim lasts; once it has ended (the exporter
// died), anyone can.
func TestEnqueueClaimed(t *testing.T) {
	s := openTemp(t)
	mustCreate(t, s, "hook")
	before, err := s.Enqueue(ctx, newDeliveries("hook", 2))
	if err != nil {
		t.Fatal(err)
	}
	now := time.Now().UTC()
	until := now.Add(time.Minute)
	ds := newDeliveries("hook", 5)
	ds = append(ds, ds[2]) // queued twice in one batch
	got, claimed, err := s.EnqueueClaimed(ctx, ds, "exporter", until, 2)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 6 || fmt.Sprint(claimed) != "[false false true true false false]" {
		t.Fatalf("claimed %v of %d", claimed, len(got))
	}
	if got[0].ID != before[0].ID || got[1].ID != before[1].ID || got[5].ID != got[2].ID {
		t.Fatalf("duplicates not folded: %v", []string{got[0].ID, got[1].ID, got[2].ID, got[5].ID})
	}
	for _, d := range got[2:5] {
		if d.Status != delivery.StatusPending || d.Attempts != 0 || d.TargetID == "" || d.NextAttemptAt.IsZero() {
			t.Errorf("queued %+v", d)
		}
	}
	// Only the unclaimed pending ones can be claimed by another runner now.
	other, err := s.Claim(ctx, "drain", 0, time.Now(), time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	if ids := claimedIDs(other); ids != fmt.Sprint([]string{before[0].ID, before[1].ID, got[4].ID}) {
		t.Fatalf("drain claimed %s", ids)
	}
	// When the claim has run out, the next claimer takes them.
	if n, next, err := s.Pending(ctx, time.Now()); err != nil || n != 5 || !next.Equal(until) {
		t.Fatalf("Pending = %d %v %v, want 5 due at %v", n, next, err, until)
	}
	later, err := s.Claim(ctx, "drain", 0, until, time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	if ids := claimedIDs(later); ids != fmt.Sprint([]string{got[2].ID, got[3].ID}) {
		t.Fatalf("after the claim ended, drain claimed %s", ids)
	}
	_, _, err = s.EnqueueClaimed(ctx, newDeliveries("hook", 1), "", until, 1)
	wantCode(t, err, codes.Internal)
}

// TestEnqueueClaimedRecordAndRelease: the exporter's own Record ends a
// claim taken at enqueue; Release gives one back at once.
func TestEnqueueClaimedRecordAndRelease(t *testing.T) {
	s := openTemp(t)
	mustCreate(t, s, "hook")
	now := time.Now().UTC()
	got, _, err := s.EnqueueClaimed(ctx, newDeliveries("hook", 2), "exporter", now.Add(time.Minute), 2)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Record(ctx, "exporter", []delivery.Outcome{{Attempt: delivery.Attempt{DeliveryID: got[0].ID, HTTPStatus: 200},
		Status: delivery.StatusDelivered}}); err != nil {
		t.Fatal(err)
	}
	if d, _ := s.Delivery(ctx, got[0].ID); d.Status != delivery.StatusDelivered || d.Attempts != 1 {
		t.Fatalf("recorded %+v", d)
	}
	if err := s.Release(ctx, "exporter", []string{got[1].ID}); err != nil {
		t.Fatal(err)
	}
	if c, _ := s.Claim(ctx, "drain", 0, time.Now(), time.Minute); claimedIDs(c) != fmt.Sprint([]string{got[1].ID}) {
		t.Fatalf("after release, drain claimed %s", claimedIDs(c))
	}
}

func claimedIDs(ds []delivery.Delivery) string {
	ids := make([]string, len(ds))
	for i, d := range ds {
		ids[i] = d.ID
	}
	return fmt.Sprint(ids)
}

// TestClaimConcurrent has two goroutines on each of two Store handles of
// one file drain the outbox together: no delivery is handed out twice.
func TestClaimConcurrent(t *testing.T) {
	s := openTemp(t)
	mustCreate(t, s, "hook")
	const total = 400
	if _, err := s.Enqueue(ctx, newDeliveries("hook", total)); err != nil {
		t.Fatal(err)
	}
	s2 := reopen(t, s)
	var (
		mu     sync.Mutex
		seen   = map[string]string{}
		wg     sync.WaitGroup
		errs   = make(chan error, 4)
		stores = []*Store{s, s, s2, s2}
	)
	for w, st := range stores {
		wg.Add(1)
		go func() {
			defer wg.Done()
			worker := fmt.Sprintf("worker-%d", w)
			for {
				ds, err := st.Claim(ctx, worker, 7, time.Now(), time.Minute)
				if err != nil {
					errs <- err
					return
				}
				if len(ds) == 0 {
					return
				}
				var outs []delivery.Outcome
				mu.Lock()
				for _, d := range ds {
					if prev, dup := seen[d.ID]; dup {
						errs <- fmt.Errorf("%s claimed by %s and %s", d.ID, prev, worker)
					}
					seen[d.ID] = worker
					outs = append(outs, delivery.Outcome{Attempt: delivery.Attempt{DeliveryID: d.ID, HTTPStatus: 200}, Status: delivery.StatusDelivered})
				}
				mu.Unlock()
				if err := st.Record(ctx, worker, outs); err != nil {
					errs <- err
					return
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	if len(seen) != total {
		t.Errorf("%d deliveries claimed, want %d", len(seen), total)
	}
	delivered, _ := s.Deliveries(ctx, delivery.StatusDelivered, 0)
	if len(delivered) != total {
		t.Errorf("%d delivered, want %d", len(delivered), total)
	}
}

func TestClaimRules(t *testing.T) {
	s := openTemp(t)
	mustCreate(t, s, "hook")
	ds := newDeliveries("hook", 4)
	ds[3].NextAttemptAt = time.Now().Add(time.Hour) // not due yet
	q, err := s.Enqueue(ctx, ds)
	if err != nil {
		t.Fatal(err)
	}
	now := time.Now()
	// ids limit the claim.
	got, err := s.Claim(ctx, "w1", 10, now, time.Minute, q[1].ID, q[3].ID)
	if err != nil || len(got) != 1 || got[0].ID != q[1].ID {
		t.Fatalf("Claim by ids = %+v %v", got, err)
	}
	// Claimed deliveries are hidden from others until the lease ends.
	got, _ = s.Claim(ctx, "w2", 10, now, time.Minute)
	if len(got) != 2 || got[0].ID != q[0].ID || got[1].ID != q[2].ID {
		t.Fatalf("second claim = %+v", got)
	}
	if got, _ := s.Claim(ctx, "w3", 10, now, time.Minute); len(got) != 0 {
		t.Fatalf("claimed held deliveries: %+v", got)
	}
	// After the lease, they may be claimed again; the due-later one too.
	got, _ = s.Claim(ctx, "w3", 10, now.Add(2*time.Hour), time.Minute)
	if len(got) != 4 {
		t.Fatalf("claim after lease = %d", len(got))
	}
	// w1 lost its claim to w3: its attempt is recorded, the status is w3's.
	if err := s.Record(ctx, "w1", []delivery.Outcome{{Attempt: delivery.Attempt{DeliveryID: q[1].ID, Code: "x"}, Status: delivery.StatusDelivered}}); err != nil {
		t.Fatal(err)
	}
	d, _ := s.Delivery(ctx, q[1].ID)
	if d.Status != delivery.StatusPending || d.Attempts != 1 {
		t.Errorf("after a lost claim: %+v", d)
	}
}

func TestRecordBatchAndRequeue(t *testing.T) {
	s := openTemp(t)
	mustCreate(t, s, "hook")
	q, _ := s.Enqueue(ctx, newDeliveries("hook", 3))
	now := time.Now().UTC()
	if _, err := s.Claim(ctx, "w", 0, now, time.Minute); err != nil {
		t.Fatal(err)
	}
	retryAt := now.Add(30 * time.Second)
	outs := []delivery.Outcome{
		{Attempt: delivery.Attempt{DeliveryID: q[0].ID, At: now, HTTPStatus: 200, Duration: 120 * time.Millisecond}, Status: delivery.StatusDelivered},
		{Attempt: delivery.Attempt{DeliveryID: q[1].ID, At: now, HTTPStatus: 503, Code: string(codes.DeliveryFailed), Reason: "503 Service Unavailable"},
			Status: delivery.StatusPending, NextAttemptAt: retryAt},
		{Attempt: delivery.Attempt{DeliveryID: q[2].ID, At: now, HTTPStatus: 410, Code: string(codes.EndpointGone), Reason: "410 Gone"},
			Status: delivery.StatusFailed, FallbackPath: "/tmp/fallback.json"},
	}
	if err := s.Record(ctx, "w", outs); err != nil {
		t.Fatal(err)
	}
	d0, _ := s.Delivery(ctx, q[0].ID)
	d1, _ := s.Delivery(ctx, q[1].ID)
	d2, _ := s.Delivery(ctx, q[2].ID)
	if d0.Status != delivery.StatusDelivered || d0.Attempts != 1 {
		t.Errorf("d0 = %+v", d0)
	}
	if d1.Status != delivery.StatusPending || !d1.NextAttemptAt.Equal(retryAt) || d1.LastCode != string(codes.DeliveryFailed) {
		t.Errorf("d1 = %+v", d1)
	}
	if d2.Status != delivery.StatusFailed || d2.FallbackPath != "/tmp/fallback.json" || d2.LastReason != "410 Gone" {
		t.Errorf("d2 = %+v", d2)
	}
	// Claims were released: d1 is claimable again once due.
	if got, _ := s.Claim(ctx, "w2", 0, retryAt, time.Minute); len(got) != 1 || got[0].ID != d1.ID {
		t.Errorf("reclaim = %+v", got)
	}
	if err := s.Record(ctx, "w2", []delivery.Outcome{{Attempt: delivery.Attempt{DeliveryID: d1.ID, HTTPStatus: 503}, Status: delivery.StatusFailed}}); err != nil {
		t.Fatal(err)
	}
	atts, err := s.Attempts(ctx, d1.ID)
	if err != nil || len(atts) != 2 || atts[0].Number != 1 || atts[1].Number != 2 || atts[0].HTTPStatus != 503 {
		t.Errorf("attempts = %+v %v", atts, err)
	}
	a0, _ := s.Attempts(ctx, d0.ID)
	if len(a0) != 1 || a0[0].Duration != 120*time.Millisecond || !a0[0].At.Equal(now) {
		t.Errorf("d0 attempts = %+v", a0)
	}

	// A batch with an unknown id writes nothing.
	before := dump(t, s.Path())
	err = s.Record(ctx, "w", []delivery.Outcome{
		{Attempt: delivery.Attempt{DeliveryID: d0.ID}, Status: delivery.StatusDelivered},
		{Attempt: delivery.Attempt{DeliveryID: "dlv_unknown"}, Status: delivery.StatusDelivered},
	})
	if !errors.Is(err, ErrDeliveryNotFound) || dump(t, s.Path()) != before {
		t.Errorf("bad batch: %v, database changed: %v", err, dump(t, s.Path()) != before)
	}

	// Requeue: only failed or blocked, with a fresh budget.
	_, err = s.Requeue(ctx, d0.ID, 3, now)
	wantCode(t, err, codes.Usage)
	r, err := s.Requeue(ctx, d1.ID, 5, now)
	if err != nil {
		t.Fatal(err)
	}
	if r.Status != delivery.StatusPending || r.Attempts != 2 || r.MaxAttempts != 7 || !r.NextAttemptAt.Equal(now) {
		t.Errorf("requeued = %+v", r)
	}
	if got, _ := s.Claim(ctx, "w", 0, now, time.Minute); len(got) != 1 || got[0].ID != d1.ID {
		t.Errorf("claim after requeue = %+v", got)
	}
	ev, _ := s.Audit(ctx, 1)
	if ev[0].Action != "delivery.retry" || ev[0].Target != "hook" {
		t.Errorf("requeue audit = %+v", ev[0])
	}
	_, err = s.Requeue(ctx, "dlv_unknown", 1, now)
	if !errors.Is(err, ErrDeliveryNotFound) {
		t.Errorf("requeue unknown = %v", err)
	}
}

func TestDeleteTargetKeepsDeliveries(t *testing.T) {
	s := openTemp(t)
	mustCreate(t, s, "hook")
	q, _ := s.Enqueue(ctx, newDeliveries("hook", 2))
	s.Claim(ctx, "w", 1, time.Now(), time.Minute)
	s.Record(ctx, "w", []delivery.Outcome{{Attempt: delivery.Attempt{DeliveryID: q[0].ID, HTTPStatus: 500}, Status: delivery.StatusFailed}})
	if err := s.DeleteTarget(ctx, "hook", "x"); err != nil {
		t.Fatal(err)
	}
	list, _ := s.Deliveries(ctx, "", 0)
	if len(list) != 2 {
		t.Fatalf("%d deliveries left", len(list))
	}
	for _, d := range list {
		if d.TargetID != "" || d.TargetName != "hook" {
			t.Errorf("history row = %+v", d)
		}
	}
	d1, _ := s.Delivery(ctx, q[1].ID)
	if d1.Status != delivery.StatusBlocked || d1.LastCode != string(codes.TargetNotFound) {
		t.Errorf("pending delivery of a deleted target = %+v", d1)
	}
	if atts, _ := s.Attempts(ctx, q[0].ID); len(atts) != 1 {
		t.Errorf("attempts lost: %+v", atts)
	}
	if got, _ := s.Claim(ctx, "w", 0, time.Now().Add(time.Hour), time.Minute); len(got) != 0 {
		t.Errorf("claimed deliveries of a deleted target: %+v", got)
	}
	_, err := s.Requeue(ctx, q[0].ID, 1, time.Now())
	wantCode(t, err, codes.TargetNotFound)
}
