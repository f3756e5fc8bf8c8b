package delivery

import (
	"context"
	"time"

	"github.com/webriskops/webhook-setup/core/codes"
)

// PendingKeys lists the pending deliveries with their idempotency keys;
// the store implements it.
type PendingKeys interface {
	PendingKeys(ctx context.Context) (ids, keys []string, err error)
}

// DrainStore is what a drain needs of the store.
type DrainStore interface {
	RunStore
	PendingKeys
}

// DrainOptions are the choices of one deliveries drain.
type DrainOptions struct {
	// Setup says where the deliveries go; with a Rehearsal the drain sends
	// rehearsal exports only, and only there.
	Setup RunSetup
	Store DrainStore
	// Wait is how long the drain keeps sending and retrying.
	Wait time.Duration
	// Counted, when not nil, sees how many deliveries the drain has to send
	// before it claims any (zero included).
	Counted func(total int)
	// Started, when not nil, is called just before the run starts; a
	// rehearsal drain with nothing pending never starts.
	Started func()
	// OnOutcome, when not nil, sees each outcome once it is recorded.
	OnOutcome func(Delivery, Outcome)
}

// RunSummary is the outcome of a run over the outbox: its Summary and its
// own failure once it started (Err: an interrupt, the summary still
// stands, or a local failure such as the store). The flow's error is for
// what stopped it before the run.
type RunSummary struct {
	Summary
	Err error
}

// Drain sends the pending deliveries of the outbox (a rehearsal drain: the
// pending rehearsal exports) for up to o.Wait. Its summary counts what is
// still pending when it ends, held by another drain or due later included.
func Drain(ctx context.Context, o DrainOptions) (RunSummary, error) {
	s := o.Setup.Settings
	run := RunOptions{Until: s.Now().Add(o.Wait)}
	rehearsal := o.Setup.Rehearsal != nil
	if rehearsal {
		ids, err := pendingRehearsals(ctx, o.Store)
		if err != nil {
			return RunSummary{}, err
		}
		if ids == nil {
			ids = []string{} // none pending: a run over nothing, not a full drain
		}
		run.IDs = ids
	}
	total := len(run.IDs)
	if !rehearsal {
		// What is pending now; more may be queued while the drain runs.
		var err error
		if total, _, err = o.Store.Pending(ctx, s.Now()); err != nil {
			return RunSummary{}, err
		}
	}
	if o.Counted != nil {
		o.Counted(total)
	}
	if run.IDs != nil && len(run.IDs) == 0 {
		return RunSummary{}, nil
	}
	r := o.Setup.Runner()
	r.OnOutcome = o.OnOutcome
	if o.Started != nil {
		o.Started()
	}
	sum, runErr := r.Run(ctx, run)
	if runErr == nil && !rehearsal {
		// A drain's own summary counts what it touched; what else is
		// queued (held by another drain, due later) counts too.
		if n, _, err := o.Store.Pending(ctx, s.Now()); err == nil && n > sum.Pending {
			sum.Pending = n
		}
	}
	return RunSummary{Summary: sum, Err: runErr}, nil
}

// pendingRehearsals lists the ids of pending rehearsal exports.
func pendingRehearsals(ctx context.Context, src PendingKeys) ([]string, error) {
	all, keys, err := src.PendingKeys(ctx)
	if err != nil {
		return nil, err
	}
	ids := all[:0]
	for i, id := range all {
		if IsRehearsal(keys[i]) {
			ids = append(ids, id)
		}
	}
	return ids, nil
}

// RetryOptions are the choices of one deliveries retry.
type RetryOptions struct {
	// Setup says where the delivery goes: a rehearsal export goes only to
	// a Rehearsal, a real one never.
	Setup RunSetup
	ID    string
	// MaxAttempts is the fresh attempt budget, Wait how long it is spent.
	MaxAttempts int
	Wait        time.Duration
}

// Retry makes a failed or blocked delivery pending again with a fresh
// attempt budget and sends it for up to o.Wait.
func Retry(ctx context.Context, o RetryOptions) (RunSummary, error) {
	st, s := o.Setup.Store, o.Setup.Settings
	d, err := st.Delivery(ctx, o.ID)
	if err != nil {
		return RunSummary{}, err
	}
	if rehearsal := o.Setup.Rehearsal != nil; IsRehearsal(d.IdempotencyKey) != rehearsal {
		if rehearsal {
			return RunSummary{}, codes.Errorf(codes.Usage, "delivery %s is a real export; it is never sent to a rehearsal receiver", o.ID)
		}
		return RunSummary{}, codes.Errorf(codes.Usage, "delivery %s is a rehearsal export; retry it with --to and --ca-file", o.ID)
	}
	if _, err := st.Requeue(ctx, o.ID, o.MaxAttempts, s.Now()); err != nil {
		return RunSummary{}, err
	}
	sum, runErr := o.Setup.Runner().Run(ctx, RunOptions{IDs: []string{o.ID}, Until: s.Now().Add(o.Wait)})
	return RunSummary{Summary: sum, Err: runErr}, nil
}
