package delivery

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/webriskops/webhook-setup/core/codes"
)

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
	case codes.DeliveryFailed, codes.HostUnresolved:
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
