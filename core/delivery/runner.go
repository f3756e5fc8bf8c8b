package delivery

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"os"
	"sync"
	"sync/atomic"
	"time"
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
