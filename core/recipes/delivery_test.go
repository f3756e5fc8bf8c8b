package recipes

import (
	"encoding/json"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/webriskops/webhook-setup/core/signing"
)

// delivery is one request exactly as WebRiskOps sends it: header names in
// the spec's spelling and the raw body bytes that were signed.
type delivery struct {
	headers map[string]string
	body    []byte
}

// sign returns a delivery of body under key, signed with secrets (newest
// first) at Unix time ts with a fresh nonce, using package signing.
func sign(t *testing.T, secrets []string, key string, ts int64, body []byte) delivery {
	t.Helper()
	nonce, err := signing.NewNonce()
	if err != nil {
		t.Fatal(err)
	}
	return delivery{
		headers: map[string]string{
			"Content-Type":               signing.ContentType,
			"User-Agent":                 signing.UserAgent,
			signing.HeaderEvent:          signing.EventName,
			signing.HeaderSchema:         signing.SchemaVersion,
			signing.HeaderIdempotencyKey: key,
			signing.HeaderTimestamp:      strconv.FormatInt(ts, 10),
			signing.HeaderNonce:          nonce,
			signing.HeaderSignature:      signing.Sign(secrets, ts, nonce, body),
		},
		body: body,
	}
}

// exportBody is a ticket export body for key that matches the payload
// schema (TestExportBodyMatchesTheSchema). Its non-ASCII text and odd
// spacing make sure receivers verify the raw bytes, not re-encoded JSON.
func exportBody(key string) []byte {
	return []byte(`{"schema_version":"` + signing.SchemaVersion + `", "event":"` + signing.EventName +
		`","idempotency_key":"` + key + `","occurred_at":"2026-01-01T00:00:00Z","test":false,"provider_key":"zapier_webhook",` +
		`"target":{"id":"tgt_1","name":"test-target"},` +
		`"ticket":{"title":"Rückruf prüfen ✓ — “quoted”","description":"","severity":"high","kind":"finding","finding_id":"fnd_1"}}`)
}

// lowerHeaders returns the headers with lower-case names, as n8n passes
// them.
func (d delivery) lowerHeaders() map[string]string {
	h := make(map[string]string, len(d.headers))
	for k, v := range d.headers {
		h[strings.ToLower(k)] = v
	}
	return h
}

// outcome is what a receiver decided about one delivery.
type outcome struct {
	result string // "accepted", "duplicate" or "refused"
	reason string
}

// deliveryCase is one delivery and the outcome every receiver must reach.
// Cases run in order against one receiver, because the duplicate and
// replay cases depend on the deliveries before them.
type deliveryCase struct {
	name   string
	d      delivery
	want   string // "accepted", "duplicate", "refused" (401) or "invalid" (400)
	reason string // a word the refusal's reason must contain
}

// standardCases are the cases of the signature spec. The receiver under
// test holds secret and second (its own rotation); other secrets are
// unknown to it.
func standardCases(t *testing.T, prefix, secret, second string) []deliveryCase {
	t.Helper()
	now := time.Now().Unix()
	key := func(n int) string { return prefix + "_" + strconv.Itoa(n) }
	first := sign(t, []string{secret}, key(1), now, exportBody(key(1)))
	tampered := sign(t, []string{secret}, key(2), now, exportBody(key(2)))
	tampered.body = []byte(strings.Replace(string(tampered.body), `"high"`, `"low"`, 1))
	return []deliveryCase{
		{"valid", first, "accepted", ""},
		{"same idempotency key with a fresh nonce", sign(t, []string{secret}, key(1), now, exportBody(key(1))), "duplicate", ""},
		{"tampered body", tampered, "refused", "signature"},
		{"stale timestamp", sign(t, []string{secret}, key(3), now-301, exportBody(key(3))), "refused", "timestamp"},
		// Ahead by a margin: the receiver's clock may have ticked on since now.
		{"timestamp too far ahead", sign(t, []string{secret}, key(4), now+330, exportBody(key(4))), "refused", "timestamp"},
		{"wrong secret", sign(t, []string{"wrsec_not-the-receivers-secret-at-all-0123456789"}, key(5), now, exportBody(key(5))), "refused", "signature"},
		{"replayed nonce", first, "refused", "nonce"},
		{"rotation: only the second entry matches", sign(t, []string{"wrsec_the-senders-newer-secret-0123456789abcdef", secret}, key(6), now, exportBody(key(6))), "accepted", ""},
		{"the receiver's second secret", sign(t, []string{second}, key(7), now, exportBody(key(7))), "accepted", ""},
	}
}

