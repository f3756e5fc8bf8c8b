package wizard

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/webriskops/webhook-setup/core"
	"github.com/webriskops/webhook-setup/core/signing"
)

// readyTarget is a saved target whose six states are ready or not
// applicable.
func readyTarget(name string) core.Target {
	return core.Target{Name: name, ProviderKey: core.ProviderZapier, DeploymentMode: core.ModeCloud,
		BaseURL: "https://hooks.zapier.com/hooks/catch/123456/secretpath/", ReceiverOwner: "ops@example.com",
		RevokePath: "Zapier > Zaps", ReceiverChecksConfirmed: true,
		Signing: &core.Signing{Algorithm: signing.Algorithm, Fingerprint: "sha256:0123456789ab", CreatedAt: time.Unix(1700000000, 0)}}
}

func TestHomeListsTargetsWithStatesCodesAndKeys(t *testing.T) {
	st := newFakeStore()
	st.targets["zap-tickets"] = readyTarget("zap-tickets")
	blocked := readyTarget("blocked-one")
	blocked.Signing, blocked.RevokePath = nil, ""
	st.targets["blocked-one"] = blocked
	d := newDriver(t, st)
	d.want("Integration status", "2 saved targets", "zap-tickets", "✓✓✓✓·✓",
		"blocked-one", "✓✓✗✓·✗", "generic_webhook_secret_missing Add", "generic_webhook_revoke_path_missing Say",
		"n new target", "enter open", "t test send", "r rotate secret", "d disconnect", "q quit")
	d.wantNot("secretpath") // hook paths are credentials: only the host is shown
}

func TestHomePaginatesToTheTerminal(t *testing.T) {
	st := newFakeStore()
	for i := 0; i < 250; i++ {
		n := fmt.Sprintf("target-%03d", i)
		st.targets[n] = readyTarget(n)
	}
	d := newDriver(t, st)
	page := d.m.home.pageSize()
	for _, l := range st.listed {
		if l <= 0 || l > 24 {
			t.Fatalf("Targets asked for %d rows at 80×24; the list must be paged", l)
		}
	}
	d.want("250 saved targets", fmt.Sprintf("1–%d shown", page), "target-000")
	d.wantNot(fmt.Sprintf("target-%03d", page))
	for i := 0; i < page; i++ {
		d.key("down")
	}
	d.want(fmt.Sprintf("%d–%d shown", page+1, 2*page), fmt.Sprintf("target-%03d", page))
	d.key("left")
	d.want(fmt.Sprintf("1–%d shown", page))
	// A taller terminal shows a bigger page.
	d.send(resize(100, 40))
	if d.m.home.pageSize() <= page {
		t.Fatal("the page does not grow with the terminal")
	}
	d.want(fmt.Sprintf("1–%d shown", d.m.home.pageSize()))
}

func TestHomeWaitsForStoreWithoutBlockingFirstFrame(t *testing.T) {
	d := newDriver(t, nil)
	d.want("Integration status", "loading saved targets")
	st := newFakeStore()
	st.targets["zap-tickets"] = readyTarget("zap-tickets")
	d.send(storeMsg{st: st})
	d.want("1 saved target", "zap-tickets")
}

func TestHomeSanitisesOutsideText(t *testing.T) {
	st := newFakeStore()
	evil := readyTarget("evil")
	evil.Name = "evil\x1b]52;c;ZXZpbA==\x07\u202eman"
	evil.BaseURL = "https://hooks.zapier.com\x1b[2J/x"
	st.targets[evil.Name] = evil
	d := newDriver(t, st)
	out := d.m.View()
	for _, bad := range []string{"\x1b]52", "\x07", "\u202e", "\x1b[2J"} {
		if strings.Contains(out, bad) {
			t.Fatalf("home draws raw %q", bad)
		}
	}
	d.want(`evil\x1b]52;c;`)
	d.key("enter")
	out = d.m.View()
	for _, bad := range []string{"\x1b]52", "\x07", "\u202e"} {
		if strings.Contains(out, bad) {
			t.Fatalf("details draw raw %q", bad)
		}
	}
}

func TestHomeEmptyStateEnterStarts(t *testing.T) {
	d := newDriver(t, newFakeStore())
	d.want("No webhook targets yet", "A webhook target is an HTTPS endpoint")
	d.key("enter")
	d.at(stepProvider)
}
