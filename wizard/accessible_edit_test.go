package wizard

import (
	"context"
	"path/filepath"
	"strings"
	"testing"

	"github.com/webriskops/webhook-setup/core/signing"
	"github.com/webriskops/webhook-setup/store"
)

// The plain-prompt edit runs on a real store: the prompts call it in
// line, so nothing waits on the model tests' command window.

// editSQLite is a real store in a temp folder with one saved target,
// "zap-tickets", whose owner has a typo.
func editSQLite(t *testing.T) *store.Store {
	t.Helper()
	st, err := store.Open(filepath.Join(t.TempDir(), "webhook-setup.db"), "")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	tg := readyTarget("zap-tickets")
	tg.Signing = nil
	tg.ReceiverOwner = typoOwner
	if err := st.CreateTarget(context.Background(), &tg, testSecret, "tester"); err != nil {
		t.Fatal(err)
	}
	return st
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
	st := editSQLite(t)
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

// TestAccessibleEditLeave: Leave without saving writes nothing and
// removes the edit's draft.
func TestAccessibleEditLeave(t *testing.T) {
	st := editSQLite(t)
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

// Integration status counts the saved targets as the full-screen home
// does: "1 saved target", "2 saved targets" (it printed "1 saved
// target(s)").
func TestAccessibleStatusCountsTargets(t *testing.T) {
	st := editSQLite(t)
	if out := runEditScript(t, st, "6"); !strings.Contains(out, "1 saved target.\n") {
		t.Fatalf("one target:\n%s", out)
	}
	tg := readyTarget("zap-other")
	tg.Signing = nil
	if err := st.CreateTarget(context.Background(), &tg, testSecret, "tester"); err != nil {
		t.Fatal(err)
	}
	if out := runEditScript(t, st, "6"); !strings.Contains(out, "2 saved targets.\n") {
		t.Fatalf("two targets:\n%s", out)
	}
}

// Open a target in the plain prompts prints the full-screen details' rows
// (detailFields): the URL safety decision and when it was made (item 12)
// and the rate limit were missing from the plain copy.
func TestAccessibleDetailsAsFullScreen(t *testing.T) {
	st := editSQLite(t)
	out := runEditScript(t, st, "2", "zap-tickets", "", "6") // open, the target, no reveal, quit
	flat := strings.Join(strings.Fields(out), " ")
	for _, want := range []string{"url check ", "url checked ", "rate limit ", "receiver owner " + typoOwner} {
		if !strings.Contains(flat, want) {
			t.Errorf("the details lack %q:\n%s", want, out)
		}
	}
}

// Rotate secret in the plain prompts gives the grace period in the
// full-screen words ("24h", not Go's "24h0m0s").
func TestAccessibleRotateGraceText(t *testing.T) {
	st := editSQLite(t)
	out := runEditScript(t, st, "4", "zap-tickets", "3", "6") // rotate, the target, cancel, quit
	if !strings.Contains(out, "keeps signing for 24h.") || strings.Contains(out, "0m0s") {
		t.Fatalf("the grace period is not in the full-screen words:\n%s", out)
	}
}
