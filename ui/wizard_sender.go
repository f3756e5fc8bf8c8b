package ui

import (
	"context"
	"fmt"
	"time"

	"github.com/webriskops/webhook-setup/core"
	"github.com/webriskops/webhook-setup/core/codes"
	"github.com/webriskops/webhook-setup/core/delivery"
	"github.com/webriskops/webhook-setup/core/urlsafe"
	"github.com/webriskops/webhook-setup/wizard"
)

// wizardSender makes the wizard's test sends with the same code as
// `test-send`, so the two can never disagree.
type wizardSender struct {
	app      *App
	resolver urlsafe.Resolver
}

// TestSend runs one test send of a saved target: a dry run, a rehearsal
// against a local receiver, or a live delivery.
func (w wizardSender) TestSend(ctx context.Context, t core.Target, kind wizard.TestKind) (wizard.TestResult, error) {
	s, err := w.app.OpenStore()
	if err != nil {
		return wizard.TestResult{}, err
	}
	defer s.Close()
	opts := delivery.TestSendOptions{Credentials: s, Edges: s, Audit: s, Resolver: w.resolver, Wait: w.app.Settings.Duration("delivery.wait")}
	switch kind.Mode {
	case wizard.TestDryRun:
		opts.DryRun = true
	case wizard.TestRehearsal:
		opts.Rehearsal = (&rehearsalFlags{to: kind.ReceiverURL, caFile: kind.CAFile}).spec()
	}
	res, err := w.app.testSend(ctx, t, opts)
	if err != nil {
		return wizard.TestResult{}, err
	}
	return wizardResult(res, kind), nil
}

// wizardResult turns a test-send result into the wizard's terms.
func wizardResult(res testSendResult, kind wizard.TestKind) wizard.TestResult {
	out := wizard.TestResult{OK: res.Delivered || (kind.Mode == wizard.TestDryRun && res.Code == "")}
	switch {
	case kind.Mode == wizard.TestDryRun && out.OK:
		out.Summary = "Signed a test request for " + res.Endpoint + "; nothing was sent."
		out.Request = res.requestText(false)
	case res.Delivered:
		out.Summary = fmt.Sprintf("Delivered to %s: the receiver answered %d after %d attempt(s).", res.Endpoint, res.HTTPStatus, res.Attempts)
	default:
		out.Summary = fmt.Sprintf("Not delivered to %s after %d attempt(s).", res.Endpoint, res.Attempts)
		out.Problem = &codes.Problem{Code: res.Code, Reason: res.Reason, Fix: res.Fix}
	}
	return out
}

// VerifyRotation is rotate-secret NAME --verify-only [--retire-old] for the
// wizard's rotate screen: a live probe signed with the current secret only.
func (w wizardSender) VerifyRotation(ctx context.Context, t core.Target, retireOld bool) (wizard.TestResult, error) {
	out, probeErr, err := w.app.probeRotation(ctx, t, nil, w.resolver, retireOld)
	if err != nil {
		return wizard.TestResult{}, err
	}
	if probeErr != nil {
		p := codes.ProblemOf(probeErr)
		return wizard.TestResult{Summary: "The receiver did not accept the new secret.", Problem: &p}, nil
	}
	summary := fmt.Sprintf("New secret verified by the receiver at %s.", out.At.Format(time.RFC3339))
	if len(out.Retired) > 0 {
		summary += " The previous secret is retired: only the new one signs now."
	}
	return wizard.TestResult{OK: true, Summary: summary}, nil
}
