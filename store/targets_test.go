package store

import (
	"fmt"
	"os/user"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/webriskops/webhook-setup/core"
	"github.com/webriskops/webhook-setup/core/codes"
	"github.com/webriskops/webhook-setup/core/signing"
)

func TestTargetCRUD(t *testing.T) {
	s := openTemp(t)
	tg, sec := mustCreate(t, s, "zapier-tickets")
	if !strings.HasPrefix(tg.ID, "tgt_") || len(tg.ID) != 20 {
		t.Errorf("ID = %q, want tgt_ and 16 hex", tg.ID)
	}
	if tg.Version != 1 || tg.CreatedAt.IsZero() || !tg.UpdatedAt.Equal(tg.CreatedAt) {
		t.Errorf("version/times not filled: %+v", tg)
	}
	if tg.Signing == nil || tg.Signing.Algorithm != signing.Algorithm || tg.Signing.Fingerprint != signing.Fingerprint(sec) {
		t.Fatalf("Signing = %+v", tg.Signing)
	}

	got, err := s.Target(ctx, "zapier-tickets")
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, tg) {
		t.Errorf("Target() =\n%+v\nwant\n%+v", got, tg)
	}
	creds, err := s.Credentials(ctx, tg.ID, time.Now())
	if err != nil || len(creds) != 1 || creds[0].Secret != sec || !creds[0].ExpiresAt.IsZero() {
		t.Fatalf("Credentials = %+v, %v", creds, err)
	}

	mustCreate(t, s, "a-first")
	mustCreate(t, s, "m-middle")
	all, err := s.Targets(ctx, 0, 0)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, x := range all {
		names = append(names, x.Name)
		if x.Signing == nil {
			t.Errorf("%s: no signing summary in list", x.Name)
		}
	}
	if want := []string{"a-first", "m-middle", "zapier-tickets"}; !reflect.DeepEqual(names, want) {
		t.Errorf("Targets order = %v, want %v", names, want)
	}
	page, _ := s.Targets(ctx, 1, 1)
	if len(page) != 1 || page[0].Name != "m-middle" {
		t.Errorf("Targets(1,1) = %v", page)
	}
	if n, _ := s.CountTargets(ctx); n != 3 {
		t.Errorf("CountTargets = %d", n)
	}

	// Update: several fields, including a rename and the URL.
	upd := got
	upd.Name = "zapier-renamed"
	upd.BaseURL = "https://hooks.zapier.com/hooks/catch/999/NewTok3nValue/"
	upd.PrivateNetwork = core.PrivateNetwork{Policy: core.PolicyAllowlist, Allowlist: []string{"10.0.0.0/8"}, AuthorizedBy: "ciso"}
	upd.DeploymentMode = core.ModeSelfHosted
	if err := s.UpdateTarget(ctx, &upd, "tester"); err != nil {
		t.Fatal(err)
	}
	if upd.Version != 2 || !upd.CreatedAt.Equal(tg.CreatedAt) || upd.Signing == nil {
		t.Errorf("after update: %+v", upd)
	}
	again, err := s.Target(ctx, "zapier-renamed")
	if err != nil || !reflect.DeepEqual(again, upd) {
		t.Errorf("Target after update =\n%+v\nwant\n%+v (%v)", again, upd, err)
	}
	wantCode(t, func() error { _, err := s.Target(ctx, "zapier-tickets"); return err }(), codes.TargetNotFound)

	// An update that changes nothing writes nothing.
	before := dump(t, s.Path())
	same := again
	if err := s.UpdateTarget(ctx, &same, "tester"); err != nil || same.Version != 2 {
		t.Fatalf("no-op update: %v, version %d", err, same.Version)
	}
	if dump(t, s.Path()) != before {
		t.Error("a no-op update wrote to the database")
	}

	ev, _ := s.Audit(ctx, 1)
	if len(ev) != 1 || ev[0].Action != "target.update" || ev[0].Target != "zapier-renamed" || ev[0].Actor != "tester" {
		t.Fatalf("last audit event = %+v", ev)
	}
	for _, f := range []string{"name", "webhook_url", "deployment_mode", "private_network.policy", "private_network.allowlist", "private_network.authorized_by"} {
		if !strings.Contains(ev[0].Detail, f) {
			t.Errorf("update detail %q does not name %s", ev[0].Detail, f)
		}
	}
	if strings.Contains(ev[0].Detail, "NewTok3nValue") {
		t.Errorf("update detail holds the URL token: %q", ev[0].Detail)
	}

	// Delete removes target and credentials, with an audit event.
	if err := s.DeleteTarget(ctx, "zapier-renamed", "tester"); err != nil {
		t.Fatal(err)
	}
	wantCode(t, func() error { _, err := s.Target(ctx, "zapier-renamed"); return err }(), codes.TargetNotFound)
	var n int
	rawDB(t, s.Path()).QueryRow(`SELECT count(*) FROM credentials WHERE target_id = ?`, tg.ID).Scan(&n)
	if n != 0 {
		t.Errorf("%d credentials left after delete", n)
	}
	ev, _ = s.Audit(ctx, 0)
	if ev[0].Action != "target.disconnect" || ev[0].Target != "zapier-renamed" {
		t.Errorf("audit after delete = %+v", ev[0])
	}
	if len(ev) != 5 { // 3 creates, 1 update, 1 delete
		t.Errorf("%d audit events, want 5", len(ev))
	}
	wantCode(t, s.DeleteTarget(ctx, "zapier-renamed", "tester"), codes.TargetNotFound)
	wantCode(t, func() error { _, err := s.Credentials(ctx, tg.ID, time.Now()); return err }(), codes.TargetNotFound)
}

