package e2e

import (
	"strings"
	"testing"
)

// Review at 60×20 (and 80×24), with and without colour, for a
// self-hosted n8n target whose private URL is refused (policy deny) and
// that draws two URL warnings (n8n's editor port, a /webhook-test/ URL):
// "To fix before saving" and the refused endpoint with the step that
// fixes it stay on screen above the help line, and the warnings are
// still pointed to.
func TestWizardReviewFitsRefusedURLAndWarnings(t *testing.T) {
	eachTerm(t, func(t *testing.T, v termVariant) *vterm {
		h := newHome(t)
		w := v.start(t, h, termOptions{})
		toPrivateNetwork(w, "https://10.20.1.5:5678/webhook-test/intake")
		w.send(keyLeft)
		w.wait("(•) deny")
		w.send(keyEnter)
		w.wait("Receiver owner")
		w.send(paste("ops@example.com"))
		w.wait("ops@example.com")
		w.send(keyEnter)
		w.send(paste("n8n > Credentials"))
		w.wait("n8n > Credentials")
		w.send(keyEnter)
		w.waitFlat("Review and save", "To fix before saving:", "6 → Private network generic_webhook_url_unsafe", "URL warning")
		w.waitHelp("go to step")
		s := w.screen()
		if !strings.Contains(s, "! 2 URL warnings, read at step 3") && strings.Count(s, "! warning:") != 2 {
			t.Fatalf("the two URL warnings are neither drawn nor pointed to:\n%s", s)
		}
		w.send(keyCtrlC)
		w.exit()
		return w
	})
}
