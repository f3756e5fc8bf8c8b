package wizard

import (
	"strings"
	"testing"

	"github.com/charmbracelet/x/ansi"

	"github.com/webriskops/webhook-setup/core"
)

// resumeAtReview resumes a draft of a at Review.
func resumeAtReview(t *testing.T, a answers) (*driver, *fakeStore) {
	t.Helper()
	st := newFakeStore()
	st.draft = &draftRow{step: string(stepReview), data: a.Marshal()}
	d := newDriver(t, st)
	d.key("c")
	d.at(stepReview)
	return d, st
}

// selfHostedAnswers is a complete self-hosted n8n setup with an allowlist.
func selfHostedAnswers() answers {
	return answers{Provider: core.ProviderN8N, Mode: core.ModeSelfHosted, URL: "https://10.20.1.7:5678/webhook/intake",
		Secret: testSecret, SecretStored: true, Checks: receiverHeaders,
		Policy: core.PolicyAllowlist, Allowlist: []string{"10.20.0.0/16", "n8n.internal.example"},
		AuthorizedBy: "CAB-1234 (J. Doe)", Owner: "automation team", RevokePath: "n8n > Credentials > WebRiskOps"}
}

// With several allowlist entries the private-network row wraps under its
// value column at 80 columns: who authorized the route is read whole
// before saving.
func TestReviewWrapsPrivateNetworkRow(t *testing.T) {
	a := selfHostedAnswers()
	a.Allowlist = append(a.Allowlist, "172.16.0.0/12", "*.hooks.internal.example")
	d, _ := resumeAtReview(t, a)
	d.wantWholeLine("private network    allowlist 10.20.0.0/16, n8n.internal.example, 172.16.0.0/12,")
	d.wantWholeLine("                   *.hooks.internal.example, authorized by CAB-1234 (J. Doe)")
	d.wantLine("name               n8n-10-20-1-7")
	d.wantFlat("allowlist 10.20.0.0/16, n8n.internal.example, 172.16.0.0/12, *.hooks.internal.example, authorized by CAB-1234 (J. Doe)")
	d.want("Ready to save")
	for _, l := range strings.Split(d.screen(), "\n") {
		if ansi.StringWidth(l) > 80 || strings.Contains(l, "…") {
			t.Fatalf("line cut or too wide: %q\n%s", l, d.screen())
		}
	}

	// Two entries, as the audit saw it cut.
	d, _ = resumeAtReview(t, selfHostedAnswers())
	d.wantWholeLine("private network    allowlist 10.20.0.0/16, n8n.internal.example, authorized by")
	d.wantWholeLine("                   CAB-1234 (J. Doe)")
	d.send(resize(120, 24))
	d.wantWholeLine("private network    allowlist 10.20.0.0/16, n8n.internal.example, authorized by CAB-1234 (J. Doe)")
}

// wantWholeLine fails unless a line of the screen is exactly l (trailing
// spaces aside).
func (d *driver) wantWholeLine(l string) {
	d.t.Helper()
	for _, sl := range strings.Split(d.screen(), "\n") {
		if strings.TrimRight(sl, " ") == l {
			return
		}
	}
	d.t.Fatalf("no line is %q:\n%s", l, d.screen())
}

// A self-hosted endpoint refused only because its private address is not
// approved is fixed in the Private network step, which its reason and fix
// name: the item's key goes there. Other endpoint refusals keep the key of
// Endpoint URL.
func TestReviewPrivateAddressRefusalGoesToPrivateNetwork(t *testing.T) {
	a := selfHostedAnswers()
	a.Policy, a.AuthorizedBy = core.PolicyDeny, ""
	d, _ := resumeAtReview(t, a)
	d.want("6 → Private network generic_webhook_url_unsafe 10.20.1.7 is a private")
	d.wantFlat("self-hosted targets can allow it in the private-network step", "fix: Approve 10.0.0.0/8")
	d.wantNot("3 → Endpoint URL")
	d.key("6")
	d.at(stepNetwork)
	d.key("right", "enter", "enter") // allowlist; the entries were kept
	d.typeText("CAB-1234")
	d.key("enter")
	d.at(stepReview)
	d.want("Ready to save")

	// Never allowed, even self-hosted: fixed at the URL.
	a = selfHostedAnswers()
	a.URL = "https://intranet.example/hook"
	d, _ = resumeAtReview(t, a)
	d.want("3 → Endpoint URL generic_webhook_url_unsafe")
	d.wantNot("→ Private network")

	// Cloud: a private address cannot be approved at all.
	a = selfHostedAnswers()
	a.Mode, a.Policy, a.Allowlist, a.AuthorizedBy = core.ModeCloud, "", nil, ""
	d, _ = resumeAtReview(t, a)
	d.wantFlat("3 → Endpoint URL generic_webhook_url_unsafe 10.20.1.7 is a private address")
}

