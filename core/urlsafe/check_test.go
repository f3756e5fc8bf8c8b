package urlsafe

import (
	"context"
	"errors"
	"net"
	"net/netip"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/webriskops/webhook-setup/core/codes"
)

const hook = "https://hooks.example.com/hooks/catch/123456/abcdefghijk/"

func TestCheck(t *testing.T) {
	selfHosted := Policy{SelfHosted: true}
	tests := []struct {
		name     string
		raw      string
		policy   Policy
		resolver Resolver
		safe     bool
		approval bool
		reason   []string // words the reason must contain
		pinned   []string
		// unresolved: the lookup failed, so the code is
		// generic_webhook_host_unresolved rather than url_unsafe.
		unresolved bool
	}{
		{name: "public v4", raw: hook, resolver: answers("93.184.215.14"),
			safe: true, pinned: []string{"93.184.215.14"}},
		{name: "public v4 and v6", raw: hook, resolver: answers("93.184.215.14", "2606:2800:21f:cb07:6820:80da:af6b:8b2c"),
			safe: true, pinned: []string{"93.184.215.14", "2606:2800:21f:cb07:6820:80da:af6b:8b2c"}},
		{name: "mapped public answer is judged as IPv4", raw: hook, resolver: answers("::ffff:93.184.215.14"),
			safe: true, pinned: []string{"93.184.215.14"}},
		{name: "duplicates collapse", raw: hook, resolver: answers("8.8.8.8", "::ffff:8.8.8.8", "8.8.8.8"),
			safe: true, pinned: []string{"8.8.8.8"}},
		{name: "one loopback AAAA spoils it", raw: hook, resolver: answers("93.184.215.14", "::1"),
			reason: []string{"hooks.example.com resolves to ::1", "loopback", "never allowed", "1 of its 2"}},
		{name: "metadata answer", raw: hook, resolver: answers("169.254.169.254"),
			reason: []string{"169.254.169.254", "link-local", "never allowed"}},
		{name: "mapped loopback answer is unmapped and refused", raw: hook, resolver: answers("::ffff:127.0.0.1"),
			reason: []string{"resolves to 127.0.0.1", "loopback"}},
		// DNS64 answers are judged by the IPv4 address they embed (issue 15).
		{name: "nat64 answer embedding a public address", raw: hook, resolver: answers("64:ff9b::808:808"),
			safe: true, pinned: []string{"64:ff9b::808:808"}},
		{name: "nat64 answer embedding loopback", raw: hook, resolver: answers("64:ff9b::7f00:1"),
			reason: []string{"NAT64 address embedding 127.0.0.1", "loopback", "never allowed"}},
		{name: "nat64 answer embedding metadata", raw: hook, resolver: answers("64:ff9b::a9fe:a9fe"),
			reason: []string{"NAT64 address embedding 169.254.169.254", "never allowed"}},
		{name: "nat64 answer embedding a private address, cloud", raw: hook, resolver: answers("64:ff9b::a00:5"),
			reason: []string{"NAT64 address embedding 10.0.0.5", "only self-hosted"}},
		{name: "nat64 answer embedding an approved private address", raw: hook,
			policy: Policy{SelfHosted: true, Allowlist: []string{"10.0.0.0/8"}}, resolver: answers("64:ff9b::a00:5"),
			safe: true, pinned: []string{"64:ff9b::a00:5"}},
		{name: "local nat64 answer, every reading public", raw: hook, resolver: answers("64:ff9b:1:808:8:808:808:808"),
			safe: true, pinned: []string{"64:ff9b:1:808:8:808:808:808"}},
		{name: "local nat64 answer, the /96 reading private", raw: hook, resolver: answers("64:ff9b:1:808:8:808:a00:5"),
			reason: []string{"NAT64 address embedding 10.0.0.5"}},
		{name: "local nat64 answer, the /48 reading blocked", raw: hook, resolver: answers("64:ff9b:1::808:808"),
			reason: []string{"NAT64 address embedding 0.0.0.0", "never allowed"}},
		{name: "6to4 answer", raw: hook, resolver: answers("2002:808:808::1"),
			reason: []string{"6to4"}},
		{name: "teredo answer", raw: hook, resolver: answers("2001:0:4136:e378:8000:63bf:3fff:fdd2"),
			reason: []string{"Teredo"}},
		{name: "private answer, cloud", raw: hook, resolver: answers("10.0.0.5"),
			reason: []string{"resolves to 10.0.0.5, a private address", "only self-hosted targets"}},
		{name: "private answer, self-hosted", raw: hook, policy: selfHosted, resolver: answers("10.0.0.5"), approval: true,
			reason: []string{"resolves to 10.0.0.5, a private address (10.0.0.0/8); self-hosted targets can allow it in the private-network step"}},
		{name: "mapped private answer, self-hosted", raw: hook, policy: selfHosted, resolver: answers("::ffff:192.168.1.20"), approval: true,
			reason: []string{"192.168.1.20", "192.168.0.0/16"}},
		{name: "ula answer, self-hosted", raw: hook, policy: selfHosted, resolver: answers("fd12::5"), approval: true,
			reason: []string{"fc00::/7"}},
		{name: "cgnat answer, self-hosted", raw: hook, policy: selfHosted, resolver: answers("100.64.3.4"), approval: true,
			reason: []string{"carrier-grade NAT"}},
		{name: "private and blocked: no approval can help", raw: hook, policy: selfHosted, resolver: answers("10.0.0.5", "127.0.0.1"),
			reason: []string{"127.0.0.1", "never allowed"}},
		{name: "alibaba metadata inside cgnat", raw: hook, policy: Policy{SelfHosted: true, Allowlist: []string{"100.100.0.0/16"}},
			resolver: answers("100.100.100.200"), reason: []string{"Alibaba", "never allowed"}},

		// allowlists
		{name: "allowlisted CIDR", raw: hook, policy: Policy{SelfHosted: true, Allowlist: []string{"10.0.0.0/24"}},
			resolver: answers("10.0.0.5"), safe: true, pinned: []string{"10.0.0.5"}},
		{name: "CIDR that does not cover", raw: hook, policy: Policy{SelfHosted: true, Allowlist: []string{"10.0.1.0/24"}},
			resolver: answers("10.0.0.5"), approval: true, reason: []string{"10.0.0.5"}},
		{name: "CIDR covering one answer of two", raw: hook, policy: Policy{SelfHosted: true, Allowlist: []string{"10.0.0.0/24"}},
			resolver: answers("10.0.0.5", "192.168.0.5"), approval: true, reason: []string{"192.168.0.5"}},
		{name: "single address entry", raw: hook, policy: Policy{SelfHosted: true, Allowlist: []string{"10.0.0.5"}},
			resolver: answers("10.0.0.5"), safe: true, pinned: []string{"10.0.0.5"}},
		{name: "ula CIDR", raw: hook, policy: Policy{SelfHosted: true, Allowlist: []string{"fd12::/16"}},
			resolver: answers("fd12::5"), safe: true, pinned: []string{"fd12::5"}},
		{name: "exact host entry", raw: hook, policy: Policy{SelfHosted: true, Allowlist: []string{"Hooks.Example.com."}},
			resolver: answers("10.0.0.5", "172.16.0.9"), safe: true, pinned: []string{"10.0.0.5", "172.16.0.9"}},
		{name: "exact host entry for another host", raw: hook, policy: Policy{SelfHosted: true, Allowlist: []string{"example.com"}},
			resolver: answers("10.0.0.5"), approval: true, reason: []string{"10.0.0.5"}},
		{name: "wildcard entry", raw: hook, policy: Policy{SelfHosted: true, Allowlist: []string{"*.example.com"}},
			resolver: answers("10.0.0.5"), safe: true, pinned: []string{"10.0.0.5"}},
		{name: "wildcard does not match its suffix", raw: "https://example.com/x", policy: Policy{SelfHosted: true, Allowlist: []string{"*.example.com"}},
			resolver: answers("10.0.0.5"), approval: true, reason: []string{"10.0.0.5"}},
		{name: "wildcard does not match a look-alike suffix", raw: "https://evilexample.com/x", policy: Policy{SelfHosted: true, Allowlist: []string{"*.example.com"}},
			resolver: answers("10.0.0.5"), approval: true},
		{name: "host entry never admits a blocked address", raw: hook, policy: Policy{SelfHosted: true, Allowlist: []string{"hooks.example.com"}},
			resolver: answers("127.0.0.1"), reason: []string{"loopback", "never allowed"}},
		{name: "host entry never admits metadata", raw: hook, policy: Policy{SelfHosted: true, Allowlist: []string{"*.example.com"}},
			resolver: answers("10.0.0.5", "169.254.169.254"), reason: []string{"169.254.169.254", "never allowed"}},
		{name: "host entry with public answer", raw: hook, policy: Policy{SelfHosted: true, Allowlist: []string{"hooks.example.com"}},
			resolver: answers("8.8.8.8"), safe: true, pinned: []string{"8.8.8.8"}},
		{name: "invalid entry is ignored", raw: hook, policy: Policy{SelfHosted: true, Allowlist: []string{"100.64.0.0/10"}},
			resolver: answers("100.64.0.5"), approval: true, reason: []string{"100.64.0.5"}},
		{name: "international host entry", raw: "https://b\u00fccher.example/", policy: Policy{SelfHosted: true, Allowlist: []string{"B\u00dcCHER.example"}},
			resolver: answers("10.1.2.3"), safe: true, pinned: []string{"10.1.2.3"}},

		// IP literals are not looked up
		{name: "public literal", raw: "https://8.8.8.8/hook", resolver: noLookups(t), safe: true, pinned: []string{"8.8.8.8"}},
		{name: "public v6 literal", raw: "https://[2606:4700:4700::1111]/", resolver: noLookups(t), safe: true, pinned: []string{"2606:4700:4700::1111"}},
		{name: "private literal, cloud", raw: "https://10.0.0.5/hook", resolver: noLookups(t),
			reason: []string{"10.0.0.5 is a private address"}},
		{name: "private literal, self-hosted", raw: "https://192.168.1.10:8443/hook", policy: selfHosted, resolver: noLookups(t), approval: true,
			reason: []string{"192.168.1.10 is a private address (192.168.0.0/16); self-hosted targets can allow it"}},
		{name: "private literal allowlisted", raw: "https://192.168.1.10/", policy: Policy{SelfHosted: true, Allowlist: []string{"192.168.1.0/24"}},
			resolver: noLookups(t), safe: true, pinned: []string{"192.168.1.10"}},
		{name: "host entries never match literals", raw: "https://192.168.1.10/", policy: Policy{SelfHosted: true, Allowlist: []string{"*.example.com"}},
			resolver: noLookups(t), approval: true},
		{name: "loopback literal", raw: "https://127.0.0.1/", resolver: noLookups(t), reason: []string{"loopback"}},
		{name: "parse refusal", raw: "http://example.com/", resolver: noLookups(t), reason: []string{"http://"}},

		// DNS failures
		{name: "no such host", raw: hook, resolver: resolverFunc(func(_ context.Context, _, h string) ([]netip.Addr, error) {
			return nil, &net.DNSError{Err: "no such host", Name: h, IsNotFound: true}
		}), unresolved: true, reason: []string{"hooks.example.com does not resolve"}},
		{name: "no answers", raw: hook, resolver: answers(), unresolved: true, reason: []string{"resolves to no addresses"}},
		{name: "only invalid answers", raw: hook, resolver: resolverFunc(func(context.Context, string, string) ([]netip.Addr, error) {
			return []netip.Addr{{}}, nil
		}), unresolved: true, reason: []string{"resolves to no addresses"}},
		{name: "timeout", raw: hook, resolver: resolverFunc(func(_ context.Context, _, h string) ([]netip.Addr, error) {
			return nil, &net.DNSError{Err: "i/o timeout", Name: h, IsTimeout: true}
		}), unresolved: true, reason: []string{"timed out"}},
		{name: "other failure", raw: hook, resolver: resolverFunc(func(context.Context, string, string) ([]netip.Addr, error) {
			return nil, errors.New("server misbehaving")
		}), unresolved: true, reason: []string{"failed", "server misbehaving"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			v := Check(context.Background(), tt.raw, tt.policy, tt.resolver)
			if v.Safe != tt.safe || v.NeedsApproval != tt.approval {
				t.Fatalf("Safe=%v NeedsApproval=%v (%s), want %v %v", v.Safe, v.NeedsApproval, v.Reason, tt.safe, tt.approval)
			}
			if v.URL != Redact(tt.raw) {
				t.Errorf("URL = %q, want the redacted form", v.URL)
			}
			if v.Safe {
				if v.Code != "" || v.Reason != "" {
					t.Errorf("a safe verdict has code %q reason %q", v.Code, v.Reason)
				}
				var got []string
				for _, a := range v.Pinned {
					got = append(got, a.String())
				}
				if !slices.Equal(got, tt.pinned) || !slices.Equal(v.Addresses, tt.pinned) {
					t.Errorf("Pinned = %v, Addresses = %v, want %v", got, v.Addresses, tt.pinned)
				}
				if v.Endpoint == nil || v.Host == "" {
					t.Errorf("safe verdict without endpoint or host: %+v", v)
				}
				return
			}
			want := codes.URLUnsafe
			if tt.unresolved {
				want = codes.HostUnresolved
			}
			if v.Code != string(want) || v.Fix == "" || v.Pinned != nil {
				t.Errorf("refusal = code %q fix %q pinned %v", v.Code, v.Fix, v.Pinned)
			}
			if !hasAll(v.Reason, tt.reason...) {
				t.Errorf("reason %q does not mention %q", v.Reason, tt.reason)
			}
		})
	}
}

