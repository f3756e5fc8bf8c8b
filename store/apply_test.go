package store

import (
	"strings"
	"testing"
	"time"

	"github.com/webriskops/webhook-setup/core/codes"
	"github.com/webriskops/webhook-setup/core/signing"
)

func TestApply(t *testing.T) {
	s := openTemp(t)
	keep, _ := mustCreate(t, s, "keep")
	gone, _ := mustCreate(t, s, "gone")
	keep.ReceiverOwner = "new owner"
	sec := newSecret()
	newSec := newSecret()
	ops := []Op{
		{Kind: OpCreate, Target: sampleTarget("made"), Secret: sec},
		{Kind: OpUpdate, Target: keep, Secret: newSec, Grace: time.Hour},
		{Kind: OpDelete, Target: gone},
	}
	if err := s.Apply(ctx, ops, "cfg"); err != nil {
		t.Fatal(err)
	}
	made, err := s.Target(ctx, "made")
	if err != nil || made.Signing.Fingerprint != signing.Fingerprint(sec) {
		t.Fatalf("made = %+v %v", made, err)
	}
	k, _ := s.Target(ctx, "keep")
	if k.ReceiverOwner != "new owner" || k.Version != 3 || k.Signing.Fingerprint != signing.Fingerprint(newSec) {
		t.Errorf("keep = %+v %+v", k, k.Signing)
	}
	if creds, _ := s.Credentials(ctx, k.ID, time.Now()); len(creds) != 2 {
		t.Errorf("keep has %d valid credentials, want 2", len(creds))
	}
	wantCode(t, func() error { _, err := s.Target(ctx, "gone"); return err }(), codes.TargetNotFound)
	ev, _ := s.Audit(ctx, 3)
	if len(ev) != 3 || ev[2].Action != "target.create" || ev[1].Action != "target.update" || ev[0].Action != "target.disconnect" {
		t.Fatalf("audit = %+v", ev)
	}
	if !strings.Contains(ev[1].Detail, "receiver_owner") || !strings.Contains(ev[1].Detail, "secret rotated") {
		t.Errorf("update detail = %q", ev[1].Detail)
	}
	for _, e := range ev {
		if e.Actor != "cfg" {
			t.Errorf("actor = %q", e.Actor)
		}
	}
}

// TestApplyAllOrNothing fails the last op of a batch: nothing of the
// earlier ops is written.
func TestApplyAllOrNothing(t *testing.T) {
	s := openTemp(t)
	keep, _ := mustCreate(t, s, "keep")
	gone, _ := mustCreate(t, s, "gone")
	mustCreate(t, s, "taken")
	before := dump(t, s.Path())

	stale := keep
	stale.Version = 99
	cases := map[string]struct {
		bad  Op
		code codes.Code
	}{
		"name taken":     {Op{Kind: OpCreate, Target: sampleTarget("taken"), Secret: newSecret()}, codes.NameTaken},
		"stale version":  {Op{Kind: OpUpdate, Target: stale}, codes.Conflict},
		"missing target": {Op{Kind: OpDelete, Target: sampleTarget("nobody")}, codes.TargetNotFound},
		"weak secret":    {Op{Kind: OpCreate, Target: sampleTarget("weak"), Secret: "short"}, codes.SecretWeak},
	}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			upd := keep
			upd.RevokePath = "changed"
			ops := []Op{
				{Kind: OpCreate, Target: sampleTarget("brand-new"), Secret: newSecret()},
				{Kind: OpUpdate, Target: upd, Secret: newSecret()},
				{Kind: OpDelete, Target: gone},
				c.bad,
			}
			ce := wantCode(t, s.Apply(ctx, ops, "cfg"), c.code)
			if !strings.HasPrefix(ce.Reason, "op 4 (") {
				t.Errorf("reason %q does not name the op", ce.Reason)
			}
			if got := dump(t, s.Path()); got != before {
				t.Errorf("failed Apply wrote:\n%s\nwas\n%s", got, before)
			}
		})
	}
}

// TestApplyURLChangeAuditIsRedacted: an apply that moves a target's URL
// (the file calls it webhook_url) says in the audit event where it now
// points, redacted: never the hook token.
func TestApplyURLChangeAuditIsRedacted(t *testing.T) {
	s := openTemp(t)
	tg, _ := mustCreate(t, s, "moved")
	const token = "tok3nMovedHook99"
	tg.BaseURL = "https://hooks.zapier.com/hooks/catch/1/" + token + "/"
	if err := s.Apply(ctx, []Op{{Kind: OpUpdate, Target: tg, Changed: []string{"webhook_url"}}}, "cfg"); err != nil {
		t.Fatal(err)
	}
	ev, _ := s.Audit(ctx, 1)
	if len(ev) != 1 || !strings.Contains(ev[0].Detail, "changed webhook_url; url now https://hooks.zapier.com/hooks/catch/1/…/") ||
		strings.Contains(ev[0].Detail, token) {
		t.Fatalf("audit = %+v", ev)
	}
}
