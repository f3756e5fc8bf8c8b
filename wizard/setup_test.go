package wizard

import (
	"strings"
	"testing"

	"github.com/webriskops/webhook-setup/core"
	"github.com/webriskops/webhook-setup/core/codes"
	"github.com/webriskops/webhook-setup/core/signing"
)

const testSecret = "s3cret-known-value-for-tests-0123456789abcdef"

// throughEndpoint starts a new setup with provider index p (0-based) and
// mode index mode, and gets past the Endpoint URL step with url.
func throughEndpoint(d *driver, p, mode int, url string) {
	d.t.Helper()
	d.key("n")
	d.at(stepProvider)
	for i := 0; i < p; i++ {
		d.key("down")
	}
	d.key("enter")
	d.at(stepMode)
	for i := 0; i < mode; i++ {
		d.key("down")
	}
	d.key("enter")
	d.at(stepEndpoint)
	d.paste(url)
	d.key("enter")
	d.at(stepSecret)
}

// pasteSecretStep uses "Paste one" with testSecret.
func pasteSecretStep(d *driver) {
	d.t.Helper()
	d.at(stepSecret)
	d.key("down", "enter")
	d.paste(testSecret)
	d.key("enter")
}

// tickAll ticks the six receiver checks and continues.
func tickAll(d *driver) {
	d.t.Helper()
	d.at(stepReceiver)
	for range receiverHeaders {
		d.key("space", "down") // space only ticks
	}
	d.key("enter")
}

// toReviewSelfHostedDeny walks a self-hosted setup with a private URL and
// the deny policy to Review, where the endpoint is refused.
func toReviewSelfHostedDeny(d *driver) {
	throughEndpoint(d, 4, 1, "https://10.20.1.5/webhook/x")
	pasteSecretStep(d)
	tickAll(d)
	d.want("(•) allowlist") // the step opens on allowlist: the endpoint needs approval
	d.key("left", "enter")  // deny
	fillOwner(d)
	d.at(stepReview)
}

// resumeAtReviewWithMissing resumes a draft at Review whose receiver
// checks, owner and revoke path are missing.
func resumeAtReviewWithMissing(t *testing.T) (*driver, *fakeStore) {
	return resumeAtReview(t, answers{Provider: core.ProviderGeneric, Mode: core.ModeCloud, URL: "https://93.184.216.34/hook",
		Secret: testSecret, SecretStored: true, Checks: receiverHeaders[:3]})
}

// ownerStep fills owner and revoke path.
func fillOwner(d *driver) {
	d.t.Helper()
	d.at(stepOwner)
	d.paste("ops@example.com")
	d.key("enter")
	d.paste("Internal > receivers > hook")
	d.key("enter")
}

func TestCloudSetupSavesReadyTarget(t *testing.T) {
	st := newFakeStore()
	d := newDriver(t, st)
	d.want("Integration status", "No webhook targets yet", "n new target", "q quit")
	throughEndpoint(d, 0, 0, "https://93.184.216.34/hook")
	pasteSecretStep(d)
	tickAll(d)
	fillOwner(d)
	d.at(stepReview)
	d.want("Review and save", "endpoint host      93.184.216.34", "generic_webhook", signing.Fingerprint(testSecret),
		"ops@example.com", "cloud", "not applicable", "generic-93-184-216-34", "Ready to save")
	d.key("enter")
	tg, ok := st.targets["generic-93-184-216-34"]
	if !ok {
		t.Fatalf("not saved; screen:\n%s", d.screen())
	}
	if !core.Evaluate(tg).Ready || st.secrets[tg.Name] != testSecret || tg.ReceiverOwner != "ops@example.com" {
		t.Fatalf("saved target = %+v", tg)
	}
	if st.draft != nil {
		t.Fatal("the draft is kept after saving")
	}
	// The URL safety decision Review saw is saved with the target.
	if tg.URLCheck == nil || !tg.URLCheck.Safe || tg.URLCheck.Host != "93.184.216.34" ||
		len(tg.URLCheck.Addresses) != 1 || tg.URLCheck.Addresses[0] != "93.184.216.34" || tg.URLCheck.CheckedAt.IsZero() {
		t.Fatalf("saved URL check %+v", tg.URLCheck)
	}
	d.want("Test send · generic-93-184-216-34", "webhook-setup test-send generic-93-184-216-34", "Saved generic-93-184-216-34")
	// The next steps, joined across the wrapped notice lines.
	var joined strings.Builder
	for _, line := range strings.Split(d.screen(), "\n") {
		joined.WriteString(strings.TrimSpace(line) + " ")
	}
	for _, want := range []string{"Next: a test send (Dry run first)", "webhook-setup export generic-93-184-216-34 --ticket FILE",
		"add --portable for the portable fallback"} {
		if !strings.Contains(joined.String(), want) {
			t.Fatalf("after saving, the screen lacks %q:\n%s", want, d.screen())
		}
	}
	d.key("esc")
	if d.m.screen != screenHome {
		t.Fatalf("esc after saving goes to screen %d", d.m.screen)
	}
	d.want("1 saved target", "generic-93-184-216-34", "✓✓✓✓·✓")
}

