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
		"blocked-one", "✓✓✗✓·✗", "generic_webhook_secret_missing press e, step 4 Signing secret", "generic_webhook_revoke_path_missing press e, step 6",
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

// With 26 targets at 80×24 the list takes the rows the screen has: no
// blank rows are left between the list and the help line, with or
// without a draft line, and the selected target's codes stay on screen.
func TestHomePageUsesTheRowsAt80x24(t *testing.T) {
	for _, draft := range []bool{false, true} {
		st := newFakeStore()
		for i := 0; i < 26; i++ {
			n := fmt.Sprintf("target-%02d", i)
			tg := readyTarget(n)
			if i == 0 {
				tg.Signing, tg.RevokePath = nil, ""
			}
			st.targets[n] = tg
		}
		if draft {
			st.draft = &draftRow{step: string(stepReceiver), data: (&answers{}).Marshal(), at: time.Now()}
		}
		d := newDriver(t, st)
		checkFits(t, d, 80, 24, "home")
		page := d.m.home.pageSize()
		d.want(fmt.Sprintf("1–%d shown", page), fmt.Sprintf("target-%02d", page-1),
			"generic_webhook_secret_missing press e, step 4 Signing secret", "generic_webhook_revoke_path_missing press e, step 6")
		d.wantNot(fmt.Sprintf("target-%02d", page))
		lines := strings.Split(d.screen(), "\n")
		blank := 0
		for _, l := range lines[2 : len(lines)-3] { // between the heading's gap and the help's
			if strings.TrimSpace(l) == "" {
				blank++
			}
		}
		// The gaps after the draft line and after the count.
		want := 1
		if draft {
			want = 2
		}
		if blank != want {
			t.Fatalf("draft %v: %d blank rows at 80×24 (page of %d), want %d:\n%s", draft, blank, page, want, d.screen())
		}
		// A ready target leaves its code line free; moving keeps the page.
		d.key("down")
		d.want("target-01 hooks.zapier.com ready", fmt.Sprintf("1–%d shown", page))
		checkFits(t, d, 80, 24, "home, ready target selected")
	}
}

// With no target and a draft, enter resumes the draft, and the empty
// screen and the help line say so.
func TestHomeEmptyWithDraftSaysEnterResumes(t *testing.T) {
	st := newFakeStore()
	a := answers{Provider: core.ProviderMake, Mode: core.ModeCloud, URL: "https://93.184.216.34/hook"}
	st.draft = &draftRow{step: string(stepSecret), data: a.Marshal()}
	d := newDriver(t, st)
	d.wantFlat("No webhook targets yet.", "Press c (or enter) to resume the unfinished setup, or n to start a new one.")
	d.wantNot("to set one up")
	if l := strings.TrimRight(d.helpLine(), " "); l != "n new target  c resume setup  q quit" {
		t.Fatalf("help line = %q", l)
	}
	d.key("enter")
	d.at(stepSecret)
}

// At 60×20 a full page with a blocked target selected shows its codes
// (they take the legend's rows) and leaves no empty rows either.
func TestHomeFullPageBlockedAt60x20(t *testing.T) {
	st := newFakeStore()
	for i := 0; i < 26; i++ {
		n := fmt.Sprintf("target-%02d", i)
		tg := readyTarget(n)
		if i == 0 {
			tg.Signing, tg.RevokePath = nil, ""
		}
		st.targets[n] = tg
	}
	d := newDriver(t, st)
	d.send(resize(60, 20))
	d.want("target-00", "generic_webhook_secret_missing", "generic_webhook_revoke_path_missing")
	checkFits(t, d, 60, 20, "home")
	lines := strings.Split(d.screen(), "\n")
	blank := 0
	for _, l := range lines[2 : len(lines)-3] {
		if strings.TrimSpace(l) == "" {
			blank++
		}
	}
	if blank != 1 { // the gap after the count
		t.Fatalf("%d blank rows at 60×20:\n%s", blank, d.screen())
	}
}
