package recipes

import (
	"encoding/json"
	"go/format"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/webriskops/webhook-setup/core"
	"github.com/webriskops/webhook-setup/core/payload"
	"github.com/webriskops/webhook-setup/core/signing"
)

func TestRenderEveryProvider(t *testing.T) {
	secret := newSecret(t)
	// Render must not reach for the secret anywhere, the environment
	// included.
	t.Setenv(SecretEnv, secret)
	data := Data{Target: "tickets-prod", Host: "hooks.example.com", Fingerprint: signing.Fingerprint(secret)}
	for _, p := range Names {
		text, err := Render(p, data)
		if err != nil {
			t.Fatalf("Render(%q): %v", p, err)
		}
		if strings.Contains(text, secret) {
			t.Errorf("the %s recipe contains the secret", p)
		}
		for _, want := range []string{"tickets-prod", "hooks.example.com", signing.Fingerprint(secret), SecretEnv, "300"} {
			if !strings.Contains(text, want) {
				t.Errorf("the %s recipe does not mention %q", p, want)
			}
		}
		headers := []string{signing.HeaderTimestamp, signing.HeaderNonce, signing.HeaderSignature, signing.HeaderIdempotencyKey, signing.HeaderEvent, signing.HeaderSchema}
		if p == "standard-webhooks" {
			headers = []string{signing.HeaderWebhookID, signing.HeaderWebhookTimestamp, signing.HeaderWebhookSignature}
		}
		for _, h := range headers {
			if !strings.Contains(strings.ToLower(text), strings.ToLower(h)) {
				t.Errorf("the %s recipe does not read %s", p, h)
			}
		}
		if !strings.Contains(text, "WEBHOOK_SIGNATURE_INVALID") {
			t.Errorf("the %s recipe never answers WEBHOOK_SIGNATURE_INVALID", p)
		}
	}
}

// Data must have no place for a secret, so no caller can put one in a
// recipe by mistake.
func TestDataHasNoSecretField(t *testing.T) {
	typ := reflect.TypeOf(Data{})
	for i := 0; i < typ.NumField(); i++ {
		name := strings.ToLower(typ.Field(i).Name)
		if strings.Contains(name, "secret") && name != "fingerprint" {
			t.Errorf("Data has a field %s", typ.Field(i).Name)
		}
	}
	want := []string{"Target", "Host", "Fingerprint", "Tolerance"}
	var got []string
	for i := 0; i < typ.NumField(); i++ {
		got = append(got, typ.Field(i).Name)
	}
	if !slices.Equal(got, want) {
		t.Errorf("Data fields = %v, want %v: review any new field for secrets", got, want)
	}
}

func TestRenderRefuses(t *testing.T) {
	if _, err := Render("zapier_webhook", Data{}); err == nil {
		t.Error("Render accepted a provider key instead of a recipe name")
	}
	for _, tol := range []time.Duration{-time.Second, 1500 * time.Millisecond, time.Millisecond} {
		if _, err := Render("node", Data{Tolerance: tol}); err == nil {
			t.Errorf("Render accepted tolerance %v", tol)
		}
	}
}

func TestRenderTolerance(t *testing.T) {
	for _, p := range Names {
		text, err := Render(p, Data{Tolerance: 120 * time.Second})
		if err != nil {
			t.Fatal(err)
		}
		// Make's own intake limit is the one other 300 a recipe may name.
		text = strings.ReplaceAll(text, "300 requests per 10 s", "")
		if !strings.Contains(text, "120") || strings.Contains(text, "300") {
			t.Errorf("the %s recipe does not use the 120 s tolerance alone", p)
		}
	}
}

// A target name or host is shown in comments; whatever it holds must not
// end the comment and become code.
func TestCommentValuesCannotBecomeCode(t *testing.T) {
	hostile := "x\nprocess.exit(3)\r\u2028os.exit(3)\u2029// */"
	for _, p := range Names {
		text, err := Render(p, Data{Target: hostile, Host: hostile, Fingerprint: hostile})
		if err != nil {
			t.Fatal(err)
		}
		for _, line := range strings.Split(text, "\n") {
			if strings.HasPrefix(line, "process.exit") {
				t.Errorf("the %s recipe has a line of injected code: %q", p, line)
			}
		}
		for _, bad := range []string{"\r", "\u2028", "\u2029"} {
			if strings.Contains(text, bad) {
				t.Errorf("the %s recipe contains a raw %q", p, bad)
			}
		}
	}
}

