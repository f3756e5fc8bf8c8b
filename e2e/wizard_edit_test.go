package e2e

import (
	"fmt"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/webriskops/webhook-setup/core/signing"
)

// Editing a saved target in the real binary (issue 14, item 8): e on
// Integration status opens Review with the saved values, a row's step
// number goes to its step and back to Review, and saving updates the
// target in place with a target.update audit event that names the changed
// fields; the secret stays, an unsafe URL is refused, and a change made
// meanwhile is refused with generic_webhook_target_changed.

// sgrColour matches a foreground or background colour (SGR 38/48);
// cursor and screen controls do not count.
var sgrColour = regexp.MustCompile(`\x1b\[[0-9;]*(38|48);[25];[0-9;]*m`)

// typoOwner is the owner the edited target is saved with.
const typoOwner = "ops@exmaple.com"

// addTypoTarget saves the ready cloud target "zap" whose owner has a typo,
// signed with knownSecret (its file is secret-zap in h.dir).
func (h *home) addTypoTarget() {
	h.t.Helper()
	sf := h.writeFile("secret-zap", knownSecret+"\n")
	h.ok("add", "zap", "--provider", "zapier_webhook", "--mode", "cloud", "--url", zapierURL, "--secret-file", sf,
		"--owner", typoOwner, "--revoke-path", "Zapier > Zaps > Ticket intake", "--confirm-receiver-checks",
		"--resolve", zapierResolve)
}

// editTerm opens the wizard on h at cols×rows, with or without colour,
// resolving the Zapier host as add did.
func (h *home) editTerm(cols, rows int, colour bool) *vterm {
	h.t.Helper()
	nc := "NO_COLOR=1"
	if colour {
		nc = "NO_COLOR="
	}
	return startTerm(h.t, termOptions{env: h.wizardEnv(nc), args: []string{"--resolve", zapierResolve}, cols: cols, rows: rows})
}

// waitFlat waits until the screen, its whitespace folded, holds every
// part (wrapped lines differ by size).
func (v *vterm) waitFlat(parts ...string) {
	v.t.Helper()
	v.waitFunc(strings.Join(parts, " | "), 20*time.Second, func(s string) bool {
		flat := strings.Join(strings.Fields(s), " ")
		for _, p := range parts {
			if !strings.Contains(flat, p) {
				return false
			}
		}
		return true
	})
}

// editOwner opens the edit of the only target, goes to step 6 and
// replaces the owner with the fixed one, then waits for Review.
func editOwner(w *vterm) {
	w.t.Helper()
	w.wait("Integration status", "e edit")
	w.send("e")
	w.waitFlat("Edit zap · Review and save", "kept (fingerprint "+signing.Fingerprint(knownSecret), typoOwner, "Nothing changed yet")
	w.send("6")
	w.wait("Receiver owner and revoke path", typoOwner)
	w.send("\x15") // ctrl+u: clear the field
	w.send(paste("ops@example.com"))
	w.wait("ops@example.com")
	w.send(keyEnter, keyEnter)
	w.waitFlat("Review and save", "Ready to save: changes receiver_owner.")
}

// editVariants runs fn at 80×24 and 60×20, with and without colour.
func editVariants(t *testing.T, fn func(t *testing.T, cols, rows int, colour bool)) {
	for _, size := range [][2]int{{80, 24}, {60, 20}} {
		for _, colour := range []bool{true, false} {
			t.Run(fmt.Sprintf("%dx%d colour=%v", size[0], size[1], colour), func(t *testing.T) {
				fn(t, size[0], size[1], colour)
			})
		}
	}
}

// auditLatest is the newest audit event.
func (h *home) auditLatest() map[string]any {
	h.t.Helper()
	var events []map[string]any
	mustJSON(h.t, h.ok("audit", "--json").stdout, &events)
	return item(h.t, events, 0, "audit events")
}

