package e2e

import (
	"strings"
	"testing"
)

// A 3000-byte URL pasted into Endpoint URL is refused with the code and
// reason check-url gives for the same URL (it was cut to 2048 bytes and
// saved as safe), enter does not move on, and nothing is saved; in every
// terminal, and in the plain prompts.
func TestWizardOverLongURLPasteRefused(t *testing.T) {
	const start = "https://93.184.216.34/hook/"
	long := start + strings.Repeat("a", 3000-len(start))
	const reason = "the URL is 3000 bytes long; the limit is 2048"
	eachTerm(t, func(t *testing.T, v termVariant) *vterm {
		h := newHome(t)
		cli := h.run("", nil, "check-url", long)
		if cli.code != 3 || !strings.Contains(cli.stdout+cli.stderr, "generic_webhook_url_unsafe") || !strings.Contains(cli.stdout+cli.stderr, reason) {
			t.Fatalf("check-url of the same URL: %s", cli)
		}
		w := v.start(t, h, termOptions{})
		toSecretStep(w, 0, 0)
		w.send(paste(long))
		waitFlat(w, "generic_webhook_url_unsafe", reason)
		w.helpLacks("enter continue")
		w.send(keyEnter)
		waitFlat(w, "generic_webhook_url_unsafe", reason)
		if s := w.screen(); !strings.Contains(s, "Endpoint URL") || strings.Contains(s, "Signing secret") {
			t.Fatalf("enter moved on from a refused URL:\n%s", s)
		}
		w.send(keyCtrlC)
		if code := w.exit(); code != 130 {
			t.Fatalf("ctrl+c exits %d, want 130", code)
		}
		if out := h.ok("list").stdout; strings.Contains(out, "93.184.216.34") {
			t.Fatalf("a target was saved:\n%s", out)
		}
		return w
	})
	t.Run("accessible", func(t *testing.T) {
		h := newHome(t)
		p := startAccessible(t, h, 80, 24, "")
		p.answer("Enter a number between 1 and 2", "1") // New target
		p.answer("Enter a number between 1 and 6", "1") // generic_webhook
		p.answer("Enter a number between 1 and 4", "1") // cloud
		p.answer("webhook_url:", long)
		p.waitOut("generic_webhook_url_unsafe", reason)
		if strings.Contains(p.flat(), "at most 4095 bytes") {
			t.Fatal("a 3000-byte line, which the terminal passed whole, got the note on cut lines")
		}
		p.send(keyCtrlC)
		p.exit()
		if out := h.ok("list").stdout; strings.Contains(out, "93.184.216.34") {
			t.Fatalf("a target was saved:\n%s", out)
		}
	})
	// A paste longer than a terminal line (the 60 KB): the
	// terminal hands the prompt its first 4095 bytes only, so the size
	// named is that; the note says the text was longer.
	t.Run("accessible 60KB", func(t *testing.T) {
		h := newHome(t)
		p := startAccessible(t, h, 80, 24, "")
		p.answer("Enter a number between 1 and 2", "1") // New target
		p.answer("Enter a number between 1 and 6", "1") // generic_webhook
		p.answer("Enter a number between 1 and 4", "1") // cloud
		p.answer("webhook_url:", start+strings.Repeat("a", 60000))
		p.waitOut("generic_webhook_url_unsafe", "the URL is 4095 bytes long",
			"the terminal passes at most 4095 bytes of a line to these prompts and dropped the rest, so the text given was longer than the size named above")
		p.send(keyCtrlC)
		p.exit()
		if out := h.ok("list").stdout; strings.Contains(out, "93.184.216.34") {
			t.Fatalf("a target was saved:\n%s", out)
		}
	})
}

// A live test send asks "Send a live test delivery to HOST? [y/N]": n
// sends nothing and the menu is back on Dry run (enter then signs a dry
// run, not a live send); y sends once, and the menu opens on Dry run after
// it too. Dry runs are not audited; live sends are. The target's host resolves only
// through add's --resolve (a .invalid name), so the live send that y
// makes ends at generic_webhook_host_unresolved on this machine and no
// request leaves it; the audit log counts the test sends made.
func TestWizardLiveTestSendAsks(t *testing.T) {
	eachTerm(t, func(t *testing.T, v termVariant) *vterm { return liveTestSendAsks(t, v) })
	t.Run("accessible", liveTestSendAsksPrompts)
}

