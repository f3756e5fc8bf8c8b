package e2e

import (
	"fmt"
	"strings"
	"testing"
	"time"
)

// ctrlU clears a text field up to the cursor, as terminals send it.
const ctrlU = "\x15"

// A real ssh link delivers ctrl+u and the paste that follows in one
// packet, so the program reads both keys at once and the reports of
// their checks race back. Twenty times in one wizard, ctrl+u and a paste
// go in ONE write: the screen must end on the verdict of the text in the
// field (the refusal of an http:// URL, then ✓ safe for the https one),
// never on the clearing report of ctrl+u or on the refusal of the text
// before. Backspacing a refused allowlist entry in one write must clear
// its refusal the same way.
func TestWizardVerdictFollowsTheFieldInOneRead(t *testing.T) {
	const bad, good = "http://93.184.216.34/hook", "https://93.184.216.34/hook"
	h := newHome(t)
	w := h.startWizard()
	toSecretStep(w, 0, 0)
	w.send(paste(good))
	w.wait("✓ safe")
	for i := range 20 {
		w.send(ctrlU + paste(bad))
		w.waitFunc(fmt.Sprintf("the refusal of %s (round %d)", bad, i), 20*time.Second, func(s string) bool {
			return strings.Contains(s, "URL › "+bad) && strings.Contains(s, "generic_webhook_url_unsafe")
		})
		w.send(ctrlU + paste(good))
		w.waitFunc(fmt.Sprintf("✓ safe for %s (round %d)", good, i), 20*time.Second, func(s string) bool {
			return strings.Contains(s, "URL › "+good) && strings.Contains(s, "✓ safe") && !strings.Contains(s, "generic_webhook_url_unsafe")
		})
	}
	w.send(keyCtrlC)
	w.exit()
}

// The Private network entry, in one wizard: "127.0.0.0/8" is refused as
// typed; all its backspaces in one write leave the field empty and the
// refusal gone, ten times over.
func TestWizardAllowlistErrorFollowsTheFieldInOneRead(t *testing.T) {
	const entry = "127.0.0.0/8"
	h := newHome(t)
	w := h.startWizard()
	toPrivateNetwork(w, privateURL)
	w.send(keyEnter)
	w.wait("› entry:")
	for range 10 {
		w.send(entry)
		w.wait("› entry: "+entry, "generic_webhook_allowlist_invalid")
		w.send(strings.Repeat(keyBS, len(entry)))
		w.waitFunc("the empty entry without its refusal", 20*time.Second, func(s string) bool {
			return !strings.Contains(s, "entry: 1") && !strings.Contains(s, "generic_webhook_allowlist_invalid")
		})
	}
	w.send(keyCtrlC)
	w.exit()
}
