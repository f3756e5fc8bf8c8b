package urlsafe

import (
	"context"
	"errors"
	"net"
	"net/netip"
	"slices"
	"strings"
	"testing"

	"github.com/webriskops/webhook-setup/core/codes"
)

func TestParseResolve(t *testing.T) {
	tests := []struct {
		entry string
		want  ResolveEntry
	}{
		{"example.com:443:93.184.215.14", ResolveEntry{"example.com", 443, addrs("93.184.215.14")}},
		{"Example.COM.:8443:10.0.0.1,10.0.0.2", ResolveEntry{"example.com", 8443, addrs("10.0.0.1", "10.0.0.2")}},
		{"+hooks.example.com:443:[2606:4700::1],8.8.8.8", ResolveEntry{"hooks.example.com", 443, addrs("2606:4700::1", "8.8.8.8")}},
		{"example.com:443:2606:4700::1", ResolveEntry{"example.com", 443, addrs("2606:4700::1")}},
		{"b\u00fccher.example:443:127.0.0.1", ResolveEntry{"xn--bcher-kva.example", 443, addrs("127.0.0.1")}},
		{"localhost:443:127.0.0.1", ResolveEntry{"localhost", 443, addrs("127.0.0.1")}},
	}
	for _, tt := range tests {
		got, err := ParseResolve([]string{tt.entry})
		if err != nil {
			t.Errorf("ParseResolve(%q): %v", tt.entry, err)
			continue
		}
		if len(got) != 1 {
			t.Errorf("ParseResolve(%q) = %+v, want one entry", tt.entry, got)
			continue
		}
		if g := got[0]; g.Host != tt.want.Host || g.Port != tt.want.Port || !slices.Equal(g.Addrs, tt.want.Addrs) {
			t.Errorf("ParseResolve(%q) = %+v, want %+v", tt.entry, g, tt.want)
		}
	}

	bad := []struct{ entry, reason string }{
		{"example.com", "no port"},
		{"example.com:443", "no address"},
		{"example.com:443:", "not an IP address"},
		{"example.com:0:1.2.3.4", "outside 1-65535"},
		{"example.com:https:1.2.3.4", "not a decimal"},
		{"example.com:443:1.2.3", "not an IP address"},
		{"example.com:443:1.2.3.4,", "not an IP address"},
		{"example.com:443:[fe80::1%eth0]", "not an IP address"},
		{"example.com:443:hooks.example.net", "not an IP address"},
		{"-example.com:443", "removing"},
		{"*:443:1.2.3.4", "HOST must be a host name"},
		{"[::1]:443:1.2.3.4", "HOST must be a host name"},
		{":443:1.2.3.4", "HOST must be a host name"},
		{"exa mple.com:443:1.2.3.4", "space"},
		{"127.1:443:1.2.3.4", "ends in a number"},
	}
	for _, tt := range bad {
		_, err := ParseResolve([]string{"ok.example:443:8.8.8.8", tt.entry})
		if err == nil {
			t.Errorf("ParseResolve(%q) accepted it", tt.entry)
			continue
		}
		if !strings.Contains(err.Error(), tt.reason) || !strings.Contains(err.Error(), "HOST:PORT:ADDR") {
			t.Errorf("ParseResolve(%q) = %v, want it to mention %q and the form", tt.entry, err, tt.reason)
		}
	}
}

