package signing

import (
	"encoding/json"
	"errors"
	"net/http"
	"slices"
	"sync"
	"time"

	"github.com/webriskops/webhook-setup/core/codes"
)

// DefaultMaxProcessed bounds the idempotency keys a Verifier remembers.
const DefaultMaxProcessed = 100000

// Verifier is everything an HTTP receiver written in Go needs to accept a
// WebRiskOps delivery: the current secrets, the timestamp tolerance, the
// nonce replay window and the set of idempotency keys already processed.
// It is safe for concurrent use. The processed set lives in memory and
// forgets its oldest keys past DefaultMaxProcessed; a receiver whose work
// must never repeat across restarts keeps processed keys in its own
// database (a unique index on the key) instead.
//
//	key, err := v.Verify(r, body)
//	if err != nil { http.Error(w, "invalid signature", 401); return }
//	if !v.MarkProcessed(key) { w.WriteHeader(200); return } // a retry: acknowledge only
//	if err := work(body); err != nil { v.Forget(key); http.Error(w, "retry", 503); return }
//	w.WriteHeader(200)
type Verifier struct {
	tolerance time.Duration
	nonces    *NonceCache
	// Now is the receiver's clock; nil means time.Now. Tests set it.
	Now func() time.Time

	mu        sync.Mutex
	secrets   []string
	processed map[string]struct{}
	order     []string // processed keys, oldest first, for bounded memory
}

// NewVerifier returns a Verifier for secrets (newest first; during a
// rotation grace both the new and the old secret) that allows timestamps
// within tolerance of its clock (DefaultTolerance when tolerance <= 0) and
// remembers nonces for as long.
func NewVerifier(secrets []string, tolerance time.Duration) *Verifier {
	if tolerance <= 0 {
		tolerance = DefaultTolerance
	}
	return &Verifier{
		tolerance: tolerance,
		nonces:    NewNonceCache(tolerance, 0),
		secrets:   slices.Clone(secrets),
		processed: make(map[string]struct{}),
	}
}

// SetSecrets replaces the secrets, for a rotation: add the new secret first
// when the sender starts its grace, drop the old one when the grace ends.
func (v *Verifier) SetSecrets(secrets []string) {
	v.mu.Lock()
	v.secrets = slices.Clone(secrets)
	v.mu.Unlock()
}

// ErrNotAnExport is wrapped by Verify's error for a correctly signed body
// that is not a ticket export (no idempotency_key to bind the header to).
var ErrNotAnExport = errors.New("the signed body is not a ticket export")

// Verify checks one delivery: the signature, timestamp and nonce headers as
// Verify does, X-WebRiskOps-Event and X-WebRiskOps-Schema, that the nonce
// was not seen within the window, and that X-WebRiskOps-Idempotency-Key
// equals the signed body's idempotency_key. It returns that key. body must
// be the raw bytes read from r.Body, before any JSON parsing. Refusals are
// *codes.Error with code WEBHOOK_SIGNATURE_INVALID; answer them with 401
// and do no work. A correctly signed body without an idempotency_key fails
// the schema instead: that error wraps ErrNotAnExport (code
// WEBHOOK_PAYLOAD_INVALID); answer it with 400.
func (v *Verifier) Verify(r *http.Request, body []byte) (idempotencyKey string, err error) {
	now := time.Now()
	if v.Now != nil {
		now = v.Now()
	}
	v.mu.Lock()
	secrets := v.secrets
	v.mu.Unlock()
	h := r.Header
	ts, nonce, err := verify(secrets, h, body, now, v.tolerance)
	if err != nil {
		return "", err
	}
	if got := HeaderValue(h, HeaderEvent); got != EventName {
		return "", invalid("%s is %q; this receiver handles %q", HeaderEvent, clip(got), EventName)
	}
	if got := HeaderValue(h, HeaderSchema); got != SchemaVersion {
		return "", invalid("%s is %q; this receiver handles %q", HeaderSchema, clip(got), SchemaVersion)
	}
	key := HeaderValue(h, HeaderIdempotencyKey)
	if key == "" {
		return "", invalid("missing %s header", HeaderIdempotencyKey)
	}
	var signed struct {
		IdempotencyKey string `json:"idempotency_key"`
	}
	if err := json.Unmarshal(body, &signed); err != nil || signed.IdempotencyKey == "" {
		return "", codes.Errorf(codes.PayloadInvalid, "the body is signed but is not a ticket export: it has no idempotency_key").Wrap(ErrNotAnExport)
	}
	if signed.IdempotencyKey != key {
		return "", invalid("%s %q differs from the signed body's idempotency_key", HeaderIdempotencyKey, clip(key))
	}
	// Record the nonce last, so only a delivery that passed every other
	// check can use up a nonce or a slot in the window.
	switch replayed, full := v.nonces.check(nonce, ts, now); {
	case replayed:
		return "", invalid("%s %s was already used within the last %d s: replay refused", HeaderNonce, nonce, int64(v.tolerance/time.Second))
	case full:
		return "", invalid("the replay window is full (%d nonces); retry later", v.nonces.max)
	}
	return key, nil
}

// Processed reports whether key was marked processed.
func (v *Verifier) Processed(key string) bool {
	v.mu.Lock()
	defer v.mu.Unlock()
	_, ok := v.processed[key]
	return ok
}

// MarkProcessed marks key processed and reports whether it was not already:
// true means "do the work", false means "a retry of work done or under way:
// acknowledge it without doing it again". Claiming before the work keeps two
// concurrent retries from both doing it.
func (v *Verifier) MarkProcessed(key string) bool {
	v.mu.Lock()
	defer v.mu.Unlock()
	if _, ok := v.processed[key]; ok {
		return false
	}
	if len(v.order) >= DefaultMaxProcessed {
		delete(v.processed, v.order[0])
		v.order = v.order[1:]
	}
	v.processed[key] = struct{}{}
	v.order = append(v.order, key)
	return true
}

// Forget unmarks key after its work failed, so the sender's next retry does
// the work.
func (v *Verifier) Forget(key string) {
	v.mu.Lock()
	defer v.mu.Unlock()
	if _, ok := v.processed[key]; !ok {
		return
	}
	delete(v.processed, key)
	if i := slices.Index(v.order, key); i >= 0 {
		v.order = slices.Delete(v.order, i, i+1)
	}
}

// Nonces is the Verifier's replay window, for a receiver that keeps it
// across restarts (Restore at start, Live to write it out).
func (v *Verifier) Nonces() *NonceCache { return v.nonces }

// Tolerance is the timestamp tolerance, which is also how long a nonce is
// remembered after its timestamp.
func (v *Verifier) Tolerance() time.Duration { return v.tolerance }
