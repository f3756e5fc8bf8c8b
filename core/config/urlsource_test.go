package config

import (
	"context"
	"strings"
	"testing"

	"github.com/webriskops/webhook-setup/core"
	"github.com/webriskops/webhook-setup/core/codes"
)

// hookToken is the credential part of the URLs these tests use.
const hookToken = "t0kenXYZsecretpart"

// sourced is a [[target]] like entry() whose URL comes from key = value
// instead of webhook_url.
func sourced(name, key, value string, extra ...string) string {
	return `[[target]]
name = "` + name + `"
provider_key = "generic_webhook"
` + key + ` = "` + value + `"
receiver_owner = "ops"
revoke_path = "portal"
receiver_checks_confirmed = true
` + strings.Join(extra, "\n") + "\n"
}

func TestParseTargetsURLSources(t *testing.T) {
	specs := mustSpecs(t, sourced("f", "webhook_url_file", "secrets/f.url")+sourced("e", "webhook_url_env", "E_URL"))
	if len(specs) != 2 {
		t.Fatalf("%d specs, want 2: %+v", len(specs), specs)
	}
	f, e := specs[0], specs[1]
	if f.URLFile != "secrets/f.url" || f.URLEnv != "" || f.Target.BaseURL != "" || f.URLKey() != "webhook_url_file" || !f.URLSourced() {
		t.Errorf("file spec = %+v", f)
	}
	if e.URLEnv != "E_URL" || e.URLFile != "" || e.URLKey() != "webhook_url_env" {
		t.Errorf("env spec = %+v", e)
	}
	// A problem on webhook_url is reported on the line of its source.
	if f.LineOf("webhook_url") != 4 || e.LineOf("webhook_url") != 12 {
		t.Errorf("lines of webhook_url: %d, %d", f.LineOf("webhook_url"), e.LineOf("webhook_url"))
	}
	plains := mustSpecs(t, entry("p", "https://receiver.example.com/p"))
	if len(plains) != 1 {
		t.Fatalf("%d specs, want 1: %+v", len(plains), plains)
	}
	if plain := plains[0]; plain.URLSourced() || plain.URLKey() != "webhook_url" {
		t.Errorf("plain spec = %+v", plain)
	}
}

func TestParseTargetsURLSourcesRefused(t *testing.T) {
	cases := []struct {
		name, src string
		want      []string
	}{
		{"url and file", sourced("a", "webhook_url_file", "a.url", `webhook_url = "https://x.example/`+hookToken+`"`),
			[]string{"t.toml:8:", `target "a"`, "given 2 ways (webhook_url_file, webhook_url)"}},
		{"file and env", sourced("a", "webhook_url_env", "A", `webhook_url_file = "a.url"`),
			[]string{"t.toml:8:", "given 2 ways (webhook_url_env, webhook_url_file)"}},
		{"all three", sourced("a", "webhook_url_env", "A", `webhook_url_file = "a.url"`, `webhook_url = "https://x.example/"`),
			[]string{"t.toml:8:", "given 3 ways"}},
		{"inline table", `target = [{ name = "a", webhook_url_file = "a.url", webhook_url_env = "A" }]`,
			[]string{"t.toml:1:", "given 2 ways"}},
		{"empty file", sourced("a", "webhook_url_file", ""), []string{"t.toml:4:", "webhook_url_file is empty"}},
		{"empty env", sourced("a", "webhook_url_env", ""), []string{"t.toml:4:", "webhook_url_env is empty"}},
		{"file not a string", "[[target]]\nname = \"a\"\nwebhook_url_file = 3\n", []string{"t.toml:3:", "webhook_url_file must be a string, not an integer"}},
		{"env in signing", "[[target]]\nname = \"a\"\n[target.signing]\nwebhook_url_env = \"A\"\n", []string{"t.toml:4:", `unknown key "signing.webhook_url_env"`}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := ParseTargets([]byte(c.src), "t.toml")
			if err == nil {
				t.Fatal("accepted")
			}
			e := codesError(t, err)
			if e.Code != codes.ConfigInvalid || codes.ExitCode(err) != codes.ExitUsage || !hasProblem(e, codes.ConfigInvalid, c.want...) {
				t.Fatalf("got %s\n%s, want %q", e.Code, reasons(e), c.want)
			}
			if strings.Contains(reasons(e), hookToken) {
				t.Fatalf("a problem repeats the URL:\n%s", reasons(e))
			}
		})
	}
}

func TestMakePlanSourcedURL(t *testing.T) {
	url := "https://receiver.example.com/hooks/" + hookToken
	current := []core.Target{stored("same", url, secretA), stored("moved", url, secretA)}
	src := specFile(
		sourced("same", "webhook_url_file", "secrets/same.url"),
		sourced("moved", "webhook_url_env", "MOVED_URL"),
		sourced("fresh", "webhook_url_file", "secrets/fresh.url", "[target.signing]", `secret_env = "A"`),
	)
	in := Input{Current: current, Specs: mustSpecs(t, src), Defaults: defaults,
		Secrets: map[string]Secret{"fresh": {Value: secretA}},
		URLs: map[string]SourcedURL{
			"same":  {Value: url},
			"moved": {Value: "https://receiver.example.com/hooks/new-" + hookToken},
			"fresh": {Value: url},
		}}
	p := MakePlan(context.Background(), in, testResolver)
	if len(p.Problems) > 0 {
		t.Fatalf("problems: %+v", p.Problems)
	}
	if got := actions(p); got != "unchanged same; update moved (webhook_url); create fresh" {
		t.Fatalf("plan = %s", got)
	}
	if p.Changes[1].Target.BaseURL != in.URLs["moved"].Value || p.Changes[2].Target.BaseURL != url {
		t.Errorf("the sourced URLs are not what is saved: %+v", p.Changes)
	}

	// The URL read from its source is checked as webhook_url is, on the
	// source's line.
	in.URLs["moved"] = SourcedURL{Value: "https://127.0.0.1/hooks/" + hookToken}
	p = MakePlan(context.Background(), in, testResolver)
	if len(p.Problems) != 1 || p.Problems[0].Code != codes.URLUnsafe || p.Problems[0].Line != 13 || p.Problems[0].Field != "webhook_url" {
		t.Fatalf("unsafe sourced URL: %+v", p.Problems)
	}
	if strings.Contains(p.Problems[0].Reason, hookToken) {
		t.Fatalf("the problem repeats the URL: %s", p.Problems[0].Reason)
	}
}

