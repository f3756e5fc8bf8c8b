package delivery

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"time"

	"github.com/webriskops/webhook-setup/core"
	"github.com/webriskops/webhook-setup/core/codes"
	"github.com/webriskops/webhook-setup/core/payload"
	"github.com/webriskops/webhook-setup/core/urlsafe"
)

// enqueueBatch is how many exports one Enqueue transaction stores: large
// enough that 100,000 tickets cost 200 commits, small enough that memory
// stays flat however long the input is. The first batch is firstBatch and
// each next one twice the last, up to enqueueBatch: nothing is sent before
// its batch is queued, so a small first batch starts the workers after 32
// tickets are read, built and committed instead of 500 (about a tenth of
// the wall time of an export of 2,000, docs/performance.md).
const (
	enqueueBatch = 500
	firstBatch   = 32
)

// Auditor writes the audit log; the store implements it.
type Auditor interface {
	AddAudit(ctx context.Context, actor, action, target, detail string) error
}

// ExportStore is what an export needs of the store.
type ExportStore interface {
	RunStore
	Auditor
}

// ExportOptions are the choices of one export of checked tickets to a
// saved target.
type ExportOptions struct {
	Settings Settings
	Store    ExportStore
	Target   core.Target
	// Tickets are the checked tickets, Count of them.
	Tickets *payload.TicketSpool
	Count   int
	// Key, when not empty, is the idempotency key of a one-ticket export
	// (--idempotency-key) instead of the derived one.
	Key string
	// Rehearsal, when not nil, is the receiver every export goes to.
	Rehearsal Rehearsal
	// Resolver is asked once the target is judged ready, so a target that
	// is not ready is refused before a bad --resolve entry is named.
	Resolver    func() (urlsafe.Resolver, error)
	MaxAttempts int
	// Wait is how long the run sends; zero only queues.
	Wait        time.Duration
	FallbackDir string
	Workers     int
	// OnStart, when not nil, sees the plan before the first ticket is
	// queued (only when Wait is not zero).
	OnStart func(ExportPlan)
	// OnOutcome, when not nil, sees each outcome once it is recorded.
	OnOutcome func(Delivery, Outcome)
}

// ExportPlan is what an export is about to do, for its first words.
type ExportPlan struct {
	Endpoint  string // redacted
	Rehearsal bool
	// PerSecond is the target's pace and Estimate what it allows in Wait.
	PerSecond float64
	Estimate  Estimate
}

// ExportSummary is the outcome of an export: the run's summary and error,
// where it went, and whether every ticket was queued.
// Export's own error is for a refusal before anything was queued.
type ExportSummary struct {
	RunSummary
	Endpoint  string // redacted
	QueuedAll bool
}

// Export queues the tickets in the outbox and, for up to opts.Wait, sends
// each batch once it is queued (one Runner over a fixed endpoint: the
// target's after a fresh URL safety check, or the rehearsal receiver). It
// refuses before queuing anything when the target is not ready, its URL is
// unsafe or it has no valid secret, and writes the run to the audit log.
func Export(ctx context.Context, o ExportOptions) (ExportSummary, error) {
	ep, err := exportEndpoint(ctx, o)
	if err != nil {
		return ExportSummary{}, err
	}
	t := o.Target
	run := ""
	if o.Rehearsal != nil {
		var b [8]byte
		_, _ = rand.Read(b[:])
		run = hex.EncodeToString(b[:])
	}
	keyOf := ExportKeyOf(t, run, o.Key)
	now := o.Settings.Now()
	res := ExportSummary{Endpoint: ep.Redacted(), QueuedAll: true}
	if o.Wait > 0 {
		perSecond := o.Settings.WithRate(t).EffectiveRate().PerSecond()
		if o.OnStart != nil {
			o.OnStart(ExportPlan{Endpoint: res.Endpoint, Rehearsal: o.Rehearsal != nil, PerSecond: perSecond,
				Estimate: EstimateRun(o.Count, perSecond, o.Wait)})
		}
		// Each batch is sent as soon as it is durably queued.
		r := RunSetup{Settings: o.Settings, Store: o.Store, FallbackDir: o.FallbackDir, Workers: o.Workers, Fixed: ep}.Runner()
		r.OnOutcome = o.OnOutcome
		res.Summary, res.Err = r.Run(ctx, RunOptions{
			Queue: func(ctx context.Context, enqueue func([]Delivery) error) error {
				res.QueuedAll = false
				err := queueTickets(t, o.Tickets, keyOf, o.MaxAttempts, now, enqueue)
				res.QueuedAll = err == nil
				return err
			},
			Until: o.Settings.Now().Add(o.Wait),
		})
	} else {
		reports, err := enqueueTickets(ctx, o.Store, t, o.Tickets, keyOf, o.MaxAttempts, now)
		if err != nil {
			reports.Close()
			return ExportSummary{}, err
		}
		res.Reports = reports
		for i := range int32(reports.Len()) {
			res.Count(Report{Status: reports.Status(i)})
		}
	}
	action := "export"
	if o.Rehearsal != nil {
		action = "export.rehearsal"
	}
	_ = o.Store.AddAudit(context.WithoutCancel(ctx), "", action, t.Name, fmt.Sprintf("%d ticket(s) to %s: %d delivered, %d failed, %d blocked, %d pending",
		o.Count, res.Endpoint, res.Delivered, res.Failed, res.Blocked, res.Pending))
	return res, nil
}

