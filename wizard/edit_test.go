package wizard

import (
	"context"
	"path/filepath"
	"strings"
	"testing"

	"github.com/webriskops/webhook-setup/core"
	"github.com/webriskops/webhook-setup/core/codes"
	"github.com/webriskops/webhook-setup/core/signing"
	"github.com/webriskops/webhook-setup/store"
)

// editStore is a real store in a temp folder with one saved target,
// "zap-tickets", whose owner has a typo.
func editStore(t *testing.T) (*store.Store, core.Target) {
	t.Helper()
	st, err := store.Open(filepath.Join(t.TempDir(), "webhook-setup.db"), "")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	tg := readyTarget("zap-tickets")
	tg.Signing = nil
	tg.ReceiverOwner = "ops@exmaple.com"
	if err := st.CreateTarget(context.Background(), &tg, testSecret, "tester"); err != nil {
		t.Fatal(err)
	}
	return st, tg
}

// editDriver drives the wizard on st.
func editDriver(t *testing.T, st *store.Store) *driver {
	return newDriver(t, nil, func(e *env) { e.store = st })
}

// lastAudit is the newest audit event.
func lastAudit(t *testing.T, st *store.Store) store.AuditEvent {
	t.Helper()
	ev, err := st.Audit(context.Background(), 1)
	if err != nil || len(ev) != 1 {
		t.Fatalf("audit: %v %v", ev, err)
	}
	return ev[0]
}

// fixOwnerTypo opens the edit of the selected target, goes to the owner
// step, fixes "exmaple" and comes back to Review.
func fixOwnerTypo(d *driver) {
	d.t.Helper()
	d.key("e")
	d.at(stepReview)
	d.key("6")
	d.at(stepOwner)
	d.key("ctrl+u")
	d.paste("ops@example.com")
	d.key("enter", "enter")
	d.at(stepReview)
}

func TestEditOpensReviewWithSavedValues(t *testing.T) {
	st, _ := editStore(t)
	d := editDriver(t, st)
	d.want("e edit")
	d.key("e")
	d.at(stepReview)
	d.want("Edit zap-tickets · Review and save", "webhook_url        https://hooks.zapier.com/hooks/catch/123456/…/",
		"kept (fingerprint "+signing.Fingerprint(testSecret), "ops@exmaple.com", "Zapier > Zaps", "zap-tickets",
		"Nothing changed yet", "esc leave unsaved")
	d.wantNot("secretpath", testSecret)
	// esc leaves the edit: the target's details, nothing written.
	d.key("esc")
	if d.m.screen != screenDetails {
		t.Fatalf("esc from an edit's Review opens screen %d", d.m.screen)
	}
	d.want("Nothing was saved", "ops@exmaple.com")
	if ev := lastAudit(t, st); ev.Action != "target.create" {
		t.Fatalf("leaving the edit wrote %+v", ev)
	}
}

func TestEditOwnerTypoSavesOnlyTheOwner(t *testing.T) {
	st, before := editStore(t)
	d := editDriver(t, st)
	fixOwnerTypo(d)
	d.want("Ready to save: changes receiver_owner.")
	d.key("enter")
	if d.m.screen != screenDetails {
		t.Fatalf("after saving: screen %d\n%s", d.m.screen, d.screen())
	}
	d.want("Saved zap-tickets: changed receiver_owner.", "ops@example.com")
	got, err := st.Target(context.Background(), "zap-tickets")
	if err != nil || got.ReceiverOwner != "ops@example.com" || got.Version != 2 || got.ID != before.ID {
		t.Fatalf("saved: %+v %v", got, err)
	}
	if got.Signing == nil || got.Signing.Fingerprint != signing.Fingerprint(testSecret) {
		t.Fatalf("the secret changed: %+v", got.Signing)
	}
	if n, _ := st.CountTargets(context.Background()); n != 1 {
		t.Fatalf("%d targets after an edit", n)
	}
	ev := lastAudit(t, st)
	if ev.Action != "target.update" || !strings.HasPrefix(ev.Detail, "changed receiver_owner; url check safe, hooks.zapier.com → 3.33.152.147") {
		t.Fatalf("audit: %+v", ev)
	}
	if got.URLCheck == nil || got.URLCheck.Host != "hooks.zapier.com" {
		t.Fatalf("url check not recorded: %+v", got.URLCheck)
	}
	if ok, _ := st.HasDraft(context.Background(), "wizard:tester"); ok {
		t.Fatal("the edit's draft is left after saving")
	}
}

