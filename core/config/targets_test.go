package config

import (
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/webriskops/webhook-setup/core"
	"github.com/webriskops/webhook-setup/core/codes"
)

const goodTargets = `# two targets
[[target]]
name = "zap-tickets"
provider_key = "zapier_webhook"
deployment_mode = "cloud"
webhook_url = "https://hooks.zapier.com/hooks/catch/123456/abcdefgh/"
receiver_owner = "ops@example.com"
revoke_path = "Zapier > Zaps > Ticket intake"
receiver_checks_confirmed = true
rate_limit = "300/10s"

[target.signing]
secret_file = "secrets/zap.secret"

[[target]]
name = "n8n-prod"
provider_key = "n8n_webhook"
deployment_mode = "self-hosted"
webhook_url = "https://n8n.internal/webhook/tickets"
receiver_owner = "platform team"
revoke_path = "n8n > Workflows > Tickets"
receiver_checks_confirmed = true

[target.private_network]
policy = "allowlist"
allowlist = ["10.20.0.0/16"]
authorized_by = "CAB-1234"

[target.signing]
secret_env = "N8N_SECRET"
grace = "1h"
`

func TestParseTargets(t *testing.T) {
	specs, err := ParseTargets([]byte(goodTargets), "targets.toml")
	if err != nil {
		t.Fatal(err)
	}
	if len(specs) != 2 {
		t.Fatalf("specs = %+v", specs)
	}
	zap, n8n := specs[0], specs[1]
	want := core.Target{Name: "zap-tickets", ProviderKey: core.ProviderZapier, DeploymentMode: core.ModeCloud,
		BaseURL: "https://hooks.zapier.com/hooks/catch/123456/abcdefgh/", ReceiverOwner: "ops@example.com",
		RevokePath: "Zapier > Zaps > Ticket intake", ReceiverChecksConfirmed: true,
		RateLimit: core.RateLimit{Requests: 300, PerSeconds: 10}}
	if !reflect.DeepEqual(zap.Target, want) {
		t.Errorf("zap target = %+v\nwant %+v", zap.Target, want)
	}
	if zap.SecretFile != "secrets/zap.secret" || zap.SecretEnv != "" || zap.Grace != DefaultGrace || zap.Line != 2 || zap.File != "targets.toml" {
		t.Errorf("zap spec = %+v", zap)
	}
	if zap.LineOf("webhook_url") != 6 || zap.LineOf("signing.secret_file") != 13 || zap.LineOf("private_network.policy") != 2 {
		t.Errorf("zap lines: %v", zap.lines)
	}
	if zap.Has("private_network.policy") || !zap.Has("deployment_mode") {
		t.Errorf("Has: %v", zap.lines)
	}
	pn := n8n.Target.PrivateNetwork
	if pn.Policy != core.PolicyAllowlist || !reflect.DeepEqual(pn.Allowlist, []string{"10.20.0.0/16"}) || pn.AuthorizedBy != "CAB-1234" {
		t.Errorf("n8n private network = %+v", pn)
	}
	if n8n.SecretEnv != "N8N_SECRET" || n8n.Grace != time.Hour || n8n.SecretKey() != "signing.secret_env" || n8n.Line != 15 {
		t.Errorf("n8n spec = %+v", n8n)
	}
}

func TestParseTargetsInlineTablesAndEmptyFile(t *testing.T) {
	src := `target = [
  { name = "a", provider_key = "webhook", signing = { secret_env = "A" } },
  { name = "b", private_network = { allowlist = [] } },
]`
	specs, err := ParseTargets([]byte(src), "t.toml")
	if err != nil {
		t.Fatal(err)
	}
	if len(specs) != 2 || specs[0].SecretEnv != "A" || specs[1].Line != 3 || specs[1].Target.PrivateNetwork.Allowlist == nil {
		t.Fatalf("specs = %+v", specs)
	}
	specs, err = ParseTargets([]byte("# nothing yet\n"), "t.toml")
	if err != nil || len(specs) != 0 {
		t.Fatalf("empty file: %v %v", specs, err)
	}
}

