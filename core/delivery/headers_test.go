package delivery_test

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/webriskops/webhook-setup/core"
	"github.com/webriskops/webhook-setup/core/delivery"
	"github.com/webriskops/webhook-setup/core/signing"
)

const edgeValue = "edge-value-for-delivery-tests-0123456789"

// TestExtraHeadersOnTheWire: a target with the Standard Webhooks profile
// and an edge header sends both on every attempt, the Standard Webhooks
// signature recomputed here independently; a target with neither sends
// neither; an answer that echoes the edge value back never puts it in the
// attempt's reason.
func TestExtraHeadersOnTheWire(t *testing.T) {
	s, plain := openStore(t)
	extra := plain
	extra.ID, extra.Name = "", "extra"
	extra.StandardWebhooks = true
	extra.EdgeAuth = &core.EdgeAuth{Header: "x-make-apikey"}
	if err := s.CreateTargetWithEdge(ctx, &extra, testSecret, edgeValue, "test"); err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	var seen []http.Header
	echo := false
	rc := newReceiver(t, func(_ int, _ string, w http.ResponseWriter, r *http.Request) bool {
		mu.Lock()
		defer mu.Unlock()
		seen = append(seen, r.Header.Clone())
		if echo {
			w.WriteHeader(http.StatusBadRequest)
			fmt.Fprintf(w, "bad key %s", r.Header.Get("X-Make-Apikey"))
			return true
		}
		return false
	})
	send := func(tg core.Target) (delivery.Result, http.Header, []byte) {
		t.Helper()
		ep := rc.endpoint(t, s, tg, 5*time.Second)
		ep.StandardWebhooks = tg.StandardWebhooks
		if tg.EdgeAuth != nil {
			ep.Edge = delivery.StoredEdge(s, tg.ID)
		}
		body, key := testBody(t, tg.ID)
		res, _, err := (&delivery.Sender{}).Attempt(ctx, ep, key, body)
		if err != nil {
			t.Fatal(err)
		}
		mu.Lock()
		defer mu.Unlock()
		if len(seen) == 0 {
			t.Fatalf("the receiver saw no request (result %+v)", res)
		}
		return res, seen[len(seen)-1], body
	}

	res, h, body := send(extra)
	rc.checkValid()
	if !res.Delivered {
		t.Fatalf("extra: %+v", res)
	}
	if got := h.Values("X-Make-Apikey"); len(got) != 1 || got[0] != edgeValue {
		t.Fatalf("edge header on the wire = %q", got)
	}
	id, ts := h.Get("Webhook-Id"), h.Get("Webhook-Timestamp")
	if id != h.Get(signing.HeaderIdempotencyKey) || ts != h.Get(signing.HeaderTimestamp) || id == "" {
		t.Fatalf("webhook-id %q / timestamp %q do not match the X-WebRiskOps headers %v", id, ts, h)
	}
	m := hmac.New(sha256.New, []byte(testSecret))
	m.Write([]byte(id + "." + ts + "." + string(body)))
	if want := "v1," + base64.StdEncoding.EncodeToString(m.Sum(nil)); h.Get("Webhook-Signature") != want {
		t.Fatalf("webhook-signature %q, want %q", h.Get("Webhook-Signature"), want)
	}

	res, h, _ = send(plain)
	if !res.Delivered {
		t.Fatalf("plain: %+v", res)
	}
	for name := range h {
		if strings.EqualFold(name, "x-make-apikey") || strings.HasPrefix(strings.ToLower(name), "webhook-") {
			t.Fatalf("a target without extras sent %s", name)
		}
	}

	mu.Lock()
	echo = true
	mu.Unlock()
	res, _, _ = send(extra)
	if res.Delivered || !strings.Contains(res.Reason, "(bad key [edge value])") || strings.Contains(res.Reason, edgeValue[:12]) {
		t.Fatalf("echoed answer: %+v", res)
	}
}
