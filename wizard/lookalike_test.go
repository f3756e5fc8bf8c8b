package wizard

import (
	"context"
	"net/netip"
	"strings"
	"testing"

	"github.com/webriskops/webhook-setup/core/codes"
)

// TestEndpointLookAlikeNeedsConfirm (issue 15, finding 9): the wizard took
// hooks.zаpier.com (Cyrillic а) like any host. The Endpoint step now
// refuses it with generic_webhook_host_lookalike until the operator
// confirms with ctrl+y, and a changed URL needs a new confirmation.
func TestEndpointLookAlikeNeedsConfirm(t *testing.T) {
	const lookAlike = "https://hooks.z\u0430pier.com/hooks/catch/123456/abcdefg/"
	d := newDriver(t, newFakeStore())
	d.res.answers["hooks.xn--zpier-4ve.com"] = []netip.Addr{netip.MustParseAddr("3.33.152.147")}
	d.key("n")
	d.at(stepProvider)
	d.key("enter")
	d.at(stepMode)
	d.key("enter")
	d.at(stepEndpoint)
	d.paste(lookAlike)
	d.key("enter")
	d.at(stepEndpoint)
	if c := d.problemCodes(); len(c) != 1 || c[0] != codes.HostLookAlike {
		t.Fatalf("look-alike host: problems %v\n%s", c, d.screen())
	}
	d.want("looks like hooks.zapier.com", "ctrl+y")
	d.wantFlat("press ctrl+y to confirm it") // the wizard's fix, not --allow-confusable-host
	d.wantNot("--allow-confusable-host", "enter continue")
	d.key("enter")
	d.at(stepEndpoint) // enter alone does not confirm
	d.key("ctrl+y")
	d.at(stepSecret)
	if !d.m.answers.Target().AllowConfusableHost {
		t.Fatal("the confirmation is not in the target")
	}
	// Back, and a changed URL: confirm again.
	d.key("esc")
	d.at(stepEndpoint)
	d.key("backspace")
	d.key("enter")
	d.at(stepEndpoint)
	if c := d.problemCodes(); len(c) != 1 || c[0] != codes.HostLookAlike {
		t.Fatalf("changed look-alike URL: problems %v\n%s", c, d.screen())
	}
}

// TestAccessibleLookAlikeAsksToConfirm: the plain-prompt wizard stops at a
// look-alike host, names what it looks like, and saves it only after the
// operator chooses to keep it.
func TestAccessibleLookAlikeAsksToConfirm(t *testing.T) {
	const lookAlike = "https://hooks.z\u0430pier.com/hook"
	st := newFakeStore()
	out := &safeBuffer{}
	d := newDriver(t, st)
	d.res.answers["hooks.xn--zpier-4ve.com"] = []netip.Addr{netip.MustParseAddr("3.33.152.147")}
	err := Run(context.Background(), Options{
		In: &lineFeeder{lines: []string{
			"1", "1", "1", // new target, generic_webhook, cloud
			lookAlike,
			"2", // enter the URL again
			lookAlike,
			"1",      // it is the receiver's host
			"1", "y", // generate, stored
			"1", "y", "y", "y", "y", "y", "y",
			"ops@example.com", "Internal > receivers > hook",
			"1", // save
			"6", // quit
		}}, Out: out, Store: st, Resolver: d.res,
		Accessible: true, DraftID: "wizard:tester", Actor: "tester",
	})
	if err != nil {
		t.Fatalf("Run: %v\n%s", err, out)
	}
	for _, want := range []string{"generic_webhook_host_lookalike", "looks like hooks.zapier.com", "It is the receiver's host"} {
		if !strings.Contains(out.String(), want) {
			t.Fatalf("output lacks %q:\n%s", want, out)
		}
	}
	if len(st.targets) != 1 {
		t.Fatalf("saved %d targets:\n%s", len(st.targets), out)
	}
}
