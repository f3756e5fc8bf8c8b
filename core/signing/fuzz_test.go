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

// FuzzVerify checks Verify's two promises on arbitrary headers, bodies,
// secrets and clocks: whatever it accepts carries an entry equal to an
// independently computed HMAC under one of the secrets, with a timestamp
// within the tolerance; and whatever Sign produces for a fresh, well-formed
// attempt, it accepts. Refusals are always catalog errors.
func FuzzVerify(f *testing.F) {
	f.Add(docNewSecret, docOldSecret, "1767225612", docNonce, docNewEntry+" "+docOldEntry, []byte(docBody), int64(0))
	f.Add(docNewSecret, "", "1767225612", docNonce, docNewEntry, []byte(docBody), int64(300))
	f.Add("k", "k2", "0", "00000000000000000000000000000000", "v1=cfa0a2cfde4e318c3a940ecf73feefac24082fd29e6b5860d16171e749751513", []byte{}, int64(-1767225612))
	f.Add(docNewSecret, docOldSecret, "1767225612", docNonce, "v2=x "+docNewEntry, []byte(docBody), int64(-301))
	f.Add("", "", "", "", "", []byte(nil), int64(0))
	const tolerance = 300 * time.Second
	f.Fuzz(func(t *testing.T, s1, s2, tsText, nonce, sig string, body []byte, offset int64) {
		secrets := []string{s1, s2}
		now := time.Unix(docTimestamp+offset%(1<<40), 0)
		h := http.Header{}
		h.Set(HeaderTimestamp, tsText)
		h.Set(HeaderNonce, nonce)
		h.Set(HeaderSignature, sig)
		err := Verify(secrets, h, body, now, tolerance)
		if err != nil {
			var e *codes.Error
			if !errors.As(err, &e) || (e.Code != codes.SignatureInvalid && e.Code != codes.SecretMissing) {
				t.Fatalf("refusal is not a catalog error: %#v", err)
			}
		} else {
			ts, perr := strconv.ParseInt(tsText, 10, 64)
			if perr != nil {
				t.Fatalf("accepted unparsable timestamp %q", tsText)
			}
			if d := now.Unix() - ts; d > 300 || d < -300 {
				t.Fatalf("accepted timestamp %d s away from now", d)
			}
			ok := false
			for _, entry := range strings.Split(sig, " ") {
				for _, s := range secrets {
					if s != "" && entry == independentMACText(s, tsText, nonce, body) {
						ok = true
					}
				}
			}
			if !ok {
				t.Fatalf("accepted %q matching no secret", sig)
			}
		}

		// Round trip: a fresh, well-formed attempt signed by Sign verifies.
		ts, perr := strconv.ParseInt(tsText, 10, 64)
		if perr != nil || ts < 0 || CheckNonce(nonce) != nil || s1 == "" {
			return
		}
		h.Set(HeaderTimestamp, strconv.FormatInt(ts, 10))
		h.Set(HeaderSignature, Sign(secrets, ts, nonce, body))
		// (An empty s2 gets an entry too; Verify skips that secret, and s1's
		// entry still matches.)
		if err := Verify(secrets, h, body, time.Unix(ts, 0), tolerance); err != nil {
			t.Fatalf("Verify refused Sign's own signature: %v", err)
		}
	})
}