// exportEndpoint is the one endpoint of an export, after its refusals: a
// target that is not ready (unless rehearsed), an unsafe URL or a host
// that does not resolve (nothing is queued; --portable is the way out) or
// no valid signing secret.
func exportEndpoint(ctx context.Context, o ExportOptions) (*Endpoint, error) {
	t := o.Target
	if r := core.Evaluate(t); !r.Ready && o.Rehearsal == nil {
		return nil, codes.ProblemsError(r.Blocked)
	}
	resolver, err := o.Resolver()
	if err != nil {
		return nil, err
	}
	ep, err := o.Settings.forWorkers(o.Workers).EndpointFor(ctx, o.Store, t, resolver, o.Rehearsal)
	if err != nil {
		if ce := codes.AsError(err); ce.Code == codes.BaseURLBlocked || ce.Code == codes.HostUnresolved {
			ce.Fix += " Nothing was queued; export --portable writes the tickets to fallback bundles instead."
		}
		return nil, err
	}
	if secrets, err := ep.Secrets(ctx, o.Settings.Now()); err != nil {
		return nil, err
	} else if len(secrets) == 0 {
		return nil, codes.Errorf(codes.SecretMissing, "%s has no valid signing secret; nothing was queued", t.Name)
	}
	return ep, nil
}

// enqueueTickets streams the tickets into the outbox, a batch per
// transaction, and returns one report per delivery in input order (a ticket
// repeated in the input is one delivery), spooled. Exporting a ticket
// already queued for this target returns the existing delivery, as it
// stands: the idempotency key makes the export happen once.
func enqueueTickets(ctx context.Context, out Outbox, t core.Target, in *payload.TicketSpool, keyOf func(payload.Ticket) string, maxAttempts int, now time.Time) (*Reports, error) {
	reports := NewReports()
	err := queueTickets(t, in, keyOf, maxAttempts, now, func(batch []Delivery) error {
		stored, err := out.Enqueue(ctx, batch)
		if err != nil {
			return err
		}
		for _, d := range stored {
			if _, seen := reports.Find(d.ID); seen {
				continue
			}
			reports.Add(Report{ID: d.ID, IdempotencyKey: d.IdempotencyKey, Status: d.Status,
				Attempts: d.Attempts, LastCode: d.LastCode, FallbackPath: d.FallbackPath})
		}
		return nil
	})
	return reports, err
}

// queueTickets reads the tickets, builds each export, and hands them to
// enqueue in batches growing from firstBatch to enqueueBatch; a batch's
// bodies are dropped once enqueue returns, so memory stays flat however
// long the input is.
func queueTickets(t core.Target, in *payload.TicketSpool, keyOf func(payload.Ticket) string, maxAttempts int, now time.Time, enqueue func([]Delivery) error) error {
	ref := payload.TargetRef{ID: t.ID, Name: t.Name}
	batch := make([]Delivery, 0, enqueueBatch)
	size := firstBatch
	flush := func() error {
		if len(batch) == 0 {
			return nil
		}
		if err := enqueue(batch); err != nil {
			return err
		}
		clear(batch) // drop the bodies before the next batch
		batch = batch[:0]
		size = min(2*size, enqueueBatch)
		return nil
	}
	err := in.Each(func(tk payload.Ticket) error {
		key := keyOf(tk)
		body, err := payload.Build(ref, string(t.ProviderKey), tk, key, false, now)
		if err != nil {
			return err
		}
		batch = append(batch, Delivery{TargetID: t.ID, TargetName: t.Name, IdempotencyKey: key,
			Body: body, MaxAttempts: maxAttempts, NextAttemptAt: now, CreatedAt: now})
		if len(batch) == size {
			return flush()
		}
		return nil
	})
	if err == nil {
		err = flush()
	}
	return err
}

// ExportKeyOf returns how an export names each ticket's delivery: the key
// derived from target, kind and finding_id (salted with run in a
// rehearsal), or the operator's --idempotency-key (prefixed in a rehearsal,
// so it can never use up the real export's key).
func ExportKeyOf(t core.Target, run, override string) func(payload.Ticket) string {
	if override == "" {
		return func(tk payload.Ticket) string { return ExportKey(t.ID, tk, run) }
	}
	if run != "" {
		override = RehearsalKeyPrefix + override
	}
	return func(payload.Ticket) string { return override }
}
