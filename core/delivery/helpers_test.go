package delivery_test

import (
	"context"
	"crypto/x509"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/webriskops/webhook-setup/core"
	"github.com/webriskops/webhook-setup/core/delivery"
	"github.com/webriskops/webhook-setup/core/payload"
	"github.com/webriskops/webhook-setup/core/signing"
	"github.com/webriskops/webhook-setup/store"
)

var ctx = context.Background()

const (
	testSecret = "wrsec_delivery-tests-secret-0123456789abcdefABCDEF"
	hookToken  = "Tok3nInThePath0123456789"
)

// receiver is a real TLS server on loopback that verifies every request as
// a receiver must and records what it saw on the wire.
type receiver struct {
	t   testing.TB
	srv *httptest.Server
	v   *signing.Verifier

	mu        sync.Mutex
	requests  int
	bodies    [][]byte
	nonces    map[string]int
	keys      map[string]int // requests per idempotency key
	processed map[string]int // work done per key (after dedupe)
	invalid   []string
	respond   func(n int, key string, w http.ResponseWriter, r *http.Request) bool
	conns     int // connections accepted
}

// newReceiver starts a receiver; respond, when not nil, may answer a
// request itself (return true) before the normal accept path.
func newReceiver(t testing.TB, respond func(n int, key string, w http.ResponseWriter, r *http.Request) bool) *receiver {
	t.Helper()
	rc := &receiver{t: t, v: signing.NewVerifier([]string{testSecret}, 0), nonces: map[string]int{},
		keys: map[string]int{}, processed: map[string]int{}, respond: respond}
	rc.srv = httptest.NewUnstartedServer(http.HandlerFunc(rc.handle))
	rc.srv.Config.ConnState = func(_ net.Conn, st http.ConnState) {
		if st == http.StateNew {
			rc.mu.Lock()
			rc.conns++
			rc.mu.Unlock()
		}
	}
	rc.srv.StartTLS()
	t.Cleanup(rc.srv.Close)
	return rc
}

func (rc *receiver) handle(w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(r.Body)
	if err != nil {
		return
	}
	key := signing.HeaderValue(r.Header, signing.HeaderIdempotencyKey)
	rc.mu.Lock()
	rc.requests++
	n := rc.requests
	rc.bodies = append(rc.bodies, body)
	rc.nonces[signing.HeaderValue(r.Header, signing.HeaderNonce)]++
	rc.keys[key]++
	rc.mu.Unlock()
	if _, err := rc.v.Verify(r, body); err != nil {
		rc.mu.Lock()
		rc.invalid = append(rc.invalid, err.Error())
		rc.mu.Unlock()
		http.Error(w, `{"error":"WEBHOOK_SIGNATURE_INVALID"}`, http.StatusUnauthorized)
		return
	}
	if err := payload.ValidateBody(body); err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	if rc.respond != nil && rc.respond(n, key, w, r) {
		return
	}
	rc.accept(key, w)
}

// accept does the work of key once, however often it arrives.
func (rc *receiver) accept(key string, w http.ResponseWriter) {
	if rc.v.MarkProcessed(key) {
		rc.mu.Lock()
		rc.processed[key]++
		rc.mu.Unlock()
	}
	w.WriteHeader(http.StatusOK)
}

func (rc *receiver) count() int {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	return rc.requests
}

// connections is how many connections rc accepted.
func (rc *receiver) connections() int {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	return rc.conns
}

// checkValid fails the test when any request failed verification.
func (rc *receiver) checkValid() {
	rc.t.Helper()
	rc.mu.Lock()
	defer rc.mu.Unlock()
	if len(rc.invalid) > 0 {
		rc.t.Fatalf("receiver refused %d requests, first: %s", len(rc.invalid), rc.invalid[0])
	}
	for nonce, n := range rc.nonces {
		if n > 1 {
			rc.t.Fatalf("nonce %s was sent %d times", nonce, n)
		}
	}
}

