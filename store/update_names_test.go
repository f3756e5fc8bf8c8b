package store

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/webriskops/webhook-setup/core"
)

// TestUpdateNamesChangedFields: an update lists the changed fields by the
// names people write (webhook_url, not base_url), leaves the URL safety
// decision out of the list while recording it after it, and returns the
// same names; a save that changes nothing returns none and writes nothing.
func TestUpdateNamesChangedFields(t *testing.T) {
	s := openTemp(t)
	tg, _ := mustCreate(t, s, "named")
	at := time.Date(2026, 12, 6, 14, 0, 0, 0, time.UTC)

	owner := tg
	owner.ReceiverOwner = "fixed-typo@example.com"
	owner.URLCheck = &core.URLCheck{Safe: true, Host: "hooks.zapier.com", Addresses: []string{"93.184.216.34"}, CheckedAt: at}
	changed, err := s.UpdateTargetWithEdge(ctx, &owner, "", "tester")
	if err != nil || !slices.Equal(changed, []string{"receiver_owner"}) {
		t.Fatalf("owner update: changed %v, %v", changed, err)
	}
	ev, _ := s.Audit(ctx, 1)
	if ev[0].Action != "target.update" || !strings.HasPrefix(ev[0].Detail, "changed receiver_owner; url check safe, hooks.zapier.com → 93.184.216.34") {
		t.Fatalf("owner update event: %+v", ev[0])
	}

	moved := owner
	const token = "N3wHookT0kenValue"
	moved.BaseURL = "https://hooks.zapier.com/hooks/catch/2/" + token + "/"
	changed, err = s.UpdateTargetWithEdge(ctx, &moved, "", "tester")
	if err != nil || !slices.Equal(changed, []string{"webhook_url"}) {
		t.Fatalf("URL update: changed %v, %v", changed, err)
	}
	ev, _ = s.Audit(ctx, 1)
	if !strings.HasPrefix(ev[0].Detail, "changed webhook_url; url now https://hooks.zapier.com/") ||
		strings.Contains(ev[0].Detail, token) || strings.Contains(ev[0].Detail, "base_url") {
		t.Fatalf("URL update event: %q", ev[0].Detail)
	}

	before := dump(t, s.Path())
	same := moved
	same.URLCheck = &core.URLCheck{Safe: true, Host: "hooks.zapier.com", Addresses: []string{"93.184.216.34"}, CheckedAt: at.Add(time.Hour)}
	changed, err = s.UpdateTargetWithEdge(ctx, &same, "", "tester")
	if err != nil || len(changed) != 0 || same.Version != moved.Version {
		t.Fatalf("unchanged save: changed %v, version %d, %v", changed, same.Version, err)
	}
	if dump(t, s.Path()) != before {
		t.Error("an unchanged save (a new URL check alone) wrote to the database")
	}
}
