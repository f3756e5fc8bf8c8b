package wizard

import (
	"context"
	"net/netip"
	"reflect"
	"testing"

	"github.com/webriskops/webhook-setup/core"
	"github.com/webriskops/webhook-setup/core/codes"
)

func TestDefaultName(t *testing.T) {
	cases := []struct {
		provider  core.ProviderKey
		url, want string
	}{
		{core.ProviderZapier, "https://hooks.zapier.com/hooks/catch/1/abc/", "zapier-hooks-zapier-com"},
		{core.ProviderGeneric, "https://93.184.216.34/hook", "generic-93-184-216-34"},
		{core.ProviderN8N, "https://N8N.Example.COM:8443/webhook/x", "n8n-example-com"},
		{core.ProviderN8N, "https://n8n.corp.example/webhook/x", "n8n-corp-example"},
		{core.ProviderN8N, "https://n8nhost.example/webhook/x", "n8n-n8nhost-example"},
		{core.ProviderMake, "https://make.example.com/x", "make-example-com"},
		{core.ProviderWebhook, "", "webhook"},
		{core.ProviderMake, "https://[2001:db8::1]/x", "make-2001-db8-1"},
		{core.ProviderGeneric, "https://" + longHost() + "/x", ""},
	}
	for _, c := range cases {
		got := defaultName(c.provider, c.url)
		if c.want != "" && got != c.want {
			t.Errorf("defaultName(%s, %q) = %q, want %q", c.provider, c.url, got, c.want)
		}
		if p := core.ValidateName(got); p != nil {
			t.Errorf("defaultName(%s, %q) = %q breaks the name rule: %s", c.provider, c.url, got, p.Reason)
		}
	}
}

func longHost() string {
	h := ""
	for i := 0; i < 12; i++ {
		h += "abcdefghij."
	}
	return h + "example"
}

func TestAnswersTarget(t *testing.T) {
	a := answers{Provider: core.ProviderN8N, Mode: core.ModeCloud, URL: "https://10.20.1.5/webhook/x",
		Policy: core.PolicyAllowlist, Allowlist: []string{"10.20.0.0/16"}, AuthorizedBy: "ops"}
	if tg := a.Target(); tg.PrivateNetwork.Policy != core.PolicyDeny || len(tg.PrivateNetwork.Allowlist) != 0 {
		t.Fatalf("a cloud target keeps the allowlist answered before the mode changed: %+v", tg.PrivateNetwork)
	}
	a.Mode = core.ModeSelfHosted
	if tg := a.Target(); tg.PrivateNetwork.Policy != core.PolicyAllowlist || tg.PrivateNetwork.Allowlist[0] != "10.20.0.0/16" {
		t.Fatalf("self-hosted target lost its allowlist: %+v", tg.PrivateNetwork)
	}
	if a.Target().Signing != nil {
		t.Fatal("signing summary without a secret")
	}
	a.Secret = "s3cret-known-value-for-tests-0123456789abcdef"
	if s := a.Target().Signing; s == nil || s.Fingerprint == "" {
		t.Fatal("no signing summary for an acceptable secret")
	}
	for _, h := range receiverHeaders[:5] {
		a.Checks = append(a.Checks, h)
	}
	if a.ChecksConfirmed() {
		t.Fatal("five of six checks count as confirmed")
	}
	a.Checks = append(a.Checks, receiverHeaders[5])
	if !a.ChecksConfirmed() {
		t.Fatal("six checks do not count as confirmed")
	}
}

func TestAnswersRoundTrip(t *testing.T) {
	a := answers{Provider: core.ProviderZapier, Mode: core.ModeSelfHosted, URL: "https://x.example/h",
		Secret: "s", SecretGenerated: true, Checks: []string{receiverHeaders[0]}, Allowlist: []string{"10.0.0.0/8"}, Name: "n"}
	b, err := unmarshalAnswers(a.Marshal())
	if err != nil {
		t.Fatal(err)
	}
	if b.URL != a.URL || b.Secret != a.Secret || !b.SecretGenerated || len(b.Allowlist) != 1 || b.Allowlist[0] != "10.0.0.0/8" || b.Name != "n" {
		t.Fatalf("round trip lost answers: %+v", b)
	}
}

