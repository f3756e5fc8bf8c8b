package e2e

import (
	"testing"
)

// A saved target blocked by its receiver checks, in every terminal: the
// code under the home list names the wizard's way to fix it (press e,
// step 5 Receiver checks), not a command-line flag, and following it
// (e, 5, tick the six, save) leaves the target ready.
func TestWizardHomeFixNamesTheStepToEdit(t *testing.T) {
	eachTerm(t, func(t *testing.T, v termVariant) *vterm {
		h := newHome(t)
		h.addZapier("zap")
		h.unconfirmChecks("zap")
		w := v.start(t, h, termOptions{args: []string{"--resolve", zapierResolve}}) // as add resolved it
		w.waitFlat("Integration status", "generic_webhook_receiver_checks_unconfirmed press e, step 5 Receiver checks: Set up receiver verification")
		w.noFlagsShown()
		w.send("e")
		w.waitFlat("Edit zap · Review and save")
		w.send("5")
		tickChecks(w)
		w.waitFlat("Review and save", "Ready to save: changes receiver_checks_confirmed.")
		w.send(keyEnter)
		w.waitFlat("Saved zap: changed receiver_checks_confirmed.")
		w.send(keyEsc)
		w.wait("Integration status")
		w.waitGone("generic_webhook_receiver_checks_unconfirmed")
		w.send("q")
		if code := w.exit(); code != 0 {
			t.Fatalf("exit %d; screen:\n%s", code, w.screen())
		}
		if l := h.listed(); len(l) != 1 || l[0]["ready"] != true {
			t.Fatalf("list --json = %v", l)
		}
		return w
	})
}