func TestEditUnchangedSaveWritesNothing(t *testing.T) {
	st, _ := editStore(t)
	d := editDriver(t, st)
	d.key("e")
	d.at(stepReview)
	d.key("enter")
	d.want("Nothing changed: zap-tickets is as it was saved.")
	if ev := lastAudit(t, st); ev.Action != "target.create" {
		t.Fatalf("an unchanged save wrote %+v", ev)
	}
	if got, _ := st.Target(context.Background(), "zap-tickets"); got.Version != 1 {
		t.Fatalf("version %d after an unchanged save", got.Version)
	}
}

func TestEditUnsafeURLRefusedNothingWritten(t *testing.T) {
	st, _ := editStore(t)
	d := editDriver(t, st)
	d.key("e", "3")
	d.at(stepEndpoint)
	d.key("ctrl+u")
	d.paste("https://intranet.example/hook")
	d.key("enter")
	// The endpoint step refuses it, or Review does: either way no save.
	if d.m.step == stepReview {
		d.want("generic_webhook_url_unsafe")
		d.wantNot("Ready to save")
		d.key("enter")
	} else {
		d.at(stepEndpoint)
		d.want("generic_webhook_url_unsafe")
	}
	if ev := lastAudit(t, st); ev.Action != "target.create" {
		t.Fatalf("a refused URL wrote %+v", ev)
	}
	if got, _ := st.Target(context.Background(), "zap-tickets"); got.Version != 1 || !strings.Contains(got.BaseURL, "hooks.zapier.com") {
		t.Fatalf("saved after a refusal: %+v", got)
	}
}

func TestEditConcurrentChangeRefused(t *testing.T) {
	st, _ := editStore(t)
	d := editDriver(t, st)
	fixOwnerTypo(d)
	// Someone else changes the target meanwhile.
	other, _ := st.Target(context.Background(), "zap-tickets")
	other.RevokePath = "Zapier > Zaps > webhook step"
	if err := st.UpdateTarget(context.Background(), &other, "someone"); err != nil {
		t.Fatal(err)
	}
	d.key("enter")
	d.at(stepReview)
	if c := d.problemCodes(); len(c) != 1 || c[0] != codes.Conflict {
		t.Fatalf("problems %v\n%s", c, d.screen())
	}
	d.wantFlat("press e on the target again")
	got, _ := st.Target(context.Background(), "zap-tickets")
	if got.ReceiverOwner != "ops@exmaple.com" || got.Version != 2 {
		t.Fatalf("the lost race wrote: %+v", got)
	}
}

func TestEditSecretStepKeepsTheSecret(t *testing.T) {
	st, _ := editStore(t)
	d := editDriver(t, st)
	d.key("e", "4")
	d.at(stepSecret)
	d.want("Keep the current secret, HMAC-SHA256 "+signing.Fingerprint(testSecret), "rotate it: r on the target",
		"enter keep it")
	d.key("enter")
	d.at(stepReview)
	d.want("Nothing changed yet")
}

func TestEditFromDetailsAndRename(t *testing.T) {
	st, _ := editStore(t)
	d := editDriver(t, st)
	d.key("enter")
	d.want("e edit")
	d.key("e")
	d.at(stepReview)
	d.key("e", "ctrl+u")
	d.typeText("zap-renamed")
	d.key("enter", "enter")
	d.want("Saved zap-renamed: changed name.")
	if _, err := st.Target(context.Background(), "zap-renamed"); err != nil {
		t.Fatal(err)
	}
	if n, _ := st.CountTargets(context.Background()); n != 1 {
		t.Fatalf("%d targets after a rename", n)
	}
}

