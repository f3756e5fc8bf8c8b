package store

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/webriskops/webhook-setup/core"
	"github.com/webriskops/webhook-setup/core/delivery"
)

// fill saves n targets in one Apply.
func fill(t testing.TB, s *Store, n int) {
	t.Helper()
	ops := make([]Op, n)
	for i := range ops {
		ops[i] = Op{Kind: OpCreate, Target: sampleTarget(fmt.Sprintf("target-%05d", i)), Secret: newSecret()}
	}
	if err := s.Apply(ctx, ops, "bench"); err != nil {
		t.Fatal(err)
	}
}

// best returns the fastest of a few runs of f.
func best(t testing.TB, f func()) time.Duration {
	b := time.Duration(1<<63 - 1)
	for range 5 {
		start := time.Now()
		f()
		b = min(b, time.Since(start))
	}
	return b
}

// TestTargets10k lists, pages and counts 10,000 targets and checks the list
// query uses its indexes. Timings are only logged: the budget (50 ms) is
// measured by BenchmarkTargets10k and recorded in docs/performance.md.
func TestTargets10k(t *testing.T) {
	if testing.Short() {
		t.Skip("short")
	}
	s := openTemp(t)
	fill(t, s, 10000)
	list := best(t, func() {
		ts, err := s.Targets(ctx, 0, 0)
		if err != nil || len(ts) != 10000 || ts[0].Signing == nil {
			t.Fatalf("Targets: %d, %v", len(ts), err)
		}
	})
	page := best(t, func() {
		ts, err := s.Targets(ctx, 9000, 50)
		if err != nil || len(ts) != 50 || ts[0].Name != "target-09000" {
			t.Fatalf("Targets page: %v", err)
		}
	})
	cnt := best(t, func() {
		if n, err := s.CountTargets(ctx); err != nil || n != 10000 {
			t.Fatalf("CountTargets = %d, %v", n, err)
		}
	})
	t.Logf("10k targets: Targets %v, page %v, CountTargets %v (race %v)", list, page, cnt, raceEnabled)

	// The list query uses the name index and the current-credential index.
	rows, err := s.db.QueryContext(ctx, `EXPLAIN QUERY PLAN `+targetSelect+` ORDER BY t.name LIMIT -1 OFFSET 0`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var plan string
	for rows.Next() {
		var id, parent, unused int
		var detail string
		rows.Scan(&id, &parent, &unused, &detail)
		plan += detail + "\n"
	}
	t.Logf("plan:\n%s", plan)
	for _, want := range []string{"targets_name", "credentials_current"} {
		if !strings.Contains(plan, want) {
			t.Errorf("plan does not use %s", want)
		}
	}
}

// TestOutbox2000 pushes 2,000 deliveries through enqueue, claim and
// batched record; BenchmarkOutbox2000 measures it.
func TestOutbox2000(t *testing.T) {
	if testing.Short() {
		t.Skip("short")
	}
	s := openTemp(t)
	mustCreate(t, s, "hook")
	start := time.Now()
	drain2000(t, s)
	took := time.Since(start)
	t.Logf("2,000 deliveries through the outbox in %v (race %v)", took, raceEnabled)
	if ds, _ := s.Deliveries(ctx, delivery.StatusDelivered, 0); len(ds) != 2000 {
		t.Errorf("%d delivered", len(ds))
	}
}

func drain2000(t testing.TB, s *Store) {
	if _, err := s.Enqueue(ctx, newDeliveries("hook", 2000)); err != nil {
		t.Fatal(err)
	}
	for {
		ds, err := s.Claim(ctx, "w", 100, time.Now(), time.Minute)
		if err != nil {
			t.Fatal(err)
		}
		if len(ds) == 0 {
			return
		}
		outs := make([]delivery.Outcome, len(ds))
		for i, d := range ds {
			outs[i] = delivery.Outcome{Attempt: delivery.Attempt{DeliveryID: d.ID, HTTPStatus: 200}, Status: delivery.StatusDelivered}
		}
		if err := s.Record(ctx, "w", outs); err != nil {
			t.Fatal(err)
		}
	}
}

func BenchmarkTargets10k(b *testing.B) {
	s, err := Open(b.TempDir()+"/b.db", "")
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	fill(b, s, 10000)
	b.ResetTimer()
	for b.Loop() {
		if _, err := s.Targets(ctx, 0, 0); err != nil {
			b.Fatal(err)
		}
	}
}

// benchStoreWithHook opens a store in b's temporary folder holding the
// target "hook", closed when b ends.
func benchStoreWithHook(b *testing.B) (*Store, core.Target) {
	s, err := Open(b.TempDir()+"/b.db", "")
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { s.Close() })
	tg := sampleTarget("hook")
	if err := s.CreateTarget(ctx, &tg, newSecret(), "b"); err != nil {
		b.Fatal(err)
	}
	return s, tg
}

func BenchmarkOutbox2000(b *testing.B) {
	s, _ := benchStoreWithHook(b)
	for i := 0; b.Loop(); i++ {
		// A fresh idempotency-key space per round.
		ds := newDeliveries("hook", 2000)
		for j := range ds {
			ds[j].IdempotencyKey = fmt.Sprintf("r%d-%d", i, j)
		}
		if _, err := s.Enqueue(ctx, ds); err != nil {
			b.Fatal(err)
		}
		for {
			got, err := s.Claim(ctx, "w", 100, time.Now(), time.Minute)
			if err != nil {
				b.Fatal(err)
			}
			if len(got) == 0 {
				break
			}
			outs := make([]delivery.Outcome, len(got))
			for k, d := range got {
				outs[k] = delivery.Outcome{Attempt: delivery.Attempt{DeliveryID: d.ID, HTTPStatus: 200}, Status: delivery.StatusDelivered}
			}
			if err := s.Record(ctx, "w", outs); err != nil {
				b.Fatal(err)
			}
		}
	}
}
