package config

import (
	"context"
	"reflect"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/webriskops/webhook-setup/core"
	"github.com/webriskops/webhook-setup/core/codes"
	"github.com/webriskops/webhook-setup/core/signing"
)

const (
	secretA = "s3cret-known-value-for-tests-0123456789abcdef"
	secretB = "another-secret-value-for-tests-0123456789abcd"
)

var defaults = Defaults{Mode: core.ModeCloud, Policy: core.PolicyDeny}

// stored is a saved target as the store returns it, with a signing summary.
func stored(name, url, secret string) core.Target {
	return core.Target{
		ID: "tgt_" + name, Name: name, ProviderKey: core.ProviderGeneric, DeploymentMode: core.ModeCloud,
		BaseURL: url, ReceiverOwner: "ops", RevokePath: "portal", ReceiverChecksConfirmed: true,
		PrivateNetwork: core.PrivateNetwork{Policy: core.PolicyDeny},
		Signing:        &core.Signing{Algorithm: signing.Algorithm, Fingerprint: signing.Fingerprint(secret)},
		Version:        3,
	}
}

// specFile writes a target file for the stored-target shape above.
func specFile(entries ...string) string {
	return strings.Join(entries, "\n")
}

func entry(name, url string, extra ...string) string {
	return `[[target]]
name = "` + name + `"
provider_key = "generic_webhook"
webhook_url = "` + url + `"
receiver_owner = "ops"
revoke_path = "portal"
receiver_checks_confirmed = true
` + strings.Join(extra, "\n") + "\n"
}

func mustSpecs(t *testing.T, src string) []TargetSpec {
	t.Helper()
	specs, err := ParseTargets([]byte(src), "t.toml")
	if err != nil {
		t.Fatalf("%v\n%s", err, reasons(codesError(t, err)))
	}
	return specs
}

func actions(p Plan) string {
	var out []string
	for _, c := range p.Changes {
		s := string(c.Action) + " " + c.Name
		if len(c.Changed) > 0 {
			s += " (" + strings.Join(c.Changed, ", ") + ")"
		}
		out = append(out, s)
	}
	return strings.Join(out, "; ")
}

func TestMakePlanActions(t *testing.T) {
	current := []core.Target{
		stored("same", "https://receiver.example.com/same", secretA),
		stored("moved", "https://receiver.example.com/old", secretA),
		stored("rotated", "https://receiver.example.com/rot", secretA),
		stored("gone", "https://receiver.example.com/gone", secretA),
	}
	src := specFile(
		entry("same", "https://receiver.example.com/same", "[target.signing]", `secret_env = "A"`),
		entry("moved", "https://receiver.example.com/new"),
		entry("rotated", "https://receiver.example.com/rot", "[target.signing]", `secret_env = "B"`, `grace = "2h"`),
		entry("fresh", "https://receiver.example.com/fresh", "[target.signing]", `secret_env = "A"`),
	)
	in := Input{
		Current: current, Specs: mustSpecs(t, src), Defaults: defaults,
		Secrets: map[string]Secret{"same": {Value: secretA}, "rotated": {Value: secretB}, "fresh": {Value: secretA}},
	}
	p := MakePlan(context.Background(), in, testResolver)
	if len(p.Problems) > 0 {
		t.Fatalf("problems: %+v", p.Problems)
	}
	want := "unchanged same; update moved (webhook_url); update rotated (signing); create fresh"
	if got := actions(p); got != want {
		t.Fatalf("plan = %s\nwant   %s", got, want)
	}
	moved, rotated, fresh := p.Changes[1], p.Changes[2], p.Changes[3]
	if moved.Target.ID != "tgt_moved" || moved.Target.Version != 3 || moved.Secret != "" {
		t.Errorf("update keeps identity and secret: %+v", moved)
	}
	if rotated.Secret != secretB || rotated.Grace != 2*time.Hour {
		t.Errorf("rotation = %+v", rotated)
	}
	if fresh.Secret != secretA || fresh.Target.DeploymentMode != core.ModeCloud || fresh.Target.PrivateNetwork.Policy != core.PolicyDeny {
		t.Errorf("create = %+v", fresh)
	}
	if !p.Writes() || p.Count(Update) != 2 || p.Count(Create) != 1 {
		t.Errorf("counts: %s", actions(p))
	}

	in.Prune = true
	p = MakePlan(context.Background(), in, testResolver)
	if got := actions(p); !strings.HasSuffix(got, "; delete gone") {
		t.Fatalf("prune plan = %s", got)
	}
}