// TestWizardEditOwner: an owner typo fixed through e is saved in place;
// the audit event names receiver_owner only (then the URL check), the
// screens fit the terminal, and a delivery signed after the edit still
// verifies with the old secret.
func TestWizardEditOwner(t *testing.T) {
	editVariants(t, func(t *testing.T, cols, rows int, colour bool) {
		h := newHome(t)
		h.addTypoTarget()
		w := h.editTerm(cols, rows, colour)
		editOwner(w)
		for _, l := range strings.Split(w.screen(), "\n") {
			if len([]rune(l)) > cols {
				t.Fatalf("a line is wider than %d: %q", cols, l)
			}
		}
		if strings.Contains(w.output(), "tok3nabcdefgh") || strings.Contains(w.output(), knownSecret) {
			t.Fatal("the edit drew the URL token or the secret")
		}
		if sgrColour.MatchString(w.output()) != colour {
			t.Fatalf("colour drawn = %v, want %v", !colour, colour)
		}
		w.send(keyEnter)
		w.waitFlat("Target · zap", "Saved zap: changed receiver_owner.")
		w.send(keyEsc)
		w.wait("Integration status", "1 saved target")
		w.send("q")
		if code := w.exit(); code != 0 {
			t.Fatalf("exit %d; screen:\n%s", code, w.screen())
		}

		show := h.shown("zap")
		if show["receiver_owner"] != "ops@example.com" || show["version"] != float64(2) {
			t.Fatalf("show --json = %v", show)
		}
		if fp := show["signing"].(map[string]any)["fingerprint"]; fp != signing.Fingerprint(knownSecret) {
			t.Fatalf("the edit changed the secret: %v", fp)
		}
		if list := h.listed(); len(list) != 1 || list[0]["ready"] != true {
			t.Fatalf("list --json = %v", list)
		}
		ev := h.auditLatest()
		detail, _ := ev["detail"].(string)
		if ev["action"] != "target.update" || !strings.HasPrefix(detail, "changed receiver_owner; url check safe, hooks.zapier.com → 3.33.152.147") {
			t.Fatalf("latest audit event = %v", ev)
		}
		// The old secret still verifies a delivery signed now.
		out := filepath.Join(h.dir, "request.json")
		h.ok("test-send", "zap", "--dry-run", "--out", out)
		h.ok("verify", "--request", out, "--secret-file", filepath.Join(h.dir, "secret-zap"))
	})
}

// TestWizardEditUnsafeURL: an unsafe URL given in an edit is refused with
// its code, and nothing about the target changes.
func TestWizardEditUnsafeURL(t *testing.T) {
	editVariants(t, func(t *testing.T, cols, rows int, colour bool) {
		h := newHome(t)
		h.addTypoTarget()
		before := h.ok("show", "zap", "--json").stdout
		w := h.editTerm(cols, rows, colour)
		w.wait("Integration status", "e edit")
		w.send("e")
		w.wait("Review and save")
		w.send("3")
		w.wait("Endpoint URL", "URL ›")
		w.send("\x15")
		// The field is empty before the paste: two changes in one read
		// race in the step's reports, which a person never types.
		w.waitGone("tok3nabcdefgh")
		w.send(paste("https://127.0.0.1/hooks/catch/1/x/"))
		w.wait("generic_webhook_url_unsafe")
		w.send(keyEnter) // refused: the step stays
		w.wait("Endpoint URL", "generic_webhook_url_unsafe")
		w.send(keyEsc) // back to Review, which refuses to save it
		w.waitFlat("Review and save", "✗ endpoint")
		w.send(keyEnter)
		w.waitFlat("Fix what is listed before saving")
		w.send(keyEsc)
		w.waitFlat("Target · zap", "Nothing was saved")
		w.send(keyEsc)
		w.wait("Integration status")
		w.send("q")
		w.exit()
		if after := h.ok("show", "zap", "--json").stdout; after != before {
			t.Fatalf("a refused edit changed the target:\n%s\nthen\n%s", before, after)
		}
		if ev := h.auditLatest(); ev["action"] != "target.create" {
			t.Fatalf("a refused edit was audited: %v", ev)
		}
	})
}

// TestWizardEditConcurrentChange: a target changed by another process
// while it is edited (here a rotation) is not overwritten: the save is
// refused with generic_webhook_target_changed and nothing is written.
func TestWizardEditConcurrentChange(t *testing.T) {
	editVariants(t, func(t *testing.T, cols, rows int, colour bool) {
		h := newHome(t)
		h.addTypoTarget()
		w := h.editTerm(cols, rows, colour)
		editOwner(w)
		sf := h.writeFile("secret-new", strings.Repeat("n", 40)+"\n")
		h.ok("rotate-secret", "zap", "--secret-file", sf)
		w.send(keyEnter)
		w.waitFlat("generic_webhook_target_changed", "press e on the target again")
		w.send(keyCtrlC)
		w.exit()
		show := h.shown("zap")
		if show["receiver_owner"] != typoOwner || show["version"] != float64(2) {
			t.Fatalf("the lost race wrote: %v", show)
		}
		if ev := h.auditLatest(); ev["action"] != "secret.rotate" {
			t.Fatalf("latest audit event = %v", ev)
		}
	})
}

