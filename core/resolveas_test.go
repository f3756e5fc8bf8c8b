package core

import (
	"context"
	"fmt"
	"net/netip"
	"slices"
	"strings"
	"testing"

	"github.com/webriskops/webhook-setup/core/codes"
	"github.com/webriskops/webhook-setup/core/urlsafe"
)

func TestParseResolve(t *testing.T) {
	got, p := ParseResolve(" 3.33.152.147, [2600:1f18::1] 3.33.152.147\t::ffff:13.248.1.2 ")
	if p != nil {
		t.Fatalf("refused: %+v", p)
	}
	if want := []string{"3.33.152.147", "2600:1f18::1", "13.248.1.2"}; !slices.Equal(got, want) {
		t.Errorf("got %q, want %q", got, want)
	}
	if got, p := ParseResolve("  , "); got != nil || p != nil {
		t.Errorf("blank: got %q %+v, want no override", got, p)
	}
	for _, bad := range []string{"hooks.zapier.com", "3.33.152.147:443", "fe80::1%eth0", "10.0.0.0/8"} {
		if _, p := ParseResolve(bad); p == nil || p.Code != codes.ResolveInvalid || p.Field != "resolve" {
			t.Errorf("%q: got %+v, want %s on resolve", bad, p, codes.ResolveInvalid)
		}
	}
	many := make([]string, MaxResolveAddrs+1)
	for i := range many {
		many[i] = fmt.Sprintf("3.33.152.%d", i+1)
	}
	if _, p := ParseResolve(strings.Join(many, ",")); p == nil || !strings.Contains(p.Reason, fmt.Sprint(MaxResolveAddrs)) {
		t.Errorf("%d addresses: got %+v, want the limit named", len(many), p)
	}
	if !strings.Contains(codes.ResolveInvalid.Fix(), fmt.Sprintf("1 to %d IP addresses", MaxResolveAddrs)) {
		t.Errorf("the catalog's fix does not say the limit %d: %s", MaxResolveAddrs, codes.ResolveInvalid.Fix())
	}
}

// noDNS answers nothing, as on a machine without DNS.
type noDNS struct{}

func (noDNS) LookupNetIP(_ context.Context, _, host string) ([]netip.Addr, error) {
	return nil, &netErrNotFound{host}
}

type netErrNotFound struct{ host string }

func (e *netErrNotFound) Error() string { return "no such host " + e.host }

// The override answers for the URL's host and port, and its addresses are
// judged as DNS answers are: public passes, loopback and metadata never,
// private only with self-hosted approval.
func TestCheckEndpointJudgesTheResolveOverride(t *testing.T) {
	ctx := context.Background()
	tg := readyTarget()
	if v := CheckEndpoint(ctx, tg, noDNS{}); v.Safe || v.Code != string(codes.HostUnresolved) {
		t.Fatalf("without an override: %+v, want %s", v, codes.HostUnresolved)
	}
	tg.Resolve = []string{"3.33.152.147"}
	v := CheckEndpoint(ctx, tg, noDNS{})
	if !v.Safe || !slices.Equal(v.Addresses, []string{"3.33.152.147"}) {
		t.Fatalf("with a public override: %+v", v)
	}
	for _, a := range []string{"127.0.0.1", "169.254.169.254", "203.0.113.10"} {
		tg.Resolve = []string{"3.33.152.147", a}
		if v := CheckEndpoint(ctx, tg, noDNS{}); v.Safe || v.Code != string(codes.URLUnsafe) || !strings.Contains(v.Reason, "never allowed") {
			t.Errorf("override with %s: %+v, want refused as never allowed", a, v)
		}
	}
	tg.Resolve = []string{"10.20.1.7"}
	if v := CheckEndpoint(ctx, tg, noDNS{}); v.Safe || v.NeedsApproval {
		t.Errorf("private override on a cloud target: %+v, want refused without approval", v)
	}
	tg.DeploymentMode = ModeSelfHosted
	if v := CheckEndpoint(ctx, tg, noDNS{}); v.Safe || !v.NeedsApproval {
		t.Errorf("private override, self-hosted, no approval: %+v, want needs approval", v)
	}
	tg.PrivateNetwork = PrivateNetwork{Policy: PolicyAllowlist, Allowlist: []string{"10.20.0.0/16"}, AuthorizedBy: "CAB-1"}
	if v := CheckEndpoint(ctx, tg, noDNS{}); !v.Safe {
		t.Errorf("private override, approved: %+v, want safe", v)
	}
}

