package core

import (
	"context"
	"fmt"
	"net/url"
	"regexp"
	"strings"

	"github.com/webriskops/webhook-setup/core/codes"
	"github.com/webriskops/webhook-setup/core/signing"
	"github.com/webriskops/webhook-setup/core/urlsafe"
)

var namePattern = regexp.MustCompile(fmt.Sprintf(`^[a-z0-9][a-z0-9-]{0,%d}$`, MaxNameLen-1))

// ValidateName checks a target name.
func ValidateName(name string) *codes.Problem {
	if !namePattern.MatchString(name) {
		p := codes.NewProblem(codes.NameInvalid, "name", fmt.Sprintf("%s is not a valid target name", Clip(name)))
		return &p
	}
	return nil
}

// Validate returns every problem that keeps t from being saved with the
// given secret, without network access. Entry points call Assess, which
// adds the endpoint check; an empty slice here means t may be saved once
// the endpoint also passes it.
func Validate(t Target, secret string) []codes.Problem {
	ps, _ := validate(t, secret)
	return ps
}

// validate is Validate with the six readiness states it judged.
func validate(t Target, secret string) ([]codes.Problem, States) {
	var ps []codes.Problem
	if p := ValidateName(t.Name); p != nil {
		ps = append(ps, *p)
	}
	long := lengthProblems(t)
	if tooLong(long, "private_network.allowlist") {
		// Thousands of entries would each be judged and reported.
		t.PrivateNetwork.Allowlist = nil
	}
	r := evaluate(t, signing.CheckSecret(secret))
	for _, p := range r.Blocked {
		if !tooLong(long, p.Field) {
			ps = append(ps, p)
		}
	}
	ps = append(ps, long...)
	if p := LookAlikeProblem(t); p != nil && !codes.HasField(ps, "webhook_url") {
		ps = append(ps, *p)
	}
	if !tooLong(long, "receiver_owner") {
		ps = append(ps, ownerProblems(t)...)
	}
	if p := resolveProblem(t); p != nil {
		ps = append(ps, *p)
	}
	return ps, r.States
}

// URLPolicy is what t's deployment mode and private-network approval allow
// the URL safety engine to reach. An allowlist counts only when complete.
func URLPolicy(t Target) urlsafe.Policy {
	p := urlsafe.Policy{SelfHosted: t.DeploymentMode == ModeSelfHosted}
	pn := t.PrivateNetwork
	if p.SelfHosted && pn.NormalizedPolicy() == PolicyAllowlist && strings.TrimSpace(pn.AuthorizedBy) != "" {
		p.Allowlist = pn.Allowlist
	}
	return p
}

// CheckEndpoint runs the full URL safety check of t's endpoint (with DNS
// through r) and adds the provider's hints to the warnings.
//
// A target's resolve override answers for its URL's host and port before
// r (resolverFor), so every check and send judges the saved addresses as
// it judges DNS answers; an override that cannot apply is refused.
func CheckEndpoint(ctx context.Context, t Target, r urlsafe.Resolver) urlsafe.Verdict {
	if p := resolveProblem(t); p != nil {
		host, _, _ := urlsafe.HostPort(t.BaseURL)
		return urlsafe.Verdict{URL: urlsafe.Redact(t.BaseURL), Code: string(p.Code), Reason: p.Reason, Fix: p.Fix,
			Host: host, Addresses: []string{}, Warnings: []string{}}
	}
	v := urlsafe.Check(ctx, t.BaseURL, URLPolicy(t), resolverFor(t, r))
	v.Warnings = append(v.Warnings, endpointHints(t, v.Endpoint)...)
	return v
}

// EndpointHints are the warnings about t's URL that need no network: the
// provider's hints and a look-alike host. They are the part of
// CheckEndpoint's warnings a screen can show while the check has not run
// or cannot run.
func EndpointHints(t Target) []string {
	u, err := url.Parse(strings.TrimSpace(t.BaseURL))
	if err != nil {
		return nil
	}
	return endpointHints(t, u)
}

func endpointHints(t Target, u *url.URL) []string {
	hints := ProviderHints(t.ProviderKey, u)
	if w := LookAlikeWarning(t); w != "" {
		hints = append(hints, w)
	}
	return hints
}

