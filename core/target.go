package core

import (
	"slices"
	"time"

	"github.com/webriskops/webhook-setup/core/urlsafe"
)

// ProviderKey names the kind of automation endpoint a target posts to.
type ProviderKey string

// The supported webhook provider keys, exactly as the product page lists them.
const (
	ProviderGeneric ProviderKey = "generic_webhook"
	ProviderWebhook ProviderKey = "webhook"
	ProviderZapier  ProviderKey = "zapier_webhook"
	ProviderMake    ProviderKey = "make_webhook"
	ProviderN8N     ProviderKey = "n8n_webhook"
)

// Mode is the deployment mode; it decides what URL safety allows.
type Mode string

// The deployment modes.
const (
	ModeCloud       Mode = "cloud"
	ModeSelfHosted  Mode = "self-hosted"
	ModeWebhookOnly Mode = "webhook-only"
)

// NetworkPolicy says whether a self-hosted target may reach private addresses.
type NetworkPolicy string

// The private network policies; deny is the default.
const (
	PolicyDeny      NetworkPolicy = "deny"
	PolicyAllowlist NetworkPolicy = "allowlist"
)

// PrivateNetwork is the customer's approval for posting to a private network.
type PrivateNetwork struct {
	Policy       NetworkPolicy `json:"policy" toml:"policy"`
	Allowlist    []string      `json:"allowlist" toml:"allowlist"`
	AuthorizedBy string        `json:"authorized_by" toml:"authorized_by"`
}

// Signing is the summary of a target's current signing secret shown
// everywhere instead of the secret itself.
type Signing struct {
	Algorithm   string    `json:"algorithm"`
	Fingerprint string    `json:"fingerprint"`
	CreatedAt   time.Time `json:"created_at"`
}

// Target is one saved webhook automation target. It never holds secret
// material; credentials travel separately (see Credential).
type Target struct {
	ID                      string      `json:"id"`
	Name                    string      `json:"name"`
	ProviderKey             ProviderKey `json:"provider_key"`
	DeploymentMode          Mode        `json:"deployment_mode"`
	BaseURL                 string      `json:"base_url"`
	ReceiverOwner           string      `json:"receiver_owner"`
	RevokePath              string      `json:"revoke_path"`
	ReceiverChecksConfirmed bool        `json:"receiver_checks_confirmed"`
	// AllowConfusableHost is the operator's confirmation that a look-alike
	// host (urlsafe.LookAlikeHost) is really the receiver's. It is asked
	// for when a URL is saved or checked and not stored: a saved target
	// with such a host was confirmed, and keeps its warning (HostWarnings).
	AllowConfusableHost bool           `json:"allow_confusable_host,omitempty"`
	PrivateNetwork      PrivateNetwork `json:"private_network"`
	RateLimit           RateLimit      `json:"rate_limit"`
	Signing             *Signing       `json:"signing,omitempty"`
	Version             int64          `json:"version"`
	CreatedAt           time.Time      `json:"created_at"`
	UpdatedAt           time.Time      `json:"updated_at"`

	// StandardWebhooks adds the Standard Webhooks headers to every
	// delivery (docs/standard-webhooks.md).
	StandardWebhooks bool `json:"standard_webhooks"`
	// EdgeAuth is the static header the platform checks first; nil sends
	// none. Its value travels separately (see EdgeAuth).
	EdgeAuth *EdgeAuth `json:"edge_auth,omitempty"`
	// URLCheck is the URL safety decision the target was last saved with;
	// nil when the saver made none (the CLI judges at every send).
	URLCheck *URLCheck `json:"url_check,omitempty"`
	// Resolve is the target's resolve override: the addresses its URL's
	// host is taken to have on the URL's port instead of DNS (resolveas.go).
	Resolve []string `json:"resolve,omitempty"`
}

// Credential is one stored signing secret. A target has one current
// credential and, during a rotation grace, older ones until ExpiresAt.
type Credential struct {
	Secret    string
	CreatedAt time.Time
	ExpiresAt time.Time // zero for the current credential
}

// SecretValid reports whether c may still sign or verify at now.
func (c Credential) SecretValid(now time.Time) bool {
	return c.ExpiresAt.IsZero() || now.Before(c.ExpiresAt)
}

// NormalizedPolicy returns the target's policy with the default filled in.
func (pn PrivateNetwork) NormalizedPolicy() NetworkPolicy {
	if pn.Policy == "" {
		return PolicyDeny
	}
	return pn.Policy
}

// DefaultPolicy is the private-network policy of a target that does not
// name one: an allowlist given alone means the operator wants an
// allowlist; otherwise the configured default for a self-hosted target
// (the only mode that may use an allowlist), and deny for the others.
func DefaultPolicy(mode Mode, configured NetworkPolicy, allowlist []string) NetworkPolicy {
	switch {
	case len(allowlist) > 0:
		return PolicyAllowlist
	case mode == ModeSelfHosted && configured != "":
		return configured
	}
	return PolicyDeny
}

// FieldKeys turns field names as ChangedFields gives them into the keys
// add, targets files and the audit log use: the URL is webhook_url
// (base_url is only its JSON name). Fields named in skip are left out.
func FieldKeys(fields []string, skip ...string) []string {
	out := make([]string, 0, len(fields))
	for _, f := range fields {
		switch {
		case slices.Contains(skip, f):
		case f == "base_url":
			out = append(out, "webhook_url")
		default:
			out = append(out, f)
		}
	}
	return out
}

// ChangedFields names, as the JSON output does, the fields that differ
// between the stored target a and the wanted b. The policy is compared with
// its default filled in, and an empty allowlist equals a missing one.
func ChangedFields(a, b Target) []string {
	var out []string
	add := func(differ bool, name string) {
		if differ {
			out = append(out, name)
		}
	}
	add(a.Name != b.Name, "name")
	add(a.ProviderKey != b.ProviderKey, "provider_key")
	add(a.DeploymentMode != b.DeploymentMode, "deployment_mode")
	add(urlsafe.WithoutFragment(a.BaseURL) != urlsafe.WithoutFragment(b.BaseURL), "base_url")
	add(a.ReceiverOwner != b.ReceiverOwner, "receiver_owner")
	add(a.RevokePath != b.RevokePath, "revoke_path")
	add(a.ReceiverChecksConfirmed != b.ReceiverChecksConfirmed, "receiver_checks_confirmed")
	add(a.PrivateNetwork.NormalizedPolicy() != b.PrivateNetwork.NormalizedPolicy(), "private_network.policy")
	add(!slices.Equal(a.PrivateNetwork.Allowlist, b.PrivateNetwork.Allowlist) &&
		len(a.PrivateNetwork.Allowlist)+len(b.PrivateNetwork.Allowlist) > 0, "private_network.allowlist")
	add(a.PrivateNetwork.AuthorizedBy != b.PrivateNetwork.AuthorizedBy, "private_network.authorized_by")
	add(a.RateLimit != b.RateLimit, "rate_limit")
	add(a.StandardWebhooks != b.StandardWebhooks, "standard_webhooks")
	add(edgeHeader(a) != edgeHeader(b), "edge_auth.header")
	add(!slices.Equal(a.Resolve, b.Resolve), "resolve")
	return out
}

// edgeHeader is t's edge authentication header name, "" without one.
func edgeHeader(t Target) string {
	if t.EdgeAuth == nil {
		return ""
	}
	return t.EdgeAuth.Header
}
