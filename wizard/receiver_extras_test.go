package wizard

import (
	"strings"
	"testing"

	"github.com/webriskops/webhook-setup/core/codes"
	"github.com/webriskops/webhook-setup/core/signing"
)

const testEdgeValue = "edge-value-for-wizard-tests-0123456789"

// fits fails unless the screen is at most 24 rows of at most 80 columns.
func fits(d *driver) {
	d.t.Helper()
	lines := strings.Split(strings.TrimRight(d.screen(), "\n"), "\n")
	if len(lines) > 24 {
		d.t.Fatalf("%d rows:\n%s", len(lines), d.screen())
	}
	for _, l := range lines {
		if n := len([]rune(l)); n > 80 {
			d.t.Fatalf("a row of %d columns: %q", n, l)
		}
	}
}

// TestReceiverStepExtras: under the six ticks, the Standard Webhooks
// headers are a tick and the edge header is edited in place, its value
// hidden; a reserved header name is refused with its code and esc cancels;
// the target saved from Review carries both, the value's fingerprint
// shown, the value never.
func TestReceiverStepExtras(t *testing.T) {
	st := newFakeStore()
	d := newDriver(t, st)
	throughEndpoint(d, 2, 0, "https://hooks.zapier.com/hooks/catch/123456/abcdefg/")
	pasteSecretStep(d)
	d.at(stepReceiver)
	for range receiverHeaders {
		d.key("space", "down")
	}
	d.key("up")
	d.want("Optional, for every delivery:", "Standard Webhooks headers [ ]", "Edge header none (space to set)")
	fits(d)
	d.key("down", "space")
	d.want("Standard Webhooks headers [x]")
	if !d.m.answers.StandardWebhooks {
		t.Fatal("the tick did not set the answer")
	}

	d.key("down", "space")
	d.typeText("Host")
	d.key("tab")
	d.paste(testEdgeValue)
	fits(d)
	d.wantNot(testEdgeValue)
	d.key("enter")
	if c := d.problemCodes(); len(c) != 1 || c[0] != codes.EdgeHeaderInvalid {
		t.Fatalf("Host: problems %v\n%s", c, d.screen())
	}
	d.key("esc") // cancels the editor, stays on the step
	d.at(stepReceiver)
	if d.m.answers.EdgeHeader != "" {
		t.Fatal("a refused edge header was kept")
	}

	d.key("space")
	d.want("enter set (both empty: none)")
	d.typeText("x-make-apikey")
	d.wantNot("enter set") // a header without its value is refused
	d.key("tab")
	d.paste(testEdgeValue)
	d.want("enter set (both empty: none)")
	d.key("enter")
	d.want("Edge header x-make-apikey (value set)")
	d.wantNot(testEdgeValue)
	if d.m.answers.EdgeHeader != "x-make-apikey" || d.m.answers.EdgeValue != testEdgeValue {
		t.Fatalf("answers %q %q", d.m.answers.EdgeHeader, d.m.answers.EdgeValue)
	}
	d.key("enter")
	fillOwner(d)
	d.at(stepReview)
	d.want("extra headers", "Standard Webhooks, edge x-make-apikey "+signing.Fingerprint(testEdgeValue))
	d.wantNot(testEdgeValue)
	fits(d)
	d.key("enter")
	d.want("libraries take the secret as whsec_…: webhook-setup show", "zapier-hooks-zapier-com --whsec")
	fits(d)
	tg, ok := st.targets["zapier-hooks-zapier-com"]
	if !ok || !tg.StandardWebhooks || tg.EdgeAuth == nil || tg.EdgeAuth.Header != "x-make-apikey" ||
		tg.EdgeAuth.Fingerprint != signing.Fingerprint(testEdgeValue) {
		t.Fatalf("saved %+v %+v\n%s", tg, tg.EdgeAuth, d.screen())
	}
}

// TestAccessibleReceiverExtras: the plain prompts offer the extras as a
// choice of Receiver checks; a reserved header name is refused with its
// code and asked again; an empty name means none. (The value prompt is
// hidden, so like the pasted secret it needs a real terminal.)
func TestAccessibleReceiverExtras(t *testing.T) {
	st := newFakeStore()
	out, err := runScript(t, st,
		"1", "1", "1", "https://93.184.216.34/hook",
		"1", "y", // generate, stored
		"3",    // the extras
		"y",    // Standard Webhooks
		"Host", // refused
		"",     // no edge header
		"1", "y", "y", "y", "y", "y", "y",
		"ops@example.com", "Internal > receivers > hook",
		"1", // save
		"6", // quit
	)
	if err != nil {
		t.Fatalf("Run: %v\n%s", err, out)
	}
	for _, want := range []string{"Optional extra headers: Standard Webhooks, an edge header (none set)",
		"Problem generic_webhook_edge_header_invalid", "Saved generic-93-184-216-34"} {
		if !strings.Contains(out, want) {
			t.Fatalf("output lacks %q:\n%s", want, out)
		}
	}
	tg := st.targets["generic-93-184-216-34"]
	if !tg.StandardWebhooks || tg.EdgeAuth != nil {
		t.Fatalf("saved %+v %+v", tg, tg.EdgeAuth)
	}
}