// TestEditResumesAsEdit: an edit interrupted after a step resumes as an
// edit of the same target, and its save updates that target.
func TestEditResumesAsEdit(t *testing.T) {
	st, _ := editStore(t)
	d := editDriver(t, st)
	fixOwnerTypo(d)
	d.key("ctrl+c")

	d = editDriver(t, st)
	d.want("Resume editing zap-tickets at Review and save")
	d.key("c")
	d.at(stepReview)
	d.want("Edit zap-tickets · Review and save", "Ready to save: changes receiver_owner.")
	d.key("enter")
	if n, _ := st.CountTargets(context.Background()); n != 1 {
		t.Fatalf("%d targets after a resumed edit", n)
	}
	if got, _ := st.Target(context.Background(), "zap-tickets"); got.ReceiverOwner != "ops@example.com" {
		t.Fatalf("resumed edit saved %+v", got)
	}
}

// TestEditAsksBeforeReplacingADraft: e with an unfinished setup saved
// asks first, as n does.
func TestEditAsksBeforeReplacingADraft(t *testing.T) {
	st, _ := editStore(t)
	if err := st.SaveDraft(context.Background(), "wizard:tester", string(stepEndpoint), (&answers{Provider: core.ProviderMake}).Marshal()); err != nil {
		t.Fatal(err)
	}
	d := editDriver(t, st)
	d.key("e")
	if d.m.screen != screenHome {
		t.Fatalf("e with a draft opened screen %d", d.m.screen)
	}
	d.wantFlat("or e again to edit zap-tickets")
	d.key("e")
	d.at(stepReview)
}

// runEditScript runs the plain prompts on the real store st.
func runEditScript(t *testing.T, st *store.Store, lines ...string) string {
	t.Helper()
	out := &safeBuffer{}
	d := newDriver(t, nil) // for its resolver
	err := Run(context.Background(), Options{
		In: &lineFeeder{lines: lines}, Out: out, Store: st, Resolver: d.res,
		Accessible: true, DraftID: "wizard:tester", Actor: "tester",
	})
	if err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	return out.String()
}

func TestAccessibleEditOwnerTypo(t *testing.T) {
	st, _ := editStore(t)
	out := runEditScript(t, st,
		"7", "zap-tickets", // Edit a target (last), the target
		"9",               // Go to step 6, Receiver owner and revoke path: save, name, leave, then steps 1-6
		"ops@example.com", // owner
		"Zapier > Zaps",   // revoke path as it was
		"1",               // save
		"6",               // quit
	)
	flat := strings.Join(strings.Fields(out), " ")
	for _, want := range []string{"Edit zap-tickets · Review and save", "kept (fingerprint " + signing.Fingerprint(testSecret),
		"Nothing changed yet", "Edit zap-tickets · Receiver owner and revoke path", "Ready to save: changes receiver_owner.",
		"Saved zap-tickets: changed receiver_owner."} {
		if !strings.Contains(flat, want) {
			t.Fatalf("output lacks %q:\n%s", want, out)
		}
	}
	if strings.Contains(out, testSecret) || strings.Contains(out, "secretpath") {
		t.Fatal("the edit printed the secret or the hook path")
	}
	got, _ := st.Target(context.Background(), "zap-tickets")
	if got.ReceiverOwner != "ops@example.com" || got.Version != 2 {
		t.Fatalf("saved %+v", got)
	}
	if ev := lastAudit(t, st); ev.Action != "target.update" || !strings.HasPrefix(ev.Detail, "changed receiver_owner;") {
		t.Fatalf("audit %+v", ev)
	}
}

// TestEditKeepsEdgeValue: a target with an edge header is edited without
// retyping its value: Review judges it ready, and the stored value stays.
func TestEditKeepsEdgeValue(t *testing.T) {
	st, err := store.Open(filepath.Join(t.TempDir(), "webhook-setup.db"), "")
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	tg := readyTarget("make-edge")
	tg.Signing = nil
	tg.EdgeAuth = &core.EdgeAuth{Header: "x-make-apikey"}
	const edgeValue = "edge-value-0123456789abcdef"
	if err := st.CreateTargetWithEdge(context.Background(), &tg, testSecret, edgeValue, "tester"); err != nil {
		t.Fatal(err)
	}
	d := editDriver(t, st)
	d.key("e")
	d.at(stepReview)
	d.want("edge x-make-apikey "+signing.Fingerprint(edgeValue), "Nothing changed yet")
	d.key("6")
	d.key("ctrl+u")
	d.paste("edge-owner@example.com")
	d.key("enter", "enter")
	d.at(stepReview)
	d.key("enter")
	d.want("Saved make-edge: changed receiver_owner.")
	got, _ := st.Target(context.Background(), "make-edge")
	if got.EdgeAuth == nil || got.EdgeAuth.Fingerprint != signing.Fingerprint(edgeValue) {
		t.Fatalf("edge after the edit: %+v", got.EdgeAuth)
	}
	if ev := lastAudit(t, st); strings.Contains(ev.Detail, "edge") {
		t.Fatalf("the audit names the untouched edge header: %q", ev.Detail)
	}
}

