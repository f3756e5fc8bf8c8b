package wizard

import (
	"strings"
	"testing"
	"time"

	"github.com/webriskops/webhook-setup/core"
	"github.com/webriskops/webhook-setup/core/codes"
	"github.com/webriskops/webhook-setup/core/signing"
)

// The edit's model tests run on the in-memory store, whose
// UpdateTargetWithEdge follows the store's contract (store tests check
// the contract on SQLite, e2e tests the whole path with the binary): a
// real store's answer can miss the test driver's command window under
// load.

// typoOwner is the owner "zap-tickets" is saved with.
const typoOwner = "ops@exmaple.com"

// editFake holds one saved target, "zap-tickets", whose owner has a typo.
func editFake() *fakeStore {
	st := newFakeStore()
	tg := readyTarget("zap-tickets")
	tg.ID, tg.Version, tg.ReceiverOwner = "tgt_zap", 1, typoOwner
	tg.Signing = &core.Signing{Algorithm: signing.Algorithm, Fingerprint: signing.Fingerprint(testSecret), CreatedAt: time.Unix(1700000000, 0)}
	st.targets[tg.Name] = tg
	st.secrets[tg.Name] = testSecret
	return st
}

// saved is the target named name as st holds it.
func (s *fakeStore) saved(t *testing.T, name string) core.Target {
	t.Helper()
	s.mu.Lock()
	defer s.mu.Unlock()
	tg, ok := s.targets[name]
	if !ok {
		t.Fatalf("no target %s", name)
	}
	return tg
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
	st := editFake()
	d := newDriver(t, st)
	d.want("e edit")
	d.key("e")
	d.at(stepReview)
	d.want("Edit zap-tickets · Review and save", "webhook_url        https://hooks.zapier.com/hooks/catch/123456/…/",
		"kept (fingerprint "+signing.Fingerprint(testSecret), typoOwner, "Zapier > Zaps", "zap-tickets",
		"Nothing changed yet", "esc leave unsaved")
	d.wantNot("secretpath", testSecret)
	// esc leaves the edit: the target's details, nothing written.
	d.key("esc")
	if d.m.screen != screenDetails {
		t.Fatalf("esc from an edit's Review opens screen %d", d.m.screen)
	}
	d.want("Nothing was saved", typoOwner)
	if len(st.updates) != 0 || st.draft != nil {
		t.Fatalf("leaving the edit wrote %v, draft %v", st.updates, st.draft)
	}
}

func TestEditOwnerTypoSavesOnlyTheOwner(t *testing.T) {
	st := editFake()
	d := newDriver(t, st)
	fixOwnerTypo(d)
	d.want("Ready to save: changes receiver_owner.")
	d.key("enter")
	if d.m.screen != screenDetails {
		t.Fatalf("after saving: screen %d\n%s", d.m.screen, d.screen())
	}
	d.want("Saved zap-tickets: changed receiver_owner.", "ops@example.com")
	got := st.saved(t, "zap-tickets")
	if got.ReceiverOwner != "ops@example.com" || got.Version != 2 || got.ID != "tgt_zap" || len(st.targets) != 1 {
		t.Fatalf("saved: %+v", got)
	}
	if got.Signing == nil || got.Signing.Fingerprint != signing.Fingerprint(testSecret) || st.secrets["zap-tickets"] != testSecret {
		t.Fatalf("the secret changed: %+v", got.Signing)
	}
	if len(st.updates) != 1 || strings.Join(st.updates[0], ",") != "receiver_owner" {
		t.Fatalf("updates %v", st.updates)
	}
	if got.URLCheck == nil || got.URLCheck.Host != "hooks.zapier.com" || got.URLCheck.Addresses[0] != "3.33.152.147" {
		t.Fatalf("the URL check of the save: %+v", got.URLCheck)
	}
	if st.draft != nil {
		t.Fatal("the edit's draft is left after saving")
	}
}

func TestEditUnchangedSaveWritesNothing(t *testing.T) {
	st := editFake()
	d := newDriver(t, st)
	d.key("e")
	d.at(stepReview)
	d.key("enter")
	d.want("Nothing changed: zap-tickets is as it was saved.")
	if len(st.updates) != 0 || st.saved(t, "zap-tickets").Version != 1 {
		t.Fatalf("an unchanged save wrote %v", st.updates)
	}
}

