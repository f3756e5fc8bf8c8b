package e2e

import "testing"

// Issue 14 items 9 and 11 in the real binary, in every terminal: the
// heading gives no total before the mode is chosen, the URL placeholder
// is the chosen provider's, the provider/host mismatch hinted at Endpoint
// URL is repeated at Review as a warning (at 60×20, where it would push
// the verdict off the screen, as a note beside Readiness), and the
// default name is saved.
func TestWizardReviewRepeatsProviderMismatch(t *testing.T) {
	eachTerm(t, reviewRepeatsProviderMismatch)
	// The plain prompts give the same examples (the warnings at Review:
	// TestWizardAccessibleSteps).
	for _, v := range accessibleVariants {
		t.Run("accessible "+v.name, func(t *testing.T) {
			h := newHome(t)
			p := startAccessible(t, h, v.cols, v.rows, "", v.env...)
			p.answer("Enter a number between 1 and 2", "1") // New target
			p.answer("Enter a number between 1 and 6", "4") // make_webhook
			p.answer("Enter a number between 1 and 4", "1") // cloud
			p.waitOut("For example: https://hook.eu1.make.com/abcdef123456", "webhook_url:")
			p.answer("webhook_url:", "https://93.184.216.34/hook")
			p.waitOut("✓ safe 93.184.216.34", "hint: make_webhook URLs are on")
			p.answer("Enter a number between 1 and 3", "2") // paste
			p.hidden("Signing secret (hidden):", knownSecret)
			p.answer("Enter a number between 1 and 4", "1") // confirm the six checks
			for _, hdr := range []string{"Event", "Schema", "Idempotency-Key", "Timestamp", "Nonce", "Signature"} {
				p.answer("Does the receiver check X-WebRiskOps-"+hdr+" ", "y")
			}
			p.waitOut("Receiver owner (the person or team who owns the receiving endpoint; e.g. ops@example.com):")
			p.answer("Receiver owner (", "ops@example.com")
			p.waitOut("Revoke path (where the receiver URL and signing secret are rotated or deleted; e.g. Make > Scenarios > Ticket intake > Webhooks):")
			p.send(keyCtrlC)
			p.exit()
		})
	}
}

func reviewRepeatsProviderMismatch(t *testing.T, v termVariant) *vterm {
	h := newHome(t)
	w := v.start(t, h, termOptions{})
	w.wait("Integration status")
	w.send("n")
	w.wait("Step 1 · Provider key", "generic_webhook")
	for range 2 { // zapier_webhook
		w.send(keyDown)
	}
	w.send(keyEnter)
	w.wait("Step 2 · Deployment mode", "self-hosted")
	w.send(keyEnter) // cloud
	// The placeholder is cut with … at 60 columns.
	w.wait("Step 3 of 7 · Endpoint URL", "https://hooks.zapier.com/hooks/catch")
	w.send(paste("https://93.184.216.34/hook"))
	w.wait("✓ safe 93.184.216.34")
	waitFlat(w, "hint: zapier_webhook URLs are on hooks.zapier.com")
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
	w.wait("Step 7 of 7 · Review and save", "zapier-93-184-216-34")
	if v.rows == 24 {
		waitFlat(w, "! warning: zapier_webhook URLs are on hooks.zapier.com; this host is 93.184.216.34", "Ready to save")
	} else { // the warning in full would push the verdict off the screen
		waitFlat(w, "Readiness ! 1 URL warning, read at step 3", "Ready to save")
	}
	w.send(keyEnter)
	w.wait("Saved zapier-93-184-216-34")
	w.send(keyEsc)
	w.wait("1 saved target", "zapier-93-184-216-34")
	w.send("q")
	if code := w.exit(); code != 0 {
		t.Fatalf("exit %d; screen:\n%s", code, w.screen())
	}
	return w
}
