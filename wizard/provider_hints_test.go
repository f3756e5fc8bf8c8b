package wizard

import (
	"net/url"
	"strings"
	"testing"

	"github.com/charmbracelet/x/ansi"

	"github.com/webriskops/webhook-setup/core"
)

// cloudZapierElsewhere is a complete cloud setup whose provider is Zapier
// but whose URL is not on hooks.zapier.com: the Endpoint URL step hinted
// it, and it is a warning, never a refusal.
func cloudZapierElsewhere() answers {
	return answers{Provider: core.ProviderZapier, Mode: core.ModeCloud, URL: "https://93.184.216.34/hook",
		Secret: testSecret, SecretStored: true, Checks: receiverHeaders,
		Owner: "automation team", RevokePath: "Zapier > Zap settings > Webhooks"}
}

// Review repeats the provider/host mismatch the Endpoint URL step hinted,
// as a warning beside "Ready to save", on a screen that still fits 80×24.
func TestReviewRepeatsProviderMismatch(t *testing.T) {
	d, _ := resumeAtReview(t, cloudZapierElsewhere())
	d.wantFlat("! warning: zapier_webhook URLs are on hooks.zapier.com; this host is 93.184.216.34")
	d.want("Ready to save")
	lines := strings.Split(d.m.View(), "\n")
	if len(lines) > 24 {
		t.Fatalf("Review takes %d lines at 80×24:\n%s", len(lines), d.screen())
	}
	for _, l := range lines {
		if ansi.StringWidth(l) > 80 {
			t.Fatalf("line wider than 80: %q", ansi.Strip(l))
		}
	}

	// A URL that matches its provider draws no warning.
	a := cloudZapierElsewhere()
	a.URL = "https://hooks.zapier.com/hooks/catch/123456/abcdef/"
	d, _ = resumeAtReview(t, a)
	d.want("Ready to save")
	d.wantNot("warning:")
}

// While something else keeps the target from being saved (the endpoint
// check does not run), the hints that need no network are still shown.
func TestReviewShowsHintsWithoutACheck(t *testing.T) {
	a := cloudZapierElsewhere()
	a.Provider, a.URL, a.Owner = core.ProviderN8N, "https://93.184.216.34/webhook-test/intake", ""
	d, _ := resumeAtReview(t, a)
	d.want("To fix before saving:", "! warning: this is an n8n test URL (/webhook-test/)")
}

// The URL field's placeholder is the chosen provider's kind of URL, and
// none of them draws a provider hint itself.
func TestURLPlaceholderFollowsProvider(t *testing.T) {
	for i, p := range core.Providers {
		for j, m := range core.Modes {
			ex := urlExample(p.Key, m.Mode)
			u, err := url.Parse(ex)
			if err != nil {
				t.Fatal(err)
			}
			if h := core.ProviderHints(p.Key, u); len(h) > 0 {
				t.Errorf("the %s example %s draws hints: %q", p.Key, ex, h)
			}
			d := newDriver(t, newFakeStore())
			toEndpoint(d, i, j)
			d.want(ex)
			if p.Key != core.ProviderZapier {
				d.wantNot("hooks.zapier.com")
			}
		}
	}
}

// When the list of what to fix needs the room, the warnings shrink to a
// note beside the Readiness heading and the fix is still read in full.
func TestReviewWarningsGiveWayToFixes(t *testing.T) {
	a := selfHostedAnswers() // port 5678: a hint
	a.Policy, a.AuthorizedBy = core.PolicyDeny, ""
	d, _ := resumeAtReview(t, a)
	d.want("Readiness   ! 1 URL warning, read at step 3")
	d.wantFlat("fix: Approve 10.0.0.0/8")
	d.wantNot("! warning: port 5678")

	// With room (a taller terminal) the warning is drawn in full.
	d.send(resize(80, 40))
	d.wantFlat("! warning: port 5678 is n8n's editor port")
	d.wantNot("read at step 3")
}