func TestSelfHostedSetupWithAllowlist(t *testing.T) {
	st := newFakeStore()
	d := newDriver(t, st)
	throughEndpoint(d, 4, 1, "https://10.20.1.5/webhook/x")
	pasteSecretStep(d)
	tickAll(d)
	d.at(stepNetwork)
	d.want("Step 6 of 8 · Private network", "Evidence", "(•) allowlist", "10.20.1.5 → 10.20.1.5 need approval", "Narrowest entry to add: 10.20.1.5/32")
	d.key("enter")
	d.typeText("127.0.0.0/8")
	if c := d.problemCodes(); len(c) != 1 || c[0] != codes.AllowlistInvalid {
		t.Fatalf("127.0.0.0/8 as typed: problems %v\n%s", c, d.screen())
	}
	d.want("generic_webhook_allowlist_invalid", "fix:")
	d.key("enter") // refused: nothing is added
	for range "127.0.0.0/8" {
		d.key("backspace")
	}
	d.typeText("10.20.0.0/16")
	d.key("enter")
	d.want("• 10.20.0.0/16")
	d.key("enter") // empty entry: on to authorized by
	d.key("enter") // nobody authorized it yet
	if c := d.problemCodes(); len(c) == 0 || c[0] != codes.AuthorizedByNeeded {
		t.Fatalf("missing authorized by: problems %v\n%s", c, d.screen())
	}
	d.typeText("CHG-1234 (Dana)")
	d.key("enter")
	fillOwner(d)
	d.at(stepReview)
	d.want("allowlist 10.20.0.0/16, authorized by CHG-1234 (Dana)", "Ready to save")
	d.key("enter")
	tg, ok := st.targets["n8n-10-20-1-5"]
	if !ok {
		t.Fatalf("not saved:\n%s", d.screen())
	}
	if tg.DeploymentMode != core.ModeSelfHosted || tg.PrivateNetwork.Policy != core.PolicyAllowlist ||
		len(tg.PrivateNetwork.Allowlist) == 0 || tg.PrivateNetwork.Allowlist[0] != "10.20.0.0/16" || !core.Evaluate(tg).Ready {
		t.Fatalf("saved target = %+v", tg)
	}
}

func TestBackKeepsAnswersAtEveryStep(t *testing.T) {
	for _, back := range []string{"esc", "shift+tab"} {
		t.Run(back, func(t *testing.T) {
			st := newFakeStore()
			d := newDriver(t, st)
			throughEndpoint(d, 2, 1, "https://hooks.zapier.com/hooks/catch/123456/abcdefg/")
			pasteSecretStep(d)
			tickAll(d)
			d.key("right", "enter")
			d.typeText("10.0.0.0/8")
			d.key("enter", "enter")
			d.typeText("Dana")
			d.key("enter")
			fillOwner(d)
			d.at(stepReview)
			want := []struct {
				step stepID
				show string
			}{
				{stepOwner, "ops@example.com"},
				{stepNetwork, "10.0.0.0/8"},
				{stepReceiver, "[x]"},
				{stepSecret, "Keep the current secret"},
				{stepEndpoint, "hooks.zapier.com/hooks/catch/123456/abcdefg/"},
				{stepMode, "› self-hosted"},
				{stepProvider, "› zapier_webhook"},
			}
			for _, w := range want {
				d.key(back)
				d.at(w.step)
				d.want(w.show)
			}
			d.key(back)
			if d.m.screen != screenHome {
				t.Fatalf("back from the first step goes to screen %d", d.m.screen)
			}
			// Forward again: every answer is still there.
			d.key("n", "n") // a draft exists: n twice starts over...
			d.at(stepProvider)
			d.want("› generic_webhook")
		})
	}
}