func TestEditUnsafeURLRefusedNothingWritten(t *testing.T) {
	st := editFake()
	d := newDriver(t, st)
	d.key("e", "3")
	d.at(stepEndpoint)
	d.key("ctrl+u")
	d.paste("https://intranet.example/hook")
	d.key("enter")
	d.at(stepEndpoint) // refused: the step stays
	d.want("generic_webhook_url_unsafe")
	d.key("esc")
	d.at(stepReview)
	d.want("To fix before saving", "generic_webhook_url_unsafe")
	d.wantNot("Ready to save")
	d.key("enter")
	d.want("Fix what is listed before saving")
	if len(st.updates) != 0 || !strings.Contains(st.saved(t, "zap-tickets").BaseURL, "hooks.zapier.com") {
		t.Fatalf("saved after a refusal: %v", st.updates)
	}
}

func TestEditConcurrentChangeRefused(t *testing.T) {
	st := editFake()
	d := newDriver(t, st)
	fixOwnerTypo(d)
	// Someone else changes the target meanwhile.
	other := st.saved(t, "zap-tickets")
	other.RevokePath, other.Version = "Zapier > Zaps > webhook step", 2
	st.targets["zap-tickets"] = other
	d.key("enter")
	d.at(stepReview)
	if c := d.problemCodes(); len(c) != 1 || c[0] != codes.Conflict {
		t.Fatalf("problems %v\n%s", c, d.screen())
	}
	d.wantFlat("press e on the target again")
	if got := st.saved(t, "zap-tickets"); got.ReceiverOwner != typoOwner || len(st.updates) != 0 {
		t.Fatalf("the lost race wrote: %+v", got)
	}
	// Leaving and editing again starts from the newer version.
	d.key("esc")
	fixOwnerTypo(d)
	d.want("Zapier > Zaps > webhook step")
	d.key("enter")
	d.want("Saved zap-tickets: changed receiver_owner.")
}

func TestEditSecretStepKeepsTheSecret(t *testing.T) {
	d := newDriver(t, editFake())
	d.key("e", "4")
	d.at(stepSecret)
	d.want("Keep the current secret, HMAC-SHA256 "+signing.Fingerprint(testSecret), "rotate it: r on the target",
		"enter keep it")
	d.wantNot("Generate one", "Paste one")
	d.key("enter")
	d.at(stepReview)
	d.want("Nothing changed yet")
}

func TestEditFromDetailsAndRename(t *testing.T) {
	st := editFake()
	d := newDriver(t, st)
	d.key("enter")
	d.want("e edit")
	d.key("e")
	d.at(stepReview)
	d.key("e", "ctrl+u")
	d.typeText("zap-renamed")
	d.key("enter", "enter")
	d.want("Saved zap-renamed: changed name.")
	if got := st.saved(t, "zap-renamed"); got.ID != "tgt_zap" || len(st.targets) != 1 {
		t.Fatalf("after a rename: %v", st.targets)
	}
}

// TestEditResumesAsEdit: an edit interrupted after a step resumes as an
// edit of the same target, and its save updates that target.
func TestEditResumesAsEdit(t *testing.T) {
	st := editFake()
	d := newDriver(t, st)
	fixOwnerTypo(d)
	d.key("ctrl+c")

	d = newDriver(t, st)
	d.want("Resume editing zap-tickets at Review and save")
	d.key("c")
	d.at(stepReview)
	d.want("Edit zap-tickets · Review and save", "Ready to save: changes receiver_owner.")
	d.key("enter")
	if got := st.saved(t, "zap-tickets"); got.ReceiverOwner != "ops@example.com" || len(st.targets) != 1 {
		t.Fatalf("resumed edit saved %+v", st.targets)
	}
}

// TestEditAsksBeforeReplacingADraft: e with an unfinished setup saved
// asks first, as n does.
func TestEditAsksBeforeReplacingADraft(t *testing.T) {
	st := editFake()
	st.draft = &draftRow{step: string(stepEndpoint), data: (&answers{Provider: core.ProviderMake}).Marshal(), at: time.Now()}
	d := newDriver(t, st)
	d.key("e")
	if d.m.screen != screenHome {
		t.Fatalf("e with a draft opened screen %d", d.m.screen)
	}
	d.wantFlat("or e again to edit zap-tickets")
	d.key("e")
	d.at(stepReview)
	if a, step := st.draftAnswers(t); !a.editsSaved() || step != string(stepReview) {
		t.Fatalf("the draft after e again: %+v at %s", a, step)
	}
}

