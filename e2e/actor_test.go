package e2e

import (
	"strings"
	"testing"
)

// TestAuditActorFromOS: the audit actor comes from the OS, so setting
// USER cannot make an event name another account; SSH_CONNECTION's client
// address is recorded.
func TestAuditActorFromOS(t *testing.T) {
	h := newHome(t)
	sf := h.writeFile("secret", knownSecret+"\n")
	h.run("", []string{"USER=ceo", "SSH_CONNECTION=198.51.100.4 51000 10.0.0.1 22"}, "add", "--name", "spoof",
		"--provider", "zapier_webhook", "--mode", "cloud", "--url", zapierURL, "--secret-file", sf,
		"--owner", "o", "--revoke-path", "p", "--confirm-receiver-checks", "--resolve", zapierResolve)
	var audit []map[string]any
	mustJSON(t, h.ok("audit", "--json").stdout, &audit)
	if len(audit) != 1 {
		t.Fatalf("audit: %v", audit)
	}
	want := strings.Replace(testActor(t), "USER=tester", "USER=ceo", 1) + " from 198.51.100.4"
	if got := audit[0]["actor"]; got != want {
		t.Fatalf("actor = %q, want %q", got, want)
	}
}
