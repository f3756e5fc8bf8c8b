package wizard

import (
	"testing"

	tea "github.com/charmbracelet/bubbletea"
)

// feed hands msgs to the model as one burst, without running the commands
// in between: keys that arrive in one read (a paste right after enter,
// type-ahead over a slow link) are handled before any command answers.
func (d *driver) feed(msgs ...tea.Msg) {
	for _, msg := range msgs {
		d.m.Update(msg)
	}
}

func TestTypeAheadReachesTheNextScreen(t *testing.T) {
	d := newDriver(t, newFakeStore())
	d.feed(keyMsg("n"), keyMsg("down"), keyMsg("enter"), keyMsg("down"))
	d.at(stepMode)
	if d.m.answers.Provider != "webhook" {
		t.Fatalf("provider = %q", d.m.answers.Provider)
	}
	d.want("› self-hosted")
}

func TestTypeAheadInOwnerStep(t *testing.T) {
	d := newDriver(t, newFakeStore())
	throughEndpoint(d, 0, 0, "https://93.184.216.34/hook")
	pasteSecretStep(d)
	tickAll(d)
	d.at(stepOwner)
	d.feed(tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune("ops@example.com"), Paste: true}, keyMsg("enter"),
		tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune("Internal > hook"), Paste: true})
	if d.m.answers.Owner != "ops@example.com" || d.m.answers.RevokePath != "Internal > hook" {
		t.Fatalf("owner %q, revoke path %q: a paste right after enter went to the wrong field", d.m.answers.Owner, d.m.answers.RevokePath)
	}
}
