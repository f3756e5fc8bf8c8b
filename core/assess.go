package core

import (
	"context"
	"slices"

	"github.com/webriskops/webhook-setup/core/codes"
	"github.com/webriskops/webhook-setup/core/urlsafe"
)

// Assessment is the whole judgement of a target before it is saved: what
// add, apply's plan and the wizard's Review show and act on.
type Assessment struct {
	// Problems is everything that keeps the target from being saved, in
	// the order it is reported: Validate's problems, then the endpoint
	// check's refusal (always last; see Include).
	Problems []codes.Problem
	// States are the six readiness states; the endpoint is blocked when
	// the endpoint check refused the URL.
	States States
	// Verdict is the endpoint check's verdict; nil when it did not run.
	Verdict *urlsafe.Verdict
	// Warnings are the endpoint check's warnings (the provider's hints
	// included); nil when it did not run.
	Warnings []string
	// Pending reports that the endpoint check has not run although
	// nothing found so far stops it (AssessWith without a verdict).
	Pending bool
	// Ready reports that the target may be saved: no problem, and the
	// endpoint check ran and passed.
	Ready bool

	// refused reports that the last problem is the endpoint's refusal.
	refused bool
}

// Assess judges t with its signing secret as every entry point does before
// a save: Validate without the network, then, unless the URL or the
// deployment mode is already wrong, the full endpoint check (CheckEndpoint,
// DNS through r).
func Assess(ctx context.Context, t Target, secret string, r urlsafe.Resolver) Assessment {
	ps, states := validate(t, secret)
	if !endpointCheckable(ps) {
		return judged(ps, states, nil)
	}
	v := CheckEndpoint(ctx, t, r)
	return judged(ps, states, &v)
}

// AssessWith is Assess with the endpoint verdict already in hand, nil when
// there is none: for the wizard's Review, whose endpoint check runs off the
// UI loop while the name may still change, and for apply's plan of a
// target whose endpoint did not change (no check, never Ready).
func AssessWith(t Target, secret string, v *urlsafe.Verdict) Assessment {
	ps, states := validate(t, secret)
	return judged(ps, states, v)
}

// judged completes an assessment from Validate's findings and the
// endpoint verdict v (nil: not checked).
func judged(ps []codes.Problem, states States, v *urlsafe.Verdict) Assessment {
	a := Assessment{Problems: ps, States: states, Verdict: v}
	if v == nil {
		a.Pending = endpointCheckable(ps)
		return a
	}
	a.Warnings = v.Warnings
	if !v.Safe {
		a.States.Endpoint = Blocked
		// A URL already refused by Validate is reported once.
		if !codes.HasField(ps, "webhook_url") {
			a.Problems = append(a.Problems, *VerdictProblem(*v))
			a.refused = true
		}
	}
	a.Ready = v.Safe && len(a.Problems) == 0
	return a
}

// Include adds problems the caller found with what it read beside the
// target (an edge header and its value, a credential file) before the
// endpoint's refusal, so every entry point reports them in one order. An
// assessment with any problem is not ready.
func (a *Assessment) Include(ps ...codes.Problem) {
	if len(ps) == 0 {
		return
	}
	at := len(a.Problems)
	if a.refused {
		at--
	}
	a.Problems = slices.Insert(slices.Clip(a.Problems), at, ps...)
	a.Ready = false
}

// endpointCheckable reports whether the network check of the endpoint can
// run given the problems found so far: not when the URL, the deployment
// mode or the resolve override is already wrong.
func endpointCheckable(ps []codes.Problem) bool {
	return !codes.HasField(ps, "webhook_url") && !codes.HasField(ps, "deployment_mode") && !codes.HasField(ps, "resolve")
}
