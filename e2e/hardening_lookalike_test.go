package e2e

import (
	"strings"
	"testing"
)

// TestLookAlikeHostRefusedUnlessConfirmed (issue 15, finding 9):
// hooks.zаpier.com (Cyrillic а) was saved with a warning shown once, and
// list, show and status then showed the look-alike as ready. It is now
// refused (exit 3, generic_webhook_host_lookalike, nothing written) by
// add, check-url, test-send --url and apply unless confirmed, and a
// confirmed target carries the warning in list, show and status, human
// and --json, and in export-config as allow_confusable_host = true.
func TestLookAlikeHostRefusedUnlessConfirmed(t *testing.T) {
	const (
		url     = "https://hooks.z\u0430pier.com/hooks/catch/123456/tok3nabcdefgh/"
		resolve = "hooks.xn--zpier-4ve.com:443:3.33.152.147"
		code    = "generic_webhook_host_lookalike"
	)
	h := newHome(t)
	h.addZapier("zap") // a plain target, so the store exists
	before := h.dump()
	sf := h.writeFile("secret-la", knownSecret+"\n")
	add := []string{"add", "--name", "lookalike", "--provider", "zapier_webhook", "--url", url, "--secret-file", sf,
		"--owner", "ops", "--revoke-path", "Zapier > Zaps", "--confirm-receiver-checks", "--resolve", resolve}
	refused := func(what string, r result) {
		t.Helper()
		if r.code != 3 || !strings.Contains(r.stdout+r.stderr, code) || !strings.Contains(r.stdout+r.stderr, "hooks.zapier.com") {
			t.Fatalf("%s: want exit 3 with %s naming what it looks like:\n%s", what, code, r)
		}
	}
	refused("add", h.run("", nil, add...))
	refused("add --json", h.run("", nil, append(add, "--json")...))
	refused("check-url", h.run("", nil, "check-url", url, "--resolve", resolve))
	refused("test-send --url", h.run("", nil, "test-send", "--url", url, "--secret-file", sf, "--dry-run"))
	toml := h.writeFile("la.toml", zapTOML("lookalike", url, "ops")+"[target.signing]\nsecret_file = \""+sf+"\"\n")
	refused("apply", h.run("", nil, "apply", "-f", toml, "--resolve", resolve))
	if h.dump() != before {
		t.Fatal("a refused look-alike changed the store")
	}

	h.ok("check-url", url, "--resolve", resolve, "--allow-confusable-host")
	h.ok(append(add, "--allow-confusable-host")...)
	for _, args := range [][]string{{"list"}, {"list", "--json"}, {"show", "lookalike"}, {"show", "lookalike", "--json"},
		{"status"}, {"status", "--json"}} {
		out := h.ok(args...).stdout
		if !strings.Contains(out, "look-alike host") {
			t.Fatalf("%v does not show the look-alike warning:\n%s", args, out)
		}
		if strings.Contains(out, "tok3nabcdefgh") {
			t.Fatalf("%v shows the URL token", args)
		}
	}
	if out := h.ok("show", "zap").stdout; strings.Contains(out, "look-alike") {
		t.Fatalf("a plain host is marked:\n%s", out)
	}
	exported := h.ok("export-config").stdout
	if !strings.Contains(exported, "allow_confusable_host = true") {
		t.Fatalf("export-config lacks the confirmation:\n%s", exported)
	}
	// The confirmed file applies.
	toml = h.writeFile("la2.toml", zapTOML("lookalike2", url, "ops")+"allow_confusable_host = true\n[target.signing]\nsecret_file = \""+sf+"\"\n")
	h.ok("apply", "-f", toml, "--resolve", resolve)
}
