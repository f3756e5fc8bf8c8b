package wizard

import (
	"strings"
	"testing"

	"github.com/webriskops/webhook-setup/core"
)

// Review at 60×20 with a refused private URL, two URL warnings and three
// more things to fix: every one of them is listed with its step above the
// help line (the layout tightens), the warnings are pointed to, and the
// summary rows that still fit are drawn.
func TestReviewFitsManyBlockersAt60x20(t *testing.T) {
	a := selfHostedAnswers()
	a.URL = "https://10.20.1.7:5678/webhook-test/intake"
	a.Policy, a.AuthorizedBy, a.Allowlist = core.PolicyDeny, "", nil
	a.Checks, a.Owner, a.RevokePath = nil, "", ""
	d, _ := resumeAtReview(t, a)
	d.send(resize(60, 20))
	checkFits(t, d, 60, 20, "review")
	d.want("To fix before saving:", "5 → Receiver checks", "6 → Private network generic_webhook_url_unsafe",
		"! 2 URL warnings, read at step 3", "endpoint host", "✗ endpoint")
	if n := strings.Count(d.screen(), "7 → Receiver owner and revoke path"); n != 2 {
		t.Fatalf("%d of the two owner-step problems listed:\n%s", n, d.screen())
	}

	// Shorter still, the summary rows give way and say so; the list stays.
	d.send(resize(60, 16))
	checkFits(t, d, 60, 16, "review")
	d.want("To fix before saving:", "5 → Receiver checks", "6 → Private network", "rows more: a taller terminal shows them")
	if n := strings.Count(d.screen(), "7 → Receiver owner and revoke path"); n != 2 {
		t.Fatalf("%d of the two owner-step problems listed at 60×16:\n%s", n, d.screen())
	}
}
