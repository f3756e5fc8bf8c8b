package delivery

import (
	"context"
	"fmt"
	"net/http"
	"time"

	"github.com/webriskops/webhook-setup/core"
	"github.com/webriskops/webhook-setup/core/codes"
	"github.com/webriskops/webhook-setup/core/payload"
	"github.com/webriskops/webhook-setup/core/urlsafe"
)

// TestSendAttempts is the attempt budget of a test send: enough to ride
// out a blip, short enough for someone waiting at a terminal.
const TestSendAttempts = 3

// AdhocTarget names the target of an ad-hoc test send (--url) in its body.
const AdhocTarget = "adhoc"

// TestSendOptions are the choices of one test send: test-send's, the
// wizard's and rotate-secret --verify-only's.
type TestSendOptions struct {
	Settings Settings
	// Secrets sign the test; nil means the target's valid stored secrets
	// (Credentials must then be set).
	Secrets     []string
	Credentials Credentials
	// Edge is the edge header of a target not saved yet (the wizard's
	// draft); nil means the stored one of a target with EdgeAuth, read
	// from Edges.
	Edge  *EdgeHeader
	Edges EdgeSource
	// Rehearsal, when not nil, sends to a receiver on this machine instead.
	Rehearsal Rehearsal
	// DryRun builds and signs the request and sends nothing (no DNS either).
	DryRun bool
	// Wait bounds the retries; zero means no bound beyond the attempts.
	Wait     time.Duration
	Resolver urlsafe.Resolver
	// OnAttempt, when not nil, sees every attempt as it ends.
	OnAttempt func(Attempt, Result)
	// Audit, when not nil, records the test send of a saved target.
	Audit Auditor
}

// TestSendResult is the outcome of one test send. The first six fields are
// test-send --json.
type TestSendResult struct {
	Delivered      bool       `json:"delivered"`
	Code           codes.Code `json:"code"`
	Reason         string     `json:"reason"`
	Fix            string     `json:"fix"`
	HTTPStatus     int        `json:"http_status"`
	Attempts       int        `json:"attempts"`
	Endpoint       string     `json:"endpoint"` // redacted
	IdempotencyKey string     `json:"idempotency_key"`
	Rehearsal      bool       `json:"rehearsal"`
	// Request is the signed request of a dry run, whose body is Body. It
	// holds the full URL and the edge value in clear: show it redacted.
	Request *http.Request `json:"-"`
	Body    []byte        `json:"-"`
	// EdgeHeader names the request's edge header, whose value must never
	// be shown; "" without one.
	EdgeHeader string `json:"-"`
}

// refused fills r from a refusal made before any attempt.
func (r *TestSendResult) refused(err error) {
	ce := codes.AsError(err)
	r.Code, r.Reason, r.Fix = ce.Code, ce.Reason, ce.Fix
}

// TestSend sends one signed test delivery (test: true, a sample ticket) to
// t, or to the rehearsal receiver, with up to TestSendAttempts attempts. t
// may be unsaved (the wizard's draft) when opts.Secrets is given. Refusals
// by URL safety, a missing secret and failed attempts are results, not
// errors; the error is for what stops the test itself (an unreadable CA
// file, the store, an interrupt). With opts.Audit the test is recorded
// (recordTestSend).
func TestSend(ctx context.Context, t core.Target, opts TestSendOptions) (TestSendResult, error) {
	res, err := testSend(ctx, t, opts)
	if err == nil && opts.Audit != nil {
		recordTestSend(ctx, opts.Audit, t.Name, res, opts.DryRun)
	}
	return res, err
}

// recordTestSend writes a test send of a saved target to the audit log. A
// dry run sends nothing and is not recorded, nor is a test refused for
// want of a secret.
func recordTestSend(ctx context.Context, a Auditor, name string, res TestSendResult, dryRun bool) {
	if dryRun || res.Code == codes.SecretMissing {
		return
	}
	detail := fmt.Sprintf("test delivery to %s: delivered after %d attempt(s)", res.Endpoint, res.Attempts)
	if !res.Delivered {
		detail = fmt.Sprintf("test delivery to %s: %s after %d attempt(s)", res.Endpoint, res.Code, res.Attempts)
	}
	if res.Rehearsal {
		detail = "rehearsal " + detail
	}
	_ = a.AddAudit(context.WithoutCancel(ctx), "", "target.test_send", name, detail)
}