func TestCheckVerdictFields(t *testing.T) {
	v := Check(context.Background(), "https://Hooks.Example.com.:8443/hooks/catch/123456/abcdefghijk?token=secretvalue#x",
		Policy{}, answers("93.184.215.14"))
	if !v.Safe {
		t.Fatal(v.Reason)
	}
	if v.Host != "hooks.example.com" {
		t.Errorf("Host = %q", v.Host)
	}
	if want := "https://hooks.example.com:8443/hooks/catch/123456/abcdefghijk?token=secretvalue"; v.Endpoint.String() != want {
		t.Errorf("Endpoint = %q, want %q", v.Endpoint, want)
	}
	if strings.Contains(v.URL, "abcdefghijk") || strings.Contains(v.URL, "secretvalue") {
		t.Errorf("URL %q is not redacted", v.URL)
	}
	if len(v.Warnings) != 2 {
		t.Errorf("Warnings = %q, want the trailing dot and the fragment", v.Warnings)
	}

	v = Check(context.Background(), "https://10.0.0.5/", Policy{SelfHosted: true, Allowlist: []string{"8.8.8.0/24", "10.0.0.0/8"}}, nil)
	if !v.Safe || len(v.Warnings) != 1 || !strings.Contains(v.Warnings[0], "8.8.8.0/24") {
		t.Errorf("a bad allowlist entry should be ignored with a warning: %+v", v)
	}

	// A refused verdict still marshals with empty lists, not nulls.
	v = Check(context.Background(), "http://x/", Policy{}, nil)
	if v.Addresses == nil || v.Warnings == nil {
		t.Errorf("Addresses/Warnings nil: %+v", v)
	}
}