// VerdictProblem turns a refused verdict into a problem on webhook_url.
func VerdictProblem(v urlsafe.Verdict) *codes.Problem {
	if v.Safe {
		return nil
	}
	code := codes.Code(v.Code)
	if code == "" {
		code = codes.URLUnsafe
	}
	fix := v.Fix
	if fix == "" {
		fix = code.Fix()
	}
	return &codes.Problem{Code: code, Field: "webhook_url", Reason: v.Reason, Fix: fix}
}

func providerProblems(t Target) []codes.Problem {
	if _, ok := LookupProvider(t.ProviderKey); !ok {
		return []codes.Problem{codes.NewProblem(codes.ProviderUnknown, "provider_key",
			fmt.Sprintf("%q is not a supported provider key", t.ProviderKey))}
	}
	return nil
}

func endpointProblems(t Target) []codes.Problem {
	var ps []codes.Problem
	if !ValidMode(t.DeploymentMode) {
		ps = append(ps, codes.NewProblem(codes.ModeUnknown, "deployment_mode",
			fmt.Sprintf("%q is not a deployment mode", t.DeploymentMode)))
	}
	if t.BaseURL == "" {
		return append(ps, codes.NewProblem(codes.URLUnsafe, "webhook_url", "no webhook_url was given"))
	}
	if _, _, p := urlsafe.Parse(t.BaseURL); p != nil {
		ps = append(ps, *p)
	}
	return ps
}

func receiverCheckProblems(t Target) []codes.Problem {
	if !t.ReceiverChecksConfirmed {
		return []codes.Problem{codes.NewProblem(codes.ReceiverChecks, "receiver_checks_confirmed",
			"the receiver's checks of X-WebRiskOps-Event, -Schema, -Idempotency-Key, -Timestamp, -Nonce and -Signature are not confirmed")}
	}
	return nil
}

// PrivateNetworkProblems checks the private-network approval on its own, for
// check-url and the wizard's Private network step.
func PrivateNetworkProblems(t Target) []codes.Problem {
	pn := t.PrivateNetwork
	var ps []codes.Problem
	switch pn.NormalizedPolicy() {
	case PolicyDeny:
		if len(pn.Allowlist) > 0 {
			ps = append(ps, codes.NewProblem(codes.PolicyInvalid, "private_network.allowlist",
				"allowlist entries were given but the private-network policy is deny"))
		}
		return ps
	case PolicyAllowlist:
	default:
		return []codes.Problem{codes.NewProblem(codes.PolicyInvalid, "private_network.policy",
			fmt.Sprintf("%q is not a private-network policy (deny or allowlist)", pn.Policy))}
	}
	if t.DeploymentMode != ModeSelfHosted {
		ps = append(ps, codes.NewProblem(codes.PolicyInvalid, "private_network.policy",
			fmt.Sprintf("a private-network allowlist needs deployment mode self-hosted, not %s", t.DeploymentMode)))
	}
	if len(pn.Allowlist) == 0 {
		ps = append(ps, codes.NewProblem(codes.AllowlistInvalid, "private_network.allowlist",
			"the policy is allowlist but no entry was given"))
	}
	for _, e := range pn.Allowlist {
		if p := urlsafe.CheckAllowlistEntry(e); p != nil {
			ps = append(ps, *p)
		}
	}
	if strings.TrimSpace(pn.AuthorizedBy) == "" {
		ps = append(ps, codes.NewProblem(codes.AuthorizedByNeeded, "private_network.authorized_by",
			"nobody is recorded as having authorized the private-network route"))
	}
	return ps
}

func revokePathProblems(t Target) []codes.Problem {
	if strings.TrimSpace(t.RevokePath) == "" {
		return []codes.Problem{codes.NewProblem(codes.RevokePathMissing, "revoke_path", "no revoke path was given")}
	}
	return nil
}

func ownerProblems(t Target) []codes.Problem {
	if strings.TrimSpace(t.ReceiverOwner) == "" {
		return []codes.Problem{codes.NewProblem(codes.OwnerMissing, "receiver_owner", "no receiver owner was given")}
	}
	return nil
}
