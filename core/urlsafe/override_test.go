package urlsafe

import (
	"context"
	"slices"
	"testing"
)

// A host override answers its host on its port (any case, trailing dot,
// by family), leaves other names and ports to the fallback, and yields to
// a per-run --resolve entry for the same host and port.
func TestHostOverride(t *testing.T) {
	ctx := context.Background()
	o := NewHostOverride("Hooks.Example.COM.", 443, addrs("3.33.152.147", "2600:1f18::1"), answers("13.248.1.2"))
	for _, c := range []struct {
		network, host string
		port          int
		want          []string
	}{
		{"ip", "hooks.example.com", 443, []string{"3.33.152.147", "2600:1f18::1"}},
		{"ip4", "HOOKS.example.com.", 443, []string{"3.33.152.147"}},
		{"ip6", "hooks.example.com", 0, []string{"2600:1f18::1"}},
		{"ip", "hooks.example.com", 8443, []string{"13.248.1.2"}}, // another port: DNS
		{"ip", "other.example.com", 443, []string{"13.248.1.2"}},
	} {
		got, err := o.LookupNetIPPort(ctx, c.network, c.host, c.port)
		if err != nil || !slices.Equal(got, addrs(c.want...)) {
			t.Errorf("%s %s:%d = %v, %v; want %v", c.network, c.host, c.port, got, err, c.want)
		}
	}
	v4only := NewHostOverride("hooks.example.com", 443, addrs("3.33.152.147"), noLookups(t))
	if _, err := v4only.LookupNetIPPort(ctx, "ip6", "hooks.example.com", 443); err == nil {
		t.Error("an IPv6 lookup was answered from IPv4 addresses")
	}

	run, err := NewResolveOverrides([]string{"hooks.example.com:443:13.248.9.9"}, nil)
	if err != nil {
		t.Fatal(err)
	}
	o = NewHostOverride("hooks.example.com", 443, addrs("3.33.152.147"), run)
	if got, _ := o.LookupNetIPPort(ctx, "ip", "hooks.example.com", 443); !slices.Equal(got, addrs("13.248.9.9")) {
		t.Errorf("with --resolve for the same host and port: %v, want the --resolve address", got)
	}
	v := Check(ctx, "https://hooks.example.com/x", Policy{}, NewHostOverride("hooks.example.com", 443, addrs("169.254.169.254"), noLookups(t)))
	if v.Safe || !hasAll(v.Reason, "hooks.example.com resolves to 169.254.169.254", "never allowed") {
		t.Errorf("a metadata override: %+v", v)
	}
	if _, _, ok := HostPort("https://93.184.216.34/x"); ok {
		t.Error("HostPort of an address URL reported a host name")
	}
	if h, p, ok := HostPort("https://HOOKS.example.com:8443/x"); !ok || h != "hooks.example.com" || p != 8443 {
		t.Errorf("HostPort = %q %d %v", h, p, ok)
	}
}
