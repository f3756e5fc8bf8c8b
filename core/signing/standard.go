package signing

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"net/http"
	"strconv"
	"strings"
)

// Header names and formats of the Standard Webhooks profile
// (https://www.standardwebhooks.com, spec v1), which a target may send in
// addition to the X-WebRiskOps headers so receivers can verify with a
// maintained library. They are spelled in lower case as the spec spells
// them; receivers match them case-insensitively.
const (
	HeaderWebhookID        = "webhook-id"
	HeaderWebhookTimestamp = "webhook-timestamp"
	HeaderWebhookSignature = "webhook-signature"
	// StandardSignaturePrefix starts every webhook-signature entry: the
	// scheme version "v1" and ",".
	StandardSignaturePrefix = "v1,"
	// WhsecPrefix starts the Standard Webhooks form of a secret.
	WhsecPrefix = "whsec_"
)

// Whsec returns the Standard Webhooks form of secret: "whsec_" and the
// standard base64 of the secret's bytes. The libraries base64-decode what
// follows the prefix and key the HMAC with those bytes, which are then the
// same bytes that key X-WebRiskOps-Signature: one secret serves both
// schemes. It is as secret as secret itself.
func Whsec(secret string) string {
	return WhsecPrefix + base64.StdEncoding.EncodeToString([]byte(secret))
}

// StandardSign returns the webhook-signature value for one attempt: for
// each secret (at most MaxSignatureEntries, newest first), "v1," and the
// standard base64 of HMAC-SHA256(id + "." + timestamp + "." + body) keyed
// by the secret's bytes, joined by single spaces. With no secrets it
// returns "".
func StandardSign(secrets []string, id string, timestamp int64, body []byte) string {
	secrets = secrets[:min(len(secrets), MaxSignatureEntries)]
	prefix := make([]byte, 0, len(id)+24)
	prefix = append(prefix, id...)
	prefix = append(prefix, '.')
	prefix = strconv.AppendInt(prefix, timestamp, 10)
	prefix = append(prefix, '.')
	var out strings.Builder
	var sum [macLen]byte
	for i, s := range secrets {
		if i > 0 {
			out.WriteByte(' ')
		}
		m := hmac.New(sha256.New, []byte(s))
		m.Write(prefix)
		m.Write(body)
		out.WriteString(StandardSignaturePrefix)
		out.WriteString(base64.StdEncoding.EncodeToString(m.Sum(sum[:0])))
	}
	return out.String()
}

// SetStandardHeaders sets the three Standard Webhooks headers of one
// attempt on h: webhook-id (the idempotency key, the same on every retry),
// webhook-timestamp (timestamp, the same Unix seconds as
// X-WebRiskOps-Timestamp) and webhook-signature (StandardSign). The caller
// has checked id and secrets with SetHeaders.
func SetStandardHeaders(h http.Header, secrets []string, id string, timestamp int64, body []byte) {
	for _, name := range standardHeaders {
		delete(h, http.CanonicalHeaderKey(name))
	}
	h[HeaderWebhookID] = []string{id}
	h[HeaderWebhookTimestamp] = []string{strconv.FormatInt(timestamp, 10)}
	h[HeaderWebhookSignature] = []string{StandardSign(secrets, id, timestamp, body)}
}

// standardHeaders lists the Standard Webhooks headers in display order.
var standardHeaders = [...]string{HeaderWebhookID, HeaderWebhookTimestamp, HeaderWebhookSignature}

// DeliveryHeaders lists every header this package may set on a delivery,
// in display order: the eight of every attempt, then the Standard Webhooks
// three. Nothing else (an edge authentication header, say) may reuse these
// names.
func DeliveryHeaders() []string {
	out := make([]string, 0, len(sentHeaders)+len(standardHeaders))
	out = append(out, sentHeaders[:]...)
	return append(out, standardHeaders[:]...)
}

// IsDeliveryHeader reports whether name, in any letter case, is one of
// DeliveryHeaders or starts with "X-WebRiskOps-" (kept for this tool).
func IsDeliveryHeader(name string) bool {
	const ours = "X-WebRiskOps-"
	if len(name) >= len(ours) && equalFold(name[:len(ours)], ours) {
		return true
	}
	for _, h := range DeliveryHeaders() {
		if len(h) == len(name) && equalFold(h, name) {
			return true
		}
	}
	return false
}
