package wizard

import (
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/webriskops/webhook-setup/core"
	"github.com/webriskops/webhook-setup/core/codes"
	"github.com/webriskops/webhook-setup/core/signing"
)

// TestDetailsShowURLCheck: the URL safety decision saved with a target
// (verdict, host, addresses, when) is a row of its details.
func TestDetailsShowURLCheck(t *testing.T) {
	st := newFakeStore()
	tg := readyTarget("zap-tickets")
	tg.URLCheck = &core.URLCheck{Safe: true, Host: "hooks.zapier.com", Addresses: []string{"54.0.0.1", "54.0.0.2"},
		CheckedAt: time.Date(2026, 12, 6, 13, 20, 0, 0, time.UTC)}
	st.targets["zap-tickets"] = tg
	d := newDriver(t, st)
	d.key("enter")
	d.want("url check          safe, hooks.zapier.com → 54.0.0.1 54.0.0.2", "url checked        2026-12-06 13:20 UTC")
	d.wantNot("secretpath")
}

func TestDetailsRedactsURLUntilRevealed(t *testing.T) {
	st := newFakeStore()
	st.targets["zap-tickets"] = readyTarget("zap-tickets")
	d := newDriver(t, st)
	d.key("enter")
	if d.m.screen != screenDetails {
		t.Fatalf("enter opens screen %d", d.m.screen)
	}
	d.want("Target · zap-tickets", "hooks.zapier.com", "sha256:0123456789ab", "provider_key", "v reveal URL",
		"url check", "not recorded")
	d.wantNot("secretpath")
	d.key("v")
	d.want("https://hooks.zapier.com/hooks/catch/123456/secretpath/", "v hide URL")
	d.key("esc")
	if d.m.screen != screenHome {
		t.Fatal("esc from details does not go home")
	}
}

func TestDisconnectShowsRevokePathAndNeedsTheName(t *testing.T) {
	st := newFakeStore()
	st.targets["zap-tickets"] = readyTarget("zap-tickets")
	d := newDriver(t, st)
	d.key("d")
	if d.m.screen != screenDisconnect {
		t.Fatalf("d opens screen %d", d.m.screen)
	}
	for _, step := range core.RevokeChecklist(st.targets["zap-tickets"]) {
		d.want(step[:40])
	}
	// A checklist item that wraps goes on under its text, not at the margin.
	d.want("  2. Delete or rotate the signing secret")
	if !regexp.MustCompile(`\n {5}\S[^\n]* in the receiver`).MatchString(d.screen()) {
		t.Fatalf("checklist item 2 does not wrap under its text:\n%s", d.screen())
	}
	d.typeText("zap-ticket")
	d.key("enter")
	d.want("does not match; nothing was changed")
	if _, ok := st.targets["zap-tickets"]; !ok {
		t.Fatal("disconnected without the exact name")
	}
	d.typeText("s")
	d.key("enter")
	if _, ok := st.targets["zap-tickets"]; ok {
		t.Fatal("not disconnected")
	}
	if d.m.screen != screenHome {
		t.Fatal("not back home after disconnecting")
	}
	d.want("Disconnected zap-tickets", "No webhook targets yet")
}

func TestRotateGeneratedSecret(t *testing.T) {
	st := newFakeStore()
	st.targets["zap-tickets"] = readyTarget("zap-tickets")
	d := newDriver(t, st)
	d.key("r")
	if d.m.screen != screenRotate {
		t.Fatalf("r opens screen %d", d.m.screen)
	}
	d.want("Rotate secret · zap-tickets", "sha256:0123456789ab")
	d.key("enter")
	gen := d.m.cur.(*rotate).entry.secret
	d.want(gen, "Press y once it is stored")
	if st.secrets["zap-tickets"] != "" {
		t.Fatal("rotated before the operator confirmed")
	}
	d.key("esc") // asks here too, and n keeps the shown secret
	d.want(gen, "Discard this secret?")
	d.key("n")
	d.want(gen, "Press y once it is stored")
	d.key("y")
	if st.secrets["zap-tickets"] != gen {
		t.Fatal("not rotated")
	}
	d.want("✓ Rotated", signing.Fingerprint(gen), "keeps signing for 24h,")
	d.key("esc")
	if d.m.screen != screenHome {
		t.Fatal("esc after rotating does not go home")
	}
}

func TestRotatePastedWeakSecretRefused(t *testing.T) {
	st := newFakeStore()
	st.targets["zap-tickets"] = readyTarget("zap-tickets")
	d := newDriver(t, st)
	d.key("enter", "r") // from details
	d.key("down", "enter")
	d.paste("too-short")
	d.key("enter")
	if c := d.problemCodes(); len(c) != 1 || c[0] != codes.SecretWeak {
		t.Fatalf("weak rotation: problems %v", c)
	}
	d.key("esc", "esc") // out of the input, then back to details
	if d.m.screen != screenDetails {
		t.Fatalf("back from rotate opened from details goes to screen %d", d.m.screen)
	}
}

