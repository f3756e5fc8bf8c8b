package signing

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/webriskops/webhook-setup/core/codes"
)

// Header names of a WebRiskOps delivery, in the exact case the spec and the
// sender use. Receivers must match them case-insensitively: Go canonicalises
// them ("X-Webriskops-Signature"), HTTP/2 and n8n lower-case them.
const (
	HeaderEvent          = "X-WebRiskOps-Event"
	HeaderSchema         = "X-WebRiskOps-Schema"
	HeaderIdempotencyKey = "X-WebRiskOps-Idempotency-Key"
	HeaderTimestamp      = "X-WebRiskOps-Timestamp"
	HeaderNonce          = "X-WebRiskOps-Nonce"
	HeaderSignature      = "X-WebRiskOps-Signature"
)

// EventName and SchemaVersion are the values of X-WebRiskOps-Event and
// X-WebRiskOps-Schema, and of the body's event and schema_version fields.
// They live here, not in package payload, because payload imports signing.
const (
	EventName     = "ticket_export.requested"
	SchemaVersion = "ticket-export.webhook.v1"
)

// ContentType is the Content-Type of every delivery body.
const ContentType = "application/json"

// SignaturePrefix starts every signature entry: the scheme version "v1" and
// "=". Entries of other versions are ignored by Verify, so a later scheme can
// be sent next to v1 without breaking receivers.
const SignaturePrefix = "v1="

// NonceLen is the length of a nonce: 32 lowercase hex characters.
const NonceLen = 32

// DefaultTolerance is how far a delivery's timestamp may be from the
// receiver's clock, in either direction, and how long nonces are remembered.
const DefaultTolerance = 300 * time.Second

// MaxSignatureEntries caps the entries of one signature header, so a hostile
// header cannot make a receiver do unbounded work.
const MaxSignatureEntries = 16

// UserAgent is sent as the User-Agent of every delivery. main sets it once at
// start-up, before any delivery, to "webhook-setup/" + the build version.
var UserAgent = "webhook-setup/dev"

// macLen is the length of one HMAC-SHA256 in bytes; an entry carries it as
// 64 hex characters.
const macLen = sha256.Size

// Sign returns the X-WebRiskOps-Signature value for one attempt: for each
// secret, "v1=" and the lowercase hex HMAC-SHA256 of
// timestamp + "." + nonce + "." + body keyed by the secret's bytes, joined by
// single spaces in the order given (newest secret first). Only the first
// MaxSignatureEntries secrets sign: receivers refuse a longer header, so
// after many rotations within one grace the oldest secrets drop out instead
// of every delivery being refused. With no secrets it returns "", which
// every receiver refuses.
func Sign(secrets []string, timestamp int64, nonce string, body []byte) string {
	if len(secrets) == 0 {
		return ""
	}
	secrets = secrets[:min(len(secrets), MaxSignatureEntries)]
	var tsBuf [20]byte
	var buf [64]byte
	prefix := appendPrefix(buf[:0], strconv.AppendInt(tsBuf[:0], timestamp, 10), nonce)
	var out strings.Builder
	out.Grow(len(secrets)*(len(SignaturePrefix)+2*macLen) + len(secrets) - 1)
	var sum [macLen]byte
	var hx [2 * macLen]byte
	for i, s := range secrets {
		if i > 0 {
			out.WriteByte(' ')
		}
		out.WriteString(SignaturePrefix)
		hex.Encode(hx[:], mac(sum[:0], s, prefix, body))
		out.Write(hx[:])
	}
	return out.String()
}

// appendPrefix appends the signed prefix timestamp "." nonce "." to dst.
func appendPrefix(dst, timestamp []byte, nonce string) []byte {
	dst = append(dst, timestamp...)
	dst = append(dst, '.')
	dst = append(dst, nonce...)
	return append(dst, '.')
}

// mac appends HMAC-SHA256(secret, prefix + body) to dst. The body is
// written straight into the hash, never copied.
func mac(dst []byte, secret string, prefix, body []byte) []byte {
	m := hmac.New(sha256.New, []byte(secret))
	m.Write(prefix)
	m.Write(body)
	return m.Sum(dst)
}

// NewNonce returns a fresh nonce: 16 random bytes as 32 lowercase hex
// characters. Every attempt, retries included, gets a new one.
func NewNonce() (string, error) {
	var b [NonceLen / 2]byte
	if _, err := rand.Read(b[:]); err != nil {
		return "", fmt.Errorf("read random bytes: %w", err)
	}
	return hex.EncodeToString(b[:]), nil
}

// SignRequest sets the delivery headers of one attempt on r, whose body
// must send exactly body: see SetHeaders.
func SignRequest(r *http.Request, secrets []string, idempotencyKey string, now time.Time, body []byte) error {
	if r.Header == nil {
		r.Header = make(http.Header, 8)
	}
	return SetHeaders(r.Header, secrets, idempotencyKey, now, body)
}

