package e2e

import (
	"fmt"
	"strings"
	"testing"
)

// TestInputBounds (issue 15, finding 10): --authorized-by was unbounded
// (130 KB stored and printed), a 130 KB --name was echoed whole in the
// error, and a targets file with 200,000 unknown keys produced 57 MB of
// errors. Through the binary: each is refused with its code, the output
// stays small, and nothing changes on disk.
func TestInputBounds(t *testing.T) {
	h := newHome(t)
	h.addZapier("zap")
	before := h.dump()
	huge := strings.Repeat("A", 130_000)
	sf := h.writeFile("secret-n8n", knownSecret+"\n")
	add := func(name, authorizedBy string, extra ...string) []string {
		return append([]string{"add", "--name", name, "--provider", "n8n_webhook", "--mode", "self-hosted",
			"--url", "https://n8n.corp.example/webhook/intake", "--secret-file", sf, "--owner", "ops",
			"--revoke-path", "n8n > Workflows", "--confirm-receiver-checks", "--private-network-policy", "allowlist",
			"--allow", "10.20.0.0/16", "--authorized-by", authorizedBy, "--resolve", "n8n.corp.example:443:10.20.1.7"}, extra...)
	}
	for _, tt := range []struct {
		what string
		args []string
		code string
	}{
		{"130 KB authorized_by", add("n8n-prod", huge), "generic_webhook_text_too_long"},
		{"130 KB authorized_by --json", add("n8n-prod", huge, "--json"), "generic_webhook_text_too_long"},
		{"130 KB name", add(huge, "CAB-1234"), "generic_webhook_name_invalid"},
		{"130 KB name --json", add(huge, "CAB-1234", "--json"), "generic_webhook_name_invalid"},
		{"130 KB owner", append(add("n8n-prod", "CAB-1234"), "--owner", huge), "generic_webhook_text_too_long"},
		{"show of a 130 KB name", []string{"show", huge}, "generic_webhook_target_not_found"},
		{"check-url of a 120 KB URL", []string{"check-url", "https://x.example/" + strings.Repeat("a/", 60_000)}, "generic_webhook_url_unsafe"},
		{"check-url --json of a 120 KB URL", []string{"check-url", "--json", "https://x.example/" + strings.Repeat("a/", 60_000)}, "generic_webhook_url_unsafe"},
	} {
		r := h.run("", nil, tt.args...)
		out := r.stdout + r.stderr
		if r.code == 0 || !strings.Contains(out, tt.code) {
			t.Fatalf("%s: exit %d, want %s:\n%.2000s", tt.what, r.code, tt.code, out)
		}
		if len(out) > 4000 || strings.Contains(out, strings.Repeat("A", 200)) {
			t.Fatalf("%s: %d bytes of output, or the input echoed whole:\n%.600s", tt.what, len(out), out)
		}
	}

	// 200,000 unknown keys in a targets file: a short error.
	var b strings.Builder
	b.WriteString(zapTOML("zap", zapierURL, "ops@example.com"))
	for i := range 200_000 {
		fmt.Fprintf(&b, "k%06d = 1\n", i)
	}
	f := h.writeFile("many.toml", b.String())
	for _, json := range [][]string{nil, {"--json"}} {
		r := h.run("", nil, append([]string{"apply", "-f", f, "--resolve", zapierResolve}, json...)...)
		out := r.stdout + r.stderr
		if r.code == 0 || !strings.Contains(out, "generic_webhook_config_invalid") || !strings.Contains(out, "more problems") {
			t.Fatalf("apply of 200,000 unknown keys: exit %d:\n%.2000s", r.code, out)
		}
		if len(out) > 20_000 {
			t.Fatalf("apply of 200,000 unknown keys printed %d bytes", len(out))
		}
	}
	if h.dump() != before {
		t.Fatal("a refused command changed the store")
	}
}
