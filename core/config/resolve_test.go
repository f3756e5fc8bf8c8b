package config

import (
	"context"
	"slices"
	"strings"
	"testing"

	"github.com/webriskops/webhook-setup/core"
	"github.com/webriskops/webhook-setup/core/codes"
)

// resolve is read, judged like DNS answers (the resolver has no entry for
// the host: the override alone makes it pass), exported and read back
// unchanged, and removed by a file without the key.
func TestResolveKey(t *testing.T) {
	const url = "https://offline.example.net/hook"
	src := entry("off", url, `resolve = ["3.33.152.147", "::ffff:13.248.1.2", "3.33.152.147"]`, "[target.signing]", `secret_env = "A"`)
	specs := mustSpecs(t, src)
	if got, want := specs[0].Target.Resolve, []string{"3.33.152.147", "13.248.1.2"}; !slices.Equal(got, want) {
		t.Fatalf("resolve = %q, want %q (canonical, no duplicates)", got, want)
	}
	in := Input{Specs: specs, Defaults: defaults, Secrets: map[string]Secret{"off": {Value: secretA}}}
	p := MakePlan(context.Background(), in, testResolver)
	if len(p.Problems) > 0 || actions(p) != "create off" {
		t.Fatalf("plan = %s, problems %+v", actions(p), p.Problems)
	}
	if !slices.Equal(p.Changes[0].Addresses, []string{"3.33.152.147", "13.248.1.2"}) {
		t.Errorf("judged addresses = %q", p.Changes[0].Addresses)
	}

	saved := stored("off", url, secretA)
	saved.Resolve = p.Changes[0].Target.Resolve
	out := Export([]core.Target{saved}, ExportOptions{RevealURL: true})
	if !strings.Contains(string(out), `resolve = ["3.33.152.147", "13.248.1.2"]`) ||
		!strings.Contains(string(out), "# Instead of DNS, for offline.example.net:443") {
		t.Fatalf("export lacks the resolve key:\n%s", out)
	}
	again := MakePlan(context.Background(), Input{Current: []core.Target{saved}, Specs: mustSpecs(t, string(out)),
		Defaults: defaults, Secrets: map[string]Secret{"off": {Value: secretA}}}, testResolver)
	if actions(again) != "unchanged off" || len(again.Problems) > 0 {
		t.Fatalf("re-apply of the export = %s, %+v", actions(again), again.Problems)
	}

	// Without the key the override is removed; the endpoint is judged again
	// (DNS has no answer for the host, so the removal is refused here).
	without := MakePlan(context.Background(), Input{Current: []core.Target{saved}, Specs: mustSpecs(t, entry("off", url)),
		Defaults: defaults}, testResolver)
	if actions(without) != "update off (resolve)" {
		t.Fatalf("plan without the key = %s", actions(without))
	}
	if len(without.Problems) != 1 || without.Problems[0].Code != codes.HostUnresolved {
		t.Errorf("removal judged: %+v, want %s", without.Problems, codes.HostUnresolved)
	}
}

// A loopback or metadata address in resolve is refused at the key's line,
// as a DNS answer would be; a wrong type is a file problem.
func TestResolveKeyProblems(t *testing.T) {
	src := entry("off", "https://offline.example.net/hook", `resolve = ["169.254.169.254"]`, "[target.signing]", `secret_env = "A"`)
	p := MakePlan(context.Background(), Input{Specs: mustSpecs(t, src), Defaults: defaults,
		Secrets: map[string]Secret{"off": {Value: secretA}}}, testResolver)
	if len(p.Problems) != 1 || p.Problems[0].Code != codes.URLUnsafe || !strings.Contains(p.Problems[0].Reason, "169.254.169.254") {
		t.Fatalf("problems = %+v", p.Problems)
	}

	src = entry("off", "https://offline.example.net/hook", `resolve = ["offline.example.net"]`, "[target.signing]", `secret_env = "A"`)
	p = MakePlan(context.Background(), Input{Specs: mustSpecs(t, src), Defaults: defaults,
		Secrets: map[string]Secret{"off": {Value: secretA}}}, testResolver)
	if len(p.Problems) != 1 || p.Problems[0].Code != codes.ResolveInvalid || p.Problems[0].Line != 8 {
		t.Fatalf("problems = %+v, want %s on line 8", p.Problems, codes.ResolveInvalid)
	}

	_, err := ParseTargets([]byte(entry("off", "https://offline.example.net/hook", `resolve = "3.33.152.147"`)), "t.toml")
	if e := codesError(t, err); !hasProblem(e, codes.ConfigInvalid, "resolve must be an array") || !strings.Contains(err.Error(), "t.toml:8") {
		t.Errorf("a string resolve: %v\n%s", err, reasons(e))
	}
}
