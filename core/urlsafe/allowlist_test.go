package urlsafe

import (
	"net/netip"
	"strings"
	"testing"

	"github.com/webriskops/webhook-setup/core/codes"
)

func TestCheckAllowlistEntry(t *testing.T) {
	valid := []string{
		"10.0.0.0/8", "10.1.2.0/24", "10.0.0.5/32", "172.16.0.0/12", "172.31.255.0/24", "192.168.0.0/16",
		"192.168.1.0/24", "100.64.0.0/16", "100.100.0.0/24", "100.100.100.0/25", "100.100.100.201/32",
		"fc00::/8", "fd12:3456::/32", "fd00:ec2:0:1::/64", "fd00:ec3::/32", "fd20:ce::253", "fd00:42::100/120",
		"10.0.0.5", "fd12::5", " 10.0.0.0/8 ",
		"hooks.corp.example", "Receiver.Internal.", "*.corp.example", "*.internal", "b\u00fccher.example", "*.XN--BCHER-KVA.example",
		"intranet",
	}
	for _, e := range valid {
		if p := CheckAllowlistEntry(e); p != nil {
			t.Errorf("CheckAllowlistEntry(%q) = %s", e, p.Reason)
		}
	}

	invalid := []struct{ entry, reason string }{
		{"", "empty"},
		{"   ", "empty"},
		{"8.8.8.0/24", "not inside one private range"},
		{"8.8.8.8", "public address"},
		{"2606:4700::/32", "not inside one private range"},
		{"10.0.0.0/7", "not inside one private range"},
		{"172.0.0.0/8", "not inside one private range"},
		{"172.0.0.0/11", "not inside one private range"},
		{"172.16.0.0/11", "bits set after the prefix length"},
		{"192.168.0.0/15", "not inside one private range"},
		{"100.0.0.0/8", "covers the Alibaba Cloud metadata address"},
		{"0.0.0.0/0", "covers"},
		{"::/0", "covers"},
		{"127.0.0.0/8", "loopback"},
		{"127.0.0.1", "loopback"},
		{"169.254.0.0/16", "link-local"},
		{"169.254.169.254", "link-local"},
		{"100.64.0.0/10", "covers the Alibaba Cloud metadata address (100.100.100.200/32)"},
		{"100.100.100.0/24", "Alibaba"},
		{"100.100.100.200", "Alibaba"},
		{"fc00::/7", "covers the AWS metadata address"},
		{"fd00::/8", "AWS"},
		{"fd00:ec2::/32", "AWS"},
		{"fd00:ec2::254", "AWS"},
		// issue 15: every cloud endpoint inside fc00::/7 stays out of reach
		{"fd00:ec2::/120", "AWS"},
		// issue 15: wildcards over a public suffix approve names anyone can register
		{"*.com", "public suffix com"},
		{"*.co.uk", "public suffix co.uk"},
		{"*.CO.UK.", "public suffix co.uk"},
		{"*.github.io", "public suffix github.io"},
		{"*.xn--p1ai", "public suffix"},
		{"fd00:ec2::255/128", "AWS platform service"},
		{"fd00:ec2::23", "EKS Pod Identity"},
		{"fd00:ec2::253", "AWS"},
		{"fd20:ce::/64", "Google Cloud metadata"},
		{"fd20:ce::254", "Google Cloud metadata"},
		{"fd00:42::/64", "Scaleway metadata"},
		{"fd00:42::42", "Scaleway metadata"},
		{"fd00:c1::/64", "Oracle Cloud metadata"},
		{"192.0.0.192", "covers"},
		{"fe80::/10", "link-local"},
		{"::1", "loopback"},
		{"::ffff:10.0.0.0/104", "IPv4-mapped"},
		{"::ffff:10.0.0.5", "IPv4-mapped"},
		{"10.0.0.0/33", "not a CIDR"},
		{"10.0.0.5/8", "write 10.0.0.0/8 for the range or 10.0.0.5/32"},
		{"10.0.0/8", "not a CIDR"},
		{"10.0.0", "not a valid address"},
		{"127.1", "not a valid address"},
		{"1.2.3.4.5", "not a valid address"},
		{"fe80::1%eth0", "zone"},
		{"0x7f.1", "ends in a number"},
		{"localhost", "never allowed"},
		{"LOCALHOST.", "never allowed"},
		{"*.localhost", "never allowed"},
		{"app.localhost", "never allowed"},
		{"metadata.google.internal", "never allowed"},
		{"*.metadata.google.internal", "never allowed"},
		{"instance-data", "never allowed"},
		{"*", "wildcard"},
		{"*.", "empty"},
		{"a.*.example", "wildcard"},
		{"**.example", "wildcard"},
		{"exa mple.com", "space"},
		{"exa_mple.com", "'_'"},
		{"\uff45\uff58\uff41\uff4d\uff50\uff4c\uff45.com", "look-alike"},
		{"https://example.com", "is a URL"},
	}
	for _, tt := range invalid {
		p := CheckAllowlistEntry(tt.entry)
		if p == nil {
			t.Errorf("CheckAllowlistEntry(%q) accepted it", tt.entry)
			continue
		}
		if p.Code != codes.AllowlistInvalid || p.Field != "private_network.allowlist" || p.Fix == "" {
			t.Errorf("CheckAllowlistEntry(%q) = %+v", tt.entry, p)
		}
		if !strings.Contains(p.Reason, tt.reason) {
			t.Errorf("CheckAllowlistEntry(%q) reason %q does not mention %q", tt.entry, p.Reason, tt.reason)
		}
	}
}

func TestAllowlistMatching(t *testing.T) {
	al, warns := parseAllowlist([]string{"10.1.0.0/16", "fd12::/16", "hooks.corp.example", "*.svc.example", "bogus entry"})
	if len(warns) != 1 {
		t.Errorf("warnings = %q", warns)
	}
	tests := []struct {
		addr, host string
		want       bool
	}{
		{"10.1.2.3", "", true},
		{"10.1.2.3", "anything.example", true},
		{"10.2.0.1", "", false},
		{"fd12::1", "", true},
		{"fd13::1", "", false},
		{"10.2.0.1", "hooks.corp.example", true},
		{"10.2.0.1", "x.hooks.corp.example", false},
		{"10.2.0.1", "a.svc.example", true},
		{"10.2.0.1", "a.b.svc.example", true},
		{"10.2.0.1", "svc.example", false},
		{"10.2.0.1", "xsvc.example", false},
	}
	for _, tt := range tests {
		if got := al.allows(netip.MustParseAddr(tt.addr), tt.host); got != tt.want {
			t.Errorf("allows(%s, %q) = %v, want %v", tt.addr, tt.host, got, tt.want)
		}
	}
	if al.empty() {
		t.Error("allowlist reads as empty")
	}
}
