// Package recipes renders receiver verification code, one recipe per
// provider, from embedded templates. A recipe shows a customer how their
// endpoint checks a WebRiskOps delivery: the signature over the raw body,
// the timestamp tolerance, the nonce replay window and the idempotency key.
//
// Recipes never contain a secret: Data has no field for one, and every
// recipe reads the secret from the receiver's own environment or secret
// store (SecretEnv). What a recipe may show is the secret's fingerprint, so
// the customer can tell which secret the receiver must hold.
package recipes

import (
	"bytes"
	"embed"
	"fmt"
	"strings"
	"sync"
	"text/template"
	"time"

	"github.com/webriskops/webhook-setup/core"
	"github.com/webriskops/webhook-setup/core/codes"
	"github.com/webriskops/webhook-setup/core/sanitize"
	"github.com/webriskops/webhook-setup/core/signing"
)

// SecretEnv is the environment variable (or platform variable) every recipe
// reads the signing secret from. During the receiver's own rotation it may
// hold several secrets separated by commas.
const SecretEnv = "WEBRISKOPS_WEBHOOK_SECRET"

// Data is what a recipe may say about the target. Every field is optional
// and only ever appears in comments, never as code.
type Data struct {
	// Target is the target's name, shown so the customer knows which
	// WebRiskOps target the receiver belongs to.
	Target string
	// Host is the endpoint's host.
	Host string
	// Fingerprint identifies the signing secret (signing.Fingerprint); it
	// is never the secret.
	Fingerprint string
	// Tolerance is how far a delivery's timestamp may be from the
	// receiver's clock, in whole seconds; zero means
	// signing.DefaultTolerance.
	Tolerance time.Duration
}

// recipe is one provider's template and the sentence that presents it.
type recipe struct {
	name        string
	description string
	file        string
}

// catalog is the single list of recipes; Names and Describe derive
// from it.
var catalog = []recipe{
	{"zapier", "Zapier: Catch Raw Hook, a Code by Zapier (JavaScript) step that verifies, and a Filter.", "zapier.js.tmpl"},
	{"make", "Make: Custom webhook with headers and JSON pass-through, sha256 HMAC in a filter, data stores for replay.", "make.txt.tmpl"},
	{"n8n", "n8n: Webhook node with Raw Body, a Code node that verifies, Respond to Webhook for 401.", "n8n.js.tmpl"},
	{"node", "Node.js: a standalone HTTP(S) receiver using only built-in modules.", "node.js.tmpl"},
	{"python", "Python 3: a standalone HTTP(S) receiver using only the standard library.", "python.py.tmpl"},
	{"go", "Go: a standalone HTTP(S) receiver using only the standard library.", "go.go.tmpl"},
	{"standard-webhooks", "Standard Webhooks: Node.js and Python receivers on the maintained standardwebhooks libraries (targets with --standard-webhooks).", "standard-webhooks.txt.tmpl"},
}

// Names lists the recipe names Render accepts, in the order people see
// them. Describe gives each one's one-line description.
var Names = func() []string {
	names := make([]string, len(catalog))
	for i, r := range catalog {
		names[i] = r.name
	}
	return names
}()

// Describe returns the one-line description of provider, or "" when there
// is no such recipe.
func Describe(provider string) string {
	if r, ok := lookup(provider); ok {
		return r.description
	}
	return ""
}

// ForProviderKey returns the recipe that fits a target's provider key, so
// the wizard can offer it one key away: the platform's own recipe for
// zapier_webhook, make_webhook and n8n_webhook, the Node.js receiver for
// generic_webhook and webhook. It returns "" for an unknown key.
func ForProviderKey(key string) string {
	switch core.ProviderKey(key) {
	case core.ProviderZapier:
		return "zapier"
	case core.ProviderMake:
		return "make"
	case core.ProviderN8N:
		return "n8n"
	case core.ProviderGeneric, core.ProviderWebhook:
		return "node"
	}
	return ""
}

//go:embed templates/*.tmpl
var files embed.FS

// templates holds every recipe, parsed on first use rather than when the
// program starts: parsing them took about a millisecond of every command's
// start-up, export's included (docs/performance.md). The delimiters are
// <% and %> because Make formulas use {{ }} and no recipe language uses
// <% %>.
var templates = sync.OnceValue(func() *template.Template {
	return template.Must(template.New("recipes").Delims("<%", "%>").Funcs(template.FuncMap{
		"lower":        strings.ToLower,
		"zapierHeader": zapierHeader,
		"zapierField":  zapierField,
		"schemaRules":  func() string { return schemaRules },
	}).ParseFS(files, "templates/*.tmpl"))
})

