package delivery

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"sync"
	"sync/atomic"
	"time"

	"github.com/webriskops/webhook-setup/core/codes"
)

// Runner defaults (docs/delivery.md).
const (
	// DefaultWorkers is how many attempts a runner has in flight at once.
	DefaultWorkers = 4
	// flushEvery and flushInterval batch outcome writes: one transaction
	// per 200 outcomes or per 100 ms, whichever comes first (and at once
	// when every worker is idle), so throughput does not pay one commit
	// per attempt while every outcome is durable within a tenth of a
	// second. Each commit writes every page it touched to the WAL whole:
	// 200 outcomes cost a few more pages than 50, not four times as many.
	flushEvery    = 200
	flushInterval = 100 * time.Millisecond
	// maxClaimIDs bounds the ids of one Claim (SQLite's variable limit).
	maxClaimIDs = 500
	// maxWindow bounds the claim window: how many deliveries a runner holds
	// claimed at once. Claiming in batches keeps the claim transactions
	// few; the window shrinks when a paced target cannot start them all
	// before their claims would run out.
	maxWindow = 64
	// maxHeld bounds the deliveries an export's run holds queued and
	// claimed (RunOptions.Queue) before a worker takes them: their bodies
	// are in memory.
	maxHeld = 2048
	// trackedPoll and drainPoll are how often an idle runner looks again
	// for work it cannot see coming: rows held by another claimer.
	trackedPoll = 250 * time.Millisecond
	drainPoll   = time.Second
	// recordTimeout bounds the last writes after an interrupt.
	recordTimeout = 10 * time.Second
)

// Runner sends the deliveries of the outbox: it claims due deliveries
// (atomically, under a lease), makes one attempt per claim with Workers
// workers, paces each target, and records the outcomes in batches. A
// delivery that ends failed or blocked gets its fallback bundle. Nothing is
// sent that was not durably queued first, and a delivery whose claim could
// run out before its attempt ends is left for a later claim rather than
// sent late, so two runners never send the same delivery at once.
type Runner struct {
	Outbox Outbox
	Sender *Sender
	// Endpoint returns the endpoint of d's target. The runner asks once per
	// target and run and keeps the answer, except an error with code
	// WEBHOOK_DELIVERY_FAILED (DNS trouble), which is asked again next
	// time. Errors with other codes end the deliveries blocked or failed
	// (Result.Status); errors without a code stop the run.
	Endpoint func(ctx context.Context, d Delivery) (*Endpoint, error)
	// Fallback writes the portable bundle of a delivery that ended failed
	// or blocked and returns its folder; nil writes none.
	Fallback func(d Delivery, r Result, ep *Endpoint) (string, error)
	// Workers is the number of attempts in flight; zero means
	// DefaultWorkers.
	Workers int
	// Lease is how long a claim hides a delivery from other claimers; zero
	// means twice the attempt timeout. An attempt starts only while at least
	// one and a half attempt timeouts of the lease remain.
	Lease time.Duration
	// MaxBackoff caps the exponential backoff; zero means DefaultMaxBackoff.
	MaxBackoff time.Duration
	// Worker names this runner's claims; empty means host, pid and a
	// random suffix.
	Worker string
	// OnOutcome, when not nil, sees each outcome once it is recorded.
	OnOutcome func(d Delivery, o Outcome)
	// Approval, when not nil, names the state of the approval d's target
	// is sent under (its stored version, say). The run asks it when it
	// builds a target's endpoint and again before each claimed batch;
	// when the answer changes or fails, the kept endpoint is dropped and
	// Endpoint asked again (approval.go), so a revoked approval stops a
	// long drain at its next batch.
	Approval func(ctx context.Context, d Delivery) (string, error)
	// Rehearsal marks a run whose endpoints are rehearsal receivers
	// (--to). It sends rehearsal exports only and leaves real ones alone;
	// any other run blocks rehearsal exports (IsRehearsal), so neither
	// ever reaches the other's receiver.
	Rehearsal bool
}

