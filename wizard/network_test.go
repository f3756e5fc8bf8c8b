package wizard

import (
	"fmt"
	"strings"
	"testing"

	"github.com/charmbracelet/x/ansi"

	"github.com/webriskops/webhook-setup/core"
)

// Switching the policy to deny and back keeps the allowlist entries; a
// target saved with deny has none (the core refuses entries with deny).
func TestNetworkPolicyDenyAndBackKeepsEntries(t *testing.T) {
	st := newFakeStore()
	d := newDriver(t, st)
	throughEndpoint(d, 4, 1, "https://hooks.zapier.com/hooks/catch/123456/abcdefg/")
	pasteSecretStep(d)
	tickAll(d)
	d.at(stepNetwork)
	d.key("right", "tab")
	d.typeText("10.20.0.0/16")
	d.key("enter", "enter")
	d.typeText("CHG-1")
	d.key("enter")
	fillOwner(d)
	d.at(stepReview)
	d.want("allowlist 10.20.0.0/16, authorized by CHG-1")

	d.key("6")
	d.at(stepNetwork)
	d.key("left", "enter")
	d.at(stepReview)
	d.want("deny (public HTTPS only)")
	d.wantNot("10.20.0.0/16")
	if pn := d.m.answers.Target().PrivateNetwork; pn.Policy != core.PolicyDeny || len(pn.Allowlist) != 0 {
		t.Fatalf("target with deny: %+v", pn)
	}

	d.key("6")
	d.at(stepNetwork)
	d.key("right")
	d.want("• 10.20.0.0/16")
	d.wantNot("no entries yet")
	d.key("left", "enter") // deny again, and save: no entries with deny
	d.at(stepReview)
	d.key("enter")
	tg, ok := st.targets["n8n-hooks-zapier-com"]
	if !ok {
		t.Fatalf("not saved: %v\n%s", st.targets, d.screen())
	}
	if tg.PrivateNetwork.Policy != core.PolicyDeny || len(tg.PrivateNetwork.Allowlist) != 0 {
		t.Fatalf("saved private network = %+v (targets %v)", tg.PrivateNetwork, st.targets)
	}
}

// On the policy line, typing goes to the entry field (allowlist) or says
// how to get one (deny): no key is dropped silently.
func TestNetworkTypingOnPolicyLine(t *testing.T) {
	d := newDriver(t, newFakeStore())
	toNetwork(d)
	d.want("←/→ deny or allowlist  enter continue")
	d.typeText("1")
	d.want("Entries need the allowlist policy: press → to choose it")
	d.key("right")
	d.want("←/→ deny or allowlist  enter/tab/↓ next field")
	d.wantFlat("or fc00::/7, or host names (exact or *.suffix).") // wrapped, not cut
	d.typeText("10.20.0.0/16")
	d.wantLine("› entry: 10.20.0.0/16█")
	d.key("enter")
	d.want("• 10.20.0.0/16")
}

// Review's list of what to fix wraps the reason and the fix under an
// indent instead of cutting them at 80 columns.
func TestReviewFixListWraps(t *testing.T) {
	d := newDriver(t, newFakeStore())
	toReviewSelfHostedDeny(d)
	d.want("To fix before saving", "6 → Private network generic_webhook_url_unsafe")
	d.wantNot("…")
	blockers := d.m.cur.(*reviewStep).blockers()
	if len(blockers) == 0 {
		t.Fatalf("Review lists no blocker:\n%s", d.screen())
	}
	p := blockers[0]
	d.wantFlat(p.Reason, "fix: "+p.Fix)
	d.wantLine("    fix: ")
	for _, l := range strings.Split(d.screen(), "\n") {
		if ansi.StringWidth(l) > 80 {
			t.Fatalf("line wider than 80: %q", l)
		}
	}
}

// With more to fix than 24 rows hold, every item keeps its line and key;
// a taller terminal shows the reasons and fixes too.
func TestReviewFixListFitsTheTerminal(t *testing.T) {
	d, _ := resumeAtReviewWithMissing(t)
	d.want("To fix before saving:", "5 → Receiver checks generic_webhook_receiver_checks_unconfirmed",
		"6 → Receiver owner and revoke path generic_webhook_receiver_owner_missing",
		"6 → Receiver owner and revoke path generic_webhook_revoke_path_missing")
	if n := strings.Count(d.screen(), "\n") + 1; n > 24 {
		t.Fatalf("%d lines", n)
	}
	d.send(resize(80, 50))
	d.wantFlat("fix: Say who owns the receiver, in the Receiver owner field.",
		"fix: Say where the receiver URL and secret are rotated or deleted")
}