func liveTestSendAsks(t *testing.T, v termVariant) *vterm {
	h := newHome(t)
	sf := h.writeFile("secret-live", knownSecret+"\n")
	h.ok("add", "live-hook", "--provider", "generic_webhook", "--mode", "cloud",
		"--url", "https://hooks.example.invalid/hook", "--secret-file", sf, "--owner", "ops@example.com",
		"--revoke-path", "Internal > receivers > hook", "--confirm-receiver-checks",
		"--resolve", "hooks.example.invalid:443:93.184.216.34")
	testSends := func() int { return strings.Count(h.ok("audit").stdout, "test delivery to") }

	w := v.start(t, h, termOptions{})
	w.wait("Integration status", "live-hook")
	w.send("t")
	w.wait("Dry run", "Rehearsal", "Live")
	w.send(keyDown, keyDown, keyEnter)
	waitFlat(w, "Send a live test delivery to hooks.example.invalid? [y/N]", "y send", "n/esc cancel")
	w.send("n")
	w.waitGone("Send a live test delivery")
	w.wait("Dry run", "Rehearsal", "Live")
	if n := testSends(); n != 0 {
		t.Fatalf("n made %d test sends", n)
	}
	// The menu starts on Dry run after the live choice: enter signs a
	// dry run.
	w.send(keyEnter)
	w.wait("Signed request", "X-WebRiskOps-Event")
	// The command for the unwrapped request is read whole (it was cut
	// at 60 columns).
	waitFlat(w, "wrapped; unwrapped: webhook-setup test-send live-hook --dry-run")
	w.send(keyEsc)
	w.wait("another test")
	w.send(keyEnter)
	w.wait("Dry run", "Rehearsal", "Live")
	if n := testSends(); n != 0 {
		t.Fatalf("the dry run after n made %d live test sends", n) // dry runs are not audited
	}

	w.send(keyDown, keyDown, keyEnter)
	waitFlat(w, "Send a live test delivery to hooks.example.invalid? [y/N]")
	w.send("y")
	w.wait("generic_webhook_host_unresolved")
	if n := testSends(); n != 1 || !strings.Contains(h.ok("audit").stdout, "generic_webhook_host_unresolved") {
		t.Fatalf("y made %d live test sends, want 1 ending at generic_webhook_host_unresolved", n)
	}
	w.send(keyEnter)
	w.wait("Dry run", "Rehearsal", "Live")
	w.send(keyEnter) // on Dry run again, after a live send
	w.wait("Signed request")
	if n := testSends(); n != 1 {
		t.Fatalf("after the live send, enter made a live send: %d in all, want 1", n)
	}
	w.send(keyCtrlC)
	if code := w.exit(); code != 130 {
		t.Fatalf("ctrl+c exits %d, want 130", code)
	}
	return w
}

// A 3000-byte owner pasted into Receiver owner is refused as too long
// with its size (was reported as generic_webhook_receiver_owner_missing,
// after being cut), the focus stays on the owner, and the revoke path
// typed after fixing it lands in the revoke path.
func TestWizardOverLongOwnerPasteRefused(t *testing.T) {
	eachTerm(t, overLongOwnerPasteRefused)
	// The plain prompts: TestWizardAccessibleSteps.
}

func overLongOwnerPasteRefused(t *testing.T, v termVariant) *vterm {
	h := newHome(t)
	w := v.start(t, h, termOptions{})
	toSecretStep(w, 0, 0)
	w.send(paste("https://93.184.216.34/hook"))
	w.wait("✓ safe 93.184.216.34")
	w.send(keyEnter)
	pasteSecret(w, knownSecret)
	tickChecks(w)
	w.wait("Receiver owner and revoke path", "Receiver owner")
	w.send(paste(strings.Repeat("o", 3000)))
	w.send(keyEnter)
	waitFlat(w, "generic_webhook_text_too_long", "the receiver owner is 3000 bytes")
	if s := w.screen(); strings.Contains(s, "generic_webhook_receiver_owner_missing") {
		t.Fatalf("a long owner is reported missing:\n%s", s)
	}
	w.send("\x15") // ctrl+u: clear the owner
	w.send(paste("ops@example.com"))
	w.wait("ops@example.com")
	w.send(keyEnter)
	w.send(paste("Internal > receivers > hook"))
	w.wait("Internal > receivers > hook")
	w.send(keyEnter)
	w.wait("Review and save", "Ready to save", "ops@example.com", "Internal > receivers > hook")
	w.send(keyCtrlC)
	w.exit()
	return w
}

// The plain prompts ask the same question as a line: n sends nothing and
// says so, y sends once.
func liveTestSendAsksPrompts(t *testing.T) {
	h := newHome(t)
	sf := h.writeFile("secret-live", knownSecret+"\n")
	h.ok("add", "live-hook", "--provider", "generic_webhook", "--mode", "cloud",
		"--url", "https://hooks.example.invalid/hook", "--secret-file", sf, "--owner", "ops@example.com",
		"--revoke-path", "Internal > receivers > hook", "--confirm-receiver-checks",
		"--resolve", "hooks.example.invalid:443:93.184.216.34")
	testSends := func() int { return strings.Count(h.ok("audit").stdout, "test delivery to") }
	p := startAccessible(t, h, 80, 24, "")
	const question = "Send a live test delivery to hooks.example.invalid? [y/N]"
	p.answer("Enter a number between 1 and 7", "3") // Test send
	p.answer("Target name", "live-hook")
	p.answer("Enter a number between 1 and 4", "3") // Live
	p.answer(question, "n")
	p.waitOut("Nothing sent.")
	if n := testSends(); n != 0 {
		t.Fatalf("n made %d test sends", n)
	}
	p.answer("Enter a number between 1 and 7", "3")
	p.answer("Target name", "live-hook")
	p.answer("Enter a number between 1 and 4", "3")
	p.answer(question, "y")
	p.waitOut("generic_webhook_host_unresolved")
	if n := testSends(); n != 1 {
		t.Fatalf("y made %d live test sends, want 1", n)
	}
	p.answer("Enter a number between 1 and 7", "6") // Quit
	if code := p.exit(); code != 0 {
		t.Fatalf("exit %d; screen:\n%s", code, p.screen())
	}
}