// TestEditKeepsEdgeValue: a target with an edge header is edited without
// retyping its value: Review judges it ready, and the stored value stays.
func TestEditKeepsEdgeValue(t *testing.T) {
	st := newFakeStore()
	tg := readyTarget("make-edge")
	tg.ID, tg.EdgeAuth = "tgt_edge", &core.EdgeAuth{Header: "x-make-apikey"}
	const edgeValue = "edge-value-0123456789abcdef"
	if err := st.CreateTargetWithEdge(t.Context(), &tg, testSecret, edgeValue, "tester"); err != nil {
		t.Fatal(err)
	}
	d := newDriver(t, st)
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
	got := st.saved(t, "make-edge")
	if got.EdgeAuth == nil || got.EdgeAuth.Header != "x-make-apikey" || got.EdgeAuth.Fingerprint != signing.Fingerprint(edgeValue) {
		t.Fatalf("edge after the edit: %+v", got.EdgeAuth)
	}
	if len(st.updates) != 1 || strings.Join(st.updates[0], ",") != "receiver_owner" {
		t.Fatalf("updates %v", st.updates)
	}
}

// TestEditToSelfHostedAsksPrivateNetwork: switching an edited cloud
// target to self-hosted goes through Private network before Review.
func TestEditToSelfHostedAsksPrivateNetwork(t *testing.T) {
	d := newDriver(t, editFake())
	d.key("e", "2")
	d.at(stepMode)
	d.key("down", "enter")
	d.at(stepNetwork)
	d.key("enter")
	d.at(stepReview)
	d.want("Edit zap-tickets · Review and save", "self-hosted")
}

// TestEditNewHookURL: a regenerated hook's URL is saved in place, with
// the decision of the check Review made; Review never shows its token.
func TestEditNewHookURL(t *testing.T) {
	st := editFake()
	d := newDriver(t, st)
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
	got := st.saved(t, "zap-tickets")
	if !strings.Contains(got.BaseURL, token) || len(st.updates) != 1 || strings.Join(st.updates[0], ",") != "webhook_url" {
		t.Fatalf("saved %q, updates %v", got.BaseURL, st.updates)
	}
	if got.URLCheck == nil || got.URLCheck.Host != "hooks.zapier.com" {
		t.Fatalf("the URL check of the save: %+v", got.URLCheck)
	}
}

// TestEditReadsTheTargetAgain: e edits the target as the store has it
// now, not as the home list read it, so a change made since the list was
// drawn is neither lost nor a conflict.
func TestEditReadsTheTargetAgain(t *testing.T) {
	st := editFake()
	d := newDriver(t, st)
	d.want("zap-tickets")
	other := st.saved(t, "zap-tickets")
	other.RevokePath, other.Version = "Zapier > Zaps > webhook step", 2
	st.targets["zap-tickets"] = other
	fixOwnerTypo(d)
	d.want("Zapier > Zaps > webhook step")
	d.key("enter")
	d.want("Saved zap-tickets: changed receiver_owner.")
	if got := st.saved(t, "zap-tickets"); got.RevokePath != "Zapier > Zaps > webhook step" || got.Version != 3 {
		t.Fatalf("saved %+v", got)
	}
}

// An edit of a target saved with a resolve override keeps the override
// while the URL keeps its host and port, and shows both rows an edit
// replaces (the redacted URL, the kept secret) with the resolve row there.
func TestEditKeepsTheResolveOverride(t *testing.T) {
	st := editFake()
	tg := st.targets["zap-tickets"]
	tg.Resolve = []string{"3.33.152.147"}
	st.targets["zap-tickets"] = tg
	d := newDriver(t, st)
	d.key("e")
	d.at(stepReview)
	d.want("resolve as", "3.33.152.147", "webhook_url", "kept (fingerprint")
	fixOwner := func() {
		d.key("6")
		d.at(stepOwner)
		d.key("ctrl+u")
		d.paste("ops@example.com")
		d.key("enter", "enter")
		d.at(stepReview)
	}
	fixOwner()
	d.want("Ready to save: changes receiver_owner.")
	d.key("enter")
	got := st.saved(t, "zap-tickets")
	if strings.Join(got.Resolve, ",") != "3.33.152.147" || got.ReceiverOwner != "ops@example.com" {
		t.Fatalf("saved: resolve %v owner %q", got.Resolve, got.ReceiverOwner)
	}
	if len(st.updates) != 1 || strings.Join(st.updates[0], ",") != "receiver_owner" {
		t.Fatalf("updates %v", st.updates)
	}
}
