package delivery

import (
	"context"
	"strconv"
	"time"

	"github.com/webriskops/webhook-setup/core"
	"github.com/webriskops/webhook-setup/core/codes"
	"github.com/webriskops/webhook-setup/core/urlsafe"
)

// Targets finds a saved target by name; the store implements it.
type Targets interface {
	Target(ctx context.Context, name string) (core.Target, error)
}

// RunStore is what a run over the outbox needs of the store: the outbox,
// the targets its deliveries name, and what their endpoints sign with.
type RunStore interface {
	Outbox
	Targets
	Signers
	// Requeue makes a failed or blocked delivery pending again with
	// maxAttempts more attempts (deliveries retry).
	Requeue(ctx context.Context, id string, maxAttempts int, now time.Time) (Delivery, error)
}

// RunSetup is what export, deliveries drain and deliveries retry share:
// where the run's deliveries go and what it does with those that fail.
type RunSetup struct {
	Settings Settings
	Store    RunStore
	Resolver urlsafe.Resolver
	// Rehearsal, when not nil, is the receiver every delivery goes to.
	Rehearsal   Rehearsal
	FallbackDir string
	Workers     int
	// Fixed, when set, is the one endpoint of the run (export).
	Fixed *Endpoint
}

// Approval is the runner's Approval: the stored version of d's target
// (every change to it, its URL or private-network approval included,
// bumps the version). A target removed or replaced since is an error, so
// the run drops its endpoint and the next attempt is refused by Endpoint.
// A fixed endpoint (export) never changes.
func (rs RunSetup) Approval(ctx context.Context, d Delivery) (string, error) {
	if rs.Fixed != nil {
		return "", nil
	}
	t, err := rs.Store.Target(ctx, d.TargetName)
	if err != nil {
		return "", err
	}
	return t.ID + "@" + strconv.FormatInt(t.Version, 10), nil
}

// endpoint is the runner's Endpoint: the fixed one, or the endpoint of d's
// target as stored now (refused when another target took its name).
func (rs RunSetup) endpoint(ctx context.Context, d Delivery) (*Endpoint, error) {
	if rs.Fixed != nil {
		return rs.Fixed, nil
	}
	t, err := rs.Store.Target(ctx, d.TargetName)
	if err == nil && t.ID != d.TargetID {
		err = codes.Errorf(codes.TargetNotFound, "the target %q of this delivery was replaced by another of the same name", d.TargetName)
	}
	if err != nil {
		return nil, err
	}
	return rs.Settings.forWorkers(rs.Workers).EndpointFor(ctx, rs.Store, t, rs.Resolver, rs.Rehearsal)
}

// Runner builds the runner of one command run.
func (rs RunSetup) Runner() *Runner {
	return &Runner{
		Outbox:     rs.Store,
		Sender:     rs.Settings.Sender(),
		Workers:    rs.Workers,
		MaxBackoff: rs.Settings.MaxBackoff,
		Rehearsal:  rs.Rehearsal != nil || rs.Fixed != nil && rs.Fixed.Rehearsal,
		Approval:   rs.Approval,
		Endpoint:   rs.endpoint,
		Fallback:   rs.bundleWriter(),
	}
}

// bundleWriter writes the fallback bundle of a delivery that ended failed
// or blocked into FallbackDir/<delivery id>/.
func (rs RunSetup) bundleWriter() func(Delivery, Result, *Endpoint) (string, error) {
	return func(d Delivery, r Result, ep *Endpoint) (string, error) {
		shown := ""
		if ep != nil {
			shown = ep.Redacted()
		}
		return WriteBundle(rs.FallbackDir, d.ID, Bundle{
			DeliveryID: d.ID, Target: d.TargetName, Endpoint: shown, IdempotencyKey: d.IdempotencyKey,
			Status: r.Status(), Attempts: d.Attempts + 1, Code: r.Code, Reason: r.Reason, Fix: r.Fix(),
			Body: d.Body, At: rs.Settings.Now(),
		})
	}
}
