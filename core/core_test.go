package core

import (
	"context"
	"net/netip"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/webriskops/webhook-setup/core/codes"
	"github.com/webriskops/webhook-setup/core/urlsafe"
)

const goodSecret = "0123456789abcdef0123456789abcdef-ok"

func readyTarget() Target {
	return Target{
		Name: "zap", ProviderKey: ProviderZapier, DeploymentMode: ModeCloud,
		BaseURL:       "https://hooks.zapier.com/hooks/catch/1/abcdef/",
		ReceiverOwner: "ops", RevokePath: "Zapier settings", ReceiverChecksConfirmed: true,
		Signing: &Signing{Algorithm: "HMAC-SHA256", Fingerprint: "sha256:0123456789ab", CreatedAt: time.Now()},
	}
}

func codesOf(ps []codes.Problem) []codes.Code {
	var out []codes.Code
	for _, p := range ps {
		out = append(out, p.Code)
	}
	return out
}

func TestValidateReadyTarget(t *testing.T) {
	if ps := Validate(readyTarget(), goodSecret); len(ps) != 0 {
		t.Fatalf("ready target has problems: %v", ps)
	}
	r := Evaluate(readyTarget())
	want := States{Ready, Ready, Ready, Ready, NotApplicable, Ready}
	if !r.Ready || r.States != want || len(r.Blocked) != 0 {
		t.Fatalf("Evaluate = %+v", r)
	}
}

func TestValidateReportsEveryProblem(t *testing.T) {
	ps := Validate(Target{Name: "Bad Name", ProviderKey: "slack", DeploymentMode: "moon", BaseURL: "http://x"}, "short")
	got := codesOf(ps)
	for _, want := range []codes.Code{codes.NameInvalid, codes.ProviderUnknown, codes.ModeUnknown, codes.URLUnsafe,
		codes.SecretWeak, codes.ReceiverChecks, codes.RevokePathMissing, codes.OwnerMissing} {
		if !slices.Contains(got, want) {
			t.Errorf("missing %s in %v", want, got)
		}
	}
	for _, p := range ps {
		if p.Reason == "" || p.Fix == "" || p.Field == "" {
			t.Errorf("incomplete problem %+v", p)
		}
	}
}

func TestReadinessStates(t *testing.T) {
	cases := []struct {
		name  string
		edit  func(*Target)
		state func(States) State
		want  State
		code  codes.Code
	}{
		{"no secret", func(t *Target) { t.Signing = nil }, func(s States) State { return s.Signing }, Blocked, codes.SecretMissing},
		{"checks unconfirmed", func(t *Target) { t.ReceiverChecksConfirmed = false }, func(s States) State { return s.ReplayProtection }, Blocked, codes.ReceiverChecks},
		{"no revoke path", func(t *Target) { t.RevokePath = "  " }, func(s States) State { return s.RevokePath }, Blocked, codes.RevokePathMissing},
		{"unknown provider", func(t *Target) { t.ProviderKey = "jira" }, func(s States) State { return s.ProviderKey }, Blocked, codes.ProviderUnknown},
		{"http endpoint", func(t *Target) { t.BaseURL = "http://hooks.zapier.com/x" }, func(s States) State { return s.Endpoint }, Blocked, codes.URLUnsafe},
		{"self-hosted deny", func(t *Target) { t.DeploymentMode = ModeSelfHosted }, func(s States) State { return s.PrivateNetwork }, Ready, ""},
		{"self-hosted allowlist without authorized_by", func(t *Target) {
			t.DeploymentMode = ModeSelfHosted
			t.PrivateNetwork = PrivateNetwork{Policy: PolicyAllowlist, Allowlist: []string{"10.0.0.0/16"}}
		}, func(s States) State { return s.PrivateNetwork }, Blocked, codes.AuthorizedByNeeded},
		{"self-hosted allowlist complete", func(t *Target) {
			t.DeploymentMode = ModeSelfHosted
			t.PrivateNetwork = PrivateNetwork{Policy: PolicyAllowlist, Allowlist: []string{"10.0.0.0/16"}, AuthorizedBy: "CAB-1"}
		}, func(s States) State { return s.PrivateNetwork }, Ready, ""},
		{"allowlist in cloud", func(t *Target) {
			t.PrivateNetwork = PrivateNetwork{Policy: PolicyAllowlist, Allowlist: []string{"10.0.0.0/16"}, AuthorizedBy: "CAB-1"}
		}, func(s States) State { return s.PrivateNetwork }, Blocked, codes.PolicyInvalid},
		{"allowlist entry in a never-allowed range", func(t *Target) {
			t.DeploymentMode = ModeSelfHosted
			t.PrivateNetwork = PrivateNetwork{Policy: PolicyAllowlist, Allowlist: []string{"127.0.0.0/8"}, AuthorizedBy: "CAB-1"}
		}, func(s States) State { return s.PrivateNetwork }, Blocked, codes.AllowlistInvalid},
		{"unknown policy", func(t *Target) {
			t.DeploymentMode = ModeSelfHosted
			t.PrivateNetwork.Policy = "open"
		}, func(s States) State { return s.PrivateNetwork }, Blocked, codes.PolicyInvalid},
	}
	for _, c := range cases {
		tg := readyTarget()
		c.edit(&tg)
		r := Evaluate(tg)
		if got := c.state(r.States); got != c.want {
			t.Errorf("%s: state %s, want %s (%+v)", c.name, got, c.want, r)
			continue
		}
		if c.code != "" && (!slices.Contains(codesOf(r.Blocked), c.code) || r.Ready) {
			t.Errorf("%s: blocked %v, want %s", c.name, codesOf(r.Blocked), c.code)
		}
	}
}

