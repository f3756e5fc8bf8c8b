package e2e

import "testing"

// Issue 14 items 9 and 11 at 80×24 in the real binary: the heading gives
// no total before the mode is chosen, the URL placeholder is the chosen
// provider's, the provider/host mismatch hinted at Endpoint URL is
// repeated at Review as a warning, and the default name is saved.
func TestWizardReviewRepeatsProviderMismatch(t *testing.T) {
	h := newHome(t)
	w := h.startWizard()
	w.wait("Integration status")
	w.send("n")
	w.wait("Step 1 · Provider key", "generic_webhook")
	for range 2 { // zapier_webhook
		w.send(keyDown)
	}
	w.send(keyEnter)
	w.wait("Step 2 · Deployment mode", "self-hosted")
	w.send(keyEnter) // cloud
	w.wait("Step 3 of 7 · Endpoint URL", "https://hooks.zapier.com/hooks/catch/123456/abcdef/")
	w.send(paste("https://93.184.216.34/hook"))
	w.wait("✓ safe 93.184.216.34", "hint: zapier_webhook URLs are on hooks.zapier.com")
	w.send(keyEnter)
	w.wait("Signing secret", "Generate one (recommended)")
	w.send(keyEnter)
	w.wait("Shown once", "Press y once")
	w.send("y")
	tickChecks(w)
	w.wait("Receiver owner and revoke path", "Receiver owner")
	w.send(paste("ops@example.com"))
	w.wait("ops@example.com")
	w.send(keyEnter)
	w.send(paste("Zapier > Zaps > WebRiskOps"))
	w.wait("Zapier > Zaps > WebRiskOps")
	w.send(keyEnter)
	w.wait("Step 7 of 7 · Review and save", "! warning: zapier_webhook URLs are on hooks.zapier.com; this host is",
		"Ready to save", "zapier-93-184-216-34")
	w.send(keyEnter)
	w.wait("Saved zapier-93-184-216-34")
	w.send(keyEsc)
	w.wait("1 saved target", "zapier-93-184-216-34")
	w.send("q")
	if code := w.exit(); code != 0 {
		t.Fatalf("exit %d; screen:\n%s", code, w.screen())
	}
}
