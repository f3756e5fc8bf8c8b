package store

import (
	"testing"
	"time"

	"github.com/webriskops/webhook-setup/core/delivery"
)

// Record writes attempt rows and response clocks a statement per chunk of
// outcomes: a batch larger than one chunk, and a delivery with two outcomes
// in one batch, are numbered as one statement per outcome would number them.
func TestRecordBatchesAttemptRows(t *testing.T) {
	s := openTemp(t)
	mustCreate(t, s, "hook")
	const n = 2*rowsPerStatement + 17
	q, err := s.Enqueue(ctx, newDeliveries("hook", n))
	if err != nil {
		t.Fatal(err)
	}
	now := time.Now().UTC().Truncate(time.Millisecond)
	var outs []delivery.Outcome
	for i, d := range q {
		outs = append(outs, delivery.Outcome{Attempt: delivery.Attempt{DeliveryID: d.ID, At: now.Add(time.Duration(i) * time.Millisecond),
			HTTPStatus: 200, Duration: time.Duration(i)}, Status: delivery.StatusDelivered})
	}
	// The first delivery's second outcome in the same batch: its attempt
	// is number 2, after the first one's row.
	retry := delivery.Outcome{Attempt: delivery.Attempt{DeliveryID: q[0].ID, At: now, HTTPStatus: 503, Code: "x", Reason: "503"},
		Status: delivery.StatusPending, NextAttemptAt: now.Add(time.Minute)}
	outs = append([]delivery.Outcome{retry}, outs...)
	if err := s.Record(ctx, "w", outs); err != nil {
		t.Fatal(err)
	}
	if got := count(t, s.Path(), "delivery_attempts"); got != n+1 {
		t.Fatalf("%d attempt rows, want %d", got, n+1)
	}
	a0, err := s.Attempts(ctx, q[0].ID)
	if err != nil || len(a0) != 2 || a0[0].Number != 1 || a0[0].HTTPStatus != 503 || a0[1].Number != 2 || a0[1].HTTPStatus != 200 {
		t.Fatalf("first delivery's attempts = %+v %v", a0, err)
	}
	for i, d := range q[1:] {
		got, err := s.Delivery(ctx, d.ID)
		if err != nil || got.Status != delivery.StatusDelivered || got.Attempts != 1 {
			t.Fatalf("delivery %d = %+v %v", i+1, got, err)
		}
		atts, err := s.Attempts(ctx, d.ID)
		if err != nil || len(atts) != 1 || atts[0].Number != 1 || !atts[0].At.Equal(now.Add(time.Duration(i+1)*time.Millisecond)) ||
			atts[0].Duration != time.Duration(i+1) {
			t.Fatalf("delivery %d's attempts = %+v %v", i+1, atts, err)
		}
	}
}

// The response clock keeps each target's latest sample, whatever the order
// of the outcomes in a batch and across batches.
func TestRecordKeepsLatestResponseClockPerTarget(t *testing.T) {
	s := openTemp(t)
	mustCreate(t, s, "a")
	mustCreate(t, s, "b")
	qa, _ := s.Enqueue(ctx, newDeliveries("a", rowsPerStatement+5))
	qb, _ := s.Enqueue(ctx, newDeliveries("b", 3))
	base := time.Date(2026, 12, 6, 12, 0, 0, 0, time.UTC)
	sample := func(id string, sec int) delivery.Outcome {
		return delivery.Outcome{Attempt: delivery.Attempt{DeliveryID: id, At: base.Add(time.Duration(sec) * time.Second),
			HTTPStatus: 200, ServerDate: base.Add(time.Duration(sec)*time.Second + time.Hour)}, Status: delivery.StatusDelivered}
	}
	var outs []delivery.Outcome
	// a's latest (second 50) sits in the middle of the first chunk; b's
	// latest (second 7) comes before its older ones; one outcome has no Date.
	for i, d := range qa {
		sec := i % 40
		if i == 30 {
			sec = 50
		}
		outs = append(outs, sample(d.ID, sec))
	}
	outs[3].Attempt.ServerDate = time.Time{}
	outs = append(outs, sample(qb[0].ID, 7), sample(qb[1].ID, 2), sample(qb[2].ID, 5))
	if err := s.Record(ctx, "w", outs); err != nil {
		t.Fatal(err)
	}
	want := map[string]time.Time{"a": base.Add(50 * time.Second), "b": base.Add(7 * time.Second)}
	check := func() {
		t.Helper()
		got, err := s.ClockSamples(ctx)
		if err != nil || len(got) != 2 {
			t.Fatalf("samples = %+v %v", got, err)
		}
		for _, c := range got {
			if !c.LocalAt.Equal(want[c.Target]) || c.Skew() != time.Hour {
				t.Errorf("%s: sample at %v skew %v, want at %v skew 1h", c.Target, c.LocalAt, c.Skew(), want[c.Target])
			}
		}
	}
	check()
	// An older sample recorded later changes nothing; a newer one wins.
	more, _ := s.Enqueue(ctx, newDeliveries("a", rowsPerStatement+7)[rowsPerStatement+5:])
	if err := s.Record(ctx, "w", []delivery.Outcome{sample(more[0].ID, 1), sample(more[1].ID, 60)}); err != nil {
		t.Fatal(err)
	}
	want["a"] = base.Add(60 * time.Second)
	check()
}
