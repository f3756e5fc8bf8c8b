package e2e

import (
	"strings"
	"testing"
	"time"
)

// The Receiver checks step in the real binary, at 80×24 and 60×20, with
// and without colour: space ticks without moving, "N of 6 confirmed"
// counts, the refusal names only the unticked header, and every row the
// cursor reaches is drawn while the refusal takes rows from the body.
func TestWizardReceiverChecks(t *testing.T) {
	eachTerm(t, func(t *testing.T, v termVariant) *vterm {
		h := newHome(t)
		w := v.start(t, h, termOptions{})
		toSecretStep(w, 0, 0)
		w.send(paste("https://93.184.216.34/hook"))
		w.wait("✓ safe")
		w.send(keyEnter)
		w.wait("Signing secret", "Generate one")
		w.send(keyEnter)
		w.wait("Shown once")
		w.send("y")
		w.wait("Receiver checks", "0 of 6 confirmed", "› X-WebRiskOps-Event [ ]")

		w.send(keySpace) // ticks, stays
		w.wait("1 of 6 confirmed", "› X-WebRiskOps-Event [x]")
		for _, h := range []string{"Schema", "Idempotency-Key", "Timestamp"} {
			w.send(keyDown, keySpace)
			w.wait("› X-WebRiskOps-" + h + " [x]")
		}
		w.send(keyDown, keyDown, keySpace) // Nonce left unticked
		w.wait("5 of 6 confirmed", "› X-WebRiskOps-Signature [x]")
		w.send(keyEnter)
		w.waitFunc("the refusal naming only the Nonce", 20*time.Second, func(s string) bool {
			flat := strings.Join(strings.Fields(s), " ")
			return strings.Contains(flat, "generic_webhook_receiver_checks_unconfirmed") &&
				strings.Contains(flat, "check of X-WebRiskOps-Nonce is not ticked") &&
				strings.Contains(s, "› X-WebRiskOps-Signature [x]")
		})
		w.send(keyDown)
		w.wait("› Standard Webhooks headers [ ]", "5 of 6 confirmed")
		w.send(keyDown)
		w.wait("› Edge header")
		w.send(keyUp)
		w.wait("› Standard Webhooks headers [ ]")
		for _, h := range []string{"Signature [x]", "Nonce [ ]", "Timestamp [x]", "Idempotency-Key [x]", "Schema [x]", "Event [x]"} {
			w.send(keyUp)
			w.wait("› X-WebRiskOps-"+h, "5 of 6 confirmed")
		}
		for _, l := range strings.Split(w.screen(), "\n") {
			if len([]rune(l)) > v.cols {
				t.Fatalf("a line is wider than %d: %q", v.cols, l)
			}
		}
		w.send(keyDown, keyDown, keyDown, keyDown, keySpace)
		w.wait("6 of 6 confirmed", "› X-WebRiskOps-Nonce [x]")
		w.waitGone("generic_webhook_receiver_checks_unconfirmed")
		w.send(keyEnter)
		w.wait("Receiver owner")
		w.send(keyCtrlC)
		w.exit()
		return w
	})
}
