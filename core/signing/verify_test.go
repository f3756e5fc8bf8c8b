package signing

import (
	"errors"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/webriskops/webhook-setup/core/codes"
)

var (
	vNow  = time.Unix(docTimestamp, 0)
	vBody = []byte(docBody)
)

// signed returns the headers of one attempt at docTimestamp signed with
// secrets, in Go's canonical form as a Go server would see them.
func signed(secrets ...string) http.Header {
	h := http.Header{}
	setHeaders(h, secrets, docKey, docTimestamp, docNonce, vBody)
	out := http.Header{}
	for k, v := range h {
		out[http.CanonicalHeaderKey(k)] = v
	}
	return out
}

// wantRefused asserts err is WEBHOOK_SIGNATURE_INVALID with a reason
// containing reason.
func wantRefused(t *testing.T, err error, reason string) {
	t.Helper()
	var e *codes.Error
	if !errors.As(err, &e) {
		t.Fatalf("err = %v, want *codes.Error", err)
	}
	if e.Code != codes.SignatureInvalid {
		t.Errorf("code = %s, want %s (%s)", e.Code, codes.SignatureInvalid, e.Reason)
	}
	if !strings.Contains(e.Reason, reason) {
		t.Errorf("reason = %q, want it to contain %q", e.Reason, reason)
	}
}

func TestVerifyAcceptsAnyMatchingEntry(t *testing.T) {
	h := signed(docNewSecret, docOldSecret)
	for _, secrets := range [][]string{
		{docNewSecret},
		{docOldSecret},
		{docOldSecret, docNewSecret},
		{"", "unrelated-secret", docOldSecret},
	} {
		if err := Verify(secrets, h, vBody, vNow, 0); err != nil {
			t.Errorf("Verify(%q) = %v", secrets, err)
		}
	}
	// A future scheme's entry next to v1 is skipped, wherever it stands.
	h.Set(HeaderSignature, "v2=zzz "+docNewEntry+" v10=abc")
	if err := Verify([]string{docNewSecret}, h, vBody, vNow, 0); err != nil {
		t.Errorf("Verify with a v2 entry = %v", err)
	}
}

func TestVerifyLowerCaseHeaderNames(t *testing.T) {
	// n8n and HTTP/2 hand headers over lower-cased.
	h := http.Header{}
	for k, v := range signed(docNewSecret) {
		h[strings.ToLower(k)] = v
	}
	if err := Verify([]string{docNewSecret}, h, vBody, vNow, 0); err != nil {
		t.Errorf("Verify of lower-cased headers = %v", err)
	}
	// And the exact spec spelling, as SetHeaders writes it.
	h = http.Header{}
	setHeaders(h, []string{docNewSecret}, docKey, docTimestamp, docNonce, vBody)
	if err := Verify([]string{docNewSecret}, h, vBody, vNow, 0); err != nil {
		t.Errorf("Verify of spec-spelled headers = %v", err)
	}
}