// TestWizardAccessibleEdit: the plain prompts' Edit a target runs the
// same edit: Review with the saved values, the owner step, the save with
// the update event naming receiver_owner.
func TestWizardAccessibleEdit(t *testing.T) {
	h := newHome(t)
	h.addTypoTarget()
	w, answer := h.accessibleEdit()
	w.wait("1 saved target.")                     // counted as the full-screen home counts (was "target(s)")
	answer("Enter a number between 1 and 7", "7") // Edit a target, the last choice
	answer("Target name", "zap")
	w.wait("Edit zap · Review and save", "kept (fingerprint "+signing.Fingerprint(knownSecret), typoOwner, "Nothing changed yet")
	answer("Enter a number between 1 and 9", "9") // Go to step 6, Receiver owner and revoke path
	answer("Receiver owner", "ops@example.com")
	answer("Revoke path", "Zapier > Zaps > Ticket intake")
	w.wait("Ready to save: changes receiver_owner.")
	answer("Enter a number between 1 and 9", "1") // save
	w.wait("Saved zap: changed receiver_owner.")
	answer("Enter a number between 1 and 7", "6") // quit
	if code := w.exit(); code != 0 {
		t.Fatalf("exit %d; screen:\n%s", code, w.screen())
	}
	if strings.Contains(w.output(), knownSecret) || strings.Contains(w.output(), "tok3nabcdefgh") {
		t.Fatal("the accessible edit printed the secret or the URL token")
	}
	if show := h.shown("zap"); show["receiver_owner"] != "ops@example.com" {
		t.Fatalf("show --json = %v", show)
	}
	if ev := h.auditLatest(); ev["action"] != "target.update" || !strings.HasPrefix(ev["detail"].(string), "changed receiver_owner;") {
		t.Fatalf("latest audit event = %v", ev)
	}
	out := filepath.Join(h.dir, "request.json")
	h.ok("test-send", "zap", "--dry-run", "--out", out)
	h.ok("verify", "--request", out, "--secret-file", filepath.Join(h.dir, "secret-zap"))
}

// TestWizardEditNewHookURL: a regenerated Zapier hook's URL replaces the
// old one in place; neither the screens nor the audit event show its
// token, and the event records the new URL safety decision.
func TestWizardEditNewHookURL(t *testing.T) {
	editVariants(t, func(t *testing.T, cols, rows int, colour bool) {
		h := newHome(t)
		h.addTypoTarget()
		w := h.editTerm(cols, rows, colour)
		w.wait("Integration status", "e edit")
		w.send("e")
		w.wait("Review and save")
		w.send("3")
		w.wait("Endpoint URL", "URL ›")
		w.send("\x15")
		w.waitGone("tok3nabcdefgh") // as in TestWizardEditUnsafeURL
		const token = "n3wHookT0ken"
		w.send(paste("https://hooks.zapier.com/hooks/catch/123456/" + token + "/"))
		w.wait("✓ safe")
		w.send(keyEnter)
		w.waitFlat("Review and save", "Ready to save: changes webhook_url.")
		w.send(keyEnter)
		w.waitFlat("Saved zap: changed webhook_url.")
		w.send(keyEsc)
		w.wait("Integration status")
		w.send("q")
		w.exit()
		ev := h.auditLatest()
		detail, _ := ev["detail"].(string)
		if !strings.HasPrefix(detail, "changed webhook_url; url now https://hooks.zapier.com/hooks/catch/123456/…/; url check safe") ||
			strings.Contains(detail, token) {
			t.Fatalf("latest audit event = %v", ev)
		}
		if r := h.ok("show", "zap", "--json", "--reveal-url"); !strings.Contains(r.stdout, token) {
			t.Fatalf("the new URL was not saved: %s", r.stdout)
		}
		if strings.Contains(h.ok("export-config").stdout, token) {
			t.Fatal("export-config shows the new URL token")
		}
	})
}

// accessibleEdit opens the plain prompts on h (a target "zap" saved) and
// returns the answer function: it waits for the next showing of prompt
// and types line.
func (h *home) accessibleEdit() (*vterm, func(prompt, line string)) {
	h.t.Helper()
	w := startTerm(h.t, termOptions{env: h.wizardEnv(), args: []string{"--accessible", "--resolve", zapierResolve}, cols: 100, rows: 40})
	seen := map[string]int{}
	return w, func(prompt, line string) {
		h.t.Helper()
		seen[prompt]++
		n := seen[prompt]
		w.waitFunc(prompt, 20*time.Second, func(string) bool { return strings.Count(w.output(), prompt) >= n })
		w.send(line + keyEnter)
	}
}