// TestCheckLookupContext checks that lookups ask for A and AAAA together and
// always run under a deadline.
func TestCheckLookupContext(t *testing.T) {
	var network string
	var deadline bool
	r := resolverFunc(func(ctx context.Context, n, _ string) ([]netip.Addr, error) {
		network = n
		_, deadline = ctx.Deadline()
		return addrs("8.8.8.8"), nil
	})
	Check(context.Background(), hook, Policy{}, r)
	if network != "ip" || !deadline {
		t.Errorf("lookup network %q with deadline %v; want ip with a deadline", network, deadline)
	}

	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	r = resolverFunc(func(ctx context.Context, _, _ string) ([]netip.Addr, error) { return nil, ctx.Err() })
	if v := Check(ctx, hook, Policy{}, r); v.Safe || !strings.Contains(v.Reason, "cancelled") {
		t.Errorf("cancelled lookup: %+v", v)
	}
	ctx, cancel = context.WithTimeout(context.Background(), time.Nanosecond)
	defer cancel()
	<-ctx.Done()
	if v := Check(ctx, hook, Policy{}, r); v.Safe || !strings.Contains(v.Reason, "timed out") {
		t.Errorf("timed-out lookup: %+v", v)
	}
}

// TestCheckNoDNS checks the real resolver path refuses cleanly on a machine
// without DNS (or with it): a reserved name never resolves.
func TestCheckNoDNS(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
	defer cancel()
	if v := Check(ctx, "https://name.invalid/", Policy{}, nil); v.Safe {
		t.Errorf(".invalid resolved: %+v", v)
	}
}

