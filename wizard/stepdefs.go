package wizard

import (
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/webriskops/webhook-setup/core"
	"github.com/webriskops/webhook-setup/core/codes"
	"github.com/webriskops/webhook-setup/core/signing"
	"github.com/webriskops/webhook-setup/core/urlsafe"
)

// The setup steps written once. Each step's intro, its choice (options
// and the answer it sets) or its text fields (key, title, description,
// placeholder, sanitiser and the core's check) live here; the full-screen
// front end (step_choice.go, step_owner.go, step_secret.go,
// step_network.go) and the accessible one (accessible_steps.go) both draw
// them, so the two cannot drift apart again. The title is the step's
// (stepTitles in flow.go). Screens that earn their own code (the endpoint
// check, the receiver checks, Review) take only their intro from here.

// stepDef is one setup step as both front ends show it.
type stepDef struct {
	// intro says what the step is for, above its choice or fields.
	intro string
	// choice is the step's one-of-n question, nil for a step of fields.
	choice *choiceDef
	// fields are the step's text fields, in order.
	fields []fieldDef
}

// choiceDef is a one-of-n question checked by the core like every field.
type choiceDef struct {
	// field is the JSON name the core's problems use.
	field   string
	options func(a *answers) []option
	get     func(a *answers) string
	set     func(a *answers, value string)
}

// check is the core's problems with value as the answer, on a copy of a.
func (c *choiceDef) check(a *answers, value string) []codes.Problem {
	cp := *a
	c.set(&cp, value)
	return cp.FieldProblems(c.field)
}

// fieldDef is one text field: what it asks, how its text is cleaned and
// how the core checks it.
type fieldDef struct {
	// key is the JSON name the core's problems use.
	key   string
	title string
	desc  string
	// placeholder is an example answer for the provider, drawn in the
	// empty field (full screen) or after the description (plain prompts).
	placeholder func(p core.ProviderKey) string
	// hint marks a placeholder that restates desc rather than giving an
	// example: the plain prompts, which print desc, leave it out.
	hint bool
	// limit is the longest text the core keeps, in bytes (check refuses
	// a longer one as generic_webhook_text_too_long; nothing is cut).
	limit int
	get   func(a *answers) string
	set   func(a *answers, value string)
}

// sanitize is the field's text as it is stored: sanitizeText, trimmed.
func (f *fieldDef) sanitize(v string) string { return strings.TrimSpace(sanitizeText(v)) }

// check is the core's problems with v (sanitised) as the field's value,
// on a copy of a: a too-long text is generic_webhook_text_too_long with
// its size, an empty one the field's "missing" code.
func (f *fieldDef) check(a *answers, v string) []codes.Problem {
	cp := *a
	f.set(&cp, f.sanitize(v))
	return cp.FieldProblems(f.key)
}