func TestCreateValidates(t *testing.T) {
	s := openTemp(t)
	tg := sampleTarget("Bad Name")
	wantCode(t, s.CreateTarget(ctx, &tg, newSecret(), "x"), codes.NameInvalid)
	tg = sampleTarget("ok")
	wantCode(t, s.CreateTarget(ctx, &tg, "", "x"), codes.SecretMissing)
	wantCode(t, s.CreateTarget(ctx, &tg, "short", "x"), codes.SecretWeak)
	if n := count(t, s.Path(), "targets"); n != 0 {
		t.Errorf("%d targets written", n)
	}
}

func TestDuplicateName(t *testing.T) {
	s := openTemp(t)
	mustCreate(t, s, "taken")
	other, _ := mustCreate(t, s, "other")
	before := dump(t, s.Path())

	dup := sampleTarget("taken")
	wantCode(t, s.CreateTarget(ctx, &dup, newSecret(), "x"), codes.NameTaken)
	if dup.ID != "" || dup.Version != 0 {
		t.Errorf("failed create changed the caller's target: %+v", dup)
	}
	other.Name = "taken"
	wantCode(t, s.UpdateTarget(ctx, &other, "x"), codes.NameTaken)
	if got := dump(t, s.Path()); got != before {
		t.Errorf("a refused write changed the database:\n%s\nwas\n%s", got, before)
	}
}

func TestStaleVersion(t *testing.T) {
	s := openTemp(t)
	mustCreate(t, s, "shared")
	a, _ := s.Target(ctx, "shared")
	b, _ := s.Target(ctx, "shared")
	a.ReceiverOwner = "alice"
	if err := s.UpdateTarget(ctx, &a, "alice"); err != nil {
		t.Fatal(err)
	}
	before := dump(t, s.Path())
	b.ReceiverOwner = "bob"
	ce := wantCode(t, s.UpdateTarget(ctx, &b, "bob"), codes.Conflict)
	if !strings.Contains(ce.Reason, "version 2") {
		t.Errorf("reason %q does not give the current version", ce.Reason)
	}
	if dump(t, s.Path()) != before {
		t.Error("a stale update changed the database")
	}
	// A rotation bumps the version too.
	cur, _ := s.Target(ctx, "shared")
	if _, err := s.RotateSecret(ctx, "shared", newSecret(), 0, "x"); err != nil {
		t.Fatal(err)
	}
	cur.ReceiverOwner = "carol"
	wantCode(t, s.UpdateTarget(ctx, &cur, "x"), codes.Conflict)
}