// Render returns the recipe for provider (one of Names) filled with
// data. It refuses an unknown provider and a tolerance that is negative or
// not whole seconds.
func Render(provider string, data Data) (string, error) {
	r, ok := lookup(provider)
	if !ok {
		return "", fmt.Errorf("no recipe for %q: want one of %s", provider, strings.Join(Names, ", "))
	}
	v, err := newView(data)
	if err != nil {
		return "", err
	}
	if r.name == "zapier" {
		if err := zapierFits(v.ToleranceSeconds); err != nil {
			return "", err
		}
	}
	var b bytes.Buffer
	if err := templates().ExecuteTemplate(&b, r.file, v); err != nil {
		return "", fmt.Errorf("render the %s recipe: %w", provider, err)
	}
	return b.String(), nil
}

func lookup(provider string) (recipe, bool) {
	for _, r := range catalog {
		if r.name == provider {
			return r, true
		}
	}
	return recipe{}, false
}

// view is what the templates see: the data made safe for a one-line
// comment, and every fact of the signing spec taken from where it lives.
type view struct {
	Target, Host, Fingerprint string
	ToleranceSeconds          int64

	HeaderEvent, HeaderSchema, HeaderIdempotencyKey string
	HeaderTimestamp, HeaderNonce, HeaderSignature   string
	// The Standard Webhooks headers (standard-webhooks.txt.tmpl).
	WebhookID, WebhookTimestamp, WebhookSignature string

	Event, Schema    string
	SignaturePrefix  string
	NonceLen         int
	MaxEntries       int
	SecretEnv        string
	InvalidCode      string
	PayloadCode      string
	DefaultTolerance int64
	// ZapierSliceSeconds is the Zapier recipe's replay slice: the spacing
	// of zapier_webhook's default pace, so each slice holds one delivery.
	ZapierSliceSeconds int
}

// commentMax caps a value shown in a comment.
const commentMax = 120

func newView(d Data) (view, error) {
	tol := d.Tolerance
	if tol == 0 {
		tol = signing.DefaultTolerance
	}
	if tol < time.Second || tol%time.Second != 0 {
		return view{}, fmt.Errorf("tolerance %v must be a positive whole number of seconds", d.Tolerance)
	}
	return view{
		Target:               comment(d.Target),
		Host:                 comment(d.Host),
		Fingerprint:          comment(d.Fingerprint),
		ToleranceSeconds:     int64(tol / time.Second),
		HeaderEvent:          signing.HeaderEvent,
		HeaderSchema:         signing.HeaderSchema,
		HeaderIdempotencyKey: signing.HeaderIdempotencyKey,
		HeaderTimestamp:      signing.HeaderTimestamp,
		HeaderNonce:          signing.HeaderNonce,
		HeaderSignature:      signing.HeaderSignature,
		WebhookID:            signing.HeaderWebhookID,
		WebhookTimestamp:     signing.HeaderWebhookTimestamp,
		WebhookSignature:     signing.HeaderWebhookSignature,
		Event:                signing.EventName,
		Schema:               signing.SchemaVersion,
		SignaturePrefix:      signing.SignaturePrefix,
		NonceLen:             signing.NonceLen,
		MaxEntries:           signing.MaxSignatureEntries,
		SecretEnv:            SecretEnv,
		InvalidCode:          string(codes.SignatureInvalid),
		PayloadCode:          string(codes.PayloadInvalid),
		DefaultTolerance:     int64(signing.DefaultTolerance / time.Second),
		ZapierSliceSeconds:   zapierSliceSeconds(),
	}, nil
}

// comment makes s safe inside a one-line comment of any recipe language:
// control and line-separator characters become visible escapes (so s cannot
// end the comment and become code), and it is cut to commentMax runes.
// Empty becomes "(not set)".
func comment(s string) string {
	s = strings.TrimSpace(s)
	if s == "" {
		return "(not set)"
	}
	return sanitize.Truncate(sanitize.Line(s), commentMax)
}

// zapierHeader returns the name under which a Catch Raw Hook step hands
// over a request header: "Http-" and the header's dash-separated words with
// only their first letter capitalised ("Http-X-Webriskops-Signature"), as
// Zapier's own webhook requests show them.
func zapierHeader(header string) string {
	words := strings.Split(header, "-")
	for i, w := range words {
		if w != "" {
			words[i] = strings.ToUpper(w[:1]) + strings.ToLower(w[1:])
		}
	}
	return "Http-" + strings.Join(words, "-")
}

// zapierField returns the label the Zap editor shows for that header:
// "Headers Http X Webriskops Signature", as it shows "Headers Http
// Authorization".
func zapierField(header string) string {
	return "Headers " + strings.ReplaceAll(zapierHeader(header), "-", " ")
}
