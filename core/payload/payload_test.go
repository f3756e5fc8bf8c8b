package payload

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"reflect"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/webriskops/webhook-setup/core"
	"github.com/webriskops/webhook-setup/core/codes"
	"github.com/webriskops/webhook-setup/core/signing"
)

// The worked example of docs/signing.md.
var (
	docTarget = TargetRef{ID: "tgt_01HZX3Q9", Name: "zapier-tickets"}
	docTicket = Ticket{
		Title:       "Missing HSTS header on www.example.com",
		Description: "The site answers without Strict-Transport-Security.",
		Severity:    SeverityMedium,
		Kind:        KindFinding,
		FindingID:   "fnd_8c2e41",
		ReportURL:   "https://app.webriskops.com/findings/fnd_8c2e41",
		Labels:      []string{"webriskops", "tls"},
		DueDate:     "2026-02-15",
	}
	docNow = time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
)

const docKey = "wro_5cde8c53221bdb9a6e632e20532ffbbf"

func docBody(t *testing.T) []byte {
	t.Helper()
	body, err := Build(docTarget, "zapier_webhook", docTicket, DefaultIdempotencyKey(docTarget.ID, KindFinding, docTicket.FindingID), false, docNow)
	if err != nil {
		t.Fatal(err)
	}
	return body
}

func TestBuildDocExample(t *testing.T) {
	body := docBody(t)
	doc, err := os.ReadFile("../../docs/signing.md")
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Contains(doc, append(append([]byte("\n"), body...), '\n')) {
		t.Errorf("docs/signing.md does not show the body Build produces:\n%s", body)
	}
}

func TestBuildShape(t *testing.T) {
	// A zone other than UTC and a fraction of a second: occurred_at is UTC,
	// whole seconds, Z.
	now := time.Date(2026, 3, 4, 7, 8, 9, 123456789, time.FixedZone("CET", 3600))
	tk := Ticket{Title: "<b>A & B</b>", Description: "", Severity: "high", Kind: "fix_task", FindingID: "f1"}
	body, err := Build(docTarget, "n8n_webhook", tk, "k-1", true, now)
	if err != nil {
		t.Fatal(err)
	}
	want := `{"schema_version":"ticket-export.webhook.v1","event":"ticket_export.requested","idempotency_key":"k-1","occurred_at":"2026-03-04T06:08:09Z","test":true,"provider_key":"n8n_webhook","target":{"id":"tgt_01HZX3Q9","name":"zapier-tickets"},"ticket":{"title":"<b>A & B</b>","description":"","severity":"high","kind":"fix_task","finding_id":"f1"}}`
	if string(body) != want {
		t.Errorf("Build =\n%s\nwant\n%s", body, want)
	}
}

func wantInvalid(t *testing.T, err error, contains ...string) {
	t.Helper()
	var e *codes.Error
	if !errors.As(err, &e) || e.Code != codes.PayloadInvalid {
		t.Fatalf("err = %v, want %s", err, codes.PayloadInvalid)
	}
	for _, c := range contains {
		if !strings.Contains(e.Reason, c) {
			t.Errorf("reason %q lacks %q", e.Reason, c)
		}
	}
}

