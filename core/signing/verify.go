package signing

import (
	"crypto/hmac"
	"encoding/hex"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/webriskops/webhook-setup/core/codes"
)

// Verify checks the signature of one delivery as a receiver must: the
// timestamp, nonce and signature headers are present and well formed, some
// "v1=" entry equals the HMAC of timestamp "." nonce "." body under one of
// secrets (compared in constant time), and the timestamp is within tolerance
// of now in either direction (DefaultTolerance when tolerance <= 0). Headers
// are matched in any letter case.
//
// It does not remember nonces: a receiver that uses Verify directly must
// refuse a nonce it has seen within the tolerance (NonceCache), or use
// Verifier, which does. Every refusal is a *codes.Error with code
// WEBHOOK_SIGNATURE_INVALID (SecretMissing when secrets holds no non-empty
// secret) and a reason that says exactly what failed.
func Verify(secrets []string, h http.Header, body []byte, now time.Time, tolerance time.Duration) error {
	_, _, err := verify(secrets, h, body, now, tolerance)
	return err
}

// verify is Verify that also returns the parsed timestamp and nonce.
func verify(secrets []string, h http.Header, body []byte, now time.Time, tolerance time.Duration) (int64, string, error) {
	if tolerance <= 0 {
		tolerance = DefaultTolerance
	}
	if !anySecret(secrets) {
		return 0, "", codes.Errorf(codes.SecretMissing, "the receiver has no signing secret to verify with")
	}
	tsText := HeaderValue(h, HeaderTimestamp)
	nonce := HeaderValue(h, HeaderNonce)
	sig := HeaderValue(h, HeaderSignature)
	switch {
	case sig == "":
		return 0, "", invalid("missing %s header", HeaderSignature)
	case tsText == "":
		return 0, "", invalid("missing %s header", HeaderTimestamp)
	case nonce == "":
		return 0, "", invalid("missing %s header", HeaderNonce)
	}
	ts, err := parseTimestamp(tsText)
	if err != nil {
		return 0, "", err
	}
	if err := CheckNonce(nonce); err != nil {
		return 0, "", err
	}
	entries, err := parseSignature(sig)
	if err != nil {
		return 0, "", err
	}
	if !matches(secrets, entries, tsText, nonce, body) {
		return 0, "", invalid("no %s entry of %s matches the body under any current secret", SignaturePrefix, HeaderSignature)
	}
	if err := checkFresh(ts, now, tolerance); err != nil {
		return 0, "", err
	}
	return ts, nonce, nil
}

func invalid(format string, args ...any) *codes.Error {
	return codes.Errorf(codes.SignatureInvalid, format, args...)
}

func anySecret(secrets []string) bool {
	for _, s := range secrets {
		if s != "" {
			return true
		}
	}
	return false
}

// parseTimestamp accepts 1 to 19 decimal digits, nothing else.
func parseTimestamp(s string) (int64, error) {
	if len(s) > 19 || strings.TrimLeft(s, "0123456789") != "" {
		return 0, invalid("malformed %s header %q: want Unix seconds as decimal digits", HeaderTimestamp, clip(s))
	}
	ts, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		return 0, invalid("malformed %s header %q: want Unix seconds as decimal digits", HeaderTimestamp, clip(s))
	}
	return ts, nil
}

// CheckNonce returns a SignatureInvalid error unless nonce is exactly 32
// lowercase hex characters.
func CheckNonce(nonce string) error {
	if len(nonce) != NonceLen || !lowerHex(nonce) {
		return invalid("malformed %s header %q: want %d lowercase hex characters", HeaderNonce, clip(nonce), NonceLen)
	}
	return nil
}

// parseSignature splits the header on single spaces and decodes every v1
// entry. Entries of another version ("v2=...") are skipped; anything else —
// empty entries from doubled or edge spaces, a missing "v1=", uppercase or
// short hex — is refused with the entry's position.
func parseSignature(sig string) ([][macLen]byte, error) {
	parts := strings.Split(sig, " ")
	if len(parts) > MaxSignatureEntries {
		return nil, invalid("%s has %d entries; at most %d are allowed", HeaderSignature, len(parts), MaxSignatureEntries)
	}
	entries := make([][macLen]byte, 0, len(parts))
	for i, p := range parts {
		if p == "" {
			return nil, invalid("malformed %s: entry %d is empty; entries are separated by exactly one space", HeaderSignature, i+1)
		}
		if !strings.HasPrefix(p, SignaturePrefix) {
			if otherVersion(p) {
				continue
			}
			return nil, invalid("malformed %s: entry %d %q does not start with %q", HeaderSignature, i+1, clip(p), SignaturePrefix)
		}
		h := p[len(SignaturePrefix):]
		if len(h) != 2*macLen || !lowerHex(h) {
			return nil, invalid("malformed %s: entry %d is not %q and %d lowercase hex characters", HeaderSignature, i+1, SignaturePrefix, 2*macLen)
		}
		var e [macLen]byte
		hex.Decode(e[:], []byte(h))
		entries = append(entries, e)
	}
	if len(entries) == 0 {
		return nil, invalid("malformed %s: no %s entry", HeaderSignature, SignaturePrefix)
	}
	return entries, nil
}

// otherVersion reports whether p looks like "v<digits>=..." of a scheme
// version other than 1.
func otherVersion(p string) bool {
	i := strings.IndexByte(p, '=')
	if i < 2 || p[0] != 'v' {
		return false
	}
	return strings.TrimLeft(p[1:i], "0123456789") == ""
}

// matches computes one HMAC per non-empty secret over the timestamp and
// nonce exactly as received, and compares it with every entry in constant
// time.
func matches(secrets []string, entries [][macLen]byte, timestamp, nonce string, body []byte) bool {
	var buf [64]byte
	prefix := appendPrefix(buf[:0], []byte(timestamp), nonce)
	var sum [macLen]byte
	for _, s := range secrets {
		if s == "" {
			continue
		}
		want := mac(sum[:0], s, prefix, body)
		for i := range entries {
			if hmac.Equal(want, entries[i][:]) {
				return true
			}
		}
	}
	return false
}

// checkFresh refuses a timestamp more than tolerance from now. It compares
// before it subtracts, so a hostile timestamp cannot overflow into "fresh".
func checkFresh(ts int64, now time.Time, tolerance time.Duration) error {
	limit := int64(tolerance / time.Second)
	n := now.Unix()
	switch {
	case ts < n-limit:
		return invalid("%s is stale: %d s old, the limit is %d s (check the clocks, or this is a replay)", HeaderTimestamp, uint64(n)-uint64(ts), limit)
	case ts > n+limit:
		return invalid("%s is %d s in the future, the limit is %d s (check the clocks)", HeaderTimestamp, uint64(ts)-uint64(n), limit)
	}
	return nil
}

func lowerHex(s string) bool {
	for i := 0; i < len(s); i++ {
		if c := s[i]; !('0' <= c && c <= '9' || 'a' <= c && c <= 'f') {
			return false
		}
	}
	return true
}

// clip shortens a header value quoted in a reason so a hostile header cannot
// flood logs.
func clip(s string) string {
	if len(s) > 80 {
		return s[:80] + "..."
	}
	return s
}