// sanitizeText is what a text input keeps of typed or pasted text, the
// one rule for both front ends: line breaks and tabs become spaces;
// control characters (ESC and so escape sequences' introducer), invalid
// UTF-8, invisible format characters (bidi overrides such as RLO,
// zero-width characters such as ZWSP) and line/paragraph separators go.
// It is the bubbles text input's sanitiser with cleanKey's rule on top.
func sanitizeText(s string) string {
	var b strings.Builder
	b.Grow(len(s))
	for i, w := 0, 0; i < len(s); i += w {
		r, size := utf8.DecodeRuneInString(s[i:])
		w = size
		switch {
		case r == utf8.RuneError:
		case r == '\r' || r == '\n' || r == '\t':
			b.WriteByte(' ')
		case unicode.IsControl(r), invisible(r):
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}

// invisible reports whether r is a character that changes how text
// around it reads without being seen: a format character (bidi controls,
// zero-width characters) or a line or paragraph separator.
func invisible(r rune) bool {
	return unicode.Is(unicode.Cf, r) || r == '\u2028' || r == '\u2029'
}

// The options of the Signing secret step (also Rotate secret's).
const (
	secretOptKeep     = "keep"
	secretOptGenerate = "generate"
	secretOptPaste    = "paste"
)

// secretOptions are the ways to give a signing secret; "keep" first when
// current is a usable secret.
func secretOptions(current string) []option {
	opts := []option{
		{value: secretOptGenerate, label: "Generate one (recommended)", desc: "A new random " + signing.GeneratedPrefix + "… secret, shown once."},
		{value: secretOptPaste, label: "Paste one", desc: fmt.Sprintf("A secret the receiver already has: %d to %d printable ASCII characters, no spaces.", signing.MinSecretLen, signing.MaxSecretLen)},
	}
	if current != "" && signing.CheckSecret(current) == nil {
		opts = append([]option{{value: secretOptKeep, label: "Keep the current secret", desc: signingSummary(current)}}, opts...)
	}
	return opts
}

// secretShownWarning is said with a generated secret, in both front ends.
const secretShownWarning = "Shown once. Store this secret in the receiver now:"

// secretPasteIntro is said above the paste-secret input.
const secretPasteIntro = "Paste the signing secret the receiver holds. It stays hidden; only its fingerprint is shown."

// secretFileWritten is said once a generated secret is written to path.
func secretFileWritten(path string) string {
	return "Wrote the secret to " + path + " (mode 0600, a new file). Keep it out of version control and delete it once the receiver has it."
}

// secretStoredPrompt is what the operator confirms before the setup goes on.
const secretStoredPrompt = "Is the secret stored in the receiver?"

// secretDiscardQuestion is asked before a shown generated secret is thrown
// away (the receiver may hold it already).
const secretDiscardQuestion = "Discard this secret? A receiver that holds it already will need the new one."

// policyOptions are the Private network policies.
var policyOptions = []option{
	{value: string(core.PolicyDeny), label: "deny", desc: "the endpoint must be public HTTPS. Choose allowlist to approve private CIDRs or host names."},
	{value: string(core.PolicyAllowlist), label: "allowlist", desc: "approve private CIDRs or host names."},
}

// allowlistHint says what an allowlist entry may be.
const allowlistHint = "Private CIDRs inside 10/8, 172.16/12, 192.168/16, 100.64/10 or fc00::/7, or host names (exact or *.suffix)."

// endpointIntro opens the Endpoint URL step in both front ends; the
// field's example is urlExample, the mode's rule modeRule.
const endpointIntro = "Paste the webhook_url exactly as Zapier, Make, n8n or the internal receiver gave it."

// authorizedByField is who approved the private route.
var authorizedByField = fieldDef{
	key:         "private_network.authorized_by",
	title:       "Authorized by",
	limit:       core.MaxTextLen,
	desc:        "Who approved this route: a person or a ticket.",
	placeholder: func(core.ProviderKey) string { return "who approved it: a person or a ticket" },
	hint:        true,
	get:         func(a *answers) string { return a.AuthorizedBy },
	set:         func(a *answers, v string) { a.AuthorizedBy = v },
}

// ownerFields are the Receiver owner and revoke path step's fields.
var ownerFields = []fieldDef{
	{
		key:         ownerField,
		title:       "Receiver owner",
		limit:       core.MaxTextLen,
		desc:        "The person or team who owns the receiving endpoint.",
		placeholder: func(core.ProviderKey) string { return "ops@example.com" },
		get:         func(a *answers) string { return a.Owner },
		set:         func(a *answers, v string) { a.Owner = v },
	},
	{
		key:         revokeField,
		title:       "Revoke path",
		limit:       core.MaxTextLen,
		desc:        "Where the receiver URL and signing secret are rotated or deleted.",
		placeholder: revokeExample,
		get:         func(a *answers) string { return a.RevokePath },
		set:         func(a *answers, v string) { a.RevokePath = v },
	},
}

// stepDefs are the steps as both front ends draw them.
var stepDefs = map[stepID]stepDef{
	stepProvider: {
		intro: "Which kind of endpoint receives the ticket exports? The provider key is recorded before the endpoint is asked for.",
		choice: &choiceDef{field: "provider_key",
			options: func(*answers) []option {
				return namedOptions(core.Providers, func(p core.Provider) (string, string) { return string(p.Key), p.Description })
			},
			get: func(a *answers) string { return string(a.Provider) },
			set: func(a *answers, v string) { a.Provider = core.ProviderKey(v) }},
	},
	stepMode: {
		intro: "Where does the receiver run? This decides what URL safety allows: a public SaaS hook must be public HTTPS; a self-hosted receiver may sit on a private network the customer approves.",
		choice: &choiceDef{field: "deployment_mode",
			options: func(*answers) []option {
				return namedOptions(core.Modes, func(m core.ModeInfo) (string, string) { return string(m.Mode), m.Description })
			},
			get: func(a *answers) string { return string(a.Mode) },
			set: func(a *answers, v string) { a.Mode = core.Mode(v) }},
	},
	stepSecret: {
		intro: "WebRiskOps signs every delivery with HMAC-SHA256 and sends the signature in X-WebRiskOps-Signature; the secret never goes into the payload. The receiver needs the same secret to verify.",
	},
	stepReceiver: {
		intro: "Tick each header the receiver verifies before it creates downstream work, so stale, replayed, duplicate or unsigned deliveries are rejected.",
	},
	stepNetwork: {
		intro: "Evidence (ticket exports with report findings) will be posted to this private network. Approve a route only when the customer has authorized it.",
		choice: &choiceDef{field: "private_network",
			options: func(*answers) []option { return policyOptions },
			get:     func(a *answers) string { return string(a.Policy) },
			set:     func(a *answers, v string) { a.Policy = core.NetworkPolicy(v) }},
	},
	stepOwner: {
		intro:  "Before saving, record who owns the receiver and where to revoke it: disconnecting starts there.",
		fields: ownerFields,
	},
}

// defOf is the definition of step s (empty for a step without one).
func defOf(s stepID) stepDef { return stepDefs[s] }

// reviewWarnings are what Review repeats about the endpoint (a URL that
// does not look like the provider's, an n8n test URL, a look-alike host):
// the check's warnings when v is its verdict, or while there is none the
// ones that need no network, so a hint given at the Endpoint URL step is
// read again before saving, in both front ends.
func reviewWarnings(a *answers, v *urlsafe.Verdict) []string {
	if v != nil {
		return v.Warnings
	}
	return core.EndpointHints(a.Target())
}
