package urlsafe

import (
	"context"
	"net"
	"net/netip"
)

// HostOverride is a target's saved "resolve as" answer: the addresses its
// URL's host is taken to have on the URL's port, instead of DNS (curl's
// --resolve meaning, kept with the target). Check judges these addresses
// exactly as it judges DNS answers. Other names and ports go to fallback,
// and so does this host and port when fallback is a StaticResolver with
// an entry for them: a per-run --resolve is the operator's latest word.
type HostOverride struct {
	host     string // lookup form
	port     int
	addrs    []netip.Addr
	fallback Resolver
}

// NewHostOverride answers host on port with addrs and everything else
// from fallback (nil: net.DefaultResolver). host is in any case, with or
// without a trailing dot.
func NewHostOverride(host string, port int, addrs []netip.Addr, fallback Resolver) *HostOverride {
	name, _, reason := hostName(host)
	if reason != "" {
		name = ""
	}
	if fallback == nil {
		fallback = net.DefaultResolver
	}
	return &HostOverride{host: name, port: port, addrs: addrs, fallback: fallback}
}

// LookupNetIP answers the host on any port, as StaticResolver does.
func (o *HostOverride) LookupNetIP(ctx context.Context, network, host string) ([]netip.Addr, error) {
	return o.LookupNetIPPort(ctx, network, host, 0)
}

// LookupNetIPPort answers host on port from the saved addresses when they
// are for it, else asks the fallback.
func (o *HostOverride) LookupNetIPPort(ctx context.Context, network, host string, port int) ([]netip.Addr, error) {
	name, _, reason := hostName(host)
	if reason != "" || o.host == "" || name != o.host || (port != 0 && port != o.port) || o.runHas(name, port) {
		if pr, ok := o.fallback.(portResolver); ok {
			return pr.LookupNetIPPort(ctx, network, host, port)
		}
		return o.fallback.LookupNetIP(ctx, network, host)
	}
	var out []netip.Addr
	for _, a := range o.addrs {
		if familyOK(network, a) {
			out = append(out, a)
		}
	}
	if len(out) == 0 {
		return nil, &net.DNSError{Err: "no addresses of this family in the target's resolve override", Name: host, IsNotFound: true}
	}
	return out, nil
}

// runHas reports whether the fallback is a per-run --resolve with an entry
// for name on port.
func (o *HostOverride) runHas(name string, port int) bool {
	s, ok := o.fallback.(*StaticResolver)
	if !ok {
		return false
	}
	for k := range s.entries {
		if k.host == name && (port == 0 || k.port == port) {
			return true
		}
	}
	return false
}

// HostPort is the lookup host name and the port of raw, as Check would
// look them up; ok is false for a URL that does not parse or whose host is
// an address (nothing to resolve).
func HostPort(raw string) (host string, port int, ok bool) {
	t, prob := parse(raw)
	if prob != nil || t.addr.IsValid() {
		return "", 0, false
	}
	return t.host, t.port, true
}