func TestURLPolicyCountsOnlyCompleteApproval(t *testing.T) {
	tg := readyTarget()
	tg.DeploymentMode = ModeSelfHosted
	tg.PrivateNetwork = PrivateNetwork{Policy: PolicyAllowlist, Allowlist: []string{"10.0.0.0/8"}}
	if p := URLPolicy(tg); !p.SelfHosted || len(p.Allowlist) != 0 {
		t.Fatalf("allowlist without authorized_by counted: %+v", p)
	}
	tg.PrivateNetwork.AuthorizedBy = "CAB-1"
	if p := URLPolicy(tg); len(p.Allowlist) != 1 {
		t.Fatalf("complete approval not counted: %+v", p)
	}
	tg.DeploymentMode = ModeCloud
	if p := URLPolicy(tg); p.SelfHosted || len(p.Allowlist) != 0 {
		t.Fatalf("cloud target got an allowlist: %+v", p)
	}
}

type fixedResolver map[string][]netip.Addr

func (f fixedResolver) LookupNetIP(_ context.Context, _, host string) ([]netip.Addr, error) {
	return f[host], nil
}

func TestCheckEndpointAddsProviderHints(t *testing.T) {
	tg := readyTarget()
	tg.ProviderKey = ProviderMake
	v := CheckEndpoint(context.Background(), tg, fixedResolver{"hooks.zapier.com": {netip.MustParseAddr("3.33.152.147")}})
	if !v.Safe || !strings.Contains(strings.Join(v.Warnings, "\n"), "make_webhook") {
		t.Fatalf("verdict %+v", v)
	}
	tg.BaseURL = "https://intake.example.com/hook"
	v = CheckEndpoint(context.Background(), tg, fixedResolver{"intake.example.com": {netip.MustParseAddr("10.1.2.3")}})
	if p := VerdictProblem(v); v.Safe || p == nil || p.Code != codes.URLUnsafe || p.Field != "webhook_url" {
		t.Fatalf("private address accepted: %+v %+v", v, p)
	}
}

func TestProviderHints(t *testing.T) {
	hint := func(p ProviderKey, raw string) string {
		u, err := url.Parse(raw)
		if err != nil {
			t.Fatal(err)
		}
		return strings.Join(ProviderHints(p, u), "\n")
	}
	cases := []struct {
		p           ProviderKey
		url, expect string
	}{
		{ProviderZapier, "https://hooks.zapier.com/hooks/catch/123/abc123/", ""},
		{ProviderZapier, "https://example.com/hooks/catch/123/abc/", "hooks.zapier.com"},
		{ProviderZapier, "https://hooks.zapier.com/other", "hooks/catch"},
		{ProviderMake, "https://hook.eu1.make.com/abc", ""},
		{ProviderMake, "https://hook.us2.make.celonis.com/abc", ""},
		{ProviderMake, "https://hook.integromat.com/abc", ""},
		{ProviderMake, "https://hook.eu9.make.com/abc", "hook.<zone>"},
		{ProviderN8N, "https://n8n.example.com/webhook/abc", ""},
		{ProviderN8N, "https://n8n.example.com/hooks/abc", "/webhook/"},
		{ProviderN8N, "https://n8n.example.com/webhook-test/abc", "test URL"},
		{ProviderN8N, "https://n8n.example.com:5678/webhook/abc", "5678"},
		{ProviderGeneric, "https://r.example.com/webhook/:id", ":id"},
	}
	for _, c := range cases {
		got := hint(c.p, c.url)
		if (c.expect == "") != (got == "") || !strings.Contains(got, c.expect) {
			t.Errorf("%s %s: hints %q, want %q", c.p, c.url, got, c.expect)
		}
	}
}

func TestParseRateLimit(t *testing.T) {
	good := map[string]RateLimit{"": {}, "default": {}, "300/10s": {300, 10}, "30/s": {30, 1}, "10000/5m": {10000, 300}}
	for in, want := range good {
		if got, err := ParseRateLimit(in); err != nil || got != want {
			t.Errorf("ParseRateLimit(%q) = %v, %v", in, got, err)
		}
	}
	for _, bad := range []string{"lots", "0/1s", "-1/1s", "10/0s", "10/1.5s", "10/2h", "1e3/1s", "10"} {
		if _, err := ParseRateLimit(bad); err == nil {
			t.Errorf("ParseRateLimit(%q) accepted", bad)
		}
	}
	if r := (Target{ProviderKey: ProviderMake}).EffectiveRate(); r != (RateLimit{5, 1}) {
		t.Errorf("make default rate %v", r)
	}
}

func TestChangedFields(t *testing.T) {
	a := readyTarget()
	b := a
	if got := ChangedFields(a, b); len(got) != 0 {
		t.Fatalf("no change reported %v", got)
	}
	b.PrivateNetwork.Policy = PolicyDeny // the default, spelled out
	b.PrivateNetwork.Allowlist = []string{}
	if got := ChangedFields(a, b); len(got) != 0 {
		t.Fatalf("default policy or empty allowlist counted as a change: %v", got)
	}
	b.BaseURL += "x"
	b.RateLimit = RateLimit{1, 1}
	if got := ChangedFields(a, b); !slices.Equal(got, []string{"base_url", "rate_limit"}) {
		t.Fatalf("ChangedFields = %v", got)
	}
}

func TestRevokeChecklistOrder(t *testing.T) {
	steps := RevokeChecklist(readyTarget())
	if len(steps) != 3 || !strings.Contains(steps[0], "Zapier settings") || !strings.Contains(steps[2], "disconnect") {
		t.Fatalf("checklist %v", steps)
	}
}

var _ urlsafe.Resolver = fixedResolver{}