func TestMakePlanReapplyIsUnchanged(t *testing.T) {
	current := []core.Target{stored("a", "https://receiver.example.com/a", secretA)}
	in := Input{Current: current, Defaults: defaults, Secrets: map[string]Secret{"a": {Value: secretA}},
		Specs: mustSpecs(t, entry("a", "https://receiver.example.com/a", "[target.signing]", `secret_file = "a.secret"`))}
	p := MakePlan(context.Background(), in, nil) // no DNS is needed for an unchanged target
	if p.Writes() || len(p.Problems) > 0 || actions(p) != "unchanged a" {
		t.Fatalf("plan = %s, problems %+v", actions(p), p.Problems)
	}
	// A target without a secret source keeps its stored secret.
	in.Specs, in.Secrets = mustSpecs(t, entry("a", "https://receiver.example.com/a")), nil
	if p := MakePlan(context.Background(), in, nil); actions(p) != "unchanged a" || len(p.Problems) > 0 {
		t.Fatalf("plan without secret source = %s, %+v", actions(p), p.Problems)
	}
}

func TestMakePlanProblems(t *testing.T) {
	current := []core.Target{stored("old", "https://receiver.example.com/old", secretA)}
	missing := codes.NewProblem(codes.SecretMissing, "signing_secret", "cannot read the secret file a.secret: no such file")
	cases := []struct {
		name    string
		src     string
		secrets map[string]Secret
		code    codes.Code
		want    []string
	}{
		{"unsafe URL", entry("n", "https://internal.example.com/x", "[target.signing]", `secret_env = "A"`),
			map[string]Secret{"n": {Value: secretA}}, codes.URLUnsafe, []string{"t.toml:4:", `target "n"`}},
		{"http URL", entry("n", "http://receiver.example.com/x", "[target.signing]", `secret_env = "A"`),
			map[string]Secret{"n": {Value: secretA}}, codes.URLUnsafe, []string{"t.toml:4:"}},
		{"allowlist in cloud mode", entry("n", "https://receiver.example.com/x", `deployment_mode = "cloud"`,
			"[target.private_network]", `allowlist = ["10.0.0.0/8"]`, `authorized_by = "me"`, "[target.signing]", `secret_env = "A"`),
			map[string]Secret{"n": {Value: secretA}}, codes.PolicyInvalid, []string{"t.toml:", "self-hosted"}},
		{"missing secret file", entry("n", "https://receiver.example.com/x", "[target.signing]", `secret_file = "a.secret"`),
			map[string]Secret{"n": {Problem: &missing}}, codes.SecretMissing, []string{"t.toml:9:", "cannot read"}},
		{"weak secret", entry("n", "https://receiver.example.com/x", "[target.signing]", `secret_env = "A"`),
			map[string]Secret{"n": {Value: "short"}}, codes.SecretWeak, []string{"t.toml:9:"}},
		{"new target without secret", entry("n", "https://receiver.example.com/x"),
			nil, codes.SecretMissing, []string{"t.toml:1:", "secret_file or secret_env"}},
		{"unconfirmed receiver checks", strings.Replace(entry("old", "https://receiver.example.com/old"), "true", "false", 1),
			nil, codes.ReceiverChecks, []string{"t.toml:7:"}},
		{"unknown provider", strings.Replace(entry("old", "https://receiver.example.com/old"), "generic_webhook", "slack", 1),
			nil, codes.ProviderUnknown, []string{"t.toml:3:"}},
		{"invalid name", entry("Bad_Name", "https://receiver.example.com/x", "[target.signing]", `secret_env = "A"`),
			map[string]Secret{"Bad_Name": {Value: secretA}}, codes.NameInvalid, []string{"t.toml:2:"}},
		{"unresolvable host", entry("n", "https://nowhere.example.com/x", "[target.signing]", `secret_env = "A"`),
			map[string]Secret{"n": {Value: secretA}}, codes.HostUnresolved, []string{"t.toml:4:"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			in := Input{Current: current, Specs: mustSpecs(t, c.src), Secrets: c.secrets, Defaults: defaults}
			p := MakePlan(context.Background(), in, testResolver)
			err := Error(p.Problems)
			if err == nil {
				t.Fatalf("no problem; plan %s", actions(p))
			}
			e := codesError(t, err)
			if !hasProblem(e, c.code, c.want...) {
				t.Fatalf("problems:\n%swant %s %q", reasons(e), c.code, c.want)
			}
			if codes.ExitCode(err) != codes.ExitBlocked {
				t.Fatalf("exit %d for %s", codes.ExitCode(err), e.Code)
			}
		})
	}
}

