package signing_test

import (
	"fmt"
	"io"
	"net/http"
	"time"

	"github.com/webriskops/webhook-setup/core/signing"
)

// The worked example of docs/signing.md.
func ExampleSign() {
	body := []byte(`{"schema_version":"ticket-export.webhook.v1","event":"ticket_export.requested","idempotency_key":"wro_5cde8c53221bdb9a6e632e20532ffbbf","occurred_at":"2026-01-01T00:00:00Z","test":false,"provider_key":"zapier_webhook","target":{"id":"tgt_01HZX3Q9","name":"zapier-tickets"},"ticket":{"title":"Missing HSTS header on www.example.com","description":"The site answers without Strict-Transport-Security.","severity":"medium","kind":"finding","finding_id":"fnd_8c2e41","report_url":"https://app.webriskops.com/findings/fnd_8c2e41","labels":["webriskops","tls"],"due_date":"2026-02-15"}}`)
	fmt.Println(signing.Sign([]string{"wrsec_example-new-secret-0123456789abcdefABCDEF"},
		1767225612, "9f2c7a41d0b83e65f1a2c3d4e5f60718", body))
	// Output: v1=a2a756fce34cce09925397dba19095499c984c066541293c66d838891d127cb5
}

// A receiver: verify, then do the work once per idempotency key.
func ExampleVerifier() {
	v := signing.NewVerifier([]string{"wrsec_current-secret-0123456789abcdefABCDEF"}, signing.DefaultTolerance)
	http.HandleFunc("POST /webriskops", func(w http.ResponseWriter, r *http.Request) {
		body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, 1<<20))
		if err != nil {
			http.Error(w, "body too large", http.StatusRequestEntityTooLarge)
			return
		}
		key, err := v.Verify(r, body)
		if err != nil {
			http.Error(w, "invalid signature", http.StatusUnauthorized)
			return
		}
		if !v.MarkProcessed(key) {
			w.WriteHeader(http.StatusOK) // a retry of an export already handled
			return
		}
		// ... create the ticket from body; on failure v.Forget(key) and 503 ...
		w.WriteHeader(http.StatusOK)
	})
}

// A sender: sign one attempt of a delivery.
func ExampleSignRequest() {
	body := []byte(`{"idempotency_key":"wro_example"}`)
	req, _ := http.NewRequest(http.MethodPost, "https://hooks.example.com/webriskops", nil)
	err := signing.SignRequest(req, []string{"wrsec_current-secret-0123456789abcdefABCDEF"}, "wro_example", time.Unix(1767225612, 0), body)
	fmt.Println(err, signing.HeaderValue(req.Header, signing.HeaderTimestamp))
	// Output: <nil> 1767225612
}

// The Standard Webhooks example of docs/signing.md: the same body,
// timestamp and secret as ExampleSign.
func ExampleStandardSign() {
	body := []byte(`{"schema_version":"ticket-export.webhook.v1","event":"ticket_export.requested","idempotency_key":"wro_5cde8c53221bdb9a6e632e20532ffbbf","occurred_at":"2026-01-01T00:00:00Z","test":false,"provider_key":"zapier_webhook","target":{"id":"tgt_01HZX3Q9","name":"zapier-tickets"},"ticket":{"title":"Missing HSTS header on www.example.com","description":"The site answers without Strict-Transport-Security.","severity":"medium","kind":"finding","finding_id":"fnd_8c2e41","report_url":"https://app.webriskops.com/findings/fnd_8c2e41","labels":["webriskops","tls"],"due_date":"2026-02-15"}}`)
	secrets := []string{"wrsec_example-new-secret-0123456789abcdefABCDEF", "wrsec_example-old-secret-0123456789abcdefABCDEF"}
	fmt.Println(signing.StandardSign(secrets[:1], "wro_5cde8c53221bdb9a6e632e20532ffbbf", 1767225612, body))
	fmt.Println(signing.StandardSign(secrets, "wro_5cde8c53221bdb9a6e632e20532ffbbf", 1767225612, body))
	fmt.Println(signing.Whsec(secrets[0]))
	// Output:
	// v1,n+V/zc5Am+lefiYOj4pPk6kVnHu8HS68+9zCpvEgxGI=
	// v1,n+V/zc5Am+lefiYOj4pPk6kVnHu8HS68+9zCpvEgxGI= v1,tbn3SkBK6GTgXDuxUQImHgKsz9zzTqsuzTedjOz34zo=
	// whsec_d3JzZWNfZXhhbXBsZS1uZXctc2VjcmV0LTAxMjM0NTY3ODlhYmNkZWZBQkNERUY=
}