func TestParseTargetsRefuses(t *testing.T) {
	head := "[[target]]\nname = \"a\"\n"
	cases := []struct {
		name, src string
		want      []string // substrings of one problem's reason
	}{
		{"unknown key", head + "colour = \"red\"\n", []string{"t.toml:3:", `target "a"`, `unknown key "colour"`}},
		{"base_url is not a key", head + "base_url = \"https://x.example/\"\n", []string{"t.toml:3:", `unknown key "base_url"`}},
		{"unknown signing key", head + "[target.signing]\nsecret_path = \"x\"\n", []string{"t.toml:4:", `"signing.secret_path"`}},
		{"unknown top-level key", "version = 1\n" + head, []string{"t.toml:1:", `unknown key "version"`}},
		{"wrong type bool", head + "receiver_checks_confirmed = \"yes\"\n", []string{"t.toml:3:", "receiver_checks_confirmed must be true or false, not a string"}},
		{"wrong type string", head + "webhook_url = 42\n", []string{"t.toml:3:", "webhook_url must be a string, not an integer"}},
		{"allowlist not an array", head + "[target.private_network]\nallowlist = \"10.0.0.0/8\"\n", []string{"t.toml:4:", "allowlist must be an array"}},
		{"allowlist entry not a string", head + "[target.private_network]\nallowlist = [\"10.0.0.0/8\", 7]\n", []string{"t.toml:4:", "allowlist[1] must be a string"}},
		{"signing not a table", head + "signing = \"file\"\n", []string{"t.toml:3:", "signing must be a table"}},
		{"target not an array", "[target]\nname = \"a\"\n", []string{"t.toml:1:", "array of tables"}},
		{"duplicate names", head + "[[target]]\nname = \"a\"\n", []string{"t.toml:4:", "also used by the target on line 1"}},
		{"no name", "[[target]]\nprovider_key = \"webhook\"\n", []string{"t.toml:1:", "no name"}},
		{"empty name", "[[target]]\nname = \"\"\n", []string{"t.toml:2:", "no name"}},
		{"literal secret in signing", head + "[target.signing]\nsecret = \"hunter2hunter2hunter2hunter2hunter2\"\n", []string{"t.toml:4:", "literal secret (signing.secret)"}},
		{"literal signing_secret", head + "signing_secret = \"hunter2hunter2hunter2hunter2hunter2\"\n", []string{"t.toml:3:", "literal secret (signing_secret)"}},
		{"literal webhook_secret", head + "webhook_secret = \"hunter2hunter2hunter2hunter2hunter2\"\n", []string{"t.toml:3:", "literal secret (webhook_secret)"}},
		{"literal secret nested", head + "[target.private_network]\nsecret = \"x\"\n", []string{"t.toml:4:", "literal secret (private_network.secret)"}},
		{"literal secret in an array of tables", head + "extra = [{ webhook_secret = \"x\" }]\n", []string{"t.toml:3:", "literal secret (extra[0].webhook_secret)"}},
		{"literal secret in [[target.x]]", head + "[[target.x]]\nsecret = \"x\"\n", []string{"t.toml:4:", "literal secret (x[0].secret)"}},
		{"literal secret at top", "secret = \"x\"\n", []string{"t.toml:1:", "literal secret (secret)"}},
		{"both secret sources", head + "[target.signing]\nsecret_file = \"f\"\nsecret_env = \"E\"\n", []string{"t.toml:3:", "not both"}},
		{"bad rate limit", head + "rate_limit = \"lots\"\n", []string{"t.toml:3:", "rate_limit"}},
		{"bad grace", head + "[target.signing]\ngrace = \"forever\"\n", []string{"t.toml:4:", "signing.grace"}},
		{"negative grace", head + "[target.signing]\ngrace = \"-1h\"\n", []string{"t.toml:4:", "signing.grace"}},
		{"syntax error", head + "webhook_url = \"https://x\n", []string{"t.toml:3:", "not valid TOML"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			specs, err := ParseTargets([]byte(c.src), "t.toml")
			if err == nil {
				t.Fatalf("accepted: %+v", specs)
			}
			e := codesError(t, err)
			if e.Code != codes.ConfigInvalid || codes.ExitCode(err) != codes.ExitUsage || !hasProblem(e, codes.ConfigInvalid, c.want...) {
				t.Fatalf("got %s\n%s, want %q", e.Code, reasons(e), c.want)
			}
			if strings.Contains(reasons(e), "hunter2") {
				t.Fatalf("a problem repeats the literal secret:\n%s", reasons(e))
			}
		})
	}
}

func TestParseTargetsListsEveryProblemInLineOrder(t *testing.T) {
	src := "[[target]]\nname = \"a\"\nwat = 1\n[[target]]\nname = \"b\"\nreceiver_checks_confirmed = 1\n[target.signing]\nsecret = \"s\"\n"
	_, err := ParseTargets([]byte(src), "t.toml")
	e := codesError(t, err)
	if len(e.Problems) != 3 {
		t.Fatalf("problems:\n%s", reasons(e))
	}
	for i, at := range []string{"t.toml:3:", "t.toml:6:", "t.toml:8:"} {
		if !strings.HasPrefix(e.Problems[i].Reason, at) {
			t.Errorf("problem %d = %q, want it at %s", i, e.Problems[i].Reason, at)
		}
	}
}