// RunOptions says which deliveries a run sends and for how long.
type RunOptions struct {
	// IDs limits the run to these deliveries (deliveries retry). With
	// neither IDs nor Reports (both nil) the run takes every pending
	// delivery (deliveries drain).
	IDs []string
	// Reports, instead of IDs, are the deliveries of the run as last known:
	// pending ones are sent, ended ones reported as they are.
	Reports []Report
	// Queue, instead of IDs and Reports, queues the deliveries of the run
	// while it sends them (export). It is called once, in a goroutine of
	// its own, and hands each batch to enqueue, which stores it in the
	// outbox in one transaction and returns once it is durable; the run
	// sends a batch only from then on, so nothing is sent before it is
	// queued. The deliveries a batch adds are claimed for this run in the
	// same write (Outbox.EnqueueClaimed), as many as it can start before
	// their claims run out, and go to the workers without a Claim; the
	// others, and deliveries that were already queued and are pending, are
	// claimed as usual. The run reports each delivery once, in the order
	// queued. Queue goes on after Until (what it queues then stays queued
	// for a drain); its error, unless the run was stopped, stops the run.
	Queue func(ctx context.Context, enqueue func([]Delivery) error) error
	// Until is when the run stops starting attempts: pending deliveries
	// whose next attempt falls later stay queued. Zero means no limit.
	Until time.Time
}

// Report is where one delivery stands at the end of a run.
type Report struct {
	ID             string `json:"id"`
	IdempotencyKey string `json:"idempotency_key"`
	Status         Status `json:"status"`
	Attempts       int    `json:"attempts"`
	LastCode       string `json:"last_code"`
	FallbackPath   string `json:"fallback_path"`
}

// Summary counts the deliveries of a run by status and reports each.
type Summary struct {
	Delivered int `json:"delivered"`
	Failed    int `json:"failed"`
	Blocked   int `json:"blocked"`
	Pending   int `json:"pending"`
	// Reports holds one report per delivery: in the order of
	// RunOptions.IDs (or Reports, or as queued), or for a drain in the
	// order they were first claimed. Read them with Each: a large run's
	// reports are spooled, not held. nil is no deliveries.
	Reports *Reports `json:"-"`
}

// Total is the number of deliveries reported.
func (s Summary) Total() int {
	if s.Reports == nil {
		return 0
	}
	return s.Reports.Len()
}

// Each calls fn with every report in order and stops at fn's first error.
func (s Summary) Each(fn func(Report) error) error {
	if s.Reports == nil {
		return nil
	}
	return s.Reports.Each(fn)
}

// All returns every report in order, in memory: for small runs and tests.
func (s Summary) All() []Report {
	if s.Reports == nil {
		return []Report{}
	}
	return s.Reports.All()
}

// Close frees the spool of the reports.
func (s Summary) Close() error {
	if s.Reports == nil {
		return nil
	}
	return s.Reports.Close()
}

// Count adds r to the totals.
func (s *Summary) Count(r Report) {
	switch r.Status {
	case StatusDelivered:
		s.Delivered++
	case StatusFailed:
		s.Failed++
	case StatusBlocked:
		s.Blocked++
	default:
		s.Pending++
	}
}

// job is one claimed delivery on its way to a worker; idx is its report.
type job struct {
	d         Delivery
	claimedAt time.Time
	idx       int32
}

// done is a worker's answer about one job.
type done struct {
	d   Delivery
	idx int32
	out Outcome
	// released: nothing was sent; the claim is given back unrecorded.
	released bool
	// excluded: the delivery may not be sent by this run at all.
	excluded bool
}

// Run sends until every delivery it covers has ended, or until opts.Until,
// or until ctx ends. An interrupted attempt is recorded as such and its
// delivery stays pending (due at once); deliveries claimed but not started
// are released. The error is ctx's on an interrupt, or the local failure
// (store, key file) that stopped the run; the summary is valid either way.
func (r *Runner) Run(ctx context.Context, opts RunOptions) (Summary, error) {
	workers := r.Workers
	if workers <= 0 {
		workers = DefaultWorkers
	}
	run := &run{
		r:       r,
		opts:    opts,
		worker:  r.workerName(),
		lease:   r.lease(),
		timeout: r.Sender.timeout(),
		state:   newRunState(opts),
		workers: workers,
	}
	run.window.Store(int64(2 * workers))
	runCtx, cancel := context.WithCancel(ctx)
	defer cancel()
	run.cancel = cancel
	run.fed = make(chan struct{}, 1)

	jobs := make(chan job, maxWindow)
	results := make(chan done, maxWindow)
	freed := make(chan struct{}, maxWindow)
	flushed := make(chan int, maxWindow)
	idle := make(chan struct{}, 1)

	var wg sync.WaitGroup
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := range jobs {
				results <- run.attempt(runCtx, j)
				freed <- struct{}{}
			}
		}()
	}
	recorded := make(chan struct{})
	dispatched := make(chan struct{})
	go func() {
		defer close(recorded)
		run.record(ctx, results, flushed, dispatched, idle)
	}()

	if opts.Queue != nil {
		go func() {
			err := opts.Queue(runCtx, func(ds []Delivery) error { return run.enqueue(runCtx, ds) })
			if err != nil && runCtx.Err() == nil {
				run.fail(err)
			}
			run.state.fedAll()
			run.poke()
		}()
	}

	// dispatch returns only once Queue has returned.
	err := run.dispatch(runCtx, jobs, freed, flushed, idle)
	close(dispatched)
	close(jobs)
	wg.Wait()
	close(results)
	<-recorded

	if err == nil {
		err = run.failure()
	}
	if err == nil && ctx.Err() != nil {
		err = ctx.Err()
	}
	return run.state.summary(), err
}

