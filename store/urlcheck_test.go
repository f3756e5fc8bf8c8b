package store

import (
	"strings"
	"testing"
	"time"

	"github.com/webriskops/webhook-setup/core"
)

// TestURLCheckSavedWithTargetAndAudited: the URL safety decision given at
// create is read back with the target (also after reopening), named in the
// create audit event without the URL, and a later update that brings a new
// decision records it in the update event; one without keeps the old one.
func TestURLCheckSavedWithTargetAndAudited(t *testing.T) {
	s := openTemp(t)
	tg := sampleTarget("checked")
	at := time.Date(2026, 12, 6, 13, 20, 0, 0, time.UTC)
	tg.URLCheck = &core.URLCheck{Safe: true, Host: "Hooks.Example.com", Addresses: []string{"93.184.216.35", "93.184.216.34"}, CheckedAt: at}
	if err := s.CreateTarget(ctx, &tg, newSecret(), "tester"); err != nil {
		t.Fatal(err)
	}
	got, err := reopen(t, s).Target(ctx, "checked")
	if err != nil {
		t.Fatal(err)
	}
	want := "safe, hooks.example.com → 93.184.216.34 93.184.216.35, checked 2026-12-06 13:20 UTC"
	if got.URLCheck == nil || got.URLCheck.Summary() != want {
		t.Fatalf("read back: %+v", got.URLCheck)
	}
	ev, err := s.Audit(ctx, 1)
	if err != nil {
		t.Fatal(err)
	}
	if ev[0].Action != "target.create" || !strings.Contains(ev[0].Detail, "url check "+want) {
		t.Fatalf("create event detail %q", ev[0].Detail)
	}
	if strings.Contains(ev[0].Detail, hookToken) {
		t.Fatalf("the create event holds the full URL: %q", ev[0].Detail)
	}

	// An update without a decision keeps the recorded one and says nothing of it.
	got.ReceiverOwner = "other@example.com"
	if err := s.UpdateTarget(ctx, &got, "tester"); err != nil {
		t.Fatal(err)
	}
	ev, _ = s.Audit(ctx, 1)
	if ev[0].Action != "target.update" || strings.Contains(ev[0].Detail, "url check") {
		t.Fatalf("update event without a decision: %q", ev[0].Detail)
	}
	if got.URLCheck == nil || got.URLCheck.Summary() != want {
		t.Fatalf("decision after an update without one: %+v", got.URLCheck)
	}

	// An update with a new decision replaces it and audits it.
	got.ReceiverOwner = "third@example.com"
	got.URLCheck = &core.URLCheck{Safe: true, Host: "hooks.example.com", Addresses: []string{"93.184.216.36"}, CheckedAt: at.Add(time.Hour)}
	if err := s.UpdateTarget(ctx, &got, "tester"); err != nil {
		t.Fatal(err)
	}
	ev, _ = s.Audit(ctx, 1)
	want = "safe, hooks.example.com → 93.184.216.36, checked 2026-12-06 14:20 UTC"
	if !strings.Contains(ev[0].Detail, "url check "+want) {
		t.Fatalf("update event with a decision: %q", ev[0].Detail)
	}
	got, _ = s.Target(ctx, "checked")
	if got.URLCheck == nil || got.URLCheck.Summary() != want {
		t.Fatalf("decision after an update with one: %+v", got.URLCheck)
	}
}