// TestWizardAccessibleEditUnsafeURL: in the plain prompts an unsafe URL
// is refused with its code as it is typed, the saved URL stays, and
// leaving writes nothing.
func TestWizardAccessibleEditUnsafeURL(t *testing.T) {
	h := newHome(t)
	h.addTypoTarget()
	before := h.ok("show", "zap", "--json").stdout
	w, answer := h.accessibleEdit()
	answer("Enter a number between 1 and 7", "7") // Edit a target
	answer("Target name", "zap")
	answer("Enter a number between 1 and 9", "6") // Go to step 3, Endpoint URL
	answer("webhook_url", "https://127.0.0.1/hooks/catch/1/x/")
	// Refused before anything is kept (the terminal wraps the code, so
	// the output is read): the prompt asks again, and an empty answer
	// keeps the saved URL.
	w.waitFunc("the refusal and the prompt again", 20*time.Second, func(string) bool {
		out := w.output()
		return strings.Contains(out, "generic_webhook_url_unsafe") && strings.Count(out, "webhook_url [") >= 2
	})
	w.send(keyEnter)
	w.wait("Checking hooks.zapier.com")
	answer("Enter a number between 1 and 9", "3") // Leave without saving
	w.wait("Nothing was saved; the edit of zap is discarded.")
	answer("Enter a number between 1 and 7", "6") // quit
	w.exit()
	if after := h.ok("show", "zap", "--json").stdout; after != before {
		t.Fatalf("a refused edit changed the target:\n%s\nthen\n%s", before, after)
	}
	if ev := h.auditLatest(); ev["action"] != "target.create" {
		t.Fatalf("a refused edit was audited: %v", ev)
	}
}

// TestWizardAccessibleEditConcurrentChange: a rotation made while the
// plain-prompt edit waits at Review makes its save generic_webhook_target_changed.
func TestWizardAccessibleEditConcurrentChange(t *testing.T) {
	h := newHome(t)
	h.addTypoTarget()
	w, answer := h.accessibleEdit()
	answer("Enter a number between 1 and 7", "7") // Edit a target
	answer("Target name", "zap")
	answer("Enter a number between 1 and 9", "9") // Go to step 6, Receiver owner and revoke path
	answer("Receiver owner", "ops@example.com")
	answer("Revoke path", "Zapier > Zaps > Ticket intake")
	w.wait("Ready to save: changes receiver_owner.")
	sf := h.writeFile("secret-new", strings.Repeat("n", 40)+"\n")
	h.ok("rotate-secret", "zap", "--secret-file", sf)
	answer("Enter a number between 1 and 9", "1") // save
	w.wait("generic_webhook_target_changed", "Leave without saving, then Edit a target again")
	answer("Enter a number between 1 and 9", "3") // Leave without saving
	answer("Enter a number between 1 and 7", "6") // quit
	w.exit()
	if show := h.shown("zap"); show["receiver_owner"] != typoOwner {
		t.Fatalf("the lost race wrote: %v", show)
	}
}

// TestWizardEditInterruptedResumes: an edit opened from the target's
// details and interrupted with Ctrl-C resumes as an edit of the same
// target; its save updates that target and never creates a second one.
func TestWizardEditInterruptedResumes(t *testing.T) {
	editVariants(t, func(t *testing.T, cols, rows int, colour bool) {
		h := newHome(t)
		h.addTypoTarget()
		w := h.editTerm(cols, rows, colour)
		w.wait("Integration status", "zap")
		w.send(keyEnter)
		w.wait("Target · zap", "e edit")
		w.send("e")
		w.waitFlat("Edit zap · Review and save", "Nothing changed yet")
		w.send("6")
		w.wait("Receiver owner and revoke path", typoOwner)
		w.send("\x15")
		w.send(paste("ops@example.com"))
		w.wait("ops@example.com")
		w.send(keyEnter, keyEnter)
		w.waitFlat("Ready to save: changes receiver_owner.")
		w.send(keyCtrlC)
		if code := w.exit(); code != 130 {
			t.Fatalf("ctrl+c: exit %d", code)
		}

		w = h.editTerm(cols, rows, colour)
		w.waitFlat("Resume editing zap at Review and save")
		w.send("c")
		w.waitFlat("Edit zap · Review and save", "Ready to save: changes receiver_owner.")
		w.send(keyEnter)
		w.waitFlat("Saved zap: changed receiver_owner.")
		w.send(keyEsc)
		w.wait("Integration status")
		w.send("q")
		w.exit()
		if list := h.listed(); len(list) != 1 || h.shown("zap")["receiver_owner"] != "ops@example.com" {
			t.Fatalf("after the resumed edit: %v", list)
		}
		if strings.Contains(h.dump(), "wizard:tester") {
			t.Fatal("the edit's draft is kept after saving")
		}
	})
}