func (rc *receiver) pool() *x509.CertPool {
	p := x509.NewCertPool()
	p.AddCert(rc.srv.Certificate())
	return p
}

// endpoint is a rehearsal endpoint for rc signing with the target's stored
// secrets: the loopback route urlsafe allows.
func (rc *receiver) endpoint(t testing.TB, s *store.Store, tg core.Target, attempt time.Duration) *delivery.Endpoint {
	t.Helper()
	ep, err := delivery.RehearsalEndpoint(rc.srv.URL+"/hooks/"+hookToken, rc.pool(),
		delivery.ClientOptions(time.Second, attempt, nil), core.RateLimit{})
	if err != nil {
		t.Fatal(err)
	}
	ep.Secrets = delivery.StoredSecrets(s, tg.ID)
	return ep
}

// openStore opens a store in a temp folder with one target.
func openStore(t testing.TB) (*store.Store, core.Target) {
	t.Helper()
	s, err := store.Open(filepath.Join(t.TempDir(), "data", "webhook-setup.db"), "")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	tg := core.Target{
		Name: "tickets", ProviderKey: core.ProviderGeneric, DeploymentMode: core.ModeCloud,
		BaseURL:       "https://hooks.example.com/hooks/" + hookToken,
		ReceiverOwner: "ops", RevokePath: "receiver admin", ReceiverChecksConfirmed: true,
		PrivateNetwork: core.PrivateNetwork{Policy: core.PolicyDeny},
	}
	if err := s.CreateTarget(ctx, &tg, testSecret, "test"); err != nil {
		t.Fatal(err)
	}
	return s, tg
}

func ticket(i int) payload.Ticket {
	return payload.Ticket{Title: fmt.Sprintf("Finding %d", i), Description: "Something to fix.",
		Severity: payload.SeverityMedium, Kind: payload.KindFinding, FindingID: fmt.Sprintf("fnd_%05d", i)}
}

// enqueue queues n rehearsal exports of tg and returns them as stored.
func enqueue(t testing.TB, s *store.Store, tg core.Target, n, maxAttempts int) []delivery.Delivery {
	t.Helper()
	ds := make([]delivery.Delivery, n)
	now := time.Now()
	for i := range ds {
		tk := ticket(i)
		key := delivery.ExportKey(tg.ID, tk, "run-"+t.Name())
		body, err := payload.Build(payload.TargetRef{ID: tg.ID, Name: tg.Name}, string(tg.ProviderKey), tk, key, false, now)
		if err != nil {
			t.Fatal(err)
		}
		ds[i] = delivery.Delivery{TargetID: tg.ID, IdempotencyKey: key, Body: body, MaxAttempts: maxAttempts}
	}
	out, err := s.Enqueue(ctx, ds)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func ids(ds []delivery.Delivery) []string {
	out := make([]string, len(ds))
	for i, d := range ds {
		out[i] = d.ID
	}
	return out
}

// runner builds a runner over s that sends everything to ep.
func runner(s *store.Store, ep *delivery.Endpoint, attempt time.Duration, fallbackDir string) *delivery.Runner {
	return &delivery.Runner{
		Outbox:     s,
		Sender:     &delivery.Sender{AttemptTimeout: attempt},
		Endpoint:   func(context.Context, delivery.Delivery) (*delivery.Endpoint, error) { return ep, nil },
		MaxBackoff: 50 * time.Millisecond,
		Rehearsal:  ep != nil && ep.Rehearsal,
		Fallback: func(d delivery.Delivery, r delivery.Result, used *delivery.Endpoint) (string, error) {
			shown := ""
			if used != nil {
				shown = used.Redacted()
			}
			return delivery.WriteBundle(fallbackDir, d.ID, delivery.Bundle{
				DeliveryID: d.ID, Target: d.TargetName, Endpoint: shown, IdempotencyKey: d.IdempotencyKey,
				Status: r.Status(), Attempts: d.Attempts + 1, Code: r.Code, Reason: r.Reason, Fix: r.Fix(),
				Body: d.Body, At: time.Now(),
			})
		},
	}
}
