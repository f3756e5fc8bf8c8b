package ui

import (
	"bytes"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/webriskops/webhook-setup/core/delivery"
	"github.com/webriskops/webhook-setup/core/signing"
)

// TestReceiveAnswersByCause: the reference receiver answers 400 for a
// correctly signed body that is not a ticket export (the schema's answer),
// and 401 when the same body carries a signature that does not match, so a
// sender never reports a bad signature for a bad payload.
func TestReceiveAnswersByCause(t *testing.T) {
	now := time.Unix(fuzzNow, 0)
	ts := strconv.FormatInt(fuzzNow, 10)
	for i, c := range []struct {
		body   string
		signed bool
		status int
		code   string
	}{
		{"hello", true, http.StatusBadRequest, "WEBHOOK_PAYLOAD_INVALID"},
		{`{"a":1}`, true, http.StatusBadRequest, "WEBHOOK_PAYLOAD_INVALID"},
		{`[1]`, true, http.StatusBadRequest, "WEBHOOK_PAYLOAD_INVALID"},
		{`{"idempotency_key":"wro_x"}`, true, http.StatusBadRequest, "WEBHOOK_PAYLOAD_INVALID"},
		{"hello", false, http.StatusUnauthorized, "WEBHOOK_SIGNATURE_INVALID"},
		{`{"idempotency_key":"wro_x"}`, false, http.StatusUnauthorized, "WEBHOOK_SIGNATURE_INVALID"},
	} {
		var out bytes.Buffer
		app := &App{Out: &out, Err: io.Discard, Now: func() time.Time { return now }}
		rv := newReceiver(app, []string{fuzzSecretNew}, delivery.StaticSecrets(fuzzSecretNew), signing.DefaultTolerance, false, false)
		nonce := strings.Repeat(strconv.Itoa(i%10), 32)
		sig := "v1=" + strings.Repeat("0", 64)
		if c.signed {
			sig = independentMAC(fuzzSecretNew, ts, nonce, []byte(c.body))
		}
		r := httptest.NewRequest(http.MethodPost, "/hook", strings.NewReader(c.body))
		for name, v := range map[string]string{signing.HeaderTimestamp: ts, signing.HeaderNonce: nonce,
			signing.HeaderSignature: sig, signing.HeaderEvent: signing.EventName, signing.HeaderSchema: signing.SchemaVersion,
			signing.HeaderIdempotencyKey: "wro_x"} {
			r.Header.Set(name, v)
		}
		w := httptest.NewRecorder()
		rv.ServeHTTP(w, r)
		if w.Code != c.status || !strings.Contains(w.Body.String(), c.code) {
			t.Errorf("%q signed=%v: %d %s, want %d %s", c.body, c.signed, w.Code, w.Body.String(), c.status, c.code)
		}
	}
}