// The override is for the URL's port only; another port is DNS's again.
func TestResolveOverrideFollowsTheURLsPort(t *testing.T) {
	tg := readyTarget()
	tg.Resolve = []string{"3.33.152.147"}
	if got := ResolveLine(tg); got != "hooks.zapier.com:443 → 3.33.152.147 (instead of DNS)" {
		t.Errorf("ResolveLine = %q", got)
	}
	r := resolverFor(tg, noDNS{}).(*urlsafe.HostOverride)
	if _, err := r.LookupNetIPPort(context.Background(), "ip", "hooks.zapier.com", 8443); err == nil {
		t.Error("port 8443 answered from an override made for 443")
	}
	if got, err := r.LookupNetIPPort(context.Background(), "ip", "HOOKS.zapier.com.", 443); err != nil || len(got) != 1 {
		t.Errorf("port 443: %v %v", got, err)
	}
}

// A per-run --resolve for the same host and port wins over the saved
// override: it is the operator's latest word.
func TestRunResolveWinsOverTheSavedOne(t *testing.T) {
	tg := readyTarget()
	tg.Resolve = []string{"3.33.152.147"}
	run, err := urlsafe.NewResolveOverrides([]string{"hooks.zapier.com:443:13.248.1.2"}, nil)
	if err != nil {
		t.Fatal(err)
	}
	v := CheckEndpoint(context.Background(), tg, run)
	if !v.Safe || !slices.Equal(v.Addresses, []string{"13.248.1.2"}) {
		t.Errorf("got %+v, want the --resolve address", v)
	}
}

func TestResolveProblems(t *testing.T) {
	tg := readyTarget()
	tg.Resolve = []string{"not-an-address"}
	as := Assess(context.Background(), tg, strings.Repeat("s", 40), noDNS{})
	if cs := codesOf(as.Problems); !slices.Equal(cs, []codes.Code{codes.ResolveInvalid}) {
		t.Errorf("bad address: %v, want only %s (the endpoint check does not run)", cs, codes.ResolveInvalid)
	}
	tg.BaseURL = "https://3.33.152.147/hooks/catch/1/abcdef/"
	tg.Resolve = []string{"3.33.152.147"}
	if ps := Validate(tg, ""); !codes.HasField(ps, "resolve") {
		t.Errorf("override for an address URL: %v, want a resolve problem", codesOf(ps))
	}
	if v := CheckEndpoint(context.Background(), tg, noDNS{}); v.Safe || v.Code != string(codes.ResolveInvalid) {
		t.Errorf("sending with a stored override that cannot apply: %+v, want refused", v)
	}
}

func TestDropStaleResolve(t *testing.T) {
	saved := readyTarget()
	saved.Resolve = []string{"3.33.152.147"}
	same := saved
	same.BaseURL = "https://HOOKS.zapier.com/hooks/catch/2/other/"
	if DropStaleResolve(saved, &same) || len(same.Resolve) != 1 {
		t.Error("a new path on the same host dropped the override")
	}
	for _, u := range []string{"https://hooks.zapier.com:8443/hooks/catch/1/abcdef/", "https://hook.eu1.make.com/abc"} {
		moved := saved
		moved.BaseURL = u
		if !DropStaleResolve(saved, &moved) || moved.Resolve != nil {
			t.Errorf("%s kept the override made for hooks.zapier.com:443", u)
		}
	}
	if ChangedFields(saved, readyTarget())[0] != "resolve" {
		t.Errorf("ChangedFields misses resolve: %v", ChangedFields(saved, readyTarget()))
	}
}
