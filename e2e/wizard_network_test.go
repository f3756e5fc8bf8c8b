package e2e

import "testing"

// Issue 14, item 5 in the real binary, in every terminal: Private network
// names the host and address that need approval, suggests the narrowest
// entry, and opens on allowlist; a chosen deny is kept when the step is
// opened again. The plain prompts print the same lines and propose
// allowlist.
func TestWizardPrivateNetworkNamesTheApproval(t *testing.T) {
	eachTerm(t, func(t *testing.T, v termVariant) *vterm {
		h := newHome(t)
		w := v.start(t, h, termOptions{})
		toPrivateNetwork(w, privateURL)
		waitFlat(w, "10.20.1.5 → 10.20.1.5 need approval", "Narrowest entry to add: 10.20.1.5/32")
		w.send(keyLeft) // deny
		w.wait("(•) deny")
		w.send(keyEnter)
		w.wait("Receiver owner")
		w.send(keyEsc)
		w.wait("Private network", "(•) deny") // the choice is kept
		w.send(keyCtrlC)
		w.exit()
		return w
	})
	t.Run("accessible", func(t *testing.T) {
		h := newHome(t)
		p := startAccessible(t, h, 80, 24, "")
		p.answer("Enter a number between 1 and 2", "1") // New target
		p.answer("Enter a number between 1 and 6", "5") // n8n_webhook
		p.answer("Enter a number between 1 and 4", "2") // self-hosted
		p.answer("webhook_url:", privateURL)
		p.waitOut("needs private-network approval")
		p.answer("Enter a number between 1 and 3", "2") // paste
		p.hidden("Signing secret (hidden):", knownSecret)
		p.answer("Enter a number between 1 and 4", "1") // confirm the six checks
		for _, hdr := range []string{"Event", "Schema", "Idempotency-Key", "Timestamp", "Nonce", "Signature"} {
			p.answer("Does the receiver check X-WebRiskOps-"+hdr+" ", "y")
		}
		p.waitOut("10.20.1.5 → 10.20.1.5 need approval", "Narrowest entry to add: 10.20.1.5/32")
		// An empty answer takes the proposed choice: allowlist, whose
		// entries are asked next.
		p.answer("Enter a number between 1 and 3", "")
		p.waitOut("An empty line ends the list.")
		p.answer("Allowlist entry", "10.20.1.5/32")
		p.answer("Allowlist entry", "")
		p.answer("Authorized by", "CHG-1234")
		p.answer("Receiver owner (", "ops@example.com")
		p.answer("Revoke path (", "n8n > Workflows > Intake")
		p.waitOut("Ready to save")
		p.send(keyCtrlC)
		p.exit()
	})
}
