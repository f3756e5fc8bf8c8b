package signing

import (
	"bufio"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"regexp"
	"strings"
	"testing"
	"time"
)

// independentMAC recomputes a signature entry without any code under test.
func independentMAC(secret string, ts int64, nonce string, body []byte) string {
	return independentMACText(secret, fmt.Sprint(ts), nonce, body)
}

// independentMACText is independentMAC over the timestamp header as sent.
func independentMACText(secret, timestamp, nonce string, body []byte) string {
	m := hmac.New(sha256.New, []byte(secret))
	m.Write([]byte(timestamp + "." + nonce + "."))
	m.Write(body)
	return "v1=" + hex.EncodeToString(m.Sum(nil))
}

// Known answers computed with `openssl dgst -sha256 -hmac`.
var vectors = []struct {
	secret string
	ts     int64
	nonce  string
	body   string
	want   string
}{
	{"k", 0, "00000000000000000000000000000000", "",
		"v1=cfa0a2cfde4e318c3a940ecf73feefac24082fd29e6b5860d16171e749751513"},
	{"wrsec_0123456789abcdefghijklmnopqrstuvwxyzABCDEFG", 1700000000, "0123456789abcdef0123456789abcdef", "{\"a\":\"\xc3\xa9\"}",
		"v1=e7a250d88ea0c76c9cb672afa67f5a588c7790e1ee9ead336eb57ce9262557e4"},
	{docNewSecret, docTimestamp, docNonce, docBody, docNewEntry},
	{docOldSecret, docTimestamp, docNonce, docBody, docOldEntry},
}

func TestSignKnownAnswers(t *testing.T) {
	for i, v := range vectors {
		got := Sign([]string{v.secret}, v.ts, v.nonce, []byte(v.body))
		if got != v.want {
			t.Errorf("vector %d: Sign = %s, want %s", i, got, v.want)
		}
		if ind := independentMAC(v.secret, v.ts, v.nonce, []byte(v.body)); ind != v.want {
			t.Errorf("vector %d: crypto/hmac = %s, want %s", i, ind, v.want)
		}
	}
}

func TestSignMultipleSecretsNewestFirst(t *testing.T) {
	secrets := []string{"newest-secret", "middle-secret", "oldest-secret"}
	body := []byte(`{"x":1}`)
	got := Sign(secrets, 1767225612, docNonce, body)
	parts := strings.Split(got, " ")
	if len(parts) != 3 {
		t.Fatalf("Sign = %q, want 3 entries separated by single spaces", got)
	}
	for i, s := range secrets {
		if want := independentMAC(s, 1767225612, docNonce, body); parts[i] != want {
			t.Errorf("entry %d = %s, want %s (secret %q)", i+1, parts[i], want, s)
		}
	}
	if !regexp.MustCompile(`^v1=[0-9a-f]{64}( v1=[0-9a-f]{64})*$`).MatchString(got) {
		t.Errorf("Sign = %q does not have the documented form", got)
	}
	if Sign(nil, 1, docNonce, body) != "" {
		t.Error("Sign with no secrets must be empty")
	}
}

// TestSignAtMostMaxEntries: with more valid secrets than a receiver accepts
// entries (many rotations within one grace), the newest sign and the header
// still verifies; before, every delivery was refused.
func TestSignAtMostMaxEntries(t *testing.T) {
	var secrets []string
	for i := range MaxSignatureEntries + 10 {
		secrets = append(secrets, fmt.Sprintf("secret-number-%02d-0123456789abcdefghijklmnop", i))
	}
	body := []byte(`{"x":1}`)
	got := Sign(secrets, 1767225612, docNonce, body)
	parts := strings.Split(got, " ")
	if len(parts) != MaxSignatureEntries || parts[0] != independentMAC(secrets[0], 1767225612, docNonce, body) {
		t.Fatalf("%d entries, first %s", len(parts), parts[0])
	}
	h := http.Header{}
	h.Set(HeaderTimestamp, "1767225612")
	h.Set(HeaderNonce, docNonce)
	h.Set(HeaderSignature, got)
	if err := Verify(secrets[:1], h, body, time.Unix(1767225612, 0), 0); err != nil {
		t.Fatalf("the newest secret does not verify: %v", err)
	}
}

func TestNewNonce(t *testing.T) {
	seen := map[string]bool{}
	for range 1000 {
		n, err := NewNonce()
		if err != nil {
			t.Fatal(err)
		}
		if CheckNonce(n) != nil {
			t.Fatalf("NewNonce = %q, want 32 lowercase hex", n)
		}
		if seen[n] {
			t.Fatalf("NewNonce repeated %q", n)
		}
		seen[n] = true
	}
}

