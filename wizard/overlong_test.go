package wizard

import (
	"strings"
	"testing"

	tea "github.com/charmbracelet/bubbletea"

	"github.com/webriskops/webhook-setup/core/codes"
	"github.com/webriskops/webhook-setup/core/urlsafe"
)

// A pasted URL over urlsafe.MaxURLLen reaches the check whole and is
// refused with the CLI's code and reason (the same urlsafe.Parse that
// add and check-url run); it was cut to 2048 bytes and saved as safe.
func TestOverLongURLPasteRefusedWhole(t *testing.T) {
	d := newDriver(t, newFakeStore())
	d.key("n", "enter", "enter")
	d.at(stepEndpoint)
	long := "https://93.184.216.34/hook/" + strings.Repeat("a", 3000-len("https://93.184.216.34/hook/"))
	d.paste(long)
	d.key("enter")
	d.at(stepEndpoint)
	_, _, want := urlsafe.Parse(long)
	if want == nil {
		t.Fatal("urlsafe.Parse accepts a 3000-byte URL")
	}
	if len(d.m.problems) != 1 || d.m.problems[0].Code != want.Code || d.m.problems[0].Reason != want.Reason {
		t.Fatalf("problems %+v, want the CLI's %+v", d.m.problems, *want)
	}
	d.wantFlat("the URL is 3000 bytes long; the limit is 2048")
	if d.m.answers.URL != long {
		t.Fatalf("the URL kept is %d bytes, want the whole 3000", len(d.m.answers.URL))
	}
}

// A pasted owner over core.MaxTextLen is refused as too long with its
// real size (not as a missing owner, not cut at a character limit), the
// focus stays on the owner, and what is typed after fixing it lands in
// the revoke path.
func TestOverLongOwnerPasteRefusedAsTooLong(t *testing.T) {
	d := newDriver(t, newFakeStore())
	throughEndpoint(d, 0, 0, "https://93.184.216.34/hook")
	pasteSecretStep(d)
	tickAll(d)
	d.at(stepOwner)
	d.paste(strings.Repeat("o", 3000))
	d.key("enter")
	if c := d.problemCodes(); len(c) != 1 || c[0] != codes.TextTooLong {
		t.Fatalf("long owner: problems %v\n%s", c, d.screen())
	}
	d.wantFlat("the receiver owner is 3000 bytes")
	if len(d.m.answers.Owner) != 3000 {
		t.Fatalf("the owner kept is %d bytes, want the whole 3000", len(d.m.answers.Owner))
	}
	d.send(tea.KeyMsg{Type: tea.KeyCtrlU}) // clear the field
	d.paste("ops@example.com")
	d.key("enter")
	d.paste("Zapier > Zaps > Intake")
	if d.m.answers.Owner != "ops@example.com" || d.m.answers.RevokePath != "Zapier > Zaps > Intake" {
		t.Fatalf("owner %q, revoke path %q", d.m.answers.Owner, d.m.answers.RevokePath)
	}
}

// Accessible mode refuses the same 3000-byte URL with the same reason,
// and keeps asking.
func TestAccessibleOverLongURLRefused(t *testing.T) {
	long := "https://93.184.216.34/hook/" + strings.Repeat("a", 3000-len("https://93.184.216.34/hook/"))
	out, _ := runScript(t, newFakeStore(), "1", "1", "1", long)
	if !strings.Contains(out, "generic_webhook_url_unsafe: the URL is 3000 bytes long; the limit is") {
		t.Fatalf("the long URL is not refused with the CLI's reason:\n%s", out)
	}
	if strings.Contains(out, "Signing secret") {
		t.Fatalf("the long URL was accepted:\n%s", out)
	}
}

// A name pasted on Review over core.MaxNameLen stays whole and is
// refused as generic_webhook_name_invalid; nothing is saved.
func TestOverLongNamePasteRefused(t *testing.T) {
	d, st := resumeAtReview(t, selfHostedAnswers())
	d.key("e")
	d.send(tea.KeyMsg{Type: tea.KeyCtrlU})
	long := strings.Repeat("n", 100)
	d.paste(long)
	d.key("enter")
	if c := d.problemCodes(); len(c) != 1 || c[0] != codes.NameInvalid {
		t.Fatalf("long name: problems %v\n%s", c, d.screen())
	}
	rs := d.m.cur.(*reviewStep)
	if !rs.editing || rs.name.Value() != long {
		t.Fatalf("the name field holds %d characters (editing %v), want the whole 100", len(rs.name.Value()), rs.editing)
	}
	if len(st.targets) != 0 {
		t.Fatalf("saved %v", st.targets)
	}
}

// An allowlist entry over core.MaxAllowlistEntryLen is refused as too
// long with its real size, not cut to an entry that might parse.
func TestOverLongAllowlistEntryRefused(t *testing.T) {
	d := newDriver(t, newFakeStore())
	toNetwork(d)
	d.key("right")
	d.paste(strings.Repeat("a", 400) + ".example")
	d.key("enter")
	if c := d.problemCodes(); len(c) != 1 || c[0] != codes.TextTooLong {
		t.Fatalf("long entry: problems %v\n%s", c, d.screen())
	}
	d.wantFlat("408 bytes")
	d.wantNot("• aaaa")
}