func TestMakePlanSourcedURLNotRead(t *testing.T) {
	url := "https://receiver.example.com/hooks/" + hookToken
	current := []core.Target{stored("old", url, secretA)}
	src := specFile(
		sourced("old", "webhook_url_file", "secrets/old.url"),
		sourced("fresh", "webhook_url_env", "FRESH_URL", "[target.signing]", `secret_env = "A"`),
		sourced("unread", "webhook_url_file", "secrets/unread.url", "[target.signing]", `secret_env = "A"`),
	)
	missing := codes.NewProblem(codes.URLMissing, "", "cannot read the URL file secrets/old.url: no such file or directory")
	exposed := codes.NewProblem(codes.FileExposed, "", "the variable is empty")
	in := Input{Current: current, Specs: mustSpecs(t, src), Defaults: defaults,
		Secrets: map[string]Secret{"fresh": {Value: secretA}, "unread": {Value: secretA}},
		URLs:    map[string]SourcedURL{"old": {Problem: &missing}, "fresh": {Problem: &exposed}}}
	p := MakePlan(context.Background(), in, testResolver)
	// One problem each, with its own code, on its source's line; no
	// follow-on problem about a missing URL, and no URL check.
	want := []struct {
		code  codes.Code
		line  int
		field string
	}{{codes.URLMissing, 4, "webhook_url_file"}, {codes.FileExposed, 13, "webhook_url_env"}, {codes.URLMissing, 23, "webhook_url_file"}}
	if len(p.Problems) != len(want) {
		t.Fatalf("problems: %+v", p.Problems)
	}
	for i, w := range want {
		if got := p.Problems[i]; got.Code != w.code || got.Line != w.line || got.Field != w.field {
			t.Errorf("problem %d = %+v, want %+v", i, got, w)
		}
	}
	// The target whose URL was not read plans no URL change.
	if len(p.Changes) == 0 {
		t.Fatalf("plan = %s, want a change for the target whose URL was not read", actions(p))
	}
	if c := p.Changes[0]; c.Action != Update || len(c.Changed) != 0 {
		t.Errorf("old = %+v", c)
	}
	if err := Error(p.Problems); codes.ExitCode(err) != codes.ExitBlocked {
		t.Errorf("exit %d", codes.ExitCode(err))
	}
}

func TestExportURLPlaceholders(t *testing.T) {
	targets := []core.Target{
		stored("zap", "https://hooks.zapier.com/hooks/catch/123456/"+hookToken+"/", secretA),
		stored("written", "https://receiver.example.com/x?token="+hookToken, secretB),
	}
	targets[0].ProviderKey = core.ProviderZapier
	out := Export(targets, ExportOptions{URLFiles: map[string]string{"written": "../urls/written.url"}})
	text := string(out)
	if strings.Contains(text, hookToken) || strings.Contains(text, "webhook_url =") {
		t.Fatalf("the export holds a URL:\n%s", text)
	}
	for _, s := range []string{
		`webhook_url_file = "secrets/zap.url"`,
		"# Placeholder: put the webhook URL (https://hooks.zapier.com/hooks/catch/123456/…/) in this file.",
		`webhook_url_file = "../urls/written.url"`,
		"# The webhook URL (https://receiver.example.com/x?token=…) is in this file.",
	} {
		if !strings.Contains(text, s) {
			t.Errorf("export lacks %q:\n%s", s, text)
		}
	}
	specs := mustSpecs(t, text)
	urls := map[string]SourcedURL{}
	for i, s := range specs {
		if s.URLFile == "" || s.Target.BaseURL != "" {
			t.Fatalf("spec %+v", s)
		}
		urls[s.Target.Name] = SourcedURL{Value: targets[i].BaseURL}
	}
	p := MakePlan(context.Background(), Input{Current: targets, Specs: specs, URLs: urls,
		Secrets: map[string]Secret{"zap": {Value: secretA}, "written": {Value: secretB}}, Defaults: defaults}, nil)
	if p.Writes() || len(p.Problems) > 0 {
		t.Fatalf("round trip = %s, %+v", actions(p), p.Problems)
	}
	if again := Export(targets, ExportOptions{URLFiles: map[string]string{"written": "../urls/written.url"}}); string(again) != text {
		t.Fatal("export is not deterministic")
	}
}

// TestExportURLCommentStaysAComment: a stored URL that holds a line break
// or control characters cannot end the comment and add keys to the file.
func TestExportURLCommentStaysAComment(t *testing.T) {
	tg := stored("odd", "https://receiver.example.com/a\nwebhook_url = \"https://evil.example/\"\x1b[2J", secretA)
	specs := mustSpecs(t, string(Export([]core.Target{tg}, ExportOptions{})))
	if len(specs) != 1 || specs[0].URLFile != "secrets/odd.url" || specs[0].Target.BaseURL != "" {
		t.Fatalf("specs = %+v", specs)
	}
}
