package wizard

import (
	"strings"
	"testing"
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

// The fixes the wizard shows name the wizard's own step or field first; a
// flag appears only as the add command's way of doing the same.
func TestFixesNameTheWizardStep(t *testing.T) {
	d := newDriver(t, newFakeStore())
	throughEndpoint(d, 2, 0, "https://hooks.zapier.com/hooks/catch/123456/abcdefg/")
	d.key("down", "enter")
	d.paste("short")
	d.wantFlat("fix: Use 32 to 256 printable ASCII characters without spaces, or generate one (wizard: Generate one; add: --generate-secret).")
	for range "short" {
		d.key("backspace")
	}
	d.paste(testSecret)
	d.key("enter")
	d.at(stepReceiver)
	d.key("enter")
	d.wantFlat("then confirm it (wizard: tick the six headers; add: --confirm-receiver-checks).")
	d.wantNot("then confirm with --confirm-receiver-checks")
	tickAll(d)
	d.at(stepOwner)
	d.key("enter")
	d.wantFlat("fix: Say who owns the receiver (wizard: Receiver owner; add: --owner).")
	d.paste("ops@example.com")
	d.key("enter", "enter")
	d.wantFlat("fix: Say where the receiver URL and secret are rotated or deleted (wizard: Revoke path; add: --revoke-path).")
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
	d.wantFlat("(wizard: authorized by; add: --authorized-by)")
}
