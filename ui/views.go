package ui

import (
	"fmt"
	"io"
	"net/url"
	"strings"
	"time"

	"github.com/webriskops/webhook-setup/core"
	"github.com/webriskops/webhook-setup/core/codes"
	"github.com/webriskops/webhook-setup/core/sanitize"
	"github.com/webriskops/webhook-setup/core/urlsafe"
	"github.com/webriskops/webhook-setup/store"
)

// targetView is the JSON and text shape of one target in show and add.
type targetView struct {
	ID                      string              `json:"id"`
	Name                    string              `json:"name"`
	ProviderKey             core.ProviderKey    `json:"provider_key"`
	DeploymentMode          core.Mode           `json:"deployment_mode"`
	BaseURL                 string              `json:"base_url"`
	Endpoint                string              `json:"endpoint"`
	ReceiverOwner           string              `json:"receiver_owner"`
	RevokePath              string              `json:"revoke_path"`
	ReceiverChecksConfirmed bool                `json:"receiver_checks_confirmed"`
	PrivateNetwork          core.PrivateNetwork `json:"private_network"`
	RateLimit               core.RateLimit      `json:"rate_limit"`
	Signing                 *core.Signing       `json:"signing"`
	Ready                   bool                `json:"ready"`
	States                  core.States         `json:"states"`
	ReplayProtectionNote    string              `json:"replay_protection_note"`
	Blocked                 []codes.Problem     `json:"blocked"`
	Version                 int64               `json:"version"`
	CreatedAt               time.Time           `json:"created_at"`
	UpdatedAt               time.Time           `json:"updated_at"`
	GeneratedSecret         string              `json:"generated_secret,omitempty"`
	Warnings                []string            `json:"warnings,omitempty"`
	// SecretVerified is set by show when the receiver accepted a probe
	// signed with the current secret only (rotate-secret --verify).
	SecretVerified *store.SecretVerification `json:"secret_verified,omitempty"`

	// The extra headers of every delivery: never the edge value.
	StandardWebhooks bool           `json:"standard_webhooks"`
	EdgeAuth         *core.EdgeAuth `json:"edge_auth"`

	// Resolve is the target's resolve override, the addresses its host
	// (ResolveFor, HOST:PORT) is taken to have instead of DNS.
	Resolve    []string `json:"resolve,omitempty"`
	ResolveFor string   `json:"resolve_for,omitempty"`
}

// targetView is t as show, add and rotate-secret print it. The rate limit
// shown is the one deliveries use: the target's own, else the
// delivery.rate_limit setting, else the provider's default.
func (a *App) targetView(t core.Target, revealURL bool) targetView {
	r := core.Evaluate(a.withRate(t))
	u := urlsafe.Redact(t.BaseURL)
	if revealURL {
		u = t.BaseURL
	}
	allow := t.PrivateNetwork
	if allow.Allowlist == nil {
		allow.Allowlist = []string{}
	}
	allow.Policy = allow.NormalizedPolicy()
	rate := a.withRate(t).EffectiveRate()
	// The pace warning comes with the readiness (replay_protection is then
	// "warning"), so show, add and status say the same.
	warnings := r.Warnings
	return targetView{
		ID: t.ID, Name: t.Name, ProviderKey: t.ProviderKey, DeploymentMode: t.DeploymentMode,
		BaseURL: u, Endpoint: endpointHost(t.BaseURL), ReceiverOwner: t.ReceiverOwner, RevokePath: t.RevokePath,
		ReceiverChecksConfirmed: t.ReceiverChecksConfirmed, PrivateNetwork: allow, RateLimit: rate,
		Signing: t.Signing, Ready: r.Ready, States: r.States, ReplayProtectionNote: replayProtectionNote(t.ProviderKey), Blocked: r.Blocked,
		Version: t.Version, CreatedAt: t.CreatedAt, UpdatedAt: t.UpdatedAt, Warnings: append(warnings, targetWarnings(t)...),
		StandardWebhooks: t.StandardWebhooks, EdgeAuth: t.EdgeAuth,
		Resolve: t.Resolve, ResolveFor: resolveFor(t),
	}
}

// resolveFor is the HOST:PORT of t's resolve override, "" without one.
func resolveFor(t core.Target) string {
	if len(t.Resolve) == 0 {
		return ""
	}
	return core.ResolveFor(t)
}

// endpointHost is the host[:port] of a URL, the part that is safe to show.
func endpointHost(raw string) string {
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" {
		return ""
	}
	return u.Host
}

func privateNetworkSummary(t core.Target) string {
	pn := t.PrivateNetwork
	if t.DeploymentMode != core.ModeSelfHosted {
		return "not applicable (" + string(t.DeploymentMode) + ": public HTTPS only)"
	}
	if pn.NormalizedPolicy() == core.PolicyDeny {
		return "deny"
	}
	return fmt.Sprintf("allowlist %s, authorized by %s", strings.Join(pn.Allowlist, ", "), pn.AuthorizedBy)
}

// writeTargetText prints a target for people.
func writeTargetText(w io.Writer, v targetView, t core.Target) {
	field(w, "name", v.Name)
	field(w, "provider_key", string(v.ProviderKey))
	field(w, "deployment_mode", string(v.DeploymentMode))
	field(w, "webhook_url", v.BaseURL)
	if line := core.ResolveLine(t); line != "" {
		field(w, "resolve", line)
	}
	field(w, "receiver_owner", v.ReceiverOwner)
	field(w, "revoke_path", v.RevokePath)
	field(w, "signing", core.SigningSummary(v.Signing))
	field(w, "standard_webhooks", standardWebhooksSummary(v))
	field(w, "edge_auth", core.EdgeSummary(v.EdgeAuth))
	if v.SecretVerified != nil {
		field(w, "secret_verified", verifiedText(*v.SecretVerified))
	}
	field(w, "private_network", privateNetworkSummary(t))
	field(w, "rate_limit", v.RateLimit.String())
	ready := "ready"
	if !v.Ready {
		ready = "blocked"
	}
	field(w, "status", ready)
	for _, name := range core.StateNames {
		if name == "replay_protection" && v.ReplayProtectionNote != "" {
			fmt.Fprintln(w, wrapped(fmt.Sprintf("  %-18s ", name), string(v.States.Get(name))+": "+v.ReplayProtectionNote, 21))
			continue
		}
		fmt.Fprintf(w, "  %-18s %s\n", name, v.States.Get(name))
	}
	for _, p := range v.Blocked {
		fmt.Fprintln(w, wrapped("blocked: "+string(p.Code)+": ", sanitize.Line(p.Reason), 2))
		fmt.Fprintln(w, wrapped("  fix: ", sanitize.Line(p.Fix), 7))
	}
	for _, warn := range v.Warnings {
		field(w, "warning", warn)
	}
}

// replayProtectionNote is where the receiver's replay and duplicate checks
// run for a provider, and where their refusals show.
func replayProtectionNote(key core.ProviderKey) string {
	p, _ := core.LookupProvider(key)
	return p.ReplayProtection
}

// verifiedText is how show and status say a secret was verified.
func verifiedText(v store.SecretVerification) string {
	return fmt.Sprintf("new secret %s verified by the receiver at %s (%s)", v.Fingerprint, v.At.UTC().Format(time.RFC3339), v.Via)
}
