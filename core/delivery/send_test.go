package delivery_test

import (
	"bytes"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/webriskops/webhook-setup/core/codes"
	"github.com/webriskops/webhook-setup/core/delivery"
	"github.com/webriskops/webhook-setup/core/payload"
	"github.com/webriskops/webhook-setup/core/signing"
)

// TestAttemptOutcomes sends one real attempt over TLS on loopback for every
// outcome of the spec and checks its classification.
func TestAttemptOutcomes(t *testing.T) {
	s, tg := openStore(t)
	elsewhere := newReceiver(t, nil)
	hijack := func(w http.ResponseWriter) {
		c, _, err := http.NewResponseController(w).Hijack()
		if err == nil {
			c.Close()
		}
	}
	cases := []struct {
		name      string
		answer    func(w http.ResponseWriter)
		delivered bool
		retry     bool
		code      codes.Code
		status    delivery.Status
	}{
		{"200", func(w http.ResponseWriter) { w.WriteHeader(200) }, true, false, "", delivery.StatusDelivered},
		{"204", func(w http.ResponseWriter) { w.WriteHeader(204) }, true, false, "", delivery.StatusDelivered},
		{"302", func(w http.ResponseWriter) {
			w.Header().Set("Location", elsewhere.srv.URL+"/steal/"+hookToken)
			w.WriteHeader(302)
		}, false, false, codes.RedirectBlocked, delivery.StatusBlocked},
		{"401 signature", func(w http.ResponseWriter) {
			http.Error(w, `{"error":"WEBHOOK_SIGNATURE_INVALID","reason":"stale"}`, 401)
		}, false, false, codes.SignatureInvalid, delivery.StatusFailed},
		{"403 header", func(w http.ResponseWriter) {
			w.Header().Set("X-Error", "WEBHOOK_SIGNATURE_INVALID")
			w.WriteHeader(403)
		}, false, false, codes.SignatureInvalid, delivery.StatusFailed},
		{"401 auth", func(w http.ResponseWriter) { http.Error(w, "login first", 401) }, false, false, codes.AuthRequired, delivery.StatusFailed},
		{"410", func(w http.ResponseWriter) { w.WriteHeader(410) }, false, false, codes.EndpointGone, delivery.StatusFailed},
		{"408", func(w http.ResponseWriter) { w.WriteHeader(408) }, false, true, codes.DeliveryFailed, ""},
		{"425", func(w http.ResponseWriter) { w.WriteHeader(425) }, false, true, codes.DeliveryFailed, ""},
		{"429", func(w http.ResponseWriter) { w.Header().Set("Retry-After", "3"); w.WriteHeader(429) }, false, true, codes.DeliveryFailed, ""},
		{"503", func(w http.ResponseWriter) { w.WriteHeader(503) }, false, true, codes.DeliveryFailed, ""},
		{"400", func(w http.ResponseWriter) { http.Error(w, "bad ticket", 400) }, false, false, codes.DeliveryRejected, delivery.StatusFailed},
		{"404", func(w http.ResponseWriter) { w.WriteHeader(404) }, false, false, codes.DeliveryRejected, delivery.StatusFailed},
		{"dropped", hijack, false, true, codes.DeliveryFailed, ""},
		{"timeout", func(w http.ResponseWriter) { time.Sleep(1500 * time.Millisecond) }, false, true, codes.DeliveryFailed, ""},
		{"huge answer", func(w http.ResponseWriter) {
			w.WriteHeader(200)
			w.Write(bytes.Repeat([]byte("x"), 1<<20))
		}, true, false, "", delivery.StatusDelivered},
	}
	body, key := testBody(t, tg.ID)
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			rc := newReceiver(t, func(_ int, _ string, w http.ResponseWriter, _ *http.Request) bool {
				c.answer(w)
				return true
			})
			ep := rc.endpoint(t, s, tg, time.Second)
			res, att, err := (&delivery.Sender{AttemptTimeout: time.Second}).Attempt(ctx, ep, key, body)
			if err != nil {
				t.Fatal(err)
			}
			if res.Delivered != c.delivered || res.Retry != c.retry || res.Code != c.code {
				t.Fatalf("result %+v", res)
			}
			if c.status != "" && res.Status() != c.status {
				t.Fatalf("status %s, want %s", res.Status(), c.status)
			}
			if att.Code != string(c.code) || att.At.IsZero() || att.Duration <= 0 {
				t.Fatalf("attempt %+v", att)
			}
			if strings.Contains(res.Reason, hookToken) {
				t.Fatalf("reason leaks the URL token: %s", res.Reason)
			}
			rc.checkValid()
		})
	}
	if n := elsewhere.count(); n != 0 {
		t.Fatalf("the redirect target got %d requests", n)
	}
}