func TestTestSendWithoutSenderPointsToCommand(t *testing.T) {
	st := newFakeStore()
	st.targets["zap-tickets"] = readyTarget("zap-tickets")
	d := newDriver(t, st)
	d.key("t")
	d.want("Test send · zap-tickets", "webhook-setup test-send zap-tickets")
	d.key("enter") // nothing to choose
	d.key("esc")
	if d.m.screen != screenHome {
		t.Fatal("esc does not go home")
	}
}

func TestTestSendOutcomes(t *testing.T) {
	st := newFakeStore()
	st.targets["zap-tickets"] = readyTarget("zap-tickets")
	sender := &fakeSender{res: TestResult{OK: true, Summary: "Signed a test delivery for hooks.zapier.com; nothing was sent.",
		Request: "POST https://hooks.zapier.com/hooks/catch/…\nX-WebRiskOps-Signature: v1=abc\x1b[31m\n\n{}"}}
	d := newDriver(t, st, func(e *env) { e.sender = sender })
	d.key("t")
	d.want("Dry run", "Rehearsal", "Live", "hooks.zapier.com")
	d.key("enter")
	if len(sender.kinds) != 1 || sender.kinds[0].Mode != TestDryRun {
		t.Fatalf("sent %v", sender.kinds)
	}
	d.want("✓ Signed a test delivery", "Signed request", `v1=abc\x1b[31m`)
	if strings.Contains(d.m.View(), "\x1b[31m") {
		t.Fatal("the request is drawn unsanitised")
	}
	d.key("esc", "esc") // close the request, back to the choice
	d.want("Dry run")

	sender.res = TestResult{OK: false, Summary: "hooks.zapier.com answered 401.",
		Problem: &codes.Problem{Code: codes.SignatureInvalid, Reason: "the receiver rejected the signature", Fix: codes.SignatureInvalid.Fix()}}
	d.key("down", "down", "enter")
	d.want("Send a live test delivery to hooks.zapier.com? [y/N]")
	d.key("y")
	if sender.kinds[1].Mode != TestLive {
		t.Fatalf("sent %v", sender.kinds)
	}
	d.want("✗ hooks.zapier.com answered 401", "WEBHOOK_SIGNATURE_INVALID", "fix:")

	d.key("esc", "down", "enter") // the menu opens on Dry run again
	d.paste("https://127.0.0.1:8443/hook")
	d.key("tab")
	d.paste("/tmp/ca.pem")
	d.key("enter")
	if k := sender.kinds[2]; k.Mode != TestRehearsal || k.ReceiverURL != "https://127.0.0.1:8443/hook" || k.CAFile != "/tmp/ca.pem" {
		t.Fatalf("rehearsal sent %+v", k)
	}
}

func TestActionsFromDetailsReturnToDetails(t *testing.T) {
	st := newFakeStore()
	st.targets["zap-tickets"] = readyTarget("zap-tickets")
	d := newDriver(t, st)
	for _, k := range []string{"t", "r", "d"} {
		d.key("enter")
		if d.m.screen != screenDetails {
			t.Fatalf("enter opens screen %d", d.m.screen)
		}
		d.key(k)
		if d.m.screen == screenDetails {
			t.Fatalf("%s does nothing on details", k)
		}
		d.key("esc")
		if d.m.screen != screenDetails {
			t.Fatalf("esc after %s from details goes to screen %d", k, d.m.screen)
		}
		d.want("Target · zap-tickets")
		d.key("esc")
		if d.m.screen != screenHome {
			t.Fatal("esc from details does not go home")
		}
	}
}

// A rehearsal sent with no receiver URL says which field to fill (not the
// command's --help), moves the focus to it, and the error goes once a URL
// is typed.
func TestRehearsalWithoutURLFocusesIt(t *testing.T) {
	st := newFakeStore()
	st.targets["zap-tickets"] = readyTarget("zap-tickets")
	sender := &fakeSender{res: TestResult{OK: true, Summary: "accepted"}}
	d := newDriver(t, st, func(e *env) { e.sender = sender })
	d.key("t", "down", "enter")
	d.wantLine("› receiver URL: █")
	d.key("tab")
	d.wantLine("› CA file: █")
	d.key("enter")
	d.want("generic_webhook_usage: a rehearsal needs the URL of the local receiver")
	d.wantFlat("fix: Type the URL your local receiver listens on in receiver URL, such as https://127.0.0.1:8443/webhook.")
	d.wantNot("--help")
	d.wantLine("› receiver URL: █")
	d.wantLine("  CA file: ")
	if len(sender.kinds) != 0 {
		t.Fatalf("sent %v", sender.kinds)
	}
	d.typeText("h")
	d.wantNot("generic_webhook_usage")
	d.wantLine("› receiver URL: h█")
}