// payloadCases are correctly signed bodies that are not exports: the
// receiver answers 400 WEBHOOK_PAYLOAD_INVALID (docs/signing.md, steps 7
// and 8), never 401, so the sender reports the right code.
func payloadCases(t *testing.T, prefix, secret string) []deliveryCase {
	t.Helper()
	now := time.Now().Unix()
	key := func(n int) string { return prefix + "_payload_" + strconv.Itoa(n) }
	noKey := []byte(`{"hello":"world"}`)
	badSeverity := []byte(strings.Replace(string(exportBody(key(2))), `"high"`, `"urgent"`, 1))
	extraField := []byte(strings.Replace(string(exportBody(key(3))), `"test":false`, `"test":false,"secret":"x"`, 1))
	longTitle := []byte(strings.Replace(string(exportBody(key(4))), `"Rückruf prüfen ✓ — “quoted”"`, `"`+strings.Repeat("ü", 201)+`"`, 1))
	return []deliveryCase{
		{name: "signed, not JSON", d: sign(t, []string{secret}, key(0), now, []byte("hello")), want: "invalid", reason: "JSON"},
		{name: "signed, not an export", d: sign(t, []string{secret}, key(1), now, noKey), want: "invalid", reason: "idempotency_key"},
		{name: "signed, severity not in the schema", d: sign(t, []string{secret}, key(2), now, badSeverity), want: "invalid", reason: "severity"},
		{name: "signed, a field the schema does not have", d: sign(t, []string{secret}, key(3), now, extraField), want: "invalid", reason: "secret"},
		{name: "signed, title of 201 characters (402 bytes)", d: sign(t, []string{secret}, key(4), now, longTitle), want: "invalid", reason: "title"},
		{name: "title of 200 two-byte characters is fine", d: sign(t, []string{secret}, key(5), now,
			[]byte(strings.Replace(string(exportBody(key(5))), `"Rückruf prüfen ✓ — “quoted”"`, `"`+strings.Repeat("ü", 200)+`"`, 1))), want: "accepted"},
	}
}

// check compares what a receiver decided with what the case wants.
func (c deliveryCase) check(t *testing.T, got outcome) {
	t.Helper()
	if got.result != c.want {
		t.Errorf("%s: got %s (reason %q), want %s", c.name, got.result, got.reason, c.want)
		return
	}
	if (c.want == "refused" || c.want == "invalid") && !strings.Contains(got.reason, c.reason) {
		t.Errorf("%s: refused for %q, want a reason about %s", c.name, got.reason, c.reason)
	}
}

// newSecret returns a generated signing secret.
func newSecret(t *testing.T) string {
	t.Helper()
	s, err := signing.Generate()
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// refusalBody decodes a 401 answer and checks its error code.
func refusalBody(t *testing.T, name string, raw []byte) string {
	t.Helper()
	var body struct {
		Error  string `json:"error"`
		Reason string `json:"reason"`
	}
	if err := json.Unmarshal(raw, &body); err != nil {
		t.Errorf("%s: refusal body %q is not JSON: %v", name, raw, err)
		return ""
	}
	if body.Error != "WEBHOOK_SIGNATURE_INVALID" {
		t.Errorf("%s: refusal error = %q, want WEBHOOK_SIGNATURE_INVALID", name, body.Error)
	}
	if body.Reason == "" {
		t.Errorf("%s: refusal has no reason: %s", name, raw)
	}
	return body.Reason
}

// payloadRefusalBody decodes a 400 answer and checks its error code.
func payloadRefusalBody(t *testing.T, name string, raw []byte) string {
	t.Helper()
	var body struct {
		Error  string `json:"error"`
		Reason string `json:"reason"`
	}
	if err := json.Unmarshal(raw, &body); err != nil || body.Error != "WEBHOOK_PAYLOAD_INVALID" || body.Reason == "" {
		t.Errorf("%s: 400 body %q, want {\"error\":\"WEBHOOK_PAYLOAD_INVALID\",\"reason\":...}", name, raw)
	}
	return body.Reason
}

func nowUnix() int64 { return time.Now().Unix() }
