package e2e

import (
	"strings"
	"testing"
)

// A host that does not resolve has one code, generic_webhook_host_unresolved
// (exit 3), in check-url and in test-send and export of a saved target
// (was url_unsafe in check-url and WEBHOOK_DELIVERY_FAILED at send
// time); a --resolve entry for another port is named. The host is a
// .invalid name, so nothing can leave this machine.
func TestHostUnresolvedOneCode(t *testing.T) {
	h := newHome(t)
	const url = "https://hooks.example.invalid/hook"
	const code = "generic_webhook_host_unresolved"

	r := h.run("", nil, "check-url", url)
	if r.code != 3 || !strings.Contains(r.stdout+r.stderr, code) || !strings.Contains(r.stdout+r.stderr, "hooks.example.invalid") {
		t.Fatalf("check-url of a host that does not resolve: %s", r)
	}
	r = h.run("", nil, "check-url", url, "--resolve", "hooks.example.invalid:8443:93.184.216.34", "--json")
	if r.code != 3 || !strings.Contains(r.stdout, code) ||
		!strings.Contains(r.stdout, "--resolve has hooks.example.invalid:8443, the URL uses port 443") {
		t.Fatalf("check-url with --resolve for another port: %s", r)
	}

	sf := h.writeFile("secret-gone", knownSecret+"\n")
	h.ok("add", "gone", "--provider", "generic_webhook", "--mode", "cloud", "--url", url, "--secret-file", sf,
		"--owner", "ops@example.com", "--revoke-path", "Internal > receivers > hook", "--confirm-receiver-checks",
		"--resolve", "hooks.example.invalid:443:93.184.216.34")
	r = h.run("", nil, "test-send", "gone")
	if r.code != 3 || !strings.Contains(r.stdout+r.stderr, code) || strings.Contains(r.stdout+r.stderr, "WEBHOOK_DELIVERY_FAILED") {
		t.Fatalf("test-send of a target whose host does not resolve: %s", r)
	}
	r = h.run("", nil, "export", "gone", "--ticket", h.tickets("one.ndjson", 1), "--wait", "0")
	if r.code != 3 || !strings.Contains(r.stdout+r.stderr, code) || !strings.Contains(r.stdout+r.stderr, "Nothing was queued") {
		t.Fatalf("export of a target whose host does not resolve: %s", r)
	}
}