func TestRotationGrace(t *testing.T) {
	s := openTemp(t)
	tg, old := mustCreate(t, s, "rotating")
	fresh := newSecret()
	rotated, err := s.RotateSecret(ctx, "rotating", fresh, time.Hour, "tester")
	if err != nil {
		t.Fatal(err)
	}
	if rotated.Version != 2 || rotated.Signing.Fingerprint != signing.Fingerprint(fresh) {
		t.Errorf("rotated target = %+v, signing %+v", rotated, rotated.Signing)
	}
	got, _ := s.Target(ctx, "rotating")
	if !reflect.DeepEqual(got, rotated) {
		t.Errorf("Target after rotation = %+v, want %+v", got, rotated)
	}

	now := time.Now()
	creds, err := s.Credentials(ctx, tg.ID, now)
	if err != nil {
		t.Fatal(err)
	}
	if len(creds) != 2 || creds[0].Secret != fresh || creds[1].Secret != old {
		t.Fatalf("Credentials during grace = %+v", creds)
	}
	if !creds[0].ExpiresAt.IsZero() || creds[1].ExpiresAt.Sub(now) > time.Hour || creds[1].ExpiresAt.Sub(now) < 59*time.Minute {
		t.Errorf("expiries: current %v, previous %v", creds[0].ExpiresAt, creds[1].ExpiresAt)
	}
	for _, c := range creds {
		if !c.SecretValid(now) {
			t.Errorf("credential %v not valid during grace", c.CreatedAt)
		}
	}
	later, _ := s.Credentials(ctx, tg.ID, now.Add(61*time.Minute))
	if len(later) != 1 || later[0].Secret != fresh {
		t.Errorf("Credentials after grace = %+v", later)
	}

	ev, _ := s.Audit(ctx, 1)
	if len(ev) != 1 {
		t.Fatalf("Audit(1) = %+v, want the rotation", ev)
	}
	if ev[0].Action != "secret.rotate" || !strings.Contains(ev[0].Detail, signing.Fingerprint(old)+" → "+signing.Fingerprint(fresh)) {
		t.Errorf("rotation audit = %+v", ev[0])
	}

	// Grace 0 expires the previous secret at once, and the expired rows go.
	third := newSecret()
	if _, err := s.RotateSecret(ctx, "rotating", third, 0, "tester"); err != nil {
		t.Fatal(err)
	}
	creds, _ = s.Credentials(ctx, tg.ID, time.Now())
	if len(creds) != 2 || creds[0].Secret != third || creds[1].Secret != old {
		// old is still inside its one-hour grace; fresh expired now.
		t.Errorf("after grace-0 rotation = %+v", creds)
	}
	if n := count(t, s.Path(), "credentials"); n != 2 {
		t.Errorf("%d credential rows, want 2 (the expired one deleted)", n)
	}
	wantCode(t, func() error { _, err := s.RotateSecret(ctx, "missing", newSecret(), 0, "x"); return err }(), codes.TargetNotFound)
	wantCode(t, func() error { _, err := s.RotateSecret(ctx, "rotating", "weak", 0, "x"); return err }(), codes.SecretWeak)
}

func TestAuditAndActor(t *testing.T) {
	// The OS names the actor; $USER is only a label, SSH_CONNECTION adds
	// the client address.
	u, err := user.Current()
	if err != nil {
		t.Fatal(err)
	}
	osName := fmt.Sprintf("%s (uid %s", u.Username, u.Uid)
	t.Setenv("USER", "ana")
	t.Setenv("SSH_CONNECTION", "")
	t.Setenv("SSH_CLIENT", "203.0.113.9 50000 22")
	if got, want := Actor(), osName+", USER=ana) from 203.0.113.9"; got != want {
		t.Errorf("Actor() = %q, want %q", got, want)
	}
	t.Setenv("SSH_CONNECTION", "2001:db8::7 50000 2001:db8::1 22")
	if got, want := Actor(), osName+", USER=ana) from 2001:db8::7"; got != want {
		t.Errorf("Actor() = %q, want %q", got, want)
	}
	t.Setenv("SSH_CONNECTION", "not-an-address\x1b[31m 1 2 3")
	t.Setenv("USER", u.Username)
	if got, want := Actor(), osName+")"; got != want {
		t.Errorf("Actor() = %q, want %q", got, want)
	}
	t.Setenv("SSH_CONNECTION", "")
	t.Setenv("SSH_CLIENT", "")
	t.Setenv("USER", "ana")
	s := openTemp(t)
	if err := s.AddAudit(ctx, "", "export", "t1",
		"sent to https://hooks.zapier.com/hooks/catch/1/"+hookToken+"/, secret wrsec_AAAAbbbbCCCC"); err != nil {
		t.Fatal(err)
	}
	ev, err := s.Audit(ctx, 10)
	if err != nil || len(ev) != 1 {
		t.Fatal(ev, err)
	}
	e := ev[0]
	if e.Actor != osName+", USER=ana)" || e.Action != "export" || e.Target != "t1" || time.Since(e.At) > time.Minute || e.At.Location() != time.UTC {
		t.Errorf("event = %+v", e)
	}
	if strings.Contains(e.Detail, hookToken) || strings.Contains(e.Detail, "AAAAbbbb") {
		t.Errorf("detail not scrubbed: %q", e.Detail)
	}
	if !strings.Contains(e.Detail, "hooks.zapier.com") {
		t.Errorf("detail lost the host: %q", e.Detail)
	}
}