func TestBuildRefuses(t *testing.T) {
	ok := docTicket
	for _, c := range []struct {
		name   string
		target TargetRef
		prov   string
		ticket func(*Ticket)
		key    string
		want   string
	}{
		{"unknown provider", docTarget, "jira", nil, docKey, "/provider_key"},
		{"empty target id", TargetRef{Name: "x"}, "webhook", nil, docKey, "/target/id"},
		{"bad target name", TargetRef{ID: "t", Name: "Bad Name"}, "webhook", nil, docKey, "/target/name"},
		{"empty key", docTarget, "webhook", nil, "", "/idempotency_key"},
		{"key with space", docTarget, "webhook", nil, "a b", "/idempotency_key"},
		{"empty title", docTarget, "webhook", func(t *Ticket) { t.Title = "" }, docKey, "/ticket/title"},
		{"blank title", docTarget, "webhook", func(t *Ticket) { t.Title = "   " }, docKey, "/ticket/title"},
		{"long title", docTarget, "webhook", func(t *Ticket) { t.Title = strings.Repeat("é", 201) }, docKey, "/ticket/title"},
		{"long description", docTarget, "webhook", func(t *Ticket) { t.Description = strings.Repeat("x", 20001) }, docKey, "/ticket/description"},
		{"severity", docTarget, "webhook", func(t *Ticket) { t.Severity = "urgent" }, docKey, "/ticket/severity"},
		{"kind", docTarget, "webhook", func(t *Ticket) { t.Kind = "bug" }, docKey, "/ticket/kind"},
		{"empty finding id", docTarget, "webhook", func(t *Ticket) { t.FindingID = "" }, docKey, "/ticket/finding_id"},
		{"long finding id", docTarget, "webhook", func(t *Ticket) { t.FindingID = strings.Repeat("f", 201) }, docKey, "/ticket/finding_id"},
		{"relative report url", docTarget, "webhook", func(t *Ticket) { t.ReportURL = "/findings/1" }, docKey, "/ticket/report_url"},
		{"ftp report url", docTarget, "webhook", func(t *Ticket) { t.ReportURL = "ftp://example.com/x" }, docKey, "/ticket/report_url"},
		{"report url with credentials", docTarget, "webhook", func(t *Ticket) { t.ReportURL = "https://user:pw@example.com/x" }, docKey, "/ticket/report_url"},
		{"report url with space", docTarget, "webhook", func(t *Ticket) { t.ReportURL = "https://example.com/a b" }, docKey, "/ticket/report_url"},
		{"too many labels", docTarget, "webhook", func(t *Ticket) {
			t.Labels = nil
			for i := range 51 {
				t.Labels = append(t.Labels, strings.Repeat("l", i+1))
			}
		}, docKey, "/ticket/labels"},
		{"empty label", docTarget, "webhook", func(t *Ticket) { t.Labels = []string{"a", ""} }, docKey, "/ticket/labels/1"},
		{"long label", docTarget, "webhook", func(t *Ticket) { t.Labels = []string{strings.Repeat("l", 101)} }, docKey, "/ticket/labels/0"},
		{"duplicate labels", docTarget, "webhook", func(t *Ticket) { t.Labels = []string{"a", "a"} }, docKey, "/ticket/labels"},
		{"due date format", docTarget, "webhook", func(t *Ticket) { t.DueDate = "15/02/2026" }, docKey, "/ticket/due_date"},
		{"due date impossible", docTarget, "webhook", func(t *Ticket) { t.DueDate = "2026-02-30" }, docKey, "/ticket/due_date"},
		{"due date with time", docTarget, "webhook", func(t *Ticket) { t.DueDate = "2026-02-15T00:00:00Z" }, docKey, "/ticket/due_date"},
	} {
		t.Run(c.name, func(t *testing.T) {
			tk := ok
			tk.Labels = slices.Clone(ok.Labels)
			if c.ticket != nil {
				c.ticket(&tk)
			}
			_, err := Build(c.target, c.prov, tk, c.key, false, docNow)
			wantInvalid(t, err, c.want)
		})
	}
}

func TestBuildAcceptsBoundaries(t *testing.T) {
	tk := Ticket{
		Title:       strings.Repeat("é", 200),
		Description: strings.Repeat("d", 20000),
		Severity:    SeverityCritical,
		Kind:        KindFixTask,
		FindingID:   strings.Repeat("f", 200),
		ReportURL:   "http://reports.internal:8080/f?id=1#top",
	}
	for i := range 50 {
		tk.Labels = append(tk.Labels, strings.Repeat("l", 100-i))
	}
	if _, err := Build(docTarget, "generic_webhook", tk, strings.Repeat("k", 128), false, docNow); err != nil {
		t.Fatal(err)
	}
}

