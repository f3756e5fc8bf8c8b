package wizard

import (
	"context"
	"encoding/json"
	"net/url"
	"regexp"
	"strings"

	"github.com/webriskops/webhook-setup/core"
	"github.com/webriskops/webhook-setup/core/codes"
	"github.com/webriskops/webhook-setup/core/signing"
	"github.com/webriskops/webhook-setup/core/urlsafe"
)

// answers is everything the operator has given so far in one setup. It is
// the draft: saved to the store (which encrypts it, secret included) after
// every completed step, and read back to resume.
type answers struct {
	Provider core.ProviderKey `json:"provider_key,omitempty"`
	Mode     core.Mode        `json:"deployment_mode,omitempty"`
	URL      string           `json:"webhook_url,omitempty"`
	// LookAlikeConfirmed is the URL whose look-alike host the operator
	// confirmed as the receiver's; a changed URL needs a new confirmation.
	LookAlikeConfirmed string `json:"look_alike_confirmed,omitempty"`
	// ResolveAs is the "resolve as" answer (resolve_as.go): the addresses
	// the URL's host is taken to have instead of DNS, given for ResolveFor
	// (HOST:PORT); it counts only while the URL has that host and port.
	ResolveAs  []string `json:"resolve_as,omitempty"`
	ResolveFor string   `json:"resolve_for,omitempty"`

	Secret string `json:"signing_secret,omitempty"`
	// SecretGenerated marks a secret this wizard generated; it must be
	// confirmed as stored in the receiver (SecretStored) before the step
	// completes.
	SecretGenerated bool `json:"secret_generated,omitempty"`
	SecretStored    bool `json:"secret_stored,omitempty"`

	// Checks holds the receiver-check headers the operator ticked.
	Checks []string `json:"receiver_checks,omitempty"`

	Policy       core.NetworkPolicy `json:"private_network_policy,omitempty"`
	Allowlist    []string           `json:"private_network_allowlist,omitempty"`
	AuthorizedBy string             `json:"authorized_by,omitempty"`

	Owner      string `json:"receiver_owner,omitempty"`
	RevokePath string `json:"revoke_path,omitempty"`

	// Name is the target name; empty means the default from provider and
	// host (defaultName).
	Name string `json:"name,omitempty"`

	// The optional extras of the Receiver checks step (receiver_extras.go):
	// the Standard Webhooks headers, and an edge header with its value (a
	// credential, encrypted in the draft like the secret).
	StandardWebhooks bool   `json:"standard_webhooks,omitempty"`
	EdgeHeader       string `json:"edge_header,omitempty"`
	EdgeValue        string `json:"edge_value,omitempty"`

	// approval is the endpoint verdict that needs private-network
	// approval, for this run only (network_approval.go).
	approval *approvalNote
}

// receiverHeaders are the six headers the operator confirms the receiver
// verifies, in the order the product page lists them.
var receiverHeaders = []string{
	signing.HeaderEvent,
	signing.HeaderSchema,
	signing.HeaderIdempotencyKey,
	signing.HeaderTimestamp,
	signing.HeaderNonce,
	signing.HeaderSignature,
}

// Ticked reports whether the operator ticked header.
func (a *answers) Ticked(header string) bool {
	for _, h := range a.Checks {
		if h == header {
			return true
		}
	}
	return false
}

// ChecksConfirmed reports whether all six receiver checks are ticked.
func (a *answers) ChecksConfirmed() bool {
	for _, h := range receiverHeaders {
		if !a.Ticked(h) {
			return false
		}
	}
	return true
}

// TargetName is the name the target will be saved under.
func (a *answers) TargetName() string {
	if a.Name != "" {
		return a.Name
	}
	return defaultName(a.Provider, a.URL)
}

// Target builds the target the answers describe. The private network
// approval only counts for a self-hosted target; other modes are public
// HTTPS only whatever was answered before the mode changed. Signing is
// filled from the secret when the secret is acceptable, as the store would.
func (a *answers) Target() core.Target {
	t := core.Target{
		Name:                    a.TargetName(),
		ProviderKey:             a.Provider,
		DeploymentMode:          a.Mode,
		BaseURL:                 a.URL,
		ReceiverOwner:           a.Owner,
		RevokePath:              a.RevokePath,
		ReceiverChecksConfirmed: a.ChecksConfirmed(),
		AllowConfusableHost:     a.URL != "" && a.LookAlikeConfirmed == a.URL,
		PrivateNetwork:          core.PrivateNetwork{Policy: core.PolicyDeny},
	}
	if a.Mode == core.ModeSelfHosted {
		policy := a.Policy
		if policy == "" {
			policy = core.PolicyDeny
		}
		t.PrivateNetwork = core.PrivateNetwork{Policy: policy, AuthorizedBy: a.AuthorizedBy}
		if policy == core.PolicyAllowlist {
			t.PrivateNetwork.Allowlist = append([]string(nil), a.Allowlist...)
		}
	}
	if signing.CheckSecret(a.Secret) == nil {
		t.Signing = &core.Signing{Algorithm: signing.Algorithm, Fingerprint: signing.Fingerprint(a.Secret)}
	}
	a.extras(&t)
	a.resolve(&t)
	return t
}