// TestEditToSelfHostedAsksPrivateNetwork: switching an edited cloud
// target to self-hosted goes through Private network before Review.
func TestEditToSelfHostedAsksPrivateNetwork(t *testing.T) {
	st, _ := editStore(t)
	d := editDriver(t, st)
	d.key("e", "2")
	d.at(stepMode)
	d.key("down", "enter")
	d.at(stepNetwork)
	d.key("enter")
	d.at(stepReview)
	d.want("Edit zap-tickets · Review and save")
}

// TestAccessibleEditLeave: Leave without saving writes nothing and
// removes the edit's draft.
func TestAccessibleEditLeave(t *testing.T) {
	st, _ := editStore(t)
	out := runEditScript(t, st, "7", "zap-tickets", "3", "6")
	if !strings.Contains(out, "Nothing was saved; the edit of zap-tickets is discarded.") {
		t.Fatalf("output:\n%s", out)
	}
	if ev := lastAudit(t, st); ev.Action != "target.create" {
		t.Fatalf("leaving wrote %+v", ev)
	}
	if ok, _ := st.HasDraft(context.Background(), "wizard:tester"); ok {
		t.Fatal("the edit's draft is left after leaving")
	}
}

// TestEditNewHookURL: a regenerated hook's URL is saved in place; the
// event names webhook_url with the new URL redacted and the new decision.
func TestEditNewHookURL(t *testing.T) {
	st, _ := editStore(t)
	d := editDriver(t, st)
	d.key("e", "3")
	d.at(stepEndpoint)
	d.key("ctrl+u")
	const token = "n3wHookT0ken"
	d.paste("https://hooks.zapier.com/hooks/catch/123456/" + token + "/")
	d.key("enter")
	d.at(stepReview)
	d.want("Ready to save: changes webhook_url.")
	d.wantNot(token)
	d.key("enter")
	d.want("Saved zap-tickets: changed webhook_url.")
	ev := lastAudit(t, st)
	if !strings.HasPrefix(ev.Detail, "changed webhook_url; url now https://hooks.zapier.com/hooks/catch/123456/…/; url check safe, hooks.zapier.com → 3.33.152.147") ||
		strings.Contains(ev.Detail, token) {
		t.Fatalf("audit: %+v", ev)
	}
	if got, _ := st.Target(context.Background(), "zap-tickets"); !strings.Contains(got.BaseURL, token) {
		t.Fatalf("saved URL %q", got.BaseURL)
	}
}

// TestEditReadsTheTargetAgain: e edits the target as the store has it
// now, not as the home list read it, so a change made since the list was
// drawn is neither lost nor a conflict.
func TestEditReadsTheTargetAgain(t *testing.T) {
	st, _ := editStore(t)
	d := editDriver(t, st)
	d.want("zap-tickets")
	other, _ := st.Target(context.Background(), "zap-tickets")
	other.RevokePath = "Zapier > Zaps > webhook step"
	if err := st.UpdateTarget(context.Background(), &other, "someone"); err != nil {
		t.Fatal(err)
	}
	fixOwnerTypo(d)
	d.want("Zapier > Zaps > webhook step")
	d.key("enter")
	d.want("Saved zap-tickets: changed receiver_owner.")
	got, _ := st.Target(context.Background(), "zap-tickets")
	if got.RevokePath != "Zapier > Zaps > webhook step" || got.ReceiverOwner != "ops@example.com" || got.Version != 3 {
		t.Fatalf("saved %+v", got)
	}
}
