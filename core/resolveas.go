package core

import (
	"fmt"
	"net/netip"
	"strconv"
	"strings"

	"github.com/webriskops/webhook-setup/core/codes"
	"github.com/webriskops/webhook-setup/core/urlsafe"
)

// A target's resolve override (Target.Resolve) is the addresses its URL's
// host is taken to have on the URL's port instead of DNS: curl's --resolve
// HOST:PORT:ADDR kept with the target, for machines without DNS. It
// belongs to the host and port of the URL it was given with; every check
// and send judges the addresses exactly as DNS answers (CheckEndpoint).

// ParseResolve reads addresses as an operator types them (the wizard's
// ctrl+r field, add --resolve-as): IP addresses separated by commas or
// spaces, IPv6 with or without brackets. It returns them in their
// canonical form, without duplicates; blank text is no override (nil).
func ParseResolve(text string) ([]string, *codes.Problem) {
	fields := strings.FieldsFunc(text, func(r rune) bool { return r == ',' || r == ' ' || r == '\t' || r == '\n' || r == '\r' })
	return CanonicalResolve(fields)
}

// CanonicalResolve checks a list of addresses (each one IP literal, as a
// targets file's resolve key holds them) and returns it canonical and
// without duplicates.
func CanonicalResolve(list []string) ([]string, *codes.Problem) {
	if len(list) == 0 {
		return nil, nil
	}
	if len(list) > MaxResolveAddrs {
		p := codes.NewProblem(codes.ResolveInvalid, "resolve",
			fmt.Sprintf("the resolve override has %d addresses; keep it to %d", len(list), MaxResolveAddrs))
		return nil, &p
	}
	var out []string
	for _, s := range list {
		a, err := netip.ParseAddr(strings.TrimSuffix(strings.TrimPrefix(strings.TrimSpace(s), "["), "]"))
		if err != nil || a.Zone() != "" {
			p := codes.NewProblem(codes.ResolveInvalid, "resolve",
				fmt.Sprintf("%s is not an IP address (the override is addresses only; the URL gives the host and port)", Clip(s)))
			return nil, &p
		}
		c := a.Unmap().String()
		if !contains(out, c) {
			out = append(out, c)
		}
	}
	return out, nil
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// resolveProblem is what is wrong with t's resolve override, nil when it
// has none or it is fine: an address that is not one, too many, or a URL
// whose host is an address already (nothing to resolve). A URL that does
// not parse is webhook_url's problem, not this one's.
func resolveProblem(t Target) *codes.Problem {
	if len(t.Resolve) == 0 {
		return nil
	}
	if _, p := CanonicalResolve(t.Resolve); p != nil {
		return p
	}
	if _, _, p := urlsafe.Parse(t.BaseURL); p != nil {
		return nil
	}
	if _, _, ok := urlsafe.HostPort(t.BaseURL); !ok {
		p := codes.NewProblem(codes.ResolveInvalid, "resolve",
			"the URL's host is an IP address already; a resolve override is for a host name")
		return &p
	}
	return nil
}

// resolverFor is r with t's resolve override in front of it for the URL's
// host and port; r itself when t has none or it cannot apply.
func resolverFor(t Target, r urlsafe.Resolver) urlsafe.Resolver {
	if len(t.Resolve) == 0 {
		return r
	}
	host, port, ok := urlsafe.HostPort(t.BaseURL)
	if !ok {
		return r
	}
	addrs := make([]netip.Addr, 0, len(t.Resolve))
	for _, s := range t.Resolve {
		if a, err := netip.ParseAddr(s); err == nil {
			addrs = append(addrs, a.Unmap())
		}
	}
	return urlsafe.NewHostOverride(host, port, addrs, r)
}

// ResolveFor is the HOST:PORT t's resolve override answers for ("" when
// the URL has no host name to resolve).
func ResolveFor(t Target) string {
	host, port, ok := urlsafe.HostPort(t.BaseURL)
	if !ok {
		return ""
	}
	return host + ":" + strconv.Itoa(port)
}

// ResolveLine is t's resolve override as show and the wizard's Review say
// it: "hooks.zapier.com:443 → 203.0.113.10, 2001:db8::10 (instead of DNS)";
// "" when it has none.
func ResolveLine(t Target) string {
	if len(t.Resolve) == 0 {
		return ""
	}
	return ResolveFor(t) + " → " + strings.Join(t.Resolve, ", ") + " (instead of DNS)"
}

// DropStaleResolve removes t's resolve override when t's URL has another
// host or port than saved's: the addresses were given for that host and
// port, and must not follow the URL to a new one. It reports whether it
// dropped one, so the caller can say so. (A targets file states both the
// URL and its resolve key, so apply takes them as written.)
func DropStaleResolve(saved Target, t *Target) bool {
	if len(t.Resolve) == 0 || ResolveFor(saved) == ResolveFor(*t) {
		return false
	}
	t.Resolve = nil
	return true
}