func TestValidateBody(t *testing.T) {
	body := docBody(t)
	if err := ValidateBody(body); err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(body, &m); err != nil {
		t.Fatal(err)
	}
	mutate := func(f func(m map[string]any)) []byte {
		var c map[string]any
		json.Unmarshal(body, &c)
		f(c)
		b, _ := json.Marshal(c)
		return b
	}
	ticket := func(m map[string]any) map[string]any { return m["ticket"].(map[string]any) }
	for _, c := range []struct {
		name string
		body []byte
		want string
	}{
		{"schema version", mutate(func(m map[string]any) { m["schema_version"] = "ticket-export.webhook.v2" }), "/schema_version"},
		{"event", mutate(func(m map[string]any) { m["event"] = "ticket.created" }), "/event"},
		{"occurred_at not UTC", mutate(func(m map[string]any) { m["occurred_at"] = "2026-01-01T01:00:00+01:00" }), "/occurred_at"},
		{"occurred_at garbage", mutate(func(m map[string]any) { m["occurred_at"] = "yesterday" }), "/occurred_at"},
		{"test not bool", mutate(func(m map[string]any) { m["test"] = "false" }), "/test"},
		{"missing ticket", mutate(func(m map[string]any) { delete(m, "ticket") }), "missing property 'ticket'"},
		{"missing finding id", mutate(func(m map[string]any) { delete(ticket(m), "finding_id") }), "/ticket"},
		{"secret smuggled in", mutate(func(m map[string]any) { m["signing_secret"] = "wrsec_x" }), "signing_secret"},
		{"unknown ticket field", mutate(func(m map[string]any) { ticket(m)["assignee"] = "bob" }), "/ticket"},
		{"unknown target field", mutate(func(m map[string]any) { m["target"].(map[string]any)["url"] = "https://x" }), "/target"},
		{"null label list", mutate(func(m map[string]any) { ticket(m)["labels"] = nil }), "/ticket/labels"},
		{"not an object", []byte(`[]`), "(root)"},
		{"two documents", append(slices.Clone(body), body...), "not one JSON value"},
		{"invalid utf-8", []byte("{\"a\":\"\xff\"}"), "UTF-8"},
		{"empty", nil, "not one JSON value"},
	} {
		t.Run(c.name, func(t *testing.T) { wantInvalid(t, ValidateBody(c.body), c.want) })
	}
}

func TestManyReasonsAreCapped(t *testing.T) {
	err := ValidateBody([]byte(`{"schema_version":1,"event":2,"idempotency_key":3,"occurred_at":4,"test":5,"provider_key":6,"target":7,"ticket":8}`))
	wantInvalid(t, err, "/schema_version", "; and 3 more")
}

// One fact, one place: the schema repeats values owned elsewhere; these
// tests keep the copies equal.
func TestSchemaAgreesWithOwners(t *testing.T) {
	var s struct {
		Properties struct {
			SchemaVersion struct {
				Const string `json:"const"`
			} `json:"schema_version"`
			Event struct {
				Const string `json:"const"`
			} `json:"event"`
			IdempotencyKey struct {
				Pattern string `json:"pattern"`
			} `json:"idempotency_key"`
			ProviderKey struct {
				Enum []string `json:"enum"`
			} `json:"provider_key"`
			Target struct {
				Properties struct {
					Name struct {
						Pattern string `json:"pattern"`
					} `json:"name"`
				} `json:"properties"`
			} `json:"target"`
		} `json:"properties"`
		ID string `json:"$id"`
	}
	if err := json.Unmarshal(Schema(), &s); err != nil {
		t.Fatal(err)
	}
	if s.Properties.SchemaVersion.Const != signing.SchemaVersion || s.Properties.Event.Const != signing.EventName {
		t.Errorf("schema consts %q/%q differ from signing's", s.Properties.SchemaVersion.Const, s.Properties.Event.Const)
	}
	if s.ID != SchemaID {
		t.Errorf("$id = %q, want %q", s.ID, SchemaID)
	}
	var keys []string
	for _, p := range core.Providers {
		keys = append(keys, string(p.Key))
	}
	if !slices.Equal(keys, s.Properties.ProviderKey.Enum) {
		t.Errorf("provider_key enum %v, core.Providers %v", s.Properties.ProviderKey.Enum, keys)
	}
	nameRe := regexp.MustCompile(s.Properties.Target.Properties.Name.Pattern)
	keyRe := regexp.MustCompile(s.Properties.IdempotencyKey.Pattern)
	for _, v := range []string{"", "a", "zapier-tickets", "-x", "X", "a b", "a_b", "a.b:c", strings.Repeat("a", 63), strings.Repeat("a", 64),
		strings.Repeat("k", 128), strings.Repeat("k", 129), "wro_ab\n", "é", docKey} {
		if nameRe.MatchString(v) != (core.ValidateName(v) == nil) {
			t.Errorf("target name %q: schema and core.ValidateName disagree", v)
		}
		if keyRe.MatchString(v) != (signing.CheckIdempotencyKey(v) == nil) {
			t.Errorf("idempotency key %q: schema and signing.CheckIdempotencyKey disagree", v)
		}
	}
}

