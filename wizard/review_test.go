package wizard

import (
	"strings"
	"testing"

	"github.com/charmbracelet/x/ansi"

	"github.com/webriskops/webhook-setup/core"
)

// resumeAtReview resumes a draft of a at Review.
func resumeAtReview(t *testing.T, a Answers) *driver {
	t.Helper()
	st := newFakeStore()
	st.draft = &draftRow{step: string(stepReview), data: a.Marshal()}
	d := newDriver(t, st)
	d.key("c")
	d.at(stepReview)
	return d
}

// selfHostedAnswers is a complete self-hosted n8n setup with an allowlist.
func selfHostedAnswers() Answers {
	return Answers{Provider: core.ProviderN8N, Mode: core.ModeSelfHosted, URL: "https://10.20.1.7:5678/webhook/intake",
		Secret: testSecret, SecretStored: true, Checks: ReceiverHeaders,
		Policy: core.PolicyAllowlist, Allowlist: []string{"10.20.0.0/16", "n8n.internal.example"},
		AuthorizedBy: "CAB-1234 (J. Doe)", Owner: "automation team", RevokePath: "n8n > Credentials > WebRiskOps"}
}

// With several allowlist entries the private-network row wraps under its
// value column at 80 columns: who authorized the route is read whole
// before saving.
func TestReviewWrapsPrivateNetworkRow(t *testing.T) {
	a := selfHostedAnswers()
	a.Allowlist = append(a.Allowlist, "172.16.0.0/12", "*.hooks.internal.example")
	d := resumeAtReview(t, a)
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
	d = resumeAtReview(t, selfHostedAnswers())
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