func TestMakePlanDefaultsAndSelfHosted(t *testing.T) {
	src := entry("n8n", "https://n8n.internal/webhook/x", `deployment_mode = "self-hosted"`,
		"[target.private_network]", `allowlist = ["10.20.0.0/16"]`, `authorized_by = "CAB-1"`,
		"[target.signing]", `secret_env = "A"`)
	in := Input{Specs: mustSpecs(t, src), Secrets: map[string]Secret{"n8n": {Value: secretA}}, Defaults: defaults}
	p := MakePlan(context.Background(), in, testResolver)
	if len(p.Problems) > 0 {
		t.Fatalf("problems: %+v", p.Problems)
	}
	if len(p.Changes) != 1 {
		t.Fatalf("plan = %s, want one change", actions(p))
	}
	// An allowlist without a policy means allowlist, as add --allow does.
	if got := p.Changes[0].Target.PrivateNetwork.Policy; got != core.PolicyAllowlist {
		t.Fatalf("policy = %q", got)
	}
	// The configured default mode fills a missing deployment_mode.
	in = Input{Specs: mustSpecs(t, entry("x", "https://n8n.internal/webhook/x", "[target.signing]", `secret_env = "A"`)),
		Secrets: map[string]Secret{"x": {Value: secretA}}, Defaults: Defaults{Mode: core.ModeSelfHosted, Policy: core.PolicyDeny}}
	p = MakePlan(context.Background(), in, testResolver)
	if len(p.Changes) != 1 {
		t.Fatalf("plan = %s, want one change (problems %+v)", actions(p), p.Problems)
	}
	if p.Changes[0].Target.DeploymentMode != core.ModeSelfHosted {
		t.Fatalf("mode = %q", p.Changes[0].Target.DeploymentMode)
	}
	if e := codesError(t, Error(p.Problems)); e.Code != codes.URLUnsafe && e.Code != codes.BaseURLBlocked && !strings.Contains(e.Reason, "10.20.1.5") {
		t.Fatalf("private address without allowlist: %s", reasons(e))
	}
}

func TestMakePlanChangedKeys(t *testing.T) {
	cur := stored("a", "https://receiver.example.com/a", secretA)
	cur.DeploymentMode = core.ModeSelfHosted
	cur.PrivateNetwork = core.PrivateNetwork{Policy: core.PolicyAllowlist, Allowlist: []string{"10.0.0.0/8"}, AuthorizedBy: "x"}
	cur.RateLimit = core.RateLimit{Requests: 5, PerSeconds: 1}
	src := `[[target]]
name = "a"
provider_key = "webhook"
deployment_mode = "self-hosted"
webhook_url = "https://receiver.example.com/b"
receiver_owner = "someone"
revoke_path = "elsewhere"
receiver_checks_confirmed = true
[target.private_network]
policy = "allowlist"
allowlist = ["10.1.0.0/16"]
authorized_by = "y"
`
	p := MakePlan(context.Background(), Input{Current: []core.Target{cur}, Specs: mustSpecs(t, src), Defaults: defaults}, testResolver)
	want := []string{"provider_key", "webhook_url", "receiver_owner", "revoke_path",
		"private_network.allowlist", "private_network.authorized_by", "rate_limit"}
	if len(p.Changes) != 1 {
		t.Fatalf("plan = %s, want one change (problems %+v)", actions(p), p.Problems)
	}
	if !reflect.DeepEqual(p.Changes[0].Changed, want) {
		t.Fatalf("changed = %v\nwant      %v", p.Changes[0].Changed, want)
	}
}