// TestApprovalFixIsAcceptedByTheAllowlist: the CIDR a refusal tells a
// self-hosted operator to approve is one the allowlist takes, and approving
// it makes the URL safe, also in 100.64/10 and fc00::/7, which hold
// never-allowed metadata addresses.
func TestApprovalFixIsAcceptedByTheAllowlist(t *testing.T) {
	for _, addr := range []string{"10.20.1.7", "172.16.0.1", "192.168.1.1", "100.64.1.2", "100.100.100.199",
		"fd12::1", "fd00:ec2:0:1::5", "fd20:ce::253"} {
		v := Check(context.Background(), "https://hook.internal.example/x", Policy{SelfHosted: true}, answers(addr))
		if v.Safe || !v.NeedsApproval || !strings.HasPrefix(v.Fix, "Approve ") {
			t.Fatalf("%s: %+v", addr, v)
		}
		cidr, _, _ := strings.Cut(strings.TrimPrefix(v.Fix, "Approve "), " ")
		if p := CheckAllowlistEntry(cidr); p != nil {
			t.Errorf("%s: the fix %q suggests %s, which the allowlist refuses: %s", addr, v.Fix, cidr, p.Reason)
			continue
		}
		if v := Check(context.Background(), "https://hook.internal.example/x",
			Policy{SelfHosted: true, Allowlist: []string{cidr}}, answers(addr)); !v.Safe {
			t.Errorf("%s: still refused after approving %s: %s", addr, cidr, v.Reason)
		}
	}
}