func TestGoRecipeIsGofmtClean(t *testing.T) {
	for _, d := range []Data{{}, {Target: "a\nb", Host: "h", Fingerprint: "sha256:0123456789ab", Tolerance: time.Minute}} {
		text, err := Render("go", d)
		if err != nil {
			t.Fatal(err)
		}
		formatted, err := format.Source([]byte(text))
		if err != nil {
			t.Fatalf("the go recipe does not parse: %v", err)
		}
		if string(formatted) != text {
			t.Errorf("the go recipe is not gofmt-clean for %+v", d)
		}
	}
}

// The Make steps people follow say what the blueprint the tests run does:
// the message signed is exactly timestamp "." nonce "." raw body.
func TestMakeRecipeSignsTimestampNonceBody(t *testing.T) {
	text, err := Render("make", Data{})
	if err != nil {
		t.Fatal(err)
	}
	blueprint := text[strings.Index(text, "BEGIN BLUEPRINT"):]
	for _, want := range []string{
		`"value": "{{3.ts}}.{{3.nonce}}.{{1.value}}"`,
		`"b": "v1={{sha256(4.message; \"hex\"; 2.value)}}"`,
		`"b": "{{timestamp - 300}}"`,
		`"jsonPassThrough": true`,
	} {
		if !strings.Contains(blueprint, want) {
			t.Errorf("the make blueprint lacks %s", want)
		}
	}
	for _, want := range []string{
		"message    {{3.ts}}.{{3.nonce}}.{{1.value}}",
		`v1={{sha256(4.message; "hex"; 2.value)}}`,
		"{{timestamp - 300}}",
		"{{timestamp + 300}}",
		"JSON pass-through:    Yes",
		"Get request headers:  Yes",
		`"x-webriskops-signature"`,
	} {
		if !strings.Contains(text, want) {
			t.Errorf("the make recipe lacks %q", want)
		}
	}
}

func TestZapierFieldNames(t *testing.T) {
	if got := zapierHeader(signing.HeaderSignature); got != "Http-X-Webriskops-Signature" {
		t.Errorf("zapierHeader = %q", got)
	}
	if got := zapierField(signing.HeaderIdempotencyKey); got != "Headers Http X Webriskops Idempotency Key" {
		t.Errorf("zapierField = %q", got)
	}
}

func TestProvidersAreDescribed(t *testing.T) {
	want := []string{"zapier", "make", "n8n", "node", "python", "go", "standard-webhooks"}
	if !slices.Equal(Names, want) {
		t.Errorf("Names = %v, want %v", Names, want)
	}
	for _, p := range Names {
		if d := Describe(p); d == "" || strings.Contains(d, "\n") {
			t.Errorf("Describe(%q) = %q, want one line", p, d)
		}
	}
	if Describe("cobol") != "" {
		t.Error("Describe of an unknown recipe is not empty")
	}
}

func TestForProviderKey(t *testing.T) {
	want := map[core.ProviderKey]string{
		core.ProviderZapier:  "zapier",
		core.ProviderMake:    "make",
		core.ProviderN8N:     "n8n",
		core.ProviderGeneric: "node",
		core.ProviderWebhook: "node",
	}
	for _, p := range core.Providers {
		got := ForProviderKey(string(p.Key))
		if got != want[p.Key] || !slices.Contains(Names, got) {
			t.Errorf("ForProviderKey(%q) = %q, want %q", p.Key, got, want[p.Key])
		}
	}
	if got := ForProviderKey("slack"); got != "" {
		t.Errorf("ForProviderKey(slack) = %q, want \"\"", got)
	}
}

// The recipes' test deliveries are real exports, or a receiver that checks
// the schema would refuse them.
func TestExportBodyMatchesTheSchema(t *testing.T) {
	if err := payload.ValidateBody(exportBody("key_1")); err != nil {
		t.Fatal(err)
	}
}

// The schema the recipes embed is the payload schema with only its
// annotations removed, and uses no keyword their validators skip.
func TestSchemaRulesAreThePayloadSchema(t *testing.T) {
	var full, rules map[string]any
	if err := json.Unmarshal(payload.Schema(), &full); err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal([]byte(schemaRules), &rules); err != nil {
		t.Fatal(err)
	}
	if len(rules["required"].([]any)) != len(full["required"].([]any)) || rules["$defs"] == nil {
		t.Fatalf("schemaRules lost rules: %s", schemaRules)
	}
	if _, err := stripSchema(map[string]any{"type": "object", "minProperties": 1.0}, false); err == nil {
		t.Error("a schema with a keyword the validators do not know was accepted")
	}
	for _, p := range []string{"zapier", "n8n", "node", "python", "go"} {
		text, err := Render(p, Data{})
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(text, schemaRules) {
			t.Errorf("the %s recipe does not embed the schema rules", p)
		}
	}
}
