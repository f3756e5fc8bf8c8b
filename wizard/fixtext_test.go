package wizard

import (
	"strings"
	"testing"

	"github.com/webriskops/webhook-setup/core/codes"
)

// flat is the screen as one line of words, so text wrapped over lines
// reads as it would to a person.
func (d *driver) flat() string { return strings.Join(strings.Fields(d.screen()), " ") }

// wantFlat fails unless the words of the screen contain every one of parts.
func (d *driver) wantFlat(parts ...string) {
	d.t.Helper()
	f := d.flat()
	for _, p := range parts {
		if !strings.Contains(f, p) {
			d.t.Fatalf("screen lacks %q:\n%s", p, d.screen())
		}
	}
}

// The fixes the wizard shows name the wizard's own step, field or key,
// never a command-line flag the operator cannot pass to the screen.
func TestFixesNameTheWizardStep(t *testing.T) {
	d := newDriver(t, newFakeStore())
	throughEndpoint(d, 2, 0, "https://hooks.zapier.com/hooks/catch/123456/abcdefg/")
	d.key("down", "enter")
	d.paste("short")
	d.wantFlat("fix: Use 32 to 256 printable ASCII characters without spaces, or choose Generate one (esc goes back to the choice).")
	d.wantNot("--generate-secret")
	for range "short" {
		d.key("backspace")
	}
	d.paste(testSecret)
	d.key("enter")
	d.at(stepReceiver)
	d.key("enter")
	d.wantFlat("fix: Set up receiver verification (v in Receiver checks shows the recipe), then tick the six headers there.")
	d.wantNot("--confirm-receiver-checks")
	tickAll(d)
	d.at(stepOwner)
	d.key("enter")
	d.wantFlat("fix: Say who owns the receiver, in the Receiver owner field.")
	d.wantNot("--owner")
	d.paste("ops@example.com")
	d.key("enter", "enter")
	d.wantFlat("fix: Say where the receiver URL and secret are rotated or deleted, in the Revoke path field.")
	d.wantNot("--revoke-path")
	d.paste("Zapier > Zaps")
	d.key("enter")
	d.at(stepReview)
	d.key("e")
	for range 40 {
		d.key("backspace")
	}
	d.typeText("Tickets_1")
	d.key("enter")
	d.wantFlat("generic_webhook_name_invalid", "fix: Use 1 to 63 characters of a-z, 0-9 and '-', starting with a letter or digit, like zapier-tickets.")
}

func TestAuthorizedByFixNamesTheField(t *testing.T) {
	d := newDriver(t, newFakeStore())
	toNetwork(d)
	d.key("right", "tab")
	d.typeText("10.20.0.0/16")
	d.key("enter", "enter", "enter")
	d.wantFlat("in the Private network step's authorized by field")
	d.wantNot("--authorized-by")
}

// Every catalog fix that names a flag has the wizard's wording, or is
// listed as needing none; the wizard's wording names no flag.
func TestWizardFixesNameNoFlags(t *testing.T) {
	for _, e := range codes.Codes() {
		_, worded := wizardFixes[e.Code]
		_, exempt := wizardFlagFixes[e.Code]
		if strings.Contains(e.Fix, "--") && !worded && !exempt {
			t.Errorf("%s: the catalog fix names a flag and the wizard has no wording for it (wizard/fixtext.go)", e.Code)
		}
		if worded && exempt {
			t.Errorf("%s is both worded and exempt", e.Code)
		}
	}
	for c, w := range wizardFixes {
		for _, text := range []string{w.screen, w.prompts} {
			if strings.Contains(text, "--") {
				t.Errorf("%s: the wizard's wording names a flag: %q", c, text)
			}
		}
		p := codes.NewProblem(c, "", "reason")
		if got := wizardFix(p, false); got != w.screen {
			t.Errorf("%s: wizardFix = %q", c, got)
		}
	}
	// A fix written for the case in hand is kept as it is.
	p := codes.NewProblem(codes.OwnerMissing, "", "reason")
	p.Fix = "Something exact."
	if got := wizardFix(p, false); got != "Something exact." {
		t.Errorf("a screen's own fix was replaced: %q", got)
	}
	// The plain prompts have no keys to press.
	if got := wizardFix(codes.NewProblem(codes.HostLookAlike, "", "r"), true); strings.Contains(got, "ctrl+y") {
		t.Errorf("the prompts' look-alike fix names a key: %q", got)
	}
}

// The fixes the plain prompts showed with a command (webhook-setup recipe
// for unticked receiver checks, webhook-setup list for a mistyped target
// name) name what the wizard offers instead, in both front ends.
func TestWizardFixesNameNoCommandTheWizardReplaces(t *testing.T) {
	for _, c := range []codes.Code{codes.ReceiverChecks, codes.TargetNotFound} {
		for _, prompts := range []bool{false, true} {
			fix := wizardFix(codes.Problem{Code: c, Fix: c.Fix()}, prompts)
			if strings.Contains(fix, "webhook-setup ") || fix == "" {
				t.Errorf("%s (prompts %v): fix %q", c, prompts, fix)
			}
		}
	}
	st := editSQLite(t)
	out := runEditScript(t, st, "2", "nosuch", "6") // open a target not saved, quit
	if !strings.Contains(flatText(out), "generic_webhook_target_not_found") || strings.Contains(out, "webhook-setup list") ||
		!strings.Contains(flatText(out), "Type the name of a saved target as Integration status lists it.") {
		t.Fatalf("a mistyped name's fix:\n%s", out)
	}
}