// testSend is TestSend without the audit.
func testSend(ctx context.Context, t core.Target, opts TestSendOptions) (TestSendResult, error) {
	now := opts.Settings.Now()
	res := TestSendResult{Endpoint: urlsafe.Redact(t.BaseURL), Rehearsal: opts.Rehearsal != nil}
	body, err := testBody(t, &res, now)
	if err != nil {
		return res, err
	}
	secrets, err := testSecrets(ctx, t, opts, &res, now)
	if err != nil || secrets == nil {
		return res, err
	}
	ep, err := testEndpoint(ctx, t, opts, &res)
	if err != nil || ep == nil {
		return res, err
	}
	ep.Secrets = StaticSecrets(secrets...)
	ep.StandardWebhooks = t.StandardWebhooks
	switch {
	case opts.Edge != nil:
		ep.Edge = StaticEdge(opts.Edge)
	case t.EdgeAuth != nil && t.ID != "" && opts.Edges != nil:
		ep.Edge = StoredEdge(opts.Edges, t.ID)
	}
	res.Endpoint = ep.Redacted()

	if opts.DryRun {
		res.Request, err = ep.Request(ctx, secrets, res.IdempotencyKey, body, now)
		if err != nil {
			return res, err
		}
		res.Body = body
		if opts.Edge != nil {
			res.EdgeHeader = opts.Edge.Name
		} else if t.EdgeAuth != nil {
			res.EdgeHeader = t.EdgeAuth.Header
		}
		return res, nil
	}
	policy := RetryPolicy{MaxAttempts: TestSendAttempts, MaxBackoff: opts.Settings.MaxBackoff}
	if opts.Wait > 0 {
		policy.Until = now.Add(opts.Wait)
	}
	r, n, err := opts.Settings.Sender().Deliver(ctx, ep, res.IdempotencyKey, body, policy, opts.OnAttempt)
	res.Attempts, res.HTTPStatus = n, r.HTTPStatus
	if err != nil {
		return res, err
	}
	res.Delivered, res.Code, res.Reason, res.Fix = r.Delivered, r.Code, r.Reason, r.Fix()
	return res, nil
}

// testBody builds the test's body (a sample ticket, test: true) and sets
// res's idempotency key.
func testBody(t core.Target, res *TestSendResult, now time.Time) ([]byte, error) {
	ref := payload.TargetRef{ID: t.ID, Name: t.Name}
	if ref.ID == "" {
		ref.ID = AdhocTarget
	}
	tk := payload.SampleTicket()
	res.IdempotencyKey = payload.DefaultIdempotencyKey(ref.ID, tk.Kind, tk.FindingID)
	provider := string(t.ProviderKey)
	if provider == "" {
		provider = string(core.ProviderGeneric)
	}
	return payload.Build(ref, provider, tk, res.IdempotencyKey, true, now)
}

// testSecrets returns the secrets that sign the test: the given ones, else
// t's valid stored ones. nil with no error means the test was refused
// (res says why).
func testSecrets(ctx context.Context, t core.Target, opts TestSendOptions, res *TestSendResult, now time.Time) ([]string, error) {
	secrets := opts.Secrets
	if secrets == nil {
		if opts.Credentials == nil || t.ID == "" {
			res.refused(codes.Errorf(codes.SecretMissing, "no signing secret was given for the test"))
			return nil, nil
		}
		var err error
		if secrets, err = StoredSecrets(opts.Credentials, t.ID)(ctx, now); err != nil {
			return nil, err
		}
	}
	if len(secrets) == 0 {
		res.refused(codes.Errorf(codes.SecretMissing, "%s has no valid signing secret", t.Name))
		return nil, nil
	}
	return secrets, nil
}

// testEndpoint returns where the test goes: the rehearsal receiver, the
// parsed URL of a dry run (no DNS), or t's endpoint after the URL safety
// check. nil with no error means the test was refused (res says why).
func testEndpoint(ctx context.Context, t core.Target, opts TestSendOptions, res *TestSendResult) (*Endpoint, error) {
	s := opts.Settings
	book, books := opts.Credentials.(PaceBook)
	switch {
	case opts.Rehearsal != nil:
		ep, err := opts.Rehearsal.Endpoint(s.ClientOptions(), core.RateLimit{})
		if err != nil {
			return nil, err
		}
		// A rehearsal for a target whose recipe needs a pace across
		// processes takes its turn in that pace, as the real send would.
		if books && t.ID != "" && SharesPace(t) {
			if ep, err = opts.Rehearsal.Endpoint(s.ClientOptions(), s.WithRate(t).EffectiveRate()); err != nil {
				return nil, err
			}
			SharePace(ep, book, t)
		}
		return ep, nil
	case opts.DryRun:
		// No network, no DNS: the parse-time policy only.
		u, _, p := urlsafe.Parse(t.BaseURL)
		if p != nil {
			res.refused(codes.ProblemsError([]codes.Problem{*p}))
			return nil, nil
		}
		return &Endpoint{URL: u}, nil
	}
	ep, err := TargetEndpoint(ctx, s.WithRate(t), opts.Resolver, s.ClientOptions())
	if err != nil {
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		res.refused(err)
		return nil, nil
	}
	// A test send to a saved target takes its turn in the target's pace
	// like any delivery (the Zapier recipe holds one per slice).
	if books && t.ID != "" {
		SharePace(ep, book, t)
	}
	return ep, nil
}