func testBody(t *testing.T, targetID string) ([]byte, string) {
	t.Helper()
	tk := payload.SampleTicket()
	key := payload.DefaultIdempotencyKey(targetID, tk.Kind, tk.FindingID)
	body, err := payload.Build(payload.TargetRef{ID: targetID, Name: "tickets"}, "generic_webhook", tk, key, true, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	return body, key
}

// TestAttemptTLSAndDialRefusals: an untrusted certificate and a refused
// connection are retried; a target without a valid secret is blocked.
func TestAttemptTLSAndDialRefusals(t *testing.T) {
	_, tg := openStore(t)
	body, key := testBody(t, tg.ID)
	rc := newReceiver(t, nil)
	ep, err := delivery.RehearsalEndpoint(rc.srv.URL, nil, delivery.ClientOptions(time.Second, time.Second, nil), tg.RateLimit)
	if err != nil {
		t.Fatal(err)
	}
	ep.Secrets = delivery.StaticSecrets(testSecret)
	res, _, _ := (&delivery.Sender{}).Attempt(ctx, ep, key, body)
	if !res.Retry || !strings.Contains(res.Reason, "certificate") {
		t.Fatalf("untrusted certificate: %+v", res)
	}

	l, _ := net.Listen("tcp", "127.0.0.1:0")
	addr := l.Addr().String()
	l.Close()
	ep, _ = delivery.RehearsalEndpoint("https://"+addr+"/x", nil, delivery.ClientOptions(time.Second, time.Second, nil), tg.RateLimit)
	ep.Secrets = delivery.StaticSecrets(testSecret)
	if res, _, _ := (&delivery.Sender{}).Attempt(ctx, ep, key, body); !res.Retry || !strings.Contains(res.Reason, "refused") {
		t.Fatalf("refused connection: %+v", res)
	}

	ep.Secrets = delivery.StaticSecrets()
	res, att, err := (&delivery.Sender{}).Attempt(ctx, ep, key, body)
	if err != nil || res.Code != codes.SecretMissing || res.Status() != delivery.StatusBlocked || att.Code != string(codes.SecretMissing) {
		t.Fatalf("no secret: %+v %+v %v", res, att, err)
	}
}

// TestDeliverSignsEveryAttemptAfresh: retries carry the same body and key
// with a new timestamp, nonce and signature, and honour Retry-After.
func TestDeliverSignsEveryAttemptAfresh(t *testing.T) {
	s, tg := openStore(t)
	var times []time.Time
	var sigs []string
	rc := newReceiver(t, func(n int, _ string, w http.ResponseWriter, r *http.Request) bool {
		times = append(times, time.Now())
		sigs = append(sigs, signing.HeaderValue(r.Header, signing.HeaderSignature))
		if n < 3 {
			w.Header().Set("Retry-After", "1")
			w.WriteHeader(503)
			return true
		}
		return false
	})
	ep := rc.endpoint(t, s, tg, time.Second)
	body, key := testBody(t, tg.ID)
	var seen []int
	res, n, err := (&delivery.Sender{}).Deliver(ctx, ep, key, body, delivery.RetryPolicy{MaxAttempts: 3},
		func(a delivery.Attempt, _ delivery.Result) { seen = append(seen, a.Number) })
	if err != nil || !res.Delivered || n != 3 || len(seen) != 3 {
		t.Fatalf("Deliver = %+v %d %v (attempts %v)", res, n, err, seen)
	}
	rc.checkValid()
	for i := 1; i < 3; i++ {
		if gap := times[i].Sub(times[i-1]); gap < 950*time.Millisecond {
			t.Fatalf("attempt %d came %v after the previous one; Retry-After said 1s", i+1, gap)
		}
		if sigs[i] == sigs[i-1] {
			t.Fatal("a retry reused the signature")
		}
	}
	for _, b := range rc.bodies {
		if !bytes.Equal(b, body) {
			t.Fatal("a retry changed the body")
		}
	}
	if rc.keys[key] != 3 || len(rc.processed) != 1 {
		t.Fatalf("keys %v processed %v", rc.keys, rc.processed)
	}
}

// TestDeliverStopsAtBudgetAndWait: the attempt budget and the wait limit
// both end the loop with a retryable result.
func TestDeliverStopsAtBudgetAndWait(t *testing.T) {
	s, tg := openStore(t)
	rc := newReceiver(t, func(_ int, _ string, w http.ResponseWriter, _ *http.Request) bool {
		w.Header().Set("Retry-After", "30")
		w.WriteHeader(503)
		return true
	})
	ep := rc.endpoint(t, s, tg, time.Second)
	body, key := testBody(t, tg.ID)
	start := time.Now()
	res, n, err := (&delivery.Sender{}).Deliver(ctx, ep, key, body,
		delivery.RetryPolicy{MaxAttempts: 3, Until: time.Now().Add(5 * time.Second)}, nil)
	if err != nil || res.Final() || n != 1 || !strings.Contains(res.Reason, "after the wait limit") || time.Since(start) > 3*time.Second {
		t.Fatalf("Deliver = %+v %d %v", res, n, err)
	}
	res, n, _ = (&delivery.Sender{}).Deliver(ctx, ep, key, body, delivery.RetryPolicy{MaxAttempts: 1}, nil)
	if n != 1 || res.Code != codes.DeliveryFailed {
		t.Fatalf("budget 1: %+v %d", res, n)
	}
}