func TestVerifyRefuses(t *testing.T) {
	ok := []string{docNewSecret}
	mod := func(name, value string) http.Header {
		h := signed(docNewSecret)
		if value == "<delete>" {
			h.Del(name)
		} else {
			h.Set(name, value)
		}
		return h
	}
	entry := docNewEntry[len("v1="):]
	for _, c := range []struct {
		name    string
		secrets []string
		h       http.Header
		body    []byte
		now     time.Time
		reason  string
	}{
		{"tampered body", ok, signed(docNewSecret), []byte(strings.Replace(docBody, "medium", "low", 1)), vNow, "no v1= entry of X-WebRiskOps-Signature matches"},
		{"body with trailing newline", ok, signed(docNewSecret), append([]byte(docBody), '\n'), vNow, "matches"},
		{"wrong secret", []string{"wrsec_some-other-secret-0123456789abcdefABCDEF"}, signed(docNewSecret), vBody, vNow, "matches"},
		{"tampered timestamp", ok, mod(HeaderTimestamp, "1767225613"), vBody, vNow, "matches"},
		{"tampered nonce", ok, mod(HeaderNonce, "0f2c7a41d0b83e65f1a2c3d4e5f60718"), vBody, vNow, "matches"},
		{"stale", ok, signed(docNewSecret), vBody, vNow.Add(301 * time.Second), "is stale: 301 s old, the limit is 300 s"},
		{"future", ok, signed(docNewSecret), vBody, vNow.Add(-301 * time.Second), "is 301 s in the future, the limit is 300 s"},
		{"missing signature", ok, mod(HeaderSignature, "<delete>"), vBody, vNow, "missing X-WebRiskOps-Signature header"},
		{"missing timestamp", ok, mod(HeaderTimestamp, "<delete>"), vBody, vNow, "missing X-WebRiskOps-Timestamp header"},
		{"missing nonce", ok, mod(HeaderNonce, "<delete>"), vBody, vNow, "missing X-WebRiskOps-Nonce header"},
		{"signature without v1=", ok, mod(HeaderSignature, entry), vBody, vNow, `entry 1 "` + entry[:20]},
		{"signature with other prefix", ok, mod(HeaderSignature, "sha256="+entry), vBody, vNow, `does not start with "v1="`},
		{"signature uppercase hex", ok, mod(HeaderSignature, "v1="+strings.ToUpper(entry)), vBody, vNow, "entry 1 is not \"v1=\" and 64 lowercase hex characters"},
		{"signature short hex", ok, mod(HeaderSignature, docNewEntry[:60]), vBody, vNow, "64 lowercase hex"},
		{"signature uppercase V1", ok, mod(HeaderSignature, "V1="+entry), vBody, vNow, "does not start with"},
		{"leading space", ok, mod(HeaderSignature, " "+docNewEntry), vBody, vNow, "entry 1 is empty"},
		{"double space", ok, mod(HeaderSignature, docNewEntry+"  "+docOldEntry), vBody, vNow, "entry 2 is empty"},
		{"trailing space", ok, mod(HeaderSignature, docNewEntry+" "), vBody, vNow, "entry 2 is empty"},
		{"comma separated", ok, mod(HeaderSignature, docNewEntry+","+docOldEntry), vBody, vNow, "64 lowercase hex"},
		{"only other versions", ok, mod(HeaderSignature, "v2=abc v3=def"), vBody, vNow, "no v1= entry"},
		{"too many entries", ok, mod(HeaderSignature, strings.Repeat(docNewEntry+" ", 16)+docNewEntry), vBody, vNow, "17 entries; at most 16"},
		{"timestamp with sign", ok, mod(HeaderTimestamp, "+1767225612"), vBody, vNow, "malformed X-WebRiskOps-Timestamp"},
		{"timestamp in ms", ok, mod(HeaderTimestamp, "1767225612000"), vBody, vNow, "matches"},
		{"timestamp fractional", ok, mod(HeaderTimestamp, "1767225612.5"), vBody, vNow, "malformed X-WebRiskOps-Timestamp"},
		{"timestamp overflow", ok, mod(HeaderTimestamp, "9999999999999999999"), vBody, vNow, "malformed X-WebRiskOps-Timestamp"},
		{"nonce uppercase", ok, mod(HeaderNonce, strings.ToUpper(docNonce)), vBody, vNow, "malformed X-WebRiskOps-Nonce"},
		{"nonce short", ok, mod(HeaderNonce, docNonce[:31]), vBody, vNow, "want 32 lowercase hex characters"},
		{"nonce not hex", ok, mod(HeaderNonce, "zz"+docNonce[2:]), vBody, vNow, "malformed X-WebRiskOps-Nonce"},
	} {
		t.Run(c.name, func(t *testing.T) {
			wantRefused(t, Verify(c.secrets, c.h, c.body, c.now, 0), c.reason)
		})
	}
}

func TestVerifyToleranceBoundary(t *testing.T) {
	h := signed(docNewSecret)
	for _, d := range []time.Duration{-300 * time.Second, 0, 300*time.Second + 999*time.Millisecond} {
		if err := Verify([]string{docNewSecret}, h, vBody, vNow.Add(d), 0); err != nil {
			t.Errorf("now%+v: %v", d, err)
		}
	}
	if err := Verify([]string{docNewSecret}, h, vBody, vNow.Add(61*time.Second), time.Minute); err == nil {
		t.Error("61 s old accepted with a 60 s tolerance")
	}
}

func TestVerifyNoSecret(t *testing.T) {
	for _, secrets := range [][]string{nil, {""}} {
		err := Verify(secrets, signed(docNewSecret), vBody, vNow, 0)
		var e *codes.Error
		if !errors.As(err, &e) || e.Code != codes.SecretMissing {
			t.Errorf("Verify(%q) = %v, want %s", secrets, err, codes.SecretMissing)
		}
	}
}

// An empty secret must never verify, even a signature made with "".
func TestVerifyIgnoresEmptySecret(t *testing.T) {
	h := http.Header{}
	setHeaders(h, []string{""}, docKey, docTimestamp, docNonce, vBody)
	wantRefused(t, Verify([]string{"", "x"}, h, vBody, vNow, 0), "matches")
}

func TestReasonsClipHostileValues(t *testing.T) {
	h := signed(docNewSecret)
	h.Set(HeaderNonce, strings.Repeat("A", 10000))
	err := Verify([]string{docNewSecret}, h, vBody, vNow, 0)
	if err == nil || len(err.Error()) > 300 {
		t.Errorf("reason not clipped: %d bytes", len(err.Error()))
	}
}

// The MAC covers the timestamp header as sent, so a sender that writes
// leading zeros still verifies (webhook-setup never does).
func TestVerifyUsesTimestampAsSent(t *testing.T) {
	h := signed(docNewSecret)
	h.Set(HeaderTimestamp, "0"+strconv.Itoa(docTimestamp))
	h.Set(HeaderSignature, independentMACText(docNewSecret, "0"+strconv.Itoa(docTimestamp), docNonce, vBody))
	if err := Verify([]string{docNewSecret}, h, vBody, vNow, 0); err != nil {
		t.Fatal(err)
	}
}
