package e2e

import (
	"fmt"
	"strings"
	"testing"
	"time"
)

// Issue 14, item 11 in the real binary, in every terminal variant: the
// help line offers enter only when enter acts (an empty, refused or
// unchecked-and-refused URL, a short secret, unticked receiver checks,
// an empty owner); fixes name the wizard's step, field or key rather
// than a flag; the recipe opened over a refusal is not drawn under the
// stale error, which is back when it closes; "1 character"; the step
// count is "of 7" on every step of a cloud setup.
func TestWizardHelpOffersOnlyWhatActs(t *testing.T) {
	eachTerm(t, func(t *testing.T, v termVariant) *vterm {
		h := newHome(t)
		w := v.start(t, h, termOptions{})
		toSecretStep(w, 0, 0)
		w.wait("Step 3 of 7 · Endpoint URL")
		w.helpLacks("enter continue") // nothing typed

		w.send(paste("http://93.184.216.34/hook"))
		w.wait("generic_webhook_url_unsafe")
		w.helpLacks("enter continue") // refused as typed
		w.send("\x15")                // ctrl+u: clear
		w.send(paste("https://93.184.216.34/hook"))
		w.wait("✓ safe 93.184.216.34")
		w.waitHelp("enter continue")
		w.send(keyEnter)

		w.wait("Step 4 of 7 · Signing secret", "Paste one")
		w.send(keyDown, keyEnter)
		w.wait("secret ›")
		w.helpLacks("enter continue")
		w.send(paste("x"))
		waitFlat(w, "1 character; 32 to 256 needed")
		w.helpLacks("enter continue")
		w.send(keyBS)
		w.send(paste(knownSecret))
		w.wait("HMAC-SHA256")
		w.waitHelp("enter continue")
		w.send(keyEnter)

		w.wait("Step 5 of 7 · Receiver checks", "0 of 6 confirmed")
		w.helpLacks("enter continue")
		w.send(keyEnter) // refused: nothing ticked
		waitFlat(w, "generic_webhook_receiver_checks_unconfirmed")
		// The fix is drawn whole at 60×20 too, under a reason that names
		// six headers: the list gives up rows for it.
		waitFlat(w, "fix: Set up receiver verification (v in Receiver checks shows the recipe), then tick the six headers there.")
		w.noFlagsShown()
		w.send("v")
		w.wait("Verification recipe")
		if s := w.screen(); strings.Contains(s, "generic_webhook_receiver_checks_unconfirmed") {
			t.Fatalf("the step's error is drawn over the recipe:\n%s", s)
		}
		w.send(keyEsc)
		w.wait("0 of 6 confirmed", "generic_webhook_receiver_checks_unconfirmed")
		for range 6 {
			w.send(keySpace, keyDown)
		}
		w.wait("6 of 6 confirmed")
		w.waitHelp("enter continue")
		w.send(keyEnter)

		w.wait("Step 6 of 7", "Receiver owner")
		w.helpLacks("next field")
		w.send(keyEnter) // refused: no owner
		waitFlat(w, "generic_webhook_receiver_owner_missing", "Say who owns the receiver, in the Receiver owner field.")
		w.noFlagsShown()
		w.send(keyCtrlC)
		w.exit()
		return w
	})
}

// The same fixes in the plain prompts: worded for the wizard, no flags.
func TestWizardAccessibleFixesNameNoFlags(t *testing.T) {
	h := newHome(t)
	p := startAccessible(t, h, 80, 24, "")
	p.answer("Enter a number between 1 and 2", "1") // New target
	p.answer("Enter a number between 1 and 6", "1") // generic_webhook
	p.answer("Enter a number between 1 and 4", "1") // cloud
	p.answer("webhook_url:", "https://93.184.216.34/hook")
	p.waitOut("✓ safe 93.184.216.34")
	p.answer("Enter a number between 1 and 3", "2") // paste
	p.wait("Signing secret (hidden):")
	p.hidden("Signing secret (hidden):", "short")
	p.waitOut("generic_webhook_secret_weak", "or choose Generate one.")
	p.hidden("Signing secret (hidden):", knownSecret)
	p.answer("Enter a number between 1 and 4", "1") // confirm the six checks
	for _, hdr := range []string{"Event", "Schema", "Idempotency-Key", "Timestamp", "Nonce", "Signature"} {
		p.answer("Does the receiver check X-WebRiskOps-"+hdr+" ", "y")
	}
	p.answer("Receiver owner (", "")
	p.waitOut("generic_webhook_receiver_owner_missing", "Say who owns the receiver, in the Receiver owner field.")
	if out := p.flat(); strings.Contains(out, "--owner") || strings.Contains(out, "--generate-secret") {
		t.Fatalf("the prompts name a flag in a fix:\n%s", p.output())
	}
	p.send(keyCtrlC)
	p.exit()
}

