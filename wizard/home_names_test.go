package wizard

import (
	"strings"
	"testing"

	"github.com/charmbracelet/x/ansi"

	"github.com/webriskops/webhook-setup/core"
)

// A 63-character name (core.MaxNameLen) takes the NAME column as far as
// PROVIDER, MODE and STATES allow: at 80 columns 41 characters and "…",
// whole on the selected target's line; on a wide terminal whole in its
// row. No row is wider than the terminal.
func TestHomeNameColumnFitsLongNames(t *testing.T) {
	long := strings.Repeat("n", core.MaxNameLen-len("-tickets")) + "-tickets"
	if p := core.ValidateName(long); p != nil || len(long) != core.MaxNameLen {
		t.Fatalf("test name %q (%d) is not a longest valid name", long, len(long))
	}
	st := newFakeStore()
	st.targets[long] = readyTarget(long)
	blocked := readyTarget("blocked-one")
	blocked.Signing = nil
	st.targets["blocked-one"] = blocked
	d := newDriver(t, st)
	d.want(long[:40] + "… zapier_webhook   cloud        ✓✓✓✓·✓")
	d.key("down")
	d.want(long + " hooks.zapier.co") // the name whole on the selected target's line
	d.wantNot("STATE…")
	noWiderThan(t, d, 80)

	d.send(resize(120, 24))
	d.wantLine("  blocked-one" + strings.Repeat(" ", core.MaxNameLen-len("blocked-one")+1) + "zapier_webhook")
	d.want(long + " zapier_webhook")
	d.wantNot(long[:40] + "…")
	noWiderThan(t, d, 120)

	// Short names keep a narrow column, so the codes have room.
	st = newFakeStore()
	st.targets["blocked-one"] = blocked
	d = newDriver(t, st)
	d.want("blocked-one  zapier_webhook", "generic_webhook_secret_missing")
	noWiderThan(t, d, 80)
}

func noWiderThan(t *testing.T, d *driver, w int) {
	t.Helper()
	for _, l := range strings.Split(d.m.View(), "\n") {
		if ansi.StringWidth(l) > w {
			t.Fatalf("line wider than %d: %q\n%s", w, ansi.Strip(l), d.screen())
		}
	}
}