func TestForwardAfterBackNeedsNoRetyping(t *testing.T) {
	d := newDriver(t, newFakeStore())
	throughEndpoint(d, 0, 0, "https://93.184.216.34/hook")
	pasteSecretStep(d)
	d.at(stepReceiver)
	d.key("esc", "esc", "esc") // back to Deployment mode
	d.at(stepMode)
	d.key("enter")
	d.at(stepEndpoint)
	d.key("enter")
	d.at(stepSecret)
	d.want("Keep the current secret", signing.Fingerprint(testSecret))
	d.key("enter")
	d.at(stepReceiver)
}

func TestDraftSavedAfterEachStep(t *testing.T) {
	st := newFakeStore()
	d := newDriver(t, st)
	throughEndpoint(d, 0, 0, "https://93.184.216.34/hook")
	a, step := st.draftAnswers(t)
	if step != string(stepSecret) || a.URL != "https://93.184.216.34/hook" || a.Provider != core.ProviderGeneric || a.Mode != core.ModeCloud {
		t.Fatalf("draft after Endpoint URL: step %q, %+v", step, a)
	}
	pasteSecretStep(d)
	a, step = st.draftAnswers(t)
	if step != string(stepReceiver) || a.Secret != testSecret {
		t.Fatalf("draft after Signing secret: step %q, secret kept: %v", step, a.Secret == testSecret)
	}
	tickAll(d)
	if a, step = st.draftAnswers(t); step != string(stepOwner) || !a.ChecksConfirmed() {
		t.Fatalf("draft after Receiver checks: step %q, %+v", step, a)
	}
}

func TestResumeDraft(t *testing.T) {
	st := newFakeStore()
	a := answers{Provider: core.ProviderZapier, Mode: core.ModeCloud, URL: "https://hooks.zapier.com/hooks/catch/123456/abcdefg/", Secret: testSecret, SecretStored: true}
	st.draft = &draftRow{step: string(stepReceiver), data: a.Marshal()}
	d := newDriver(t, st)
	d.want("Resume unfinished setup at Receiver checks", "c resume setup")
	d.key("c")
	d.at(stepReceiver)
	d.key("esc", "esc")
	d.at(stepEndpoint)
	d.want("hooks.zapier.com/hooks/catch/123456/abcdefg/")
	d.key("enter")
	d.at(stepSecret)
	d.want("Keep the current secret")
}

func TestNewWithDraftAsksFirst(t *testing.T) {
	st := newFakeStore()
	st.draft = &draftRow{step: string(stepSecret), data: (&answers{Provider: core.ProviderMake, Mode: core.ModeCloud}).Marshal()}
	d := newDriver(t, st)
	d.key("n")
	if d.m.screen != screenHome {
		t.Fatal("n with a draft started over at once")
	}
	d.want("press c to resume it, or n again")
	d.key("n")
	d.at(stepProvider)
	d.want("› generic_webhook")
	if st.draft != nil {
		t.Fatal("starting over keeps the old draft")
	}
}

func TestResumeGeneratedSecretNotConfirmedShowsItAgain(t *testing.T) {
	st := newFakeStore()
	gen, _ := signing.Generate()
	a := answers{Provider: core.ProviderGeneric, Mode: core.ModeCloud, URL: "https://93.184.216.34/hook", Secret: gen, SecretGenerated: true}
	st.draft = &draftRow{step: string(stepSecret), data: a.Marshal()}
	d := newDriver(t, st)
	d.key("c")
	d.at(stepSecret)
	d.want(gen, "Press y once it is stored")
}

func TestReviewListsWhatToFixWithJumpKeys(t *testing.T) {
	d, st := resumeAtReviewWithMissing(t)
	d.want("To fix before saving", "5 → Receiver checks", "generic_webhook_receiver_checks_unconfirmed",
		"6 → Receiver owner and revoke path", "generic_webhook_receiver_owner_missing", "generic_webhook_revoke_path_missing")
	d.wantNot("Ready to save")
	d.key("enter") // save is not offered
	if len(st.targets) != 0 {
		t.Fatal("saved with blockers")
	}
	d.key("5")
	d.at(stepReceiver)
	for i := 0; i < 3; i++ {
		d.key("down")
	}
	d.key("space", "down", "space", "down", "space", "enter")
	d.at(stepReview) // back to Review, not on to the next step
	d.wantNot("5 → Receiver checks")
	d.key("6")
	fillOwner(d)
	d.at(stepReview)
	d.want("Ready to save")
}