// Accessible Review names the same step for a private address that the
// allowlist could approve.
func TestAccessibleReviewPrivateAddressNamesPrivateNetwork(t *testing.T) {
	st := newFakeStore()
	a := selfHostedAnswers()
	a.Policy, a.AuthorizedBy = core.PolicyDeny, ""
	st.draft = &draftRow{step: string(stepReview), data: a.Marshal()}
	out, _ := runScript(t, st, "1") // resume; the input then ends
	flat := strings.Join(strings.Fields(out), " ")
	if !strings.Contains(flat, "(step 6, Private network)") || strings.Contains(flat, "(step 3, Endpoint URL)") {
		t.Fatalf("output:\n%s", out)
	}
}

// Editing the name on Review shows the label once.
func TestReviewNameEditShowsTheLabelOnce(t *testing.T) {
	d, _ := resumeAtReview(t, selfHostedAnswers())
	d.key("e")
	d.wantLine("name               › n8n-10-20-1-7█")
	d.wantNot("name › ")
}

// Receiver owner's help follows the focus: no previous field on the
// first, enter continues only from the revoke path, and a field that
// enter would refuse (empty) offers no enter.
func TestOwnerHelpFollowsTheFocus(t *testing.T) {
	d := newDriver(t, newFakeStore())
	throughEndpoint(d, 0, 0, "https://93.184.216.34/hook")
	pasteSecretStep(d)
	tickAll(d)
	d.at(stepOwner)
	help := func(want string) {
		t.Helper()
		if l := strings.TrimRight(d.helpLine(), " "); l != want {
			t.Fatalf("help = %q, want %q", l, want)
		}
	}
	help("esc back  ctrl+c quit")
	d.paste("ops@example.com")
	help("enter/tab/↓ next field  esc back  ctrl+c quit")
	d.key("enter")
	d.at(stepOwner)
	help("↑ previous field  esc back  ctrl+c quit")
	d.paste("Zapier > Zaps")
	help("enter continue  ↑ previous field  esc back  ctrl+c quit")
	d.key("up")
	d.want("enter/tab/↓ next field")
}

// A long receiver owner and revoke path wrap under their value column at
// 80 columns instead of being cut: both are read whole before saving.
func TestReviewWrapsOwnerAndRevokePath(t *testing.T) {
	a := selfHostedAnswers()
	a.Owner = "Automation platform team, on call via the #automation-oncall channel and ops@example.com"
	a.RevokePath = "n8n > Settings > Credentials > WebRiskOps signing secret, then Workflows > Ticket intake > Webhook node"
	d, _ := resumeAtReview(t, a)
	d.wantFlat(a.Owner, a.RevokePath)
	for _, l := range strings.Split(d.screen(), "\n") {
		if ansi.StringWidth(l) > 80 || strings.Contains(l, "…") {
			t.Fatalf("line cut or too wide: %q\n%s", l, d.screen())
		}
	}
}

// A very long owner or revoke path takes at most two lines, cut with "…",
// so Review still shows its verdict within 24 rows.
func TestReviewCapsVeryLongOwnerAndRevokePath(t *testing.T) {
	a := selfHostedAnswers()
	a.Owner = strings.Repeat("owner-", 60) + "END"
	a.RevokePath = strings.Repeat("path > ", 50) + "END"
	d, _ := resumeAtReview(t, a)
	d.want("Ready to save", "…")
	d.wantNot("END")
	if n := strings.Count(d.screen(), "\n") + 1; n > 24 {
		t.Fatalf("%d lines:\n%s", n, d.screen())
	}
}