func TestSetHeaders(t *testing.T) {
	defer func(ua string) { UserAgent = ua }(UserAgent)
	UserAgent = "webhook-setup/1.2.3"
	h := http.Header{}
	h.Set(HeaderNonce, "stale") // stored under Go's canonical spelling; must be replaced
	body := []byte(docBody)
	now := time.Unix(docTimestamp, 999_000_000)
	secrets := []string{docNewSecret, docOldSecret}
	if err := SetHeaders(h, secrets, docKey, now, body); err != nil {
		t.Fatal(err)
	}
	want := map[string]string{
		"Content-Type":       "application/json",
		"User-Agent":         "webhook-setup/1.2.3",
		HeaderEvent:          "ticket_export.requested",
		HeaderSchema:         "ticket-export.webhook.v1",
		HeaderIdempotencyKey: docKey,
		HeaderTimestamp:      "1767225612",
	}
	for k, v := range want {
		if got := h[k]; len(got) != 1 || got[0] != v {
			t.Errorf("h[%q] = %q, want [%q]", k, got, v)
		}
	}
	if len(h) != 8 {
		t.Errorf("SetHeaders left %d header names, want 8: %v", len(h), h)
	}
	if len(h[HeaderNonce]) != 1 || len(h[HeaderSignature]) != 1 {
		t.Fatalf("SetHeaders set nonce %q and signature %q, want one of each", h[HeaderNonce], h[HeaderSignature])
	}
	nonce := h[HeaderNonce][0]
	if CheckNonce(nonce) != nil {
		t.Errorf("nonce %q malformed", nonce)
	}
	if got, want := h[HeaderSignature][0], Sign(secrets, docTimestamp, nonce, body); got != want {
		t.Errorf("signature = %s, want %s", got, want)
	}
	if _, ok := h[http.CanonicalHeaderKey(HeaderNonce)]; ok {
		t.Error("the stale canonical nonce header survived")
	}
	if HeaderValue(h, HeaderNonce) != nonce || HeaderValue(h, "x-webriskops-nonce") != nonce {
		t.Error("HeaderValue does not find the nonce in every case")
	}
	if err := Verify(secrets[1:], h, body, now, 0); err != nil {
		t.Errorf("Verify with the old secret: %v", err)
	}

	// Each attempt has a new nonce.
	h2 := http.Header{}
	if err := SetHeaders(h2, secrets, docKey, now, body); err != nil {
		t.Fatal(err)
	}
	if len(h2[HeaderNonce]) != 1 {
		t.Fatalf("the second SetHeaders set nonce %q, want one", h2[HeaderNonce])
	}
	if h2[HeaderNonce][0] == nonce {
		t.Error("two attempts share a nonce")
	}
}

func TestSetHeadersRefuses(t *testing.T) {
	h := http.Header{}
	body := []byte(`{}`)
	now := time.Unix(1, 0)
	for _, c := range []struct {
		name    string
		secrets []string
		key     string
		code    string
	}{
		{"no secrets", nil, "k", "generic_webhook_secret_missing"},
		{"empty secret", []string{"a", ""}, "k", "generic_webhook_secret_missing"},
		{"empty key", []string{"s"}, "", "WEBHOOK_PAYLOAD_INVALID"},
		{"key with newline", []string{"s"}, "a\r\nX-Evil: 1", "WEBHOOK_PAYLOAD_INVALID"},
		{"key with space", []string{"s"}, "a b", "WEBHOOK_PAYLOAD_INVALID"},
		{"key too long", []string{"s"}, strings.Repeat("k", 129), "WEBHOOK_PAYLOAD_INVALID"},
	} {
		err := SetHeaders(h, c.secrets, c.key, now, body)
		if err == nil || !strings.HasPrefix(err.Error(), c.code+":") {
			t.Errorf("%s: err = %v, want %s", c.name, err, c.code)
		}
	}
	if CheckIdempotencyKey(strings.Repeat("k", 128)) != nil || CheckIdempotencyKey("wro_ab:c.d-e_F") != nil {
		t.Error("valid keys refused")
	}
}