func TestFieldProblemsMatchCore(t *testing.T) {
	a := answers{Provider: core.ProviderGeneric, Mode: core.ModeCloud}
	ps := a.FieldProblems("receiver_owner", "revoke_path")
	got := map[codes.Code]bool{}
	for _, p := range ps {
		got[p.Code] = true
	}
	if !got[codes.OwnerMissing] || !got[codes.RevokePathMissing] || len(ps) != 2 {
		t.Fatalf("FieldProblems = %+v", ps)
	}
}

func TestFlow(t *testing.T) {
	if n := len(flow(core.ModeCloud)); n != 7 {
		t.Fatalf("cloud flow has %d steps", n)
	}
	if position(core.ModeSelfHosted, stepNetwork) != 6 || position(core.ModeCloud, stepNetwork) != 0 {
		t.Fatal("the Private network step is only in the self-hosted flow")
	}
	if nextStep(core.ModeCloud, stepReceiver) != stepOwner || nextStep(core.ModeSelfHosted, stepReceiver) != stepNetwork {
		t.Fatal("next step after Receiver checks is wrong")
	}
	if prevStep(core.ModeCloud, stepProvider) != "" || prevStep(core.ModeSelfHosted, stepOwner) != stepNetwork {
		t.Fatal("previous steps are wrong")
	}
	for field, want := range map[string]stepID{
		"provider_key": stepProvider, "deployment_mode": stepMode, "webhook_url": stepEndpoint,
		"signing_secret": stepSecret, "receiver_checks_confirmed": stepReceiver,
		"private_network.allowlist": stepNetwork, "receiver_owner": stepOwner, "revoke_path": stepOwner, "name": stepReview,
	} {
		if got := stepForField(field); got != want {
			t.Errorf("stepForField(%q) = %q, want %q", field, got, want)
		}
	}
	for _, s := range flow(core.ModeSelfHosted) {
		if s.Title() == "" {
			t.Errorf("step %q has no title", s)
		}
	}
}

// Both Reviews judge with the core's rule: the plain prompts through
// answers.Assess, the screen through answers.Judge with the verdict its
// background check found. They agree, the edge header's problem comes
// before the endpoint's refusal (as in add), and a refused endpoint blocks
// the endpoint state.
func TestReviewsJudgeAlike(t *testing.T) {
	a := answers{Provider: core.ProviderZapier, Mode: core.ModeCloud, URL: "https://hooks.zapier.com/hooks/catch/1/abcdef/",
		Secret: "s3cret-known-value-for-tests-0123456789abcdef", Checks: receiverHeaders, Owner: "ops", RevokePath: "Zapier",
		EdgeHeader: "Host", EdgeValue: "abcdefghijklmnopqrstuvwxyz"}
	r := &fakeResolver{answers: map[string][]netip.Addr{"hooks.zapier.com": {netip.MustParseAddr("10.1.2.3")}}}
	plain := a.Assess(context.Background(), r)
	if r.calls == 0 || plain.Verdict == nil || plain.Ready || plain.States.Endpoint != core.Blocked {
		t.Fatalf("Assess: %d lookups, %+v", r.calls, plain)
	}
	if got := codesOfProblems(plain.Problems); len(got) != 2 || got[0] != codes.EdgeHeaderInvalid || got[1] != codes.URLUnsafe {
		t.Fatalf("problems %v, want the edge header, then the endpoint", got)
	}
	if pending := a.Judge(nil); !pending.Pending || pending.Ready || len(pending.Problems) != 1 {
		t.Fatalf("before the check: %+v", pending)
	}
	screen := a.Judge(plain.Verdict)
	if !reflect.DeepEqual(screen.Problems, plain.Problems) || screen.States != plain.States || screen.Ready != plain.Ready {
		t.Fatalf("the Reviews disagree:\nscreen %+v\nplain  %+v", screen, plain)
	}
	a.EdgeHeader, a.EdgeValue = "", ""
	r.answers["hooks.zapier.com"] = []netip.Addr{netip.MustParseAddr("3.33.152.147")}
	if ok := a.Assess(context.Background(), r); !ok.Ready || len(ok.Problems) != 0 {
		t.Fatalf("a ready setup is not ready: %+v", ok)
	}
}

func codesOfProblems(ps []codes.Problem) []codes.Code {
	var out []codes.Code
	for _, p := range ps {
		out = append(out, p.Code)
	}
	return out
}
