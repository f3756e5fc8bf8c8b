package e2e

import (
	"encoding/json"
	"strings"
	"testing"
)

// TestAddBadInputs: every bad input exits non-zero with its code and a fix,
// and leaves the database exactly as it was.
func TestAddBadInputs(t *testing.T) {
	h := newHome(t)
	h.addZapier("existing")
	good := h.writeFile("good-secret", knownSecret+"\n")
	weak := h.writeFile("weak-secret", "short\n")
	spaced := h.writeFile("spaced-secret", "this secret has spaces in it and is long enough\n")
	base := func(over map[string]string, drop ...string) []string {
		flags := map[string]string{
			"--name": "new-target", "--provider": "zapier_webhook", "--mode": "cloud", "--url": zapierURL,
			"--secret-file": good, "--owner": "ops", "--revoke-path": "Zapier settings", "--resolve": zapierResolve,
		}
		for k, v := range over {
			flags[k] = v
		}
		for _, d := range drop {
			delete(flags, d)
		}
		args := []string{"add", "--confirm-receiver-checks"}
		for k, v := range flags {
			args = append(args, k, v)
		}
		return args
	}
	cases := []struct {
		name string
		args []string
		exit int
		code string
	}{
		{"loopback url", base(map[string]string{"--url": "https://127.0.0.1/hook"}), 3, "generic_webhook_url_unsafe"},
		{"http url", base(map[string]string{"--url": "http://hooks.zapier.com/hooks/catch/1/abc/"}), 3, "generic_webhook_url_unsafe"},
		{"credentials in url", base(map[string]string{"--url": "https://user:pw@hooks.zapier.com/x"}), 3, "generic_webhook_url_unsafe"},
		{"metadata host", base(map[string]string{"--url": "https://metadata.google.internal/x"}), 3, "generic_webhook_url_unsafe"},
		{"resolves private", base(map[string]string{"--resolve": "hooks.zapier.com:443:10.0.0.5"}), 3, "generic_webhook_url_unsafe"},
		{"unknown provider", base(map[string]string{"--provider": "slack"}), 3, "generic_webhook_provider_unknown"},
		{"unknown mode", base(map[string]string{"--mode": "on-prem"}), 3, "generic_webhook_mode_unknown"},
		{"missing secret", base(nil, "--secret-file"), 3, "generic_webhook_secret_missing"},
		{"weak secret", base(map[string]string{"--secret-file": weak}), 3, "generic_webhook_secret_weak"},
		{"secret with spaces", base(map[string]string{"--secret-file": spaced}), 3, "generic_webhook_secret_weak"},
		{"unreadable secret file", base(map[string]string{"--secret-file": h.dir + "/nope"}), 3, "generic_webhook_secret_missing"},
		{"allowlist in cloud", append(base(nil), "--private-network-policy", "allowlist", "--allow", "10.0.0.0/8", "--authorized-by", "cab"), 3, "generic_webhook_private_network_invalid"},
		{"duplicate name", base(map[string]string{"--name": "existing"}), 3, "generic_webhook_name_taken"},
		{"bad name", base(map[string]string{"--name": "Bad_Name"}), 3, "generic_webhook_name_invalid"},
		{"no revoke path", base(nil, "--revoke-path"), 3, "generic_webhook_revoke_path_missing"},
		{"unknown flag", append(base(nil), "--bogus"), 2, "generic_webhook_usage"},
		{"secret as two sources", append(base(nil), "--secret-env", "X"), 2, "generic_webhook_usage"},
		{"bad rate limit", append(base(nil), "--rate-limit", "lots"), 2, "generic_webhook_usage"},
	}
	before := h.dump()
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := h.run("", nil, c.args...)
			if r.code != c.exit {
				t.Fatalf("exit %d, want %d\n%s", r.code, c.exit, r)
			}
			if !strings.Contains(r.stderr, "error: "+c.code) || !strings.Contains(r.stderr, "fix: ") {
				t.Fatalf("stderr lacks code %s and fix:\n%s", c.code, r)
			}
			if after := h.dump(); after != before {
				t.Fatalf("database changed:\nbefore %s\nafter %s", before, after)
			}
			// The same refusal in --json form, on stdout.
			r = h.run("", nil, append(c.args, "--json")...)
			var e struct {
				Error struct{ Code, Reason, Fix string }
			}
			if err := json.Unmarshal([]byte(r.stdout), &e); err != nil || e.Error.Code == "" || e.Error.Fix == "" {
				t.Fatalf("--json error: %v\n%s", err, r)
			}
		})
	}
}

// TestBadInputOnFreshHomeCreatesNothing: a refused add on a new machine does
// not even create the database.
func TestBadInputOnFreshHomeCreatesNothing(t *testing.T) {
	h := newHome(t)
	r := h.run("", nil, "add", "--name", "x", "--provider", "webhook", "--url", "https://10.1.1.1/", "--generate-secret",
		"--owner", "o", "--revoke-path", "p", "--confirm-receiver-checks")
	if r.code != 3 || h.dump() != "no database" {
		t.Fatalf("%s\n%s", r, h.dump())
	}
}

// TestAllProblemsAtOnce: add reports every problem, not just the first.
func TestAllProblemsAtOnce(t *testing.T) {
	h := newHome(t)
	r := h.run("", nil, "add", "--name", "BAD", "--provider", "nope", "--url", "http://x", "--json")
	var e struct {
		Error struct {
			Problems []struct{ Code, Field string }
		}
	}
	mustJSON(t, r.stdout, &e)
	got := map[string]bool{}
	for _, p := range e.Error.Problems {
		got[p.Code] = true
	}
	for _, want := range []string{"generic_webhook_name_invalid", "generic_webhook_provider_unknown", "generic_webhook_url_unsafe",
		"generic_webhook_secret_missing", "generic_webhook_receiver_checks_unconfirmed", "generic_webhook_revoke_path_missing",
		"generic_webhook_receiver_owner_missing"} {
		if !got[want] {
			t.Errorf("missing %s in %v", want, e.Error.Problems)
		}
	}
	if r.code != 3 {
		t.Fatalf("exit %d", r.code)
	}
}
