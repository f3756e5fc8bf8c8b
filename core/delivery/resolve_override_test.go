package delivery_test

import (
	"context"
	"net"
	"net/netip"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/webriskops/webhook-setup/core"
	"github.com/webriskops/webhook-setup/core/codes"
	"github.com/webriskops/webhook-setup/core/delivery"
)

// TestTargetEndpointJudgesTheResolveOverride: every send (test send,
// export, drain, retry: all through TargetEndpoint) judges a target's
// saved resolve override as DNS answers, without asking DNS for its host;
// a refused override blocks the delivery, it is not retried.
func TestTargetEndpointJudgesTheResolveOverride(t *testing.T) {
	var lookups atomic.Int32
	noDNS := resolverFunc(func(_ context.Context, _, host string) ([]netip.Addr, error) {
		lookups.Add(1)
		return nil, &net.DNSError{Err: "no such host", Name: host, IsNotFound: true}
	})
	tg := core.Target{Name: "t", ProviderKey: core.ProviderZapier, DeploymentMode: core.ModeCloud,
		BaseURL: "https://hooks.zapier.com/hooks/catch/1/" + hookToken + "/", Resolve: []string{"169.254.169.254"}}
	opts := delivery.ClientOptions(0, 0, nil)
	_, err := delivery.TargetEndpoint(ctx, tg, noDNS, opts)
	if ce := codes.AsError(err); ce.Code != codes.BaseURLBlocked || !strings.Contains(ce.Reason, "hooks.zapier.com resolves to 169.254.169.254") {
		t.Fatalf("metadata override: %v", err)
	}
	if res := delivery.ClassifyError(err); res.Retry || res.Status() != delivery.StatusBlocked {
		t.Fatalf("metadata override classified %+v", res)
	}
	tg.Resolve = []string{"3.33.152.147"}
	if ep, err := delivery.TargetEndpoint(ctx, tg, noDNS, opts); err != nil || ep.Rehearsal {
		t.Fatalf("public override: %+v %v", ep, err)
	}
	if n := lookups.Load(); n != 0 {
		t.Errorf("DNS was asked %d times for a host with an override", n)
	}
	tg.Resolve = nil
	if _, err := delivery.TargetEndpoint(ctx, tg, noDNS, opts); codes.AsError(err).Code != codes.HostUnresolved {
		t.Fatalf("without the override: %v", err)
	}
}