// TestCloudEndpointsNeverApprovedByName (issue 15, finding 3): a host-name
// allowlist entry approved GCP's fd20:ce::254, EKS Pod Identity's
// fd00:ec2::23 and Scaleway's fd00:42::42 through DNS. Every cloud
// metadata, credential and platform-agent address stays refused, by name
// entry, wildcard or CIDR, directly or as a DNS64 answer.
func TestCloudEndpointsNeverApprovedByName(t *testing.T) {
	pol := Policy{SelfHosted: true, Allowlist: []string{"hook.corp.example", "*.corp.example", "10.0.0.0/8", "fd12::/16"}}
	for _, addr := range []string{"fd20:ce::254", "fd00:ec2::23", "fd00:42::42", "fd00:ec2::254", "fd00:ec2::253",
		"fd00:ec2::123", "fd00:c1::a9fe:a9fe", "100.100.100.200", "168.63.129.16", "192.0.0.192", "169.254.169.254",
		"169.254.170.2", "169.254.170.23", "169.254.42.42", "64:ff9b::a9fe:a9fe", "64:ff9b::6464:64c8"} {
		for _, raw := range []string{"https://hook.corp.example/x", "https://a.corp.example/x"} {
			v := Check(context.Background(), raw, pol, answers(addr))
			if v.Safe || v.NeedsApproval || !strings.Contains(v.Reason, "never allowed") {
				t.Errorf("%s → %s: %+v", raw, addr, v)
			}
		}
	}
	for _, name := range []string{"kubernetes.default.svc", "kubernetes.default.svc.cluster.local", "metadata.tencentyun.com"} {
		if v := Check(context.Background(), "https://"+name+"/x", pol, answers("10.96.0.1")); v.Safe {
			t.Errorf("%s was allowed: %+v", name, v)
		}
		if p := CheckAllowlistEntry(name); p == nil {
			t.Errorf("allowlist took %s", name)
		}
	}
}