func (r *Runner) workerName() string {
	if r.Worker != "" {
		return r.Worker
	}
	host, _ := os.Hostname()
	var b [4]byte
	_, _ = rand.Read(b[:])
	return fmt.Sprintf("%s:%d:%s", host, os.Getpid(), hex.EncodeToString(b[:]))
}

func (r *Runner) lease() time.Duration {
	if r.Lease > 0 {
		return r.Lease
	}
	return 2 * r.Sender.timeout()
}

// run is the state of one Runner.Run.
type run struct {
	r       *Runner
	opts    RunOptions
	worker  string
	lease   time.Duration
	timeout time.Duration
	workers int
	cancel  context.CancelFunc
	// window is the claim window, between workers and maxWindow: it
	// doubles after a window's worth of attempts started in time and halves
	// when one had to be left for a later claim.
	window  atomic.Int64
	started atomic.Int64
	state   *runState

	// fed wakes the dispatcher when Queue stored a batch or returned.
	fed chan struct{}

	mu        sync.Mutex
	endpoints map[string]*Endpoint
	epErrs    map[string]error
	err       error

	approvals approvals
}

// fail remembers the first local failure and stops the run.
func (x *run) fail(err error) {
	x.mu.Lock()
	if x.err == nil {
		x.err = err
	}
	x.mu.Unlock()
	x.cancel()
}

func (x *run) failure() error {
	x.mu.Lock()
	defer x.mu.Unlock()
	return x.err
}

// dispatch claims due deliveries while workers are free, and decides when
// the run is over. An export's deliveries queued already claimed (held) go
// to the workers first, without a Claim.
//
// When every worker is idle and outcomes still wait to be recorded, it
// tells the recorder (idle) to write them now rather than at its next
// tick: nothing is in flight, so waiting would only delay the end of the
// run (up to flushInterval) and the outcomes' durability.
//
// It returns only once an export's Queue has returned, so that every
// delivery queued claimed is either sent or released.
func (x *run) dispatch(ctx context.Context, jobs chan<- job, freed <-chan struct{}, flushed <-chan int, idle chan<- struct{}) error {
	working, outstanding := 0, 0
	closed := false
	for {
		// Take in what happened since the last turn.
	drain:
		for {
			select {
			case <-freed:
				working--
			case n := <-flushed:
				outstanding -= n
			case <-x.fed: // looked at below
			default:
				break drain
			}
		}
		// Read before the held deliveries and the schedule: once Queue has
		// returned, they hold everything it queued.
		feeding := x.state.isFeeding()
		now := time.Now()
		stop := ctx.Err() != nil || (!x.opts.Until.IsZero() && !now.Before(x.opts.Until))
		if stop && !closed {
			closed = true
			x.close(ctx)
		}
		window := int(x.window.Load())
		free := window - working
		if !stop && free > 0 {
			started := 0
			for _, j := range x.state.takeHeld(free) {
				working++
				outstanding++
				started++
				jobs <- j
			}
			free -= started
			// Claim in batches: when half the window is free, or a worker idles.
			if free > 0 && (free >= window/2 || working < x.workers) {
				x.recheckApprovals(ctx)
				batch, err := x.claim(ctx, free, now)
				if err != nil {
					if ctx.Err() == nil {
						x.fail(err)
					}
					stop = true
				}
				for _, j := range batch {
					working++
					outstanding++
					jobs <- j
				}
				started += len(batch)
			}
			if started > 0 {
				continue
			}
		}
		wake := drainPoll
		if x.state.tracked {
			wake = trackedPoll
		}
		if outstanding == 0 {
			if stop {
				if !feeding {
					return nil
				}
				// Wait for Queue: what it queues from now on stays queued.
			} else if more, next, err := x.next(ctx, now); err != nil {
				if ctx.Err() == nil {
					x.fail(err)
				}
				if !feeding {
					return nil
				}
			} else if !feeding && (!more || (!x.opts.Until.IsZero() && !next.Before(x.opts.Until))) {
				return nil
			} else if more {
				wake = min(wake, max(next.Sub(now), 5*time.Millisecond))
			}
		} else if working < window {
			if next, ok := x.state.nextDue(now); ok {
				wake = min(wake, max(next.Sub(now), 5*time.Millisecond))
			}
		}
		if !x.opts.Until.IsZero() && !stop {
			wake = min(wake, max(x.opts.Until.Sub(now), time.Millisecond))
		}
		if working == 0 && outstanding > 0 {
			select {
			case idle <- struct{}{}:
			default: // already asked
			}
		}
		done := ctx.Done()
		if stop {
			done = nil // already seen; wait for the workers and Queue
		}
		t := time.NewTimer(wake)
		select {
		case <-freed:
			working--
		case n := <-flushed:
			outstanding -= n
		case <-x.fed:
		case <-t.C:
		case <-done:
		}
		t.Stop()
	}
}