// SetHeaders sets the eight headers of one delivery attempt on h:
// Content-Type, User-Agent and the six X-WebRiskOps headers, with a new nonce
// and now's Unix seconds. body must be the exact bytes that will be sent, and
// secrets the valid secrets newest first. Existing values of these headers, in
// the spec's spelling or Go's canonical form, are replaced. It refuses an empty secret list or
// secret (SecretMissing) and an idempotency key that is not a valid header
// value (PayloadInvalid).
func SetHeaders(h http.Header, secrets []string, idempotencyKey string, now time.Time, body []byte) error {
	if len(secrets) == 0 {
		return codes.Errorf(codes.SecretMissing, "no signing secret to sign the delivery with")
	}
	for i, s := range secrets {
		if s == "" {
			return codes.Errorf(codes.SecretMissing, "signing secret %d of %d is empty", i+1, len(secrets))
		}
	}
	if err := CheckIdempotencyKey(idempotencyKey); err != nil {
		return err
	}
	nonce, err := NewNonce()
	if err != nil {
		return codes.Errorf(codes.Internal, "cannot make a nonce: %v", err).Wrap(err)
	}
	setHeaders(h, secrets, idempotencyKey, now.Unix(), nonce, body)
	return nil
}

// setHeaders fills h for one attempt with an explicit timestamp and nonce.
// It is on the hot path of every attempt: the eight values share one
// backing array and the canonical names are computed once.
func setHeaders(h http.Header, secrets []string, idempotencyKey string, timestamp int64, nonce string, body []byte) {
	vals := [...]string{
		ContentType,
		UserAgent,
		EventName,
		SchemaVersion,
		idempotencyKey,
		strconv.FormatInt(timestamp, 10),
		nonce,
		Sign(secrets, timestamp, nonce, body),
	}
	backing := vals[:]
	for i, name := range sentHeaders {
		if c := canonicalSent[i]; c != name {
			delete(h, c)
		}
		h[name] = backing[i : i+1 : i+1]
	}
}

// sentHeaders lists the headers of every attempt in setHeaders' order,
// spelled as the spec spells them: the wire carries these exact bytes.
var sentHeaders = [...]string{"Content-Type", "User-Agent", HeaderEvent, HeaderSchema, HeaderIdempotencyKey, HeaderTimestamp, HeaderNonce, HeaderSignature}

// canonicalSent holds Go's canonical form of each sent header, removed
// from h so no header is sent twice under two spellings.
var canonicalSent = func() (c [len(sentHeaders)]string) {
	for i, n := range sentHeaders {
		c[i] = http.CanonicalHeaderKey(n)
	}
	return c
}()

// HeaderValue returns the first value of the header name in h, matching the
// name in any letter case: exact, Go's canonical form, or any other (an
// http.Header built from lower-cased names, as n8n passes them).
func HeaderValue(h http.Header, name string) string {
	if v, ok := h[name]; ok && len(v) > 0 {
		return v[0]
	}
	if v := h.Get(name); v != "" {
		return v
	}
	for k, v := range h {
		if len(v) > 0 && len(k) == len(name) && equalFold(k, name) {
			return v[0]
		}
	}
	return ""
}

// equalFold compares ASCII header names without regard to case.
func equalFold(a, b string) bool {
	for i := 0; i < len(a); i++ {
		x, y := a[i], b[i]
		if 'A' <= x && x <= 'Z' {
			x += 'a' - 'A'
		}
		if 'A' <= y && y <= 'Z' {
			y += 'a' - 'A'
		}
		if x != y {
			return false
		}
	}
	return true
}

// MaxIdempotencyKeyLen caps an idempotency key's length.
const MaxIdempotencyKeyLen = 128

// CheckIdempotencyKey returns a PayloadInvalid error unless key is 1 to 128
// characters of A-Z, a-z, 0-9, '_', '-', '.' and ':' — safe as a header value
// and as a database key. The payload schema's pattern states the same rule.
func CheckIdempotencyKey(key string) error {
	if key == "" {
		return codes.Errorf(codes.PayloadInvalid, "the idempotency key is empty")
	}
	if len(key) > MaxIdempotencyKeyLen {
		return codes.Errorf(codes.PayloadInvalid, "the idempotency key is %d characters; at most %d are allowed", len(key), MaxIdempotencyKeyLen)
	}
	for i := 0; i < len(key); i++ {
		if !keyChar(key[i]) {
			return codes.Errorf(codes.PayloadInvalid, "the idempotency key has a character other than A-Z, a-z, 0-9, _ - . : at position %d", i+1)
		}
	}
	return nil
}

func keyChar(c byte) bool {
	return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '_' || c == '-' || c == '.' || c == ':'
}
