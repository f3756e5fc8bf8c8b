package delivery_test

import (
	"context"
	"net/http"
	"path/filepath"
	"sync/atomic"
	"testing"
	"time"

	"github.com/webriskops/webhook-setup/core/codes"
	"github.com/webriskops/webhook-setup/core/delivery"
)

// TestDrainRechecksApproval: a drain keeps a target's endpoint between
// batches only while Runner.Approval answers the same. The receiver
// answers the first attempt 503 and, meanwhile, the target's approval is
// revoked: the retry in the next batch asks Endpoint again, which now
// refuses, so the delivery ends blocked and is not sent a second time.
func TestDrainRechecksApproval(t *testing.T) {
	s, tg := openStore(t)
	var revoked atomic.Bool
	rc := newReceiver(t, func(n int, _ string, w http.ResponseWriter, _ *http.Request) bool {
		if n == 1 {
			revoked.Store(true)
			w.Header().Set("Retry-After", "0")
			w.WriteHeader(http.StatusServiceUnavailable)
			return true
		}
		return false
	})
	ep := rc.endpoint(t, s, tg, time.Second)
	ds := enqueue(t, s, tg, 1, 3)
	r := runner(s, ep, time.Second, filepath.Join(t.TempDir(), "fallback"))
	var builds atomic.Int32
	r.Endpoint = func(context.Context, delivery.Delivery) (*delivery.Endpoint, error) {
		builds.Add(1)
		if revoked.Load() {
			return nil, codes.Errorf(codes.BaseURLBlocked, "the private-network approval of this target was revoked")
		}
		return ep, nil
	}
	r.Approval = func(context.Context, delivery.Delivery) (string, error) {
		if revoked.Load() {
			return "v2", nil
		}
		return "v1", nil
	}
	sum, err := r.Run(ctx, delivery.RunOptions{Until: time.Now().Add(10 * time.Second)})
	if err != nil {
		t.Fatal(err)
	}
	if sum.Blocked != 1 || rc.count() != 1 || builds.Load() != 2 {
		t.Fatalf("after a revoked approval: %+v, %d requests, %d endpoint builds; want blocked, 1 request, 2 builds", sum, rc.count(), builds.Load())
	}
	d, _ := s.Delivery(ctx, ds[0].ID)
	if d.Status != delivery.StatusBlocked {
		t.Fatalf("stored status %s, want blocked", d.Status)
	}

	// Without Approval the endpoint is kept for the run, as before.
	s2, tg2 := openStore(t)
	revoked.Store(false)
	rc2 := newReceiver(t, func(n int, _ string, w http.ResponseWriter, _ *http.Request) bool {
		if n == 1 {
			w.Header().Set("Retry-After", "0")
			w.WriteHeader(http.StatusServiceUnavailable)
			return true
		}
		return false
	})
	ep2 := rc2.endpoint(t, s2, tg2, time.Second)
	enqueue(t, s2, tg2, 1, 3)
	r2 := runner(s2, ep2, time.Second, filepath.Join(t.TempDir(), "fallback"))
	builds.Store(0)
	r2.Endpoint = func(context.Context, delivery.Delivery) (*delivery.Endpoint, error) { builds.Add(1); return ep2, nil }
	if sum, err := r2.Run(ctx, delivery.RunOptions{Until: time.Now().Add(10 * time.Second)}); err != nil || sum.Delivered != 1 || builds.Load() != 1 {
		t.Fatalf("without Approval: %+v, %v, %d builds; want delivered with 1 build", sum, err, builds.Load())
	}
}
