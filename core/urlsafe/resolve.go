package urlsafe

import (
	"context"
	"fmt"
	"net"
	"net/netip"
	"slices"
	"strings"
)

// ResolveEntry is one curl-style --resolve entry, HOST:PORT:ADDR[,ADDR]...
type ResolveEntry struct {
	Host  string // lookup form: lowercase ASCII, no trailing dot
	Port  int
	Addrs []netip.Addr
}

// ParseResolve parses curl --resolve entries, HOST:PORT:ADDR[,ADDR]...,
// with IPv6 addresses in brackets. HOST is matched case-insensitively,
// after IDNA and without a trailing dot. A leading "+" (curl's "may time
// out" mark) is accepted; curl's "-" removals and "*" hosts are not.
func ParseResolve(entries []string) ([]ResolveEntry, error) {
	out := make([]ResolveEntry, 0, len(entries))
	for _, e := range entries {
		re, err := parseResolveEntry(e)
		if err != nil {
			return nil, err
		}
		out = append(out, re)
	}
	return out, nil
}

func parseResolveEntry(e string) (ResolveEntry, error) {
	var re ResolveEntry
	bad := func(why string) (ResolveEntry, error) {
		return re, fmt.Errorf("%q: %s; the form is HOST:PORT:ADDR[,ADDR]..., IPv6 in brackets", clip(e), why)
	}
	s := strings.TrimPrefix(e, "+")
	if strings.HasPrefix(s, "-") {
		return bad("removing entries is not supported")
	}
	host, rest, ok := strings.Cut(s, ":")
	if !ok {
		return bad("there is no port")
	}
	port, addrs, ok := strings.Cut(rest, ":")
	if !ok {
		return bad("there is no address")
	}
	if host == "" || host == "*" || strings.HasPrefix(host, "[") {
		return bad("HOST must be a host name")
	}
	reason := strings.Replace(scanChars(host), "the URL", "the host", 1)
	name := ""
	if reason == "" {
		name, _, reason = hostName(host)
	}
	if reason != "" {
		return bad(reason)
	}
	p, reason := parsePort(port)
	if reason != "" {
		return bad(reason)
	}
	re.Host, re.Port = name, p
	for _, s := range strings.Split(addrs, ",") {
		if len(s) >= 2 && s[0] == '[' && s[len(s)-1] == ']' {
			s = s[1 : len(s)-1]
		}
		a, err := netip.ParseAddr(s)
		if err != nil || a.Zone() != "" {
			return bad(fmt.Sprintf("%q is not an IP address", clip(s)))
		}
		re.Addrs = append(re.Addrs, a)
	}
	return re, nil
}

type hostPort struct {
	host string
	port int
}

// StaticResolver answers lookups from --resolve entries and passes other
// names to a fallback Resolver, or refuses them when there is none.
type StaticResolver struct {
	entries  map[hostPort][]netip.Addr
	fallback Resolver
}

// NewResolveOverrides builds a StaticResolver from curl --resolve entries;
// names without an entry go to fallback (nil: they do not resolve).
func NewResolveOverrides(entries []string, fallback Resolver) (*StaticResolver, error) {
	parsed, err := ParseResolve(entries)
	if err != nil {
		return nil, err
	}
	s := &StaticResolver{entries: make(map[hostPort][]netip.Addr, len(parsed)), fallback: fallback}
	for _, re := range parsed {
		k := hostPort{re.Host, re.Port}
		for _, a := range re.Addrs {
			if !contains(s.entries[k], a) {
				s.entries[k] = append(s.entries[k], a)
			}
		}
	}
	return s, nil
}

// LookupNetIP answers from the entries for host on any port, so a caller
// that knows no port still sees the overrides; Check uses LookupNetIPPort.
func (s *StaticResolver) LookupNetIP(ctx context.Context, network, host string) ([]netip.Addr, error) {
	return s.lookup(ctx, network, host, 0)
}

// LookupNetIPPort answers from the entry for host and port, as curl does.
func (s *StaticResolver) LookupNetIPPort(ctx context.Context, network, host string, port int) ([]netip.Addr, error) {
	return s.lookup(ctx, network, host, port)
}

func (s *StaticResolver) lookup(ctx context.Context, network, host string, port int) ([]netip.Addr, error) {
	name, _, reason := hostName(host)
	var found []netip.Addr
	matched := false
	if reason == "" {
		for k, addrs := range s.entries {
			if k.host != name || port != 0 && k.port != port {
				continue
			}
			matched = true
			for _, a := range addrs {
				if familyOK(network, a) && !contains(found, a) {
					found = append(found, a)
				}
			}
		}
	}
	if matched {
		if len(found) == 0 {
			return nil, &net.DNSError{Err: "no addresses of this family in --resolve", Name: host, IsNotFound: true}
		}
		return found, nil
	}
	if s.fallback == nil {
		if pm := s.portMismatch(name, port); pm != nil {
			return nil, pm
		}
		return nil, &net.DNSError{Err: "no --resolve entry for this host and port", Name: host, IsNotFound: true}
	}
	addrs, err := s.fallback.LookupNetIP(ctx, network, host)
	if err != nil {
		if pm := s.portMismatch(name, port); pm != nil {
			return nil, pm
		}
	}
	return addrs, err
}

// PortMismatchError is a lookup of a host that has --resolve entries, but
// only for other ports than the URL's: curl's --resolve is per host and
// port, and "no such host" would hide the near miss.
type PortMismatchError struct {
	Host  string
	Have  []int // the ports the entries are for, sorted
	Wants int   // the URL's port
}

func (e *PortMismatchError) Error() string {
	have := make([]string, len(e.Have))
	for i, p := range e.Have {
		have[i] = fmt.Sprintf("%s:%d", e.Host, p)
	}
	return fmt.Sprintf("--resolve has %s, the URL uses port %d", strings.Join(have, ", "), e.Wants)
}

// portMismatch is the PortMismatchError for name on port when entries for
// name exist on other ports only, else nil.
func (s *StaticResolver) portMismatch(name string, port int) *PortMismatchError {
	if port == 0 {
		return nil
	}
	var have []int
	for k := range s.entries {
		if k.host == name && k.port != port && !slices.Contains(have, k.port) {
			have = append(have, k.port)
		}
	}
	if len(have) == 0 {
		return nil
	}
	slices.Sort(have)
	return &PortMismatchError{Host: name, Have: have, Wants: port}
}

// familyOK reports whether a answers a lookup on network ("ip", "ip4", "ip6").
func familyOK(network string, a netip.Addr) bool {
	switch network {
	case "ip4":
		return a.Unmap().Is4()
	case "ip6":
		return a.Is6() && !a.Is4In6()
	}
	return true
}