// Problems is every problem the core finds with the answers without the
// network: the same rules add and the store apply.
func (a *answers) Problems() []codes.Problem {
	return a.Judge(nil).Problems
}

// Assess is core.Assess of the answers (the endpoint checked through r),
// with the edge header's problems: the readiness the Review shows.
func (a *answers) Assess(ctx context.Context, r urlsafe.Resolver) core.Assessment {
	as := core.Assess(ctx, a.Target(), a.Secret, r)
	as.Include(core.CheckEdge(a.EdgeHeader, a.EdgeValue)...)
	return as
}

// Judge is Assess with the endpoint verdict already in hand (nil: not
// checked yet), for the Review screen, whose check runs off the UI loop
// while the name may still change.
func (a *answers) Judge(v *urlsafe.Verdict) core.Assessment {
	as := core.AssessWith(a.Target(), a.Secret, v)
	as.Include(core.CheckEdge(a.EdgeHeader, a.EdgeValue)...)
	a.nameUnticked(as.Problems)
	return as
}

// nameUnticked narrows the core's "receiver checks not confirmed" reason,
// which can only name all six headers (a target stores one bool), to the
// headers the operator has not ticked yet.
func (a *answers) nameUnticked(ps []codes.Problem) {
	var missing []string
	for _, h := range receiverHeaders {
		if !a.Ticked(h) {
			missing = append(missing, h)
		}
	}
	reason := "not confirmed: the receiver's check of " + strings.Join(missing, ", ") + " is not ticked"
	if len(missing) > 1 {
		reason = "not confirmed: the receiver's checks of " + strings.Join(missing, ", ") + " are not ticked"
	}
	for i := range ps {
		if ps[i].Field == "receiver_checks_confirmed" && len(missing) > 0 {
			ps[i].Reason = reason
		}
	}
}

// confirmedCount is how many of the six receiver checks are ticked.
func (a *answers) confirmedCount() int {
	n := 0
	for _, h := range receiverHeaders {
		if a.Ticked(h) {
			n++
		}
	}
	return n
}

// FieldProblems is Problems narrowed to the fields a step asks for, so a
// step shows exactly what the core says about its own fields.
func (a *answers) FieldProblems(fields ...string) []codes.Problem {
	var out []codes.Problem
	for _, p := range a.Problems() {
		for _, f := range fields {
			if p.Field == f || strings.HasPrefix(p.Field, f+".") {
				out = append(out, p)
				break
			}
		}
	}
	return out
}

// Marshal is the draft's stored form.
func (a *answers) Marshal() []byte {
	b, _ := json.Marshal(a) // plain strings and slices: cannot fail
	return b
}

// unmarshalAnswers reads a stored draft.
func unmarshalAnswers(b []byte) (answers, error) {
	var a answers
	err := json.Unmarshal(b, &a)
	return a, err
}

var nameJunk = regexp.MustCompile(`[^a-z0-9]+`)

// defaultName proposes a target name from the provider and the endpoint
// host, e.g. "zapier-hooks-zapier-com" ("n8n-corp-example" for the host
// n8n.corp.example: the provider's name is not repeated), cut to the name rule (a-z, 0-9 and
// '-', at most core.MaxNameLen characters, starting with a letter or digit).
func defaultName(provider core.ProviderKey, rawURL string) string {
	prefix := strings.TrimSuffix(string(provider), "_webhook")
	host := ""
	if u, err := url.Parse(strings.TrimSpace(rawURL)); err == nil {
		host = u.Hostname()
	}
	name := strings.Trim(nameJunk.ReplaceAllString(strings.ToLower(prefix+"-"+host), "-"), "-")
	// A host that already starts with the provider's name ("n8n.corp.example")
	// is not prefixed again: "n8n-corp-example", not "n8n-n8n-corp-example".
	if h := strings.Trim(nameJunk.ReplaceAllString(strings.ToLower(host), "-"), "-"); h == prefix || strings.HasPrefix(h, prefix+"-") {
		name = h
	}
	if len(name) > core.MaxNameLen {
		name = strings.TrimRight(name[:core.MaxNameLen], "-")
	}
	if name == "" {
		name = "webhook"
	}
	return name
}
