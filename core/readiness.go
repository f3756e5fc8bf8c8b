package core

import (
	"github.com/webriskops/webhook-setup/core/codes"
)

// State is the readiness of one part of a target.
type State string

// The readiness states.
const (
	Ready         State = "ready"
	Blocked       State = "blocked"
	NotApplicable State = "not_applicable"
	// Warning is ready with a reservation: nothing blocks deliveries, but
	// the receiver cannot hold what the state promises (Readiness.Warnings
	// says why).
	Warning State = "warning"
)

// States holds the six documented readiness states of a target.
type States struct {
	ProviderKey      State `json:"provider_key"`
	Endpoint         State `json:"endpoint"`
	Signing          State `json:"signing"`
	ReplayProtection State `json:"replay_protection"`
	PrivateNetwork   State `json:"private_network"`
	RevokePath       State `json:"revoke_path"`
}

// StateNames lists the states in display order with their JSON names.
var StateNames = []string{"provider_key", "endpoint", "signing", "replay_protection", "private_network", "revoke_path"}

// Get returns the state by its JSON name.
func (s States) Get(name string) State {
	switch name {
	case "provider_key":
		return s.ProviderKey
	case "endpoint":
		return s.Endpoint
	case "signing":
		return s.Signing
	case "replay_protection":
		return s.ReplayProtection
	case "private_network":
		return s.PrivateNetwork
	case "revoke_path":
		return s.RevokePath
	}
	return ""
}

// Readiness is the verdict on a target: the six states and what blocks it.
type Readiness struct {
	Ready   bool            `json:"ready"`
	States  States          `json:"states"`
	Blocked []codes.Problem `json:"blocked"`
	// Warnings say why a state is Warning.
	Warnings []string `json:"warnings,omitempty"`
}

// Evaluate judges a saved or drafted target without network access. The
// signing state reads t.Signing, which the store fills from the credential.
func Evaluate(t Target) Readiness {
	var secretProblem *codes.Problem
	if t.Signing == nil {
		p := codes.NewProblem(codes.SecretMissing, "signing_secret", "no signing secret is stored for this target")
		secretProblem = &p
	}
	return evaluate(t, secretProblem)
}

// evaluate fills the six states; secretProblem is the signing check's
// answer, given by the caller because a draft and a saved target learn it
// differently.
func evaluate(t Target, secretProblem *codes.Problem) Readiness {
	r := Readiness{Blocked: []codes.Problem{}}
	state := func(ps []codes.Problem) State {
		if len(ps) == 0 {
			return Ready
		}
		r.Blocked = append(r.Blocked, ps...)
		return Blocked
	}
	r.States.ProviderKey = state(providerProblems(t))
	r.States.Endpoint = state(endpointProblems(t))
	if secretProblem != nil {
		r.States.Signing = state([]codes.Problem{*secretProblem})
	} else {
		r.States.Signing = Ready
	}
	r.States.ReplayProtection = state(receiverCheckProblems(t))
	if w := PaceWarning(t.ProviderKey, t.EffectiveRate()); w != "" && r.States.ReplayProtection == Ready {
		// Confirmed checks do not hold at a pace the recipe cannot keep.
		r.States.ReplayProtection = Warning
		r.Warnings = append(r.Warnings, w)
	}
	if t.DeploymentMode == ModeSelfHosted {
		r.States.PrivateNetwork = state(PrivateNetworkProblems(t))
	} else {
		r.States.PrivateNetwork = NotApplicable
		if ps := PrivateNetworkProblems(t); len(ps) > 0 {
			r.States.PrivateNetwork = state(ps)
		}
	}
	r.States.RevokePath = state(revokePathProblems(t))
	r.Ready = len(r.Blocked) == 0
	return r
}