func TestMakePlanDoesNotChangeItsInputs(t *testing.T) {
	current := []core.Target{stored("a", "https://receiver.example.com/a", secretA)}
	current[0].PrivateNetwork.Allowlist = []string{"10.0.0.0/8"}
	specs := mustSpecs(t, goodTargets)
	before := []any{deepCopy(current), deepCopy(specs)}
	MakePlan(context.Background(), Input{Current: current, Specs: specs, Defaults: defaults, Prune: true,
		Secrets: map[string]Secret{"zap-tickets": {Value: secretA}}}, testResolver)
	if !reflect.DeepEqual(before, []any{current, specs}) {
		t.Fatal("MakePlan changed its inputs")
	}
}

func deepCopy[T any](v []T) []T {
	out := make([]T, len(v))
	copy(out, v)
	switch vv := any(out).(type) {
	case []core.Target:
		for i := range vv {
			vv[i].PrivateNetwork.Allowlist = append([]string(nil), vv[i].PrivateNetwork.Allowlist...)
			if vv[i].Signing != nil {
				s := *vv[i].Signing
				vv[i].Signing = &s
			}
		}
	}
	return out
}

func TestExportRoundTrip(t *testing.T) {
	targets := []core.Target{
		stored("plain", "https://receiver.example.com/p?token=a\"b", secretA),
		stored("limited", "https://hooks.zapier.com/hooks/catch/1/abc/", secretB),
	}
	targets[0].ReceiverOwner = "Ops \\ \"night\" shift\ttab"
	targets[1].ProviderKey = core.ProviderZapier
	targets[1].RateLimit = core.RateLimit{Requests: 10000, PerSeconds: 300}
	sh := stored("private", "https://n8n.internal/webhook/x", secretA)
	sh.DeploymentMode = core.ModeSelfHosted
	sh.PrivateNetwork = core.PrivateNetwork{Policy: core.PolicyAllowlist, Allowlist: []string{"10.20.0.0/16", "*.internal"}, AuthorizedBy: "CAB-1"}
	targets = append(targets, sh)

	// --reveal-url's form: the URLs inline (urlsource_test.go has the
	// placeholder form).
	out := Export(targets, ExportOptions{RevealURL: true})
	if strings.Contains(string(out), secretA) || strings.Contains(string(out), secretB) {
		t.Fatal("export holds a secret")
	}
	specs := mustSpecs(t, string(out))
	secrets := map[string]Secret{}
	for _, s := range specs {
		if s.SecretFile != SecretPlaceholder(s.Target.Name) {
			t.Fatalf("%s secret_file = %q", s.Target.Name, s.SecretFile)
		}
	}
	secrets["plain"], secrets["limited"], secrets["private"] = Secret{Value: secretA}, Secret{Value: secretB}, Secret{Value: secretA}
	// Defaults that differ from every target, to show export is explicit.
	p := MakePlan(context.Background(), Input{Current: targets, Specs: specs, Secrets: secrets,
		Defaults: Defaults{Mode: core.ModeWebhookOnly, Policy: core.PolicyAllowlist}, Prune: true}, nil)
	if p.Writes() || len(p.Problems) > 0 {
		t.Fatalf("round trip plan = %s, problems %+v\n%s", actions(p), p.Problems, out)
	}
	if again := Export(targets, ExportOptions{RevealURL: true}); string(again) != string(out) {
		t.Fatal("export is not deterministic")
	}
}

func TestQuote(t *testing.T) {
	for in, want := range map[string]string{
		"plain":     `"plain"`,
		`a"b\c`:     `"a\"b\\c"`,
		"tab\tnl\n": `"tab\tnl\n"`,
		"\x00\x1b":  `"\u0000\u001B"`,
		"é\xff":     "\"é\uFFFD\"",
		// Text that reorders, hides or controls what a terminal shows is
		// escaped too (C1 CSI, bidi override and isolate, zero-width
		// joiner, line separator), and still parses back exactly.
		"a\u009b2J\u202eb\u2066\u200d\u2028c": `"a\u009B2J\u202Eb\u2066\u200D\u2028c"`,
	} {
		if got := Quote(in); got != want {
			t.Errorf("Quote(%q) = %s, want %s", in, got, want)
		}
		if !utf8.ValidString(in) {
			continue
		}
		specs, err := ParseTargets([]byte("[[target]]\nname = \"x\"\nreceiver_owner = "+Quote(in)+"\n"), "q.toml")
		if err != nil || len(specs) != 1 || specs[0].Target.ReceiverOwner != in {
			t.Errorf("Quote(%q) does not parse back: %v %+v", in, err, specs)
		}
	}
}