// poke wakes the dispatcher.
func (x *run) poke() {
	select {
	case x.fed <- struct{}{}:
	default: // already woken
	}
}

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
		d, err := ob.Get(ctx, id)
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

// next says whether work remains for this run and when it may be due.
func (x *run) next(ctx context.Context, now time.Time) (more bool, next time.Time, err error) {
	if x.state.tracked {
		next, ok := x.state.nextDue(now)
		return ok, next, nil
	}
	n, next, err := x.r.Outbox.Pending(ctx, now)
	if err != nil || n == 0 {
		return false, time.Time{}, err
	}
	return true, next, nil
}

// attempt makes the one attempt of a job, or decides not to.
func (x *run) attempt(ctx context.Context, j job) done {
	b := x.try(ctx, j)
	b.idx = j.idx
	return b
}

func (x *run) try(ctx context.Context, j job) done {
	d := j.d
	release := done{d: d, released: true}
	if ctx.Err() != nil {
		return release
	}
	if IsRehearsal(d.IdempotencyKey) != x.r.Rehearsal {
		if x.r.Rehearsal {
			// A real export never goes to a rehearsal receiver.
			return done{d: d, released: true, excluded: true}
		}
		res := Result{Code: codes.BaseURLBlocked, Reason: "this is a rehearsal export (queued with export --to); " +
			"rehearsals are only sent to a rehearsal receiver (deliveries drain --to), never to the target's endpoint"}
		return x.conclude(d, res, Attempt{At: time.Now()}, nil)
	}
	ep, err := x.endpoint(ctx, d)
	if err != nil {
		res, ok := endpointResult(err)
		if !ok {
			x.fail(err)
			return release
		}
		return x.conclude(d, res, Attempt{At: time.Now()}, nil)
	}
	if ep.Rehearsal != x.r.Rehearsal {
		x.fail(codes.Errorf(codes.Internal, "a rehearsal run was given a real endpoint, or the other way round"))
		return release
	}
	// Start only while the claim outlasts the attempt with room to record
	// it; otherwise leave the delivery to a later claim.
	sendBy := j.claimedAt.Add(x.lease - x.timeout - x.timeout/2)
	if !x.opts.Until.IsZero() && x.opts.Until.Before(sendBy) {
		sendBy = x.opts.Until
	}
	wait, ok := ep.Pacer.Reserve(sendBy)
	if !ok {
		if sendBy.Before(x.opts.Until) || x.opts.Until.IsZero() {
			x.shrink()
		}
		return release
	}
	if sleep(ctx, wait) != nil {
		return release
	}
	x.grow()
	res, att, err := x.r.Sender.Attempt(ctx, ep, d.IdempotencyKey, d.Body)
	if err != nil {
		if ctx.Err() == nil {
			x.fail(err)
		}
		return release
	}
	if ctx.Err() != nil && !res.Final() {
		res.Reason = "interrupted before the receiver answered; the next run retries it"
		res.RetryAfter = 0
		return x.reschedule(d, res, att, time.Now())
	}
	switch {
	case res.HTTPStatus == 429:
		ep.Pacer.Throttled(Delay(res, d.Attempts+2, x.r.MaxBackoff))
	case res.Delivered:
		ep.Pacer.Delivered()
	}
	return x.conclude(d, res, att, ep)
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

// conclude turns the result of d's attempt into its outcome: delivered,
// ended (with a fallback bundle), or pending again after its backoff.
func (x *run) conclude(d Delivery, res Result, att Attempt, ep *Endpoint) done {
	number := d.Attempts + 1
	if res.Retry && number < d.MaxAttempts {
		return x.reschedule(d, res, att, time.Now().Add(Delay(res, number+1, x.r.MaxBackoff)))
	}
	if res.Retry {
		res.Retry = false
		res.Reason = fmt.Sprintf("gave up after %d attempts; the last: %s", number, res.Reason)
	}
	att.Code, att.Reason = string(res.Code), res.Reason
	o := Outcome{Attempt: att, Status: res.Status()}
	o.Attempt.DeliveryID = d.ID
	if o.Status != StatusDelivered && x.r.Fallback != nil {
		path, err := x.r.Fallback(d, res, ep)
		if err != nil {
			// The bundle is the last resort; say so in the record rather
			// than lose the outcome.
			o.Attempt.Reason += "; the fallback bundle could not be written: " + codes.AsError(err).Reason
		}
		o.FallbackPath = path
	}
	return done{d: d, out: o}
}

func (x *run) reschedule(d Delivery, res Result, att Attempt, next time.Time) done {
	att.DeliveryID, att.Code, att.Reason = d.ID, string(res.Code), res.Reason
	return done{d: d, out: Outcome{Attempt: att, Status: StatusPending, NextAttemptAt: next}}
}

// endpointResult classifies an Endpoint error: ok is false for a local
// failure that must stop the run.
func endpointResult(err error) (Result, bool) {
	var ce *codes.Error
	if !errors.As(err, &ce) {
		return Result{}, false
	}
	switch ce.Code {
	case codes.Internal, codes.Store, codes.StoreKey, codes.Interrupted:
		return Result{}, false
	case codes.DeliveryFailed:
		return Result{Retry: true, Code: ce.Code, Reason: ce.Reason}, true
	}
	return Result{Code: ce.Code, Reason: ce.Reason}, true
}

// endpoint returns d's target endpoint, asking once per target and run.
func (x *run) endpoint(ctx context.Context, d Delivery) (*Endpoint, error) {
	x.mu.Lock()
	if x.endpoints == nil {
		x.endpoints, x.epErrs = map[string]*Endpoint{}, map[string]error{}
	}
	if ep, ok := x.endpoints[d.TargetID]; ok {
		x.mu.Unlock()
		return ep, nil
	}
	if err, ok := x.epErrs[d.TargetID]; ok {
		x.mu.Unlock()
		return nil, err
	}
	x.mu.Unlock()
	// Two workers may build the same endpoint at once; the first one kept
	// wins, so every attempt to a target shares one client and one pacer.
	x.noteApproval(ctx, d)
	ep, err := x.r.Endpoint(ctx, d)
	x.mu.Lock()
	defer x.mu.Unlock()
	if err != nil {
		if res, ok := endpointResult(err); ok && !res.Retry {
			x.epErrs[d.TargetID] = err
		}
		return nil, err
	}
	if kept, ok := x.endpoints[d.TargetID]; ok {
		return kept, nil
	}
	x.endpoints[d.TargetID] = ep
	return ep, nil
}

// record writes outcomes in batches and releases what was not sent.
func (x *run) record(ctx context.Context, results <-chan done, flushed chan<- int, dispatched <-chan struct{}, idle <-chan struct{}) {
	var batch []done
	t := time.NewTicker(flushInterval)
	defer t.Stop()
	flush := func() {
		if len(batch) == 0 {
			return
		}
		if err := x.write(ctx, batch); err != nil {
			x.fail(err)
		}
		for _, b := range batch {
			x.state.recorded(b)
			if !b.released && x.r.OnOutcome != nil {
				x.r.OnOutcome(b.d, b.out)
			}
		}
		select {
		case flushed <- len(batch):
		case <-dispatched: // nobody counts any more
		}
		batch = batch[:0]
	}
	for {
		select {
		case b, ok := <-results:
			if !ok {
				flush()
				return
			}
			batch = append(batch, b)
			if len(batch) >= flushEvery {
				flush()
			}
		case <-t.C:
			flush()
		case <-idle:
			// Every worker sent its result before it counted as free, so
			// the results channel holds all of them: take them, then write.
			for more := true; more; {
				select {
				case b, ok := <-results:
					if !ok {
						flush()
						return
					}
					batch = append(batch, b)
				default:
					more = false
				}
			}
			flush()
		}
	}
}

// write stores one batch: outcomes in one transaction, releases in
// another. It outlives an interrupt, so what happened is kept.
func (x *run) write(ctx context.Context, batch []done) error {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), recordTimeout)
	defer cancel()
	var outs []Outcome
	var ids []string
	for _, b := range batch {
		if b.released {
			ids = append(ids, b.d.ID)
		} else {
			outs = append(outs, b.out)
		}
	}
	if len(outs) > 0 {
		if err := x.r.Outbox.Record(ctx, x.worker, outs); err != nil {
			return err
		}
	}
	return x.r.Outbox.Release(ctx, x.worker, ids)
}

func later(a, b time.Time) time.Time {
	if a.After(b) {
		return a
	}
	return b
}
