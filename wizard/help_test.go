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

// Enter is offered only once it would act, on the screens that refuse it
// otherwise: Endpoint URL (empty, refused), the name at Review (invalid),
// Disconnect (the name not typed yet), a rehearsal (no receiver URL).
func TestHelpOffersEnterOnlyWhenItActs(t *testing.T) {
	st := newFakeStore()
	st.targets["zap-tickets"] = readyTarget("zap-tickets")
	d := newDriver(t, st, func(e *env) { e.sender = &fakeSender{} })
	d.want("zap-tickets")
	d.key("d")
	d.want("Disconnect · zap-tickets")
	d.wantNot("enter disconnect")
	d.typeText("zap-tickets")
	d.want("enter disconnect")
	d.key("esc")

	d.key("t", "down", "enter")
	d.want("receiver URL")
	d.wantNot("enter send")
	d.typeText("https://127.0.0.1:8443/hook")
	d.want("enter send")
	d.key("esc", "esc")

	d.key("n")
	d.at(stepProvider)
	d.key("enter", "enter")
	d.at(stepEndpoint)
	d.wantNot("enter continue")
	d.paste("http://93.184.216.34/hook")
	d.want("generic_webhook_url_unsafe")
	d.wantNot("enter continue")
	for range "http://93.184.216.34/hook" {
		d.key("backspace")
	}
	d.paste("https://93.184.216.34/hook")
	d.want("enter continue")
	d.key("enter")
	pasteSecretStep(d)
	tickAll(d)
	fillOwner(d)
	d.at(stepReview)
	d.key("e")
	d.typeText("_")
	d.wantNot("enter continue")
	d.key("backspace")
	d.want("enter continue")
}
