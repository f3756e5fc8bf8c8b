package ui

import (
	"path/filepath"
	"testing"

	"github.com/webriskops/webhook-setup/core"
	"github.com/webriskops/webhook-setup/core/delivery"
	"github.com/webriskops/webhook-setup/store"
)

// TestRunApprovalFollowsTheTarget: the drain's Approval answer changes when
// the target's private-network approval changes and fails once the target
// is disconnected, so the runner drops the endpoint it kept; an export's
// fixed endpoint never changes.
func TestRunApprovalFollowsTheTarget(t *testing.T) {
	s, err := store.Open(filepath.Join(t.TempDir(), "w.db"), "")
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	ctx := t.Context()
	tg := core.Target{Name: "n8n", ProviderKey: core.ProviderN8N, DeploymentMode: core.ModeSelfHosted,
		BaseURL: "https://10.20.1.7/webhook/intake", ReceiverOwner: "o", RevokePath: "p", ReceiverChecksConfirmed: true,
		PrivateNetwork: core.PrivateNetwork{Policy: core.PolicyAllowlist, Allowlist: []string{"10.20.0.0/16"}, AuthorizedBy: "CAB-1"}}
	if err := s.CreateTarget(ctx, &tg, "s3cret-known-value-for-tests-0123456789abcdef", "t"); err != nil {
		t.Fatal(err)
	}
	d := delivery.Delivery{TargetID: tg.ID, TargetName: tg.Name}
	rs := runSetup{store: s}
	before, err := rs.approval(ctx, d)
	if err != nil {
		t.Fatal(err)
	}
	if again, _ := rs.approval(ctx, d); again != before {
		t.Fatalf("the approval changed without a change: %q then %q", before, again)
	}
	tg.PrivateNetwork = core.PrivateNetwork{Policy: core.PolicyDeny}
	if err := s.UpdateTarget(ctx, &tg, "t"); err != nil {
		t.Fatal(err)
	}
	if after, err := rs.approval(ctx, d); err != nil || after == before {
		t.Fatalf("after the approval was revoked: %q, %v; want a new answer", after, err)
	}
	if err := s.DeleteTarget(ctx, tg.Name, "t"); err != nil {
		t.Fatal(err)
	}
	if _, err := rs.approval(ctx, d); err == nil {
		t.Fatal("a disconnected target still has an approval")
	}
	fixed := runSetup{store: s, fixed: &delivery.Endpoint{}}
	if a, err := fixed.approval(ctx, d); err != nil || a != "" {
		t.Fatalf("a fixed endpoint's approval: %q, %v", a, err)
	}
}