// The help line tells what enter does where the focus is: on the policy
// line with allowlist and on an empty entry it moves to the next field, on
// a typed entry it adds it, on "authorized by" it continues. Every state
// keeps its help on one line at 80 columns.
func TestNetworkHelpFollowsTheFocus(t *testing.T) {
	d := newDriver(t, newFakeStore())
	toNetwork(d)
	oneLine := func(want string) {
		t.Helper()
		if l := strings.TrimRight(d.helpLine(), " "); !strings.HasPrefix(l, want) {
			t.Fatalf("help line = %q, want it to start %q\n%s", l, want, d.screen())
		}
		if l := d.screen(); strings.Count(l, "\n") != 23 {
			t.Fatalf("%d lines", strings.Count(l, "\n")+1)
		}
		lines := strings.Split(d.screen(), "\n")
		if strings.TrimSpace(lines[len(lines)-2]) != "" {
			t.Fatalf("help line wraps:\n%s", d.screen())
		}
	}
	oneLine("←/→ deny or allowlist  enter continue  esc back")

	d.key("right")
	oneLine("←/→ deny or allowlist  enter/tab/↓ next field  esc back")
	d.wantNot("enter continue")
	d.key("enter")
	d.wantLine("› entry: █")
	oneLine("enter/tab/↓ next field  ↑ policy  esc back")

	d.typeText("10.20.0.0/16")
	oneLine("enter add entry  tab/↓ next field  ↑ policy  esc back")
	d.key("enter")
	d.want("• 10.20.0.0/16")
	d.wantLine("› entry: █")
	oneLine("enter/tab/↓ next field  ↑ policy  ctrl+x remove last entry  esc back")
	d.typeText("n8n.internal")
	oneLine("enter add entry  tab/↓ next field  ↑ policy  ctrl+x remove last entry  esc back")

	d.key("up")
	d.wantLine("› policy")
	d.key("down", "backspace") // the typed entry is kept while the focus moves
	d.wantLine("› entry: n8n.interna█")

	d.key("enter", "enter")
	d.wantLine("› authorized by: █")
	oneLine("↑ previous field  esc back") // enter is refused until someone authorized it
	d.typeText("CHG-1")
	oneLine("enter continue  ↑ previous field  esc back")
	d.key("enter")
	d.at(stepOwner)
	if a := d.m.answers; strings.Join(a.Allowlist, ",") != "10.20.0.0/16,n8n.interna" || a.AuthorizedBy != "CHG-1" {
		t.Fatalf("answers: %v %q", a.Allowlist, a.AuthorizedBy)
	}
}

// The step takes as many allowlist entries as the core accepts
// (core.MaxAllowlistEntries) and says the list is full past them, so every
// allowlist the wizard builds passes the same bound as add and apply.
func TestNetworkAllowlistCapIsCores(t *testing.T) {
	d := newDriver(t, newFakeStore())
	toNetwork(d)
	d.key("right")
	for i := range core.MaxAllowlistEntries {
		d.typeText(fmt.Sprintf("10.20.%d.0/24", i))
		d.key("enter")
	}
	d.typeText("10.30.0.0/24")
	d.key("enter")
	d.want("the allowlist is full")
	a := d.m.answers
	a.AuthorizedBy = "CHG-1"
	if n := len(a.Allowlist); n != core.MaxAllowlistEntries {
		t.Fatalf("%d entries kept, want %d", n, core.MaxAllowlistEntries)
	}
	if ps := a.FieldProblems("private_network"); len(ps) != 0 {
		t.Fatalf("the core refuses the full allowlist: %+v", ps)
	}
}

// An endpoint that needs approval opens the step on allowlist, naming the
// host and its addresses and the narrowest entry (a host name that
// resolves privately too); a public endpoint opens on deny without it; a
// policy chosen before is kept on return.
func TestNetworkOpensOnWhatTheEndpointNeeds(t *testing.T) {
	d := newDriver(t, newFakeStore())
	throughEndpoint(d, 4, 1, "https://n8n.internal/webhook/x")
	pasteSecretStep(d)
	tickAll(d)
	d.at(stepNetwork)
	d.want("n8n.internal → 10.20.1.5 need approval", "Narrowest entry to add: 10.20.1.5/32", "(•) allowlist")
	d.key("enter")
	d.typeText("10.20.1.5/32")
	d.key("enter", "enter")
	d.typeText("CHG-7")
	d.key("enter")
	fillOwner(d)
	d.at(stepReview)
	d.want("allowlist 10.20.1.5/32, authorized by CHG-7")
	d.key("6")
	d.at(stepNetwork)
	d.key("left", "enter") // deny chosen
	d.key("6")
	d.want("(•) deny") // kept: the step opens on allowlist only before a choice

	d = newDriver(t, newFakeStore())
	throughEndpoint(d, 4, 1, "https://hooks.zapier.com/hooks/catch/123456/abcdefg/")
	pasteSecretStep(d)
	tickAll(d)
	d.at(stepNetwork)
	d.want("(•) deny")
	d.wantNot("need approval", "Narrowest entry")
}
