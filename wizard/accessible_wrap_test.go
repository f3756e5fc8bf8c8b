package wizard

import (
	"strings"
	"testing"

	"github.com/charmbracelet/lipgloss"
	"github.com/charmbracelet/x/ansi"
	"github.com/muesli/termenv"

	"github.com/webriskops/webhook-setup/core/urlsafe"
)

// In accessible mode with colour, a styled line starts with an escape
// sequence before its indent: its wrapped continuations keep the indent
// all the same, as they do without colour.
func TestAccessibleStyledHintsKeepTheirIndent(t *testing.T) {
	for _, profile := range []termenv.Profile{termenv.Ascii, termenv.ANSI256} {
		r := lipgloss.NewRenderer(&strings.Builder{})
		r.SetColorProfile(profile)
		v := urlsafe.Verdict{Host: "10.20.1.5:5678", Addresses: []string{"10.20.1.5"}, NeedsApproval: true,
			Fix:      "Approve 10.0.0.0/8 (or a narrower CIDR inside it) in the private-network allowlist.",
			Warnings: []string{"port 5678 is n8n's editor port; production receivers are usually behind an HTTPS proxy on 443"}}
		var b strings.Builder
		ww := newWordWrapper(&b, 80)
		if _, err := ww.Write([]byte(verdictView(newStyles(r), v, true, 0) + "\n")); err != nil {
			t.Fatal(err)
		}
		got := ansi.Strip(b.String())
		want := "! needs private-network approval 10.20.1.5:5678 → 10.20.1.5\n" +
			"  Approve 10.0.0.0/8 (or a narrower CIDR inside it) in the private-network\n" +
			"  allowlist. This is done in the Private network step.\n" +
			"  hint: port 5678 is n8n's editor port; production receivers are usually behind\n" +
			"  an HTTPS proxy on 443\n"
		if got != want {
			t.Fatalf("profile %v:\n%s\nwant:\n%s", profile, got, want)
		}
	}
}