// A full home page has no empty rows above the help line (it had three),
// at both sizes, with and without colour; a 63-character name is read
// whole on the selected target's line, also at 60 columns.
func TestWizardHomeFullPage(t *testing.T) {
	h := newHome(t)
	long := "alpha-" + strings.Repeat("x", 57)
	var file strings.Builder
	for _, name := range append([]string{long}, names(20)...) {
		file.WriteString(zapTOML(name, zapierURL, "ops@example.com") + "[target.signing]\nsecret_file = \"secret\"\n\n")
	}
	h.writeFile("secret", knownSecret+"\n")
	h.ok("apply", "-f", h.writeFile("targets.toml", file.String()), "--resolve", zapierResolve)

	eachTerm(t, func(t *testing.T, v termVariant) *vterm {
		w := v.start(t, h, termOptions{})
		w.wait("21 saved targets", "shown", "q quit")
		// The selected target's line names it whole, over two rows at 60
		// columns.
		w.waitFunc("the whole name", 20*time.Second, func(s string) bool {
			return strings.Contains(strings.Join(strings.Fields(s), ""), long+"hooks.zapier.comready")
		})
		// The NAME column takes what PROVIDER, MODE and STATES leave (41
		// characters at 80 columns, 21 at 60; it was cut at 30).
		if col := v.cols - 39; !strings.Contains(w.screen(), "› "+long[:col-1]+"… ") {
			t.Fatalf("the NAME column is not %d wide:\n%s", col, w.screen())
		}
		lines := strings.Split(strings.TrimRight(w.screen(), "\n"), "\n")
		help := len(lines) - strings.Count(helpOf(w.screen()), "\n") - 1
		if strings.TrimSpace(lines[help-1]) != "" || strings.TrimSpace(lines[help-2]) == "" {
			t.Fatalf("want one blank row, the frame's, between the page and the help line:\n%s", w.screen())
		}
		w.send("q")
		w.exit()
		return w
	})
}

// names are n target names, zap-00 on.
func names(n int) []string {
	out := make([]string, n)
	for i := range out {
		out[i] = fmt.Sprintf("zap-%02d", i)
	}
	return out
}

// A look-alike host: the fix names ctrl+y (not --allow-confusable-host),
// the help line offers ctrl+y and not enter, and ctrl+y confirms.
func TestWizardLookAlikeFixNamesTheKey(t *testing.T) {
	eachTerm(t, func(t *testing.T, v termVariant) *vterm {
		h := newHome(t)
		w := v.start(t, h, termOptions{args: []string{"--resolve", "hooks.xn--zpier-4ve.com:443:3.33.152.147"}})
		toSecretStep(w, 2, 0)
		w.send(paste("https://hooks.zаpier.com/hooks/catch/123456/abcdefg/"), keyEnter)
		waitFlat(w, "generic_webhook_host_lookalike", "press ctrl+y to confirm it")
		w.noFlagsShown()
		w.waitHelp("ctrl+y")
		w.helpLacks("enter continue")
		w.send("\x19") // ctrl+y
		w.wait("Signing secret")
		w.send(keyCtrlC)
		w.exit()
		return w
	})
}

// Default names do not repeat the provider (n8n.corp.example gives
// n8n-corp-example, not n8n-n8n-corp-example), and a self-hosted setup
// counts "of 8" from Endpoint URL to Review.
func TestWizardDefaultNameAndStepCount(t *testing.T) {
	eachTerm(t, func(t *testing.T, v termVariant) *vterm {
		h := newHome(t)
		w := v.start(t, h, termOptions{args: []string{"--resolve", "n8n.corp.example:443:93.184.216.34"}})
		toSecretStep(w, 4, 1)
		w.wait("Step 3 of 8 · Endpoint URL")
		w.send(paste("https://n8n.corp.example/webhook/intake"))
		w.wait("✓ safe n8n.corp.example")
		w.send(keyEnter)
		w.wait("Step 4 of 8")
		pasteSecret(w, knownSecret)
		w.wait("Step 5 of 8")
		tickChecks(w)
		w.wait("Step 6 of 8", "Private network")
		w.send(keyEnter) // deny: the endpoint is public
		w.wait("Step 7 of 8", "Receiver owner")
		w.send(paste("ops@example.com"), keyEnter)
		w.send(paste("n8n > Workflows > Intake"))
		w.wait("n8n > Workflows > Intake")
		w.send(keyEnter)
		w.wait("Step 8 of 8 · Review and save", "n8n-corp-example")
		if strings.Contains(w.screen(), "n8n-n8n-") {
			t.Fatalf("the default name repeats the provider:\n%s", w.screen())
		}
		w.send(keyCtrlC)
		w.exit()
		return w
	})
}
