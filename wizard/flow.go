package wizard

import (
	"github.com/webriskops/webhook-setup/core"
	"github.com/webriskops/webhook-setup/core/codes"
	"github.com/webriskops/webhook-setup/core/urlsafe"
)

// stepID names one setup step. The names are stored in drafts, so they
// do not change.
type stepID string

// The setup steps, in flow order.
const (
	stepProvider stepID = "provider"
	stepMode     stepID = "mode"
	stepEndpoint stepID = "endpoint"
	stepSecret   stepID = "secret"
	stepReceiver stepID = "receiver"
	stepNetwork  stepID = "network"
	stepOwner    stepID = "owner"
	stepReview   stepID = "review"
)

// stepTitles are the screen headings, exactly as the issue and the docs
// name them.
var stepTitles = map[stepID]string{
	stepProvider: "Provider key",
	stepMode:     "Deployment mode",
	stepEndpoint: "Endpoint URL",
	stepSecret:   "Signing secret",
	stepReceiver: "Receiver checks",
	stepNetwork:  "Private network",
	stepOwner:    "Receiver owner and revoke path",
	stepReview:   "Review and save",
}

// Title is the heading of a step.
func (s stepID) Title() string { return stepTitles[s] }

// flow lists the steps of a setup in mode: the Private network step only
// for self-hosted targets.
func flow(mode core.Mode) []stepID {
	steps := []stepID{stepProvider, stepMode, stepEndpoint, stepSecret, stepReceiver}
	if mode == core.ModeSelfHosted {
		steps = append(steps, stepNetwork)
	}
	return append(steps, stepOwner, stepReview)
}

// position is the 1-based place of s in the flow of mode, or 0 when the
// step is not part of it.
func position(mode core.Mode, s stepID) int {
	for i, f := range flow(mode) {
		if f == s {
			return i + 1
		}
	}
	return 0
}

// nextStep is the step after s in the flow of mode ("" after review).
func nextStep(mode core.Mode, s stepID) stepID {
	steps := flow(mode)
	for i, f := range steps {
		if f == s && i+1 < len(steps) {
			return steps[i+1]
		}
	}
	return ""
}

// prevStep is the step before s in the flow of mode ("" before the first).
func prevStep(mode core.Mode, s stepID) stepID {
	steps := flow(mode)
	for i, f := range steps {
		if f == s && i > 0 {
			return steps[i-1]
		}
	}
	return ""
}

// validStep reports whether s names a step (drafts are read from disk).
func validStep(s stepID) bool {
	_, ok := stepTitles[s]
	return ok
}

// stepForField is the step that asks for a problem's field, so Review can
// send the operator back to fix it.
func stepForField(field string) stepID {
	switch {
	case field == "provider_key":
		return stepProvider
	case field == "deployment_mode":
		return stepMode
	case field == "webhook_url" || field == "base_url" || field == "resolve":
		return stepEndpoint
	case field == "signing_secret":
		return stepSecret
	case field == "receiver_checks_confirmed":
		return stepReceiver
	case len(field) >= len("private_network") && field[:len("private_network")] == "private_network":
		return stepNetwork
	case field == "receiver_owner" || field == "revoke_path":
		return stepOwner
	}
	return stepReview
}

// stepForProblem is the step where a problem on Review is fixed: the step
// of its field, except that an endpoint refused only because its private
// address is not approved (self-hosted, v.NeedsApproval) is fixed in the
// Private network step, as its reason and fix say. v is the endpoint
// check for the answers as they stand, or nil.
func stepForProblem(p codes.Problem, v *urlsafe.Verdict) stepID {
	if v != nil && v.NeedsApproval && !v.Safe && p.Field == "webhook_url" && p.Reason == v.Reason {
		return stepNetwork
	}
	return stepForField(p.Field)
}
