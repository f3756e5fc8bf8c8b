package wizard

import (
	"strings"
	"testing"
)

// helpLine is the bottom line of the screen.
func (d *driver) helpLine() string {
	lines := strings.Split(d.screen(), "\n")
	return lines[len(lines)-1]
}

func TestHomeHelpListsMove(t *testing.T) {
	st := newFakeStore()
	st.targets["a-one"] = readyTarget("a-one")
	st.targets["b-two"] = readyTarget("b-two")
	d := newDriver(t, st)
	d.want("↑/↓ move", "q quit")
	d.wantNot("ctrl+c quit") // q quits here
}

// Off the home screen the help line ends with ctrl+c quit when it fits,
// and never grows a line for it.
func TestStepHelpListsCtrlCWhenItFits(t *testing.T) {
	d := newDriver(t, newFakeStore())
	d.key("n")
	d.at(stepProvider)
	if l := d.helpLine(); !strings.HasSuffix(strings.TrimRight(l, " "), "esc back  ctrl+c quit") {
		t.Fatalf("provider help line = %q", l)
	}
	throughEndpointFrom(d)
	pasteSecretStep(d)
	d.at(stepReceiver)
	// Nothing ticked: enter is refused, so it is not offered, and
	// ctrl+c fits.
	d.wantNot("enter continue")
	d.want("esc back  ctrl+c quit")
	for range receiverHeaders {
		d.key("space", "down")
	}
	// All six ticked, enter continues: Receiver checks' keys fill the
	// line at 80 columns: no ctrl+c, and still one line.
	d.want("enter continue")
	d.wantNot("ctrl+c quit")
	if l := d.helpLine(); !strings.HasPrefix(l, "↑/↓ move  space tick") {
		t.Fatalf("receiver help wraps: %q", l)
	}
	d.send(resize(100, 24))
	d.want("esc back  ctrl+c quit")
}

// throughEndpointFrom continues a setup from Provider key with the first
// provider, cloud, and a public URL.
func throughEndpointFrom(d *driver) {
	d.t.Helper()
	d.key("enter", "enter")
	d.paste("https://hooks.zapier.com/hooks/catch/123456/abcdefg/")
	d.key("enter")
}
