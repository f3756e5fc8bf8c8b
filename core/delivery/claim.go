package delivery

import (
	"context"
	"time"
)

// enqueue stores one batch of an export's Queue, as many of its new
// deliveries claimed for this run as it can start in time (claimable), and
// hands the batch over: claimed ones to the workers, other pending ones to
// the schedule.
func (x *run) enqueue(ctx context.Context, ds []Delivery) error {
	if len(ds) == 0 {
		return nil
	}
	now := time.Now()
	var stored []Delivery
	var claimed []bool
	var err error
	if n := x.claimable(ctx, ds, now); n > 0 {
		stored, claimed, err = x.r.Outbox.EnqueueClaimed(ctx, ds, x.worker, now.Add(x.lease), n)
	} else {
		stored, err = x.r.Outbox.Enqueue(ctx, ds)
		claimed = make([]bool, len(stored))
	}
	if err != nil {
		return err
	}
	release := x.state.queued(stored, claimed, now)
	x.poke()
	// The run stopped starting attempts while the batch was written: give
	// its claims back at once.
	return x.release(ctx, release)
}

// claimable is how many of the new deliveries of ds, one batch of an
// export's Queue, may be queued claimed for this run: as many as its
// target's pace lets it start within half the time its claims allow, up
// to maxHeld waiting at once, less those already waiting. None when the
// run stopped starting attempts, or when the batch has more than one
// target, a delivery not due yet, or one this run does not send.
func (x *run) claimable(ctx context.Context, ds []Delivery, now time.Time) int {
	first := ds[0]
	if first.TargetID == "" {
		return 0
	}
	for _, d := range ds {
		if d.TargetID != first.TargetID || d.NextAttemptAt.After(now) || IsRehearsal(d.IdempotencyKey) != x.r.Rehearsal {
			return 0
		}
	}
	ep, err := x.endpoint(ctx, first)
	if err != nil || ep.Rehearsal != x.r.Rehearsal {
		return 0
	}
	limit := maxHeld
	if n, paced := ep.Pacer.starts(x.lease - x.timeout - x.timeout/2); paced {
		limit = min(limit, n/2)
	}
	return min(len(ds), x.state.room(limit))
}

// close stops the run from queuing claimed and releases the deliveries
// queued claimed that no worker took (interrupted, or the wait ended), so
// the next drain need not wait for their claims to run out.
func (x *run) close(ctx context.Context) {
	if err := x.release(ctx, x.state.close()); err != nil {
		x.fail(err)
	}
}

// release gives back the claims of held deliveries no worker took.
func (x *run) release(ctx context.Context, js []job) error {
	if len(js) == 0 {
		return nil
	}
	batch := make([]done, len(js))
	for i, j := range js {
		batch[i] = done{d: j.d, idx: j.idx, released: true}
	}
	err := x.write(ctx, batch)
	for _, b := range batch {
		x.state.recorded(b)
	}
	return err
}

// claim takes up to n due deliveries: for a drain any pending ones, for a
// tracked run only its own.
func (x *run) claim(ctx context.Context, n int, now time.Time) ([]job, error) {
	ob := x.r.Outbox
	if !x.state.tracked {
		ds, err := ob.Claim(ctx, x.worker, n, now, x.lease)
		jobs := make([]job, len(ds))
		for i, d := range ds {
			jobs[i] = job{d: d, claimedAt: now, idx: x.state.touch(d)}
		}
		return jobs, err
	}
	due := x.state.popDue(now, min(n, maxClaimIDs))
	if len(due) == 0 {
		return nil, nil
	}
	ids := make([]string, len(due))
	byID := make(map[string]int32, len(due))
	for i, idx := range due {
		ids[i] = x.state.id(idx)
		byID[ids[i]] = idx
	}
	ds, err := ob.Claim(ctx, x.worker, len(ids), now, x.lease, ids...)
	if err != nil {
		x.state.reschedule(due, now)
		return nil, err
	}
	jobs := make([]job, len(ds))
	for i, d := range ds {
		jobs[i] = job{d: d, claimedAt: now, idx: byID[d.ID]}
		delete(byID, d.ID)
	}
	// The rest are held by another claimer, not due yet, or ended
	// elsewhere: look them up.
	for id, idx := range byID {
		d, err := ob.Delivery(ctx, id)
		if err != nil {
			x.state.reschedule([]int32{idx}, now.Add(trackedPoll))
			if ctx.Err() != nil {
				continue
			}
			return jobs, err
		}
		if d.Status != StatusPending {
			x.state.end(idx, d)
			continue
		}
		x.state.reschedule([]int32{idx}, later(d.NextAttemptAt, now.Add(trackedPoll)))
	}
	return jobs, nil
}

// shrink halves the claim window (not below the workers): the pace of a
// target cannot start what was claimed before the claims run out.
func (x *run) shrink() {
	for {
		w := x.window.Load()
		n := max(int64(x.workers), w/2)
		if w == n || x.window.CompareAndSwap(w, n) {
			x.started.Store(0)
			return
		}
	}
}

// grow doubles the claim window (up to maxWindow) after a window's worth
// of attempts started in time.
func (x *run) grow() {
	w := x.window.Load()
	if x.started.Add(1) >= w && w < maxWindow {
		x.window.CompareAndSwap(w, min(2*w, maxWindow))
		x.started.Store(0)
	}
}

func later(a, b time.Time) time.Time {
	if a.After(b) {
		return a
	}
	return b
}