// TestWireSpelling checks the request leaves with the spec's header
// spelling, byte for byte, and with the exact body.
func TestWireSpelling(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	raw := make(chan string, 1)
	go func() {
		c, err := ln.Accept()
		if err != nil {
			raw <- ""
			return
		}
		defer c.Close()
		br := bufio.NewReader(c)
		var sb strings.Builder
		for {
			line, err := br.ReadString('\n')
			sb.WriteString(line)
			if err != nil || line == "\r\n" {
				break
			}
		}
		body := make([]byte, len(docBody))
		_, _ = io.ReadFull(br, body)
		sb.Write(body)
		c.Write([]byte("HTTP/1.1 200 OK\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"))
		raw <- sb.String()
	}()
	req, _ := http.NewRequest(http.MethodPost, "http://"+ln.Addr().String()+"/hook", strings.NewReader(docBody))
	if err := SignRequest(req, []string{docNewSecret}, docKey, time.Unix(docTimestamp, 0), []byte(docBody)); err != nil {
		t.Fatal(err)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	got := <-raw
	for _, line := range []string{
		"POST /hook HTTP/1.1\r\n",
		"Content-Type: application/json\r\n",
		"User-Agent: " + UserAgent + "\r\n",
		"X-WebRiskOps-Event: ticket_export.requested\r\n",
		"X-WebRiskOps-Schema: ticket-export.webhook.v1\r\n",
		"X-WebRiskOps-Idempotency-Key: " + docKey + "\r\n",
		"X-WebRiskOps-Timestamp: 1767225612\r\n",
		"X-WebRiskOps-Signature: v1=",
		"X-WebRiskOps-Nonce: ",
		"\r\n\r\n" + docBody,
	} {
		if !strings.Contains(got, line) {
			t.Errorf("request on the wire lacks %q:\n%s", line, got)
		}
	}
	if strings.HasSuffix(got, "\n") {
		t.Error("body has a trailing newline")
	}
}

// The worked example of docs/signing.md. The doc must repeat these values
// verbatim; TestDocExample checks it does and that the code agrees.
const (
	docNewSecret = "wrsec_example-new-secret-0123456789abcdefABCDEF"
	docOldSecret = "wrsec_example-old-secret-0123456789abcdefABCDEF"
	docTimestamp = 1767225612
	docNonce     = "9f2c7a41d0b83e65f1a2c3d4e5f60718"
	docKey       = "wro_5cde8c53221bdb9a6e632e20532ffbbf"
	docBody      = `{"schema_version":"ticket-export.webhook.v1","event":"ticket_export.requested","idempotency_key":"wro_5cde8c53221bdb9a6e632e20532ffbbf","occurred_at":"2026-01-01T00:00:00Z","test":false,"provider_key":"zapier_webhook","target":{"id":"tgt_01HZX3Q9","name":"zapier-tickets"},"ticket":{"title":"Missing HSTS header on www.example.com","description":"The site answers without Strict-Transport-Security.","severity":"medium","kind":"finding","finding_id":"fnd_8c2e41","report_url":"https://app.webriskops.com/findings/fnd_8c2e41","labels":["webriskops","tls"],"due_date":"2026-02-15"}}`
	docNewEntry  = "v1=a2a756fce34cce09925397dba19095499c984c066541293c66d838891d127cb5"
	docOldEntry  = "v1=b6b4f3081e6f94318059dd3645894bed90ec9f0d1c462e7f937bfe5b8c80e1d0"
)

func TestDocExample(t *testing.T) {
	doc, err := os.ReadFile("../../docs/signing.md")
	if err != nil {
		t.Fatal(err)
	}
	text := string(doc)
	single := Sign([]string{docNewSecret}, docTimestamp, docNonce, []byte(docBody))
	rotation := Sign([]string{docNewSecret, docOldSecret}, docTimestamp, docNonce, []byte(docBody))
	for _, want := range []string{
		"\n" + docNewSecret + "\n",
		"X-WebRiskOps-Timestamp: 1767225612\n",
		"X-WebRiskOps-Nonce: " + docNonce + "\n",
		"X-WebRiskOps-Idempotency-Key: " + docKey + "\n",
		"\n" + docBody + "\n",
		fmt.Sprintf("Body (%d bytes,", len(docBody)),
		"`1767225612." + docNonce + ".`",
		"X-WebRiskOps-Signature: " + single + "\n",
		"X-WebRiskOps-Signature: " + rotation + "\n",
		"`" + docOldSecret + "`",
		"openssl dgst -sha256 -hmac '" + docNewSecret + "'",
	} {
		if !strings.Contains(text, want) {
			t.Errorf("docs/signing.md does not contain %q", want)
		}
	}
	if single != docNewEntry || rotation != docNewEntry+" "+docOldEntry {
		t.Errorf("code and golden example disagree: %s / %s", single, rotation)
	}
	// Every header name constant appears in the doc as spelled.
	for _, h := range []string{HeaderEvent, HeaderSchema, HeaderIdempotencyKey, HeaderTimestamp, HeaderNonce, HeaderSignature, EventName, SchemaVersion} {
		if !strings.Contains(text, "`"+h+"`") {
			t.Errorf("docs/signing.md does not name `%s`", h)
		}
	}
}