func TestSchemaIsServedAsShipped(t *testing.T) {
	a := Schema()
	if len(a) == 0 {
		t.Fatal("Schema is empty")
	}
	a[0] = 'X'
	if Schema()[0] != '{' {
		t.Fatal("Schema returns shared bytes")
	}
}

func TestDefaultIdempotencyKey(t *testing.T) {
	got := DefaultIdempotencyKey("tgt_01HZX3Q9", "finding", "fnd_8c2e41")
	if got != docKey {
		t.Errorf("key = %s, want %s (the documented value)", got, docKey)
	}
	sum := sha256.Sum256([]byte("tgt_01HZX3Q9\x00finding\x00fnd_8c2e41"))
	if want := "wro_" + hex.EncodeToString(sum[:])[:32]; got != want {
		t.Errorf("key = %s, want %s", got, want)
	}
	if DefaultIdempotencyKey("tgt_01HZX3Q9", "finding", "fnd_8c2e41") != got {
		t.Error("key is not stable")
	}
	seen := map[string]bool{got: true}
	for _, in := range [][3]string{
		{"tgt_01HZX3Q9", "fix_task", "fnd_8c2e41"},
		{"tgt_other", "finding", "fnd_8c2e41"},
		{"tgt_01HZX3Q9", "finding", "fnd_8c2e42"},
		{"tgt_01HZX3Q9\x00finding", "", "fnd_8c2e41"}, // separators cannot be forged by shifting
	} {
		k := DefaultIdempotencyKey(in[0], in[1], in[2])
		if seen[k] {
			t.Errorf("key collision for %q", in)
		}
		seen[k] = true
		if signing.CheckIdempotencyKey(k) != nil {
			t.Errorf("derived key %q is not a valid key", k)
		}
	}
}

func TestSampleTicket(t *testing.T) {
	a, b := SampleTicket(), SampleTicket()
	if err := ValidateTicket(a); err != nil {
		t.Fatal(err)
	}
	if a.Kind != KindFinding || a.Severity != SeverityInfo || !strings.HasPrefix(a.FindingID, "test-") || !strings.Contains(a.Title, "test") {
		t.Errorf("SampleTicket = %+v", a)
	}
	if a.FindingID == b.FindingID {
		t.Error("two sample tickets share a finding_id")
	}
	body, err := Build(docTarget, "webhook", a, DefaultIdempotencyKey(docTarget.ID, a.Kind, a.FindingID), true, time.Now())
	if err != nil || !bytes.Contains(body, []byte(`"test":true`)) {
		t.Fatalf("test body %s: %v", body, err)
	}
}

// No field of the body can hold a secret: none is named like one.
func TestNoSecretField(t *testing.T) {
	var walk func(reflect.Type)
	walk = func(tp reflect.Type) {
		for i := range tp.NumField() {
			f := tp.Field(i)
			name := strings.ToLower(f.Name + " " + f.Tag.Get("json"))
			for _, bad := range []string{"secret", "token", "password", "credential", "signature", "api_key", "apikey"} {
				if strings.Contains(name, bad) {
					t.Errorf("%s.%s looks like it could carry a secret", tp.Name(), f.Name)
				}
			}
			if f.Type.Kind() == reflect.Struct {
				walk(f.Type)
			}
		}
	}
	walk(reflect.TypeFor[Payload]())
}

// TestTargetNameBoundIsCores: the schema's name pattern and the check that
// mirrors it are the core's name rule (core.MaxNameLen), written out
// because the published schema cannot refer to a Go constant.
func TestTargetNameBoundIsCores(t *testing.T) {
	pattern := fmt.Sprintf(`"^[a-z0-9][a-z0-9-]{0,%d}$"`, core.MaxNameLen-1)
	if !bytes.Contains(schemaJSON, []byte(pattern)) {
		t.Errorf("the schema's target name pattern is not %s", pattern)
	}
	if !targetNameValid(strings.Repeat("a", core.MaxNameLen)) || targetNameValid(strings.Repeat("a", core.MaxNameLen+1)) {
		t.Errorf("targetNameValid does not stop at core.MaxNameLen (%d)", core.MaxNameLen)
	}
}
