package signing

import (
	"bytes"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/webriskops/webhook-setup/core/codes"
)

// receiver is the reference handler of docs/signing.md, counting the work
// it does.
func receiver(v *Verifier, work *atomic.Int64) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, 1<<20))
		if err != nil {
			http.Error(w, "body too large", http.StatusRequestEntityTooLarge)
			return
		}
		key, err := v.Verify(r, body)
		if err != nil {
			http.Error(w, err.Error(), http.StatusUnauthorized)
			return
		}
		if !v.MarkProcessed(key) {
			w.WriteHeader(http.StatusOK)
			return
		}
		work.Add(1)
		w.WriteHeader(http.StatusOK)
	})
}

func post(t *testing.T, url string, secrets []string, key string, now time.Time, body []byte, edit func(*http.Request)) (int, string) {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, url, bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	if err := SignRequest(req, secrets, key, now, body); err != nil {
		t.Fatal(err)
	}
	if edit != nil {
		edit(req)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	msg, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(msg)
}

func TestVerifierEndToEnd(t *testing.T) {
	now := time.Unix(docTimestamp, 0)
	v := NewVerifier([]string{docNewSecret, docOldSecret}, 0)
	v.Now = func() time.Time { return now }
	var work atomic.Int64
	srv := httptest.NewServer(receiver(v, &work))
	defer srv.Close()
	body := []byte(docBody)

	// First attempt, then a retry (new nonce, same key): work done once.
	for i := range 3 {
		if code, msg := post(t, srv.URL, []string{docNewSecret, docOldSecret}, docKey, now, body, nil); code != 200 {
			t.Fatalf("attempt %d: %d %s", i+1, code, msg)
		}
	}
	if work.Load() != 1 {
		t.Fatalf("work done %d times for one idempotency key", work.Load())
	}
	// Signed only with the old secret (sender still in grace): accepted.
	if code, msg := post(t, srv.URL, []string{docOldSecret}, docKey, now, body, nil); code != 200 {
		t.Fatalf("old secret: %d %s", code, msg)
	}

	// A captured attempt replayed verbatim is refused.
	var captured http.Header
	code, _ := post(t, srv.URL, []string{docNewSecret}, docKey, now, body, func(r *http.Request) { captured = r.Header.Clone() })
	if code != 200 {
		t.Fatal(code)
	}
	code, msg := post(t, srv.URL, []string{docNewSecret}, docKey, now, body, func(r *http.Request) { r.Header = captured })
	if code != 401 || !strings.Contains(msg, "already used") {
		t.Fatalf("replay: %d %s", code, msg)
	}

	for _, c := range []struct {
		name string
		edit func(*http.Request)
		want string
	}{
		{"key header differs from body", func(r *http.Request) { r.Header[HeaderIdempotencyKey] = []string{"wro_other"} }, "differs from the signed body"},
		{"missing key header", func(r *http.Request) { delete(r.Header, HeaderIdempotencyKey) }, "missing X-WebRiskOps-Idempotency-Key"},
		{"wrong event", func(r *http.Request) { r.Header[HeaderEvent] = []string{"ticket.created"} }, "X-WebRiskOps-Event is \"ticket.created\""},
		{"wrong schema", func(r *http.Request) { r.Header[HeaderSchema] = []string{"ticket-export.webhook.v2"} }, "X-WebRiskOps-Schema is"},
	} {
		code, msg := post(t, srv.URL, []string{docNewSecret}, docKey, now, body, c.edit)
		if code != 401 || !strings.Contains(msg, c.want) {
			t.Errorf("%s: %d %q, want 401 with %q", c.name, code, msg, c.want)
		}
	}

	// Rotation ends: the receiver drops the old secret.
	v.SetSecrets([]string{docNewSecret})
	if code, msg := post(t, srv.URL, []string{docOldSecret}, docKey, now, body, nil); code != 401 || !strings.Contains(msg, "matches") {
		t.Fatalf("old secret after rotation: %d %s", code, msg)
	}
	if work.Load() != 1 {
		t.Fatalf("work done %d times", work.Load())
	}
}

func TestVerifierReplayDoesNotBurnNonceOnFailure(t *testing.T) {
	now := time.Unix(docTimestamp, 0)
	v := NewVerifier([]string{docNewSecret}, 0)
	v.Now = func() time.Time { return now }
	h := signed(docNewSecret)
	bad := h.Clone()
	bad.Set(HeaderIdempotencyKey, "wro_other")
	if _, err := v.Verify(&http.Request{Header: bad}, vBody); err == nil {
		t.Fatal("mismatched key accepted")
	}
	key, err := v.Verify(&http.Request{Header: h}, vBody)
	if err != nil || key != docKey {
		t.Fatalf("Verify = %q, %v; a refused attempt used up the nonce", key, err)
	}
	_, err = v.Verify(&http.Request{Header: h}, vBody)
	var e *codes.Error
	if !errors.As(err, &e) || e.Code != codes.SignatureInvalid {
		t.Fatalf("replay: %v", err)
	}
}

func TestVerifierProcessed(t *testing.T) {
	v := NewVerifier([]string{"s"}, 0)
	if v.Processed("k") {
		t.Fatal("fresh key processed")
	}
	if !v.MarkProcessed("k") || v.MarkProcessed("k") || !v.Processed("k") {
		t.Fatal("MarkProcessed does not claim once")
	}
	v.Forget("k")
	if v.Processed("k") || !v.MarkProcessed("k") {
		t.Fatal("Forget did not release the key")
	}
	// Concurrent claims: exactly one wins.
	var wins atomic.Int64
	var wg sync.WaitGroup
	for range 16 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if v.MarkProcessed("race") {
				wins.Add(1)
			}
		}()
	}
	wg.Wait()
	if wins.Load() != 1 {
		t.Fatalf("%d concurrent claims won", wins.Load())
	}
}

func TestVerifierProcessedBounded(t *testing.T) {
	v := NewVerifier([]string{"s"}, 0)
	for i := range DefaultMaxProcessed + 10 {
		v.MarkProcessed("wro_" + strconv.Itoa(i))
	}
	v.mu.Lock()
	n, o := len(v.processed), len(v.order)
	v.mu.Unlock()
	if n != DefaultMaxProcessed || o != DefaultMaxProcessed {
		t.Fatalf("processed set holds %d/%d keys, want %d", n, o, DefaultMaxProcessed)
	}
}
