package delivery

import (
	"context"
	"time"
)

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
	var c inFlight
	closed := false
	for {
		// Take in what happened since the last turn.
		c.take(freed, flushed, x.fed)
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
		if !stop && window-c.working > 0 {
			started, failed := x.start(ctx, jobs, &c, window, now)
			if failed {
				stop = true
			}
			if started > 0 {
				continue
			}
		}
		wake, over := x.wake(ctx, c, stop, feeding, window, now)
		if over {
			return nil
		}
		if c.working == 0 && c.outstanding > 0 {
			select {
			case idle <- struct{}{}:
			default: // already asked
			}
		}
		done := ctx.Done()
		if stop {
			done = nil // already seen; wait for the workers and Queue
		}
		c.wait(wake, freed, flushed, x.fed, done)
	}
}

// inFlight is dispatch's count of the jobs it handed to the workers.
type inFlight struct {
	// working: handed to a worker that has not yet answered.
	working int
	// outstanding: handed to a worker, the outcome not yet recorded.
	outstanding int
}

// take counts the workers freed and the outcomes recorded since the last
// turn, and swallows a wake-up from Queue (dispatch looks at it anyway),
// without waiting.
func (c *inFlight) take(freed <-chan struct{}, flushed <-chan int, fed <-chan struct{}) {
	for {
		select {
		case <-freed:
			c.working--
		case n := <-flushed:
			c.outstanding -= n
		case <-fed:
		default:
			return
		}
	}
}

// wait sleeps until wake has passed, a worker is freed, outcomes are
// recorded, Queue stored a batch, or done is closed.
func (c *inFlight) wait(wake time.Duration, freed <-chan struct{}, flushed <-chan int, fed <-chan struct{}, done <-chan struct{}) {
	t := time.NewTimer(wake)
	defer t.Stop()
	select {
	case <-freed:
		c.working--
	case n := <-flushed:
		c.outstanding -= n
	case <-fed:
	case <-t.C:
	case <-done:
	}
}

// start hands free workers the held deliveries first, then claims due ones
// in batches: when half the window is free, or a worker idles. It says how
// many it started, and whether a failed claim stops the run.
func (x *run) start(ctx context.Context, jobs chan<- job, c *inFlight, window int, now time.Time) (started int, stop bool) {
	free := window - c.working
	for _, j := range x.state.takeHeld(free) {
		c.working++
		c.outstanding++
		started++
		jobs <- j
	}
	free -= started
	if free > 0 && (free >= window/2 || c.working < x.workers) {
		x.recheckApprovals(ctx)
		batch, err := x.claim(ctx, free, now)
		if err != nil {
			if ctx.Err() == nil {
				x.fail(err)
			}
			stop = true
		}
		for _, j := range batch {
			c.working++
			c.outstanding++
			jobs <- j
		}
		started += len(batch)
	}
	return started, stop
}

// wake says how long dispatch may wait before its next turn, or that the
// run is over (over): nothing outstanding, Queue returned, and nothing left
// to send before Until.
func (x *run) wake(ctx context.Context, c inFlight, stop, feeding bool, window int, now time.Time) (wake time.Duration, over bool) {
	wake = drainPoll
	if x.state.tracked {
		wake = trackedPoll
	}
	if c.outstanding == 0 {
		if stop {
			if !feeding {
				return 0, true
			}
			// Wait for Queue: what it queues from now on stays queued.
		} else if more, next, err := x.next(ctx, now); err != nil {
			if ctx.Err() == nil {
				x.fail(err)
			}
			if !feeding {
				return 0, true
			}
		} else if !feeding && (!more || (!x.opts.Until.IsZero() && !next.Before(x.opts.Until))) {
			return 0, true
		} else if more {
			wake = min(wake, max(next.Sub(now), 5*time.Millisecond))
		}
	} else if c.working < window {
		if next, ok := x.state.nextDue(now); ok {
			wake = min(wake, max(next.Sub(now), 5*time.Millisecond))
		}
	}
	if !x.opts.Until.IsZero() && !stop {
		wake = min(wake, max(x.opts.Until.Sub(now), time.Millisecond))
	}
	return wake, false
}

// poke wakes the dispatcher.
func (x *run) poke() {
	select {
	case x.fed <- struct{}{}:
	default: // already woken
	}
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