func TestStaticResolver(t *testing.T) {
	fallbackCalls := 0
	fallback := resolverFunc(func(_ context.Context, _, host string) ([]netip.Addr, error) {
		fallbackCalls++
		return addrs("9.9.9.9"), nil
	})
	r, err := NewResolveOverrides([]string{
		"hooks.example.com:443:8.8.8.8,[2606:4700::1]",
		"hooks.example.com:443:8.8.8.8", // duplicates merge
		"hooks.example.com:8443:1.1.1.1",
		"b\u00fccher.example:443:8.8.4.4",
	}, fallback)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	tests := []struct {
		network, host string
		port          int
		want          []netip.Addr
	}{
		{"ip", "hooks.example.com", 443, addrs("8.8.8.8", "2606:4700::1")},
		{"ip", "HOOKS.Example.COM.", 443, addrs("8.8.8.8", "2606:4700::1")},
		{"ip4", "hooks.example.com", 443, addrs("8.8.8.8")},
		{"ip6", "hooks.example.com", 443, addrs("2606:4700::1")},
		{"ip", "hooks.example.com", 8443, addrs("1.1.1.1")},
		{"ip", "xn--bcher-kva.example", 443, addrs("8.8.4.4")},
		{"ip", "B\u00dcCHER.example", 443, addrs("8.8.4.4")},
		{"ip", "hooks.example.com", 9443, addrs("9.9.9.9")}, // another port: DNS
		{"ip", "other.example.com", 443, addrs("9.9.9.9")},
	}
	for _, tt := range tests {
		got, err := r.LookupNetIPPort(ctx, tt.network, tt.host, tt.port)
		if err != nil || !slices.Equal(got, tt.want) {
			t.Errorf("LookupNetIPPort(%s, %s, %d) = %v, %v; want %v", tt.network, tt.host, tt.port, got, err, tt.want)
		}
	}
	// Without a port every entry of the host answers.
	got, err := r.LookupNetIP(ctx, "ip", "hooks.example.com")
	if err != nil || len(got) != 3 {
		t.Errorf("LookupNetIP = %v, %v; want the addresses of both ports", got, err)
	}
	if fallbackCalls != 2 {
		t.Errorf("fallback called %d times, want 2", fallbackCalls)
	}

	// No fallback: names without an entry do not resolve.
	r, err = NewResolveOverrides([]string{"hooks.example.com:443:8.8.8.8"}, nil)
	if err != nil {
		t.Fatal(err)
	}
	_, err = r.LookupNetIPPort(ctx, "ip", "other.example.com", 443)
	var de *net.DNSError
	if !errors.As(err, &de) || !de.IsNotFound {
		t.Errorf("lookup without entry or fallback = %v, want not found", err)
	}
	if _, err = r.LookupNetIPPort(ctx, "ip6", "hooks.example.com", 443); !errors.As(err, &de) {
		t.Errorf("ip6 lookup of a v4-only entry = %v, want not found", err)
	}
	if _, err := NewResolveOverrides([]string{"bad"}, nil); err == nil {
		t.Error("NewResolveOverrides accepted a bad entry")
	}
}

// TestCheckWithResolveOverrides runs Check through --resolve entries, which
// are answers like any other: the policy still applies.
func TestCheckWithResolveOverrides(t *testing.T) {
	r, err := NewResolveOverrides([]string{"hooks.example.com:443:93.184.215.14", "hooks.example.com:8443:127.0.0.1"}, nil)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	if v := Check(ctx, "https://HOOKS.example.com./x", Policy{}, r); !v.Safe {
		t.Errorf("override not used: %s", v.Reason)
	}
	if v := Check(ctx, "https://hooks.example.com:8443/x", Policy{}, r); v.Safe || !strings.Contains(v.Reason, "loopback") {
		t.Errorf("port-specific entry not used or not judged: %+v", v)
	}
	// Entries exist for the host on other ports: the refusal names them
	// and the URL's port rather than "no such host".
	if v := Check(ctx, "https://hooks.example.com:9443/x", Policy{}, r); v.Safe || v.Code != string(codes.HostUnresolved) ||
		v.Reason != "--resolve has hooks.example.com:443, hooks.example.com:8443, the URL uses port 9443" {
		t.Errorf("no entry for the port should not resolve, naming the ports: %+v", v)
	}
	if v := Check(ctx, "https://other.example.com/x", Policy{}, r); v.Safe || v.Code != string(codes.HostUnresolved) ||
		!strings.Contains(v.Reason, "other.example.com does not resolve") {
		t.Errorf("a host without entries should not resolve: %+v", v)
	}
}