func TestReviewEditsName(t *testing.T) {
	st := newFakeStore()
	d := newDriver(t, st)
	throughEndpoint(d, 0, 0, "https://93.184.216.34/hook")
	pasteSecretStep(d)
	tickAll(d)
	fillOwner(d)
	d.at(stepReview)
	d.key("e")
	for range "generic-93-184-216-34" {
		d.key("backspace")
	}
	d.typeText("Bad Name")
	d.key("enter")
	if c := d.problemCodes(); len(c) != 1 || c[0] != codes.NameInvalid {
		t.Fatalf("invalid name: problems %v", c)
	}
	d.key("esc") // cancels the edit, stays on Review
	d.at(stepReview)
	d.key("e")
	for range "generic-93-184-216-34" {
		d.key("backspace")
	}
	d.typeText("zap-tickets")
	d.key("enter")
	d.want("zap-tickets")
	d.key("enter")
	if _, ok := st.targets["zap-tickets"]; !ok {
		t.Fatalf("not saved under the edited name: %v", st.targets)
	}
}

func TestReviewNameTaken(t *testing.T) {
	st := newFakeStore()
	st.targets["generic-93-184-216-34"] = core.Target{Name: "generic-93-184-216-34"}
	d := newDriver(t, st)
	d.key("n") // not the empty state: n starts a setup
	d.key("enter", "enter")
	d.paste("https://93.184.216.34/hook")
	d.key("enter")
	pasteSecretStep(d)
	tickAll(d)
	fillOwner(d)
	d.key("enter")
	if c := d.problemCodes(); len(c) != 1 || c[0] != codes.NameTaken {
		t.Fatalf("taken name: problems %v\n%s", c, d.screen())
	}
	d.want("Press e to choose another name")
}

func TestModeChangeFromReviewGoesThroughPrivateNetwork(t *testing.T) {
	st := newFakeStore()
	d := newDriver(t, st)
	throughEndpoint(d, 0, 0, "https://93.184.216.34/hook")
	pasteSecretStep(d)
	tickAll(d)
	fillOwner(d)
	d.at(stepReview)
	d.key("2")
	d.at(stepMode)
	d.key("down", "enter")
	d.at(stepNetwork)
	d.key("enter") // deny
	d.at(stepReview)
	d.want("deny (public HTTPS only)", "Ready to save")
}

func TestCtrlCEndsWithInterrupt(t *testing.T) {
	st := newFakeStore()
	d := newDriver(t, st)
	throughEndpoint(d, 0, 0, "https://93.184.216.34/hook")
	d.key("ctrl+c")
	if !d.quit || d.m.ending != endInterrupt {
		t.Fatalf("ctrl+c: quit %v ending %d", d.quit, d.m.ending)
	}
	err := result(t.Context(), d.m, nil)
	if codes.ExitCode(err) != codes.ExitInterrupted || !strings.Contains(err.Error(), "draft") {
		t.Fatalf("ctrl+c maps to %v (exit %d)", err, codes.ExitCode(err))
	}
	if _, step := st.draftAnswers(t); step != string(stepSecret) {
		t.Fatalf("draft at %q", step)
	}
}

func TestHangupQuitsKeepingDraft(t *testing.T) {
	st := newFakeStore()
	d := newDriver(t, st)
	throughEndpoint(d, 0, 0, "https://93.184.216.34/hook")
	d.send(hangupMsg{})
	if !d.quit || d.m.ending != endHangup {
		t.Fatal("SIGHUP does not end the program")
	}
	if err := result(t.Context(), d.m, nil); codes.AsError(err).Code != codes.Interrupted {
		t.Fatalf("hangup maps to %v", err)
	}
	if st.draft == nil {
		t.Fatal("hangup lost the draft")
	}
}

func TestQuitFromHome(t *testing.T) {
	d := newDriver(t, newFakeStore())
	d.key("q")
	if !d.quit || d.m.ending != endQuit {
		t.Fatal("q does not quit")
	}
	if err := result(t.Context(), d.m, nil); err != nil {
		t.Fatalf("q maps to %v", err)
	}
}
