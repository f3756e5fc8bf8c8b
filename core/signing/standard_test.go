package signing

import (
	"net/http"
	"testing"
)

// Known answers computed with `openssl dgst -sha256 -hmac SECRET -binary | base64`
// and `printf %s SECRET | base64`.
const (
	stdNew    = "wrsec_example-new-secret-0123456789abcdefABCDEF"
	stdOld    = "wrsec_example-old-secret-0123456789abcdefABCDEF"
	stdBody   = `{"a":1}`
	stdID     = "wro_abc"
	stdTS     = int64(1767225612)
	stdNewSig = "v1,Wxx7XynnhfiAb2jiy5QXovUeXz5htg8P07rt+ui0mrI="
	stdOldSig = "v1,Aw4qHdHgd1lXykCFrq5YW0sLzptQTw4JyKuSdXhH3XI="
)

func TestStandardSignKnownAnswers(t *testing.T) {
	if got := StandardSign([]string{stdNew}, stdID, stdTS, []byte(stdBody)); got != stdNewSig {
		t.Fatalf("one secret: got %q, want %q", got, stdNewSig)
	}
	if got, want := StandardSign([]string{stdNew, stdOld}, stdID, stdTS, []byte(stdBody)), stdNewSig+" "+stdOldSig; got != want {
		t.Fatalf("two secrets: got %q, want %q", got, want)
	}
	if got := StandardSign(nil, stdID, stdTS, []byte(stdBody)); got != "" {
		t.Fatalf("no secret: got %q, want empty", got)
	}
}

func TestWhsecIsBase64OfSecretBytes(t *testing.T) {
	want := "whsec_d3JzZWNfZXhhbXBsZS1uZXctc2VjcmV0LTAxMjM0NTY3ODlhYmNkZWZBQkNERUY="
	if got := Whsec(stdNew); got != want {
		t.Fatalf("got %q, want %q", got, want)
	}
}

func TestSetStandardHeadersSharesTimestampAndKey(t *testing.T) {
	h := http.Header{}
	h.Set("Webhook-Id", "stale") // a canonical spelling must not survive beside ours
	SetStandardHeaders(h, []string{stdNew}, stdID, stdTS, []byte(stdBody))
	if len(h) != 3 {
		t.Fatalf("headers: %v", h)
	}
	for name, want := range map[string]string{
		"webhook-id": stdID, "webhook-timestamp": "1767225612", "webhook-signature": stdNewSig,
	} {
		if got := h[name]; len(got) != 1 || got[0] != want {
			t.Errorf("%s = %q, want %q", name, got, want)
		}
	}
}

func TestIsDeliveryHeader(t *testing.T) {
	for _, n := range []string{"x-webriskops-signature", "X-WebRiskOps-Anything", "WEBHOOK-ID", "webhook-signature", "content-type", "User-Agent"} {
		if !IsDeliveryHeader(n) {
			t.Errorf("%q should be reserved", n)
		}
	}
	for _, n := range []string{"x-make-apikey", "Authorization", "X-Proxy-Token", "webhook-idx"} {
		if IsDeliveryHeader(n) {
			t.Errorf("%q should be free", n)
		}
	}
}
