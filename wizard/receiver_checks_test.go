package wizard

import (
	"strings"
	"testing"

	"github.com/webriskops/webhook-setup/core/codes"
	"github.com/webriskops/webhook-setup/core/signing"
)

// toReceiver walks a Zapier setup to the Receiver checks step.
func toReceiver(t *testing.T) *driver {
	d := newDriver(t, newFakeStore())
	throughEndpoint(d, 2, 0, "https://hooks.zapier.com/hooks/catch/123456/abcdefg/")
	pasteSecretStep(d)
	d.at(stepReceiver)
	return d
}

// Space ticks the focused header and nothing else: the cursor stays, so a
// second space unticks the same header.
func TestReceiverSpaceOnlyTicks(t *testing.T) {
	d := toReceiver(t)
	d.want("0 of 6 confirmed", "› X-WebRiskOps-Event [ ]")
	d.key("space")
	d.want("1 of 6 confirmed", "› X-WebRiskOps-Event [x]", "  X-WebRiskOps-Schema [ ]")
	if d.m.cur.(*receiverStep).cursor != 0 {
		t.Fatal("space moved the cursor")
	}
	d.key("space")
	d.want("0 of 6 confirmed", "› X-WebRiskOps-Event [ ]")
	d.key("down", "space")
	d.want("1 of 6 confirmed", "› X-WebRiskOps-Schema [x]")
}

// With five ticked, the refusal names the one header left, not all six.
func TestReceiverErrorNamesOnlyTheMissingHeader(t *testing.T) {
	d := toReceiver(t)
	for _, h := range receiverHeaders {
		if h != signing.HeaderNonce {
			d.key("space")
		}
		d.key("down")
	}
	d.key("enter")
	d.at(stepReceiver)
	if c := d.problemCodes(); len(c) != 1 || c[0] != codes.ReceiverChecks {
		t.Fatalf("problems %v", c)
	}
	reason := d.m.problems[0].Reason
	if !strings.Contains(reason, signing.HeaderNonce) {
		t.Fatalf("reason %q does not name %s", reason, signing.HeaderNonce)
	}
	for _, h := range receiverHeaders {
		if h != signing.HeaderNonce && strings.Contains(reason, h) {
			t.Fatalf("reason %q names ticked %s", reason, h)
		}
	}
	d.want("5 of 6 confirmed")
	// Two missing: both named, in the step's order.
	for range receiverHeaders {
		d.key("up")
	}
	d.key("space") // unticks Event
	reason = d.m.problems[0].Reason
	if !strings.Contains(reason, signing.HeaderEvent+", "+signing.HeaderNonce) || strings.Contains(reason, signing.HeaderSignature) {
		t.Fatalf("two missing: reason %q", reason)
	}
}

// At 60×20, with the refusal shown under the list, every row the cursor
// reaches is drawn with its mark, and the count stays on screen.
func TestReceiverFocusedRowVisibleAt60x20(t *testing.T) {
	d := toReceiver(t)
	d.send(resize(60, 20))
	d.key("enter") // the refusal takes rows from the body
	d.want("generic_webhook_receiver_checks_unconfirmed")
	for i, h := range receiverHeaders {
		d.want("› "+h+" [ ]", "0 of 6 confirmed")
		if i < len(receiverHeaders)-1 {
			d.key("down")
		}
	}
	d.key("down")
	d.want("› Standard Webhooks headers [ ]", "0 of 6 confirmed")
	d.key("down")
	d.want("› Edge header", "0 of 6 confirmed")
	d.key("space") // the editor opens under the row: its fields are drawn too
	d.want("› Edge header", "header", "value")
	d.key("esc")
	for range len(receiverHeaders) + extraRows {
		d.key("up")
	}
	d.want("› X-WebRiskOps-Event [ ]")
	lines := strings.Split(d.screen(), "\n")
	if len(lines) > 20 {
		t.Fatalf("%d rows at 60×20:\n%s", len(lines), d.screen())
	}
	for _, l := range lines {
		if n := len([]rune(l)); n > 60 {
			t.Fatalf("a row of %d columns: %q", n, l)
		}
	}
}

// However short the body, the focused row is what stays.
func TestReceiverScrollKeepsTheFocusedRow(t *testing.T) {
	d := toReceiver(t)
	s := d.m.cur.(*receiverStep)
	for room := 1; room <= 8; room++ {
		for c := 0; c < len(receiverHeaders)+extraRows; c++ {
			s.cursor = c
			s.setRoom(room)
			v := s.View()
			if n := strings.Count(v, "\n") + 1; n > room {
				t.Fatalf("room %d cursor %d: %d lines\n%s", room, c, n, v)
			}
			if !strings.Contains(v, "› ") {
				t.Fatalf("room %d cursor %d: the focused row is not drawn\n%s", room, c, v)
			}
		}
	}
}

// At 60×20 with nothing ticked the refusal names all six headers: its
// fix is drawn whole under them (the problems' row cap cut it after
// "fix: Set up receiver verification (v in Receiver checks"), and the
// list gives up rows for it while keeping the focused row and the count.
func TestReceiverRefusalFixWholeAt60x20(t *testing.T) {
	d := toReceiver(t)
	d.send(resize(60, 20))
	d.key("enter")
	d.at(stepReceiver)
	fix := wizardFix(d.m.problems[0], false)
	flat := strings.Join(strings.Fields(d.screen()), " ")
	for _, want := range []string{"generic_webhook_receiver_checks_unconfirmed", signing.HeaderSignature + " are not ticked", "fix: " + fix, "0 of 6 confirmed", "› X-WebRiskOps-Event [ ]"} {
		if !strings.Contains(flat, want) {
			t.Errorf("the screen lacks %q:\n%s", want, d.screen())
		}
	}
	if n := len(strings.Split(d.screen(), "\n")); n > 20 {
		t.Fatalf("%d rows at 60×20:\n%s", n, d.screen())
	}
}
