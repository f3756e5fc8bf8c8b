package e2e

import (
	"strings"
	"testing"
)

// TestCloudEndpointsAndDNS64ThroughTheBinary (issue 15, finding 3 and the
// DNS64 note): GCP's fd20:ce::254, EKS Pod Identity's fd00:ec2::23 and
// Scaleway's fd00:42::42 were approvable (a host-name allowlist entry
// approved them via DNS; --allow fd20:ce::/64 was accepted), and on a
// DNS64 network every IPv4-only receiver was refused. Through check-url
// and add: the cloud endpoints are refused whatever the allowlist says,
// the CIDRs that cover them are refused as entries, and a DNS64 answer is
// judged by the IPv4 address it embeds.
func TestCloudEndpointsAndDNS64ThroughTheBinary(t *testing.T) {
	h := newHome(t)
	selfHosted := []string{"--mode", "self-hosted", "--private-network-policy", "allowlist",
		"--allow", "hook.corp.example", "--allow", "10.0.0.0/8", "--authorized-by", "CAB-1"}
	for _, addr := range []string{"[fd20:ce::254]", "[fd00:ec2::23]", "[fd00:42::42]", "[fd00:c1::a9fe:a9fe]", "100.100.100.200", "[64:ff9b::a9fe:a9fe]"} {
		args := append([]string{"check-url", "https://hook.corp.example/in", "--resolve", "hook.corp.example:443:" + addr}, selfHosted...)
		r := h.run("", nil, args...)
		if r.code != 3 || !strings.Contains(strings.Join(strings.Fields(r.stdout), " "), "never allowed") {
			t.Fatalf("%s approved by a name entry:\n%s", addr, r)
		}
	}
	for _, cidr := range []string{"fd20:ce::/64", "fd00:ec2::/64", "fd00:42::/64", "*.com", "*.co.uk"} {
		r := h.run("", nil, "check-url", "https://hook.corp.example/in", "--mode", "self-hosted",
			"--private-network-policy", "allowlist", "--allow", cidr, "--authorized-by", "CAB-1",
			"--resolve", "hook.corp.example:443:10.0.0.5")
		if r.code == 0 || !strings.Contains(r.stdout+r.stderr, "generic_webhook_allowlist_invalid") {
			t.Fatalf("--allow %s was accepted:\n%s", cidr, r)
		}
	}
	// DNS64: judged by the embedded IPv4 address.
	if r := h.run("", nil, "check-url", "https://hooks.example.com/in", "--resolve", "hooks.example.com:443:[64:ff9b::808:808]"); r.code != 0 {
		t.Fatalf("a DNS64 answer for a public IPv4 receiver was refused:\n%s", r)
	}
	r := h.run("", nil, "check-url", "https://hooks.example.com/in", "--resolve", "hooks.example.com:443:[64:ff9b::7f00:1]")
	if r.code != 3 || !strings.Contains(r.stdout, "127.0.0.1") {
		t.Fatalf("a DNS64 answer embedding loopback was not refused:\n%s", r)
	}
}
