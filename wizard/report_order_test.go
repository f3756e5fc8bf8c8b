package wizard

import (
	"testing"

	tea "github.com/charmbracelet/bubbletea"

	"github.com/webriskops/webhook-setup/core/codes"
)

// inOneRead feeds keys as one terminal read delivers them: each key is
// handled in turn, but the commands they return run concurrently in
// Bubble Tea, so their messages may come back in any order. The driver
// feeds them back newest key first, the order that used to let an older
// report overwrite a newer one.
func (d *driver) inOneRead(keys ...tea.Msg) {
	d.t.Helper()
	answers := make([][]tea.Msg, len(keys))
	for i, k := range keys {
		_, cmd := d.m.Update(k)
		answers[i] = d.exec(cmd)
	}
	for i := len(answers) - 1; i >= 0; i-- {
		for _, msg := range answers[i] {
			d.send(msg)
		}
	}
}

// wantCodes fails unless the parent shows exactly the codes want.
func (d *driver) wantCodes(want ...codes.Code) {
	d.t.Helper()
	got := d.problemCodes()
	if len(got) != len(want) {
		d.t.Fatalf("problems %v, want %v:\n%s", got, want, d.screen())
	}
	for i := range want {
		if got[i] != want[i] {
			d.t.Fatalf("problems %v, want %v:\n%s", got, want, d.screen())
		}
	}
}

var pasteMsg = func(s string) tea.KeyMsg { return tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune(s), Paste: true} }

// ctrl+u and a paste in one read (one SSH packet): the refusal of the
// pasted URL stays, although the clearing report of ctrl+u comes back
// after it, and a later paste of a good URL clears it whatever the order.
func TestEndpointVerdictFollowsTheFieldWhateverTheOrder(t *testing.T) {
	d := newDriver(t, newFakeStore())
	d.key("n", "enter", "enter")
	d.at(stepEndpoint)
	d.paste("https://93.184.216.34/hook")
	d.wantCodes()
	for range 3 {
		d.inOneRead(tea.KeyMsg{Type: tea.KeyCtrlU}, pasteMsg("http://93.184.216.34/hook"))
		d.wantCodes(codes.URLUnsafe)
		d.inOneRead(tea.KeyMsg{Type: tea.KeyCtrlU}, pasteMsg("https://93.184.216.34/hook"))
		d.wantCodes()
	}
	d.key("enter")
	d.at(stepSecret)
}

// Backspacing a refused allowlist entry away key by key, with the
// reports of the backspaces coming back newest first: the refusal of an
// earlier prefix does not come back once the field is empty.
func TestAllowlistEntryErrorFollowsTheFieldWhateverTheOrder(t *testing.T) {
	d := newDriver(t, newFakeStore())
	toNetwork(d)
	d.key("right", "tab")
	d.typeText("127.0.0.0/8")
	d.wantCodes(codes.AllowlistInvalid)
	var bs []tea.Msg
	for range len("127.0.0.0/8") {
		bs = append(bs, keyMsg("backspace"))
	}
	d.inOneRead(bs...)
	d.wantCodes()
}

// A notice of a paste arriving after the next key was read is stale: that
// key cleared the notices, and a late one does not come back.
func TestLateNoticeDoesNotOutliveTheNextKey(t *testing.T) {
	d := newDriver(t, newFakeStore())
	d.key("n", "enter", "enter")
	d.at(stepEndpoint)
	d.inOneRead(pasteMsg("  https://93.184.216.34/hook  "), keyMsg("x"))
	if d.m.notice != "" {
		t.Fatalf("the paste's notice outlived the next key: %q\n%s", d.m.notice, d.screen())
	}
	d.send(tea.KeyMsg{Type: tea.KeyCtrlU})
	d.paste("  https://93.184.216.34/hook ")
	d.want("surrounding whitespace") // the notice of the last key is shown
}
