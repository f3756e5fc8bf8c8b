package urlsafe

import (
	"fmt"
	"net/netip"
	"strings"

	"github.com/webriskops/webhook-setup/core/codes"
	"golang.org/x/net/publicsuffix"
)

// allowField is the problem field allowlist refusals concern.
const allowField = "private_network.allowlist"

// allowlist is a parsed Policy.Allowlist.
type allowlist struct {
	prefixes []netip.Prefix
	names    []string // exact names, lookup form
	suffixes []string // ".suffix" of "*.suffix" entries, lookup form
}

// CheckAllowlistEntry says whether entry may go into a private-network
// allowlist: a CIDR (or single address) wholly inside one private range and
// clear of every never-allowed address, or a host name, exact or "*.suffix".
func CheckAllowlistEntry(entry string) *codes.Problem {
	var al allowlist
	if reason := al.add(entry); reason != "" {
		return &codes.Problem{Code: codes.AllowlistInvalid, Field: allowField, Reason: reason,
			Fix: codes.AllowlistInvalid.Fix()}
	}
	return nil
}

// parseAllowlist parses entries, skipping (with a warning) any that
// CheckAllowlistEntry would refuse: a bad entry never widens the policy.
func parseAllowlist(entries []string) (allowlist, []string) {
	var al allowlist
	var warns []string
	for _, e := range entries {
		if reason := al.add(e); reason != "" {
			warns = append(warns, "allowlist entry ignored: "+reason)
		}
	}
	return al, warns
}

// add parses one entry into al, or returns why it is refused.
func (al *allowlist) add(entry string) string {
	e := strings.TrimSpace(entry)
	if e == "" {
		return "the allowlist entry is empty"
	}
	if strings.Contains(e, "://") {
		return fmt.Sprintf("%q is a URL; list its host name (or *.suffix) or a private CIDR instead", clip(e))
	}
	if strings.IndexByte(e, '/') >= 0 {
		p, err := netip.ParsePrefix(e)
		if err != nil {
			return fmt.Sprintf("%q is not a CIDR like 10.20.0.0/16", clip(e))
		}
		if p != p.Masked() {
			return fmt.Sprintf("%s has bits set after the prefix length; write %s for the range or %s for the one address",
				p, p.Masked(), netip.PrefixFrom(p.Addr(), p.Addr().BitLen()))
		}
		return al.addPrefix(e, p)
	}
	if a, err := netip.ParseAddr(e); err == nil {
		if a.Zone() != "" {
			return fmt.Sprintf("%q has an IPv6 zone; zones are not allowed", clip(e))
		}
		return al.addPrefix(e, netip.PrefixFrom(a, a.BitLen()))
	}
	if isDigitsDots(e) || strings.IndexByte(e, ':') >= 0 {
		return fmt.Sprintf("%q is not a valid address or CIDR", clip(e))
	}
	wild := strings.HasPrefix(e, "*.")
	h := e
	if wild {
		h = e[2:]
	}
	if strings.IndexByte(h, '*') >= 0 {
		return fmt.Sprintf("%q: a wildcard may only be the first label, as in *.corp.example", clip(e))
	}
	if reason := scanChars(h); reason != "" {
		return fmt.Sprintf("%q: %s", clip(e), strings.Replace(reason, "the URL", "the entry", 1))
	}
	name, _, reason := hostName(h)
	if reason != "" {
		return fmt.Sprintf("%q: %s", clip(e), reason)
	}
	if blockedName(name) {
		return fmt.Sprintf("%q names this machine or a cloud metadata service, which is never allowed", clip(e))
	}
	if wild && isPublicSuffix(name) {
		return fmt.Sprintf("%q would approve every name under the public suffix %s, which anyone can register; "+
			"list your own domain, as in *.corp.example", clip(e), name)
	}
	if wild {
		al.suffixes = append(al.suffixes, "."+name)
	} else {
		al.names = append(al.names, name)
	}
	return ""
}

// isPublicSuffix reports whether name (lookup form) is on the public
// suffix list: an ICANN suffix such as com or co.uk, or a listed private
// one such as github.io. A single label the list does not know (internal,
// lan) falls under the list's default rule and is not refused: such names
// are how private networks are usually named.
func isPublicSuffix(name string) bool {
	ps, icann := publicsuffix.PublicSuffix(name)
	return ps == name && (icann || strings.Contains(name, "."))
}

// addPrefix accepts p only when it lies wholly inside one private range and
// overlaps no never-allowed address.
func (al *allowlist) addPrefix(entry string, p netip.Prefix) string {
	if p.Addr().Is4In6() {
		return fmt.Sprintf("%q is an IPv4-mapped IPv6 range; write IPv4 ranges as IPv4, like 10.20.0.0/16", clip(entry))
	}
	tab := ranges6
	if p.Addr().Is4() {
		tab = ranges4
	}
	for i := range tab {
		r := &tab[i]
		if r.Class == Blocked && r.Prefix.Bits() > 0 && r.Prefix.Overlaps(p) {
			return fmt.Sprintf("%s covers %s, which is never allowed; list narrower ranges that leave it out",
				p, describe(r))
		}
	}
	for i := range tab {
		r := &tab[i]
		if r.Class == Private && r.Prefix.Bits() <= p.Bits() && r.Prefix.Contains(p.Addr()) {
			al.prefixes = append(al.prefixes, p)
			return ""
		}
	}
	if r := rangeOf(p.Addr()); r != nil && r.Class == Public && p.Bits() == p.Addr().BitLen() {
		return fmt.Sprintf("%s is a public address; public addresses need no allowlist", p.Addr())
	}
	return fmt.Sprintf("%s is not inside one private range (10.0.0.0/8, 172.16.0.0/12, 192.168.0.0/16, "+
		"100.64.0.0/10 or fc00::/7)", p)
}

// empty reports whether al approves nothing.
func (al *allowlist) empty() bool {
	return len(al.prefixes) == 0 && len(al.names) == 0 && len(al.suffixes) == 0
}

// allows reports whether the private address a, reached through host (lookup
// form, "" for an IP literal), is approved.
func (al *allowlist) allows(a netip.Addr, host string) bool {
	for _, p := range al.prefixes {
		if p.Contains(a) {
			return true
		}
	}
	if host == "" {
		return false
	}
	for _, n := range al.names {
		if n == host {
			return true
		}
	}
	for _, s := range al.suffixes {
		if len(host) > len(s) && strings.HasSuffix(host, s) {
			return true
		}
	}
	return false
}

// judge decides one address reached through host under p and al. ok is
// true when it may be dialled; otherwise class and what say why.
func (p *Policy) judge(a netip.Addr, host string, al *allowlist) (ok bool, class Class, what string) {
	if p.testAllow != nil && p.testAllow(a) {
		return true, Public, "allowed by a test"
	}
	if embedded := nat64Embedded(a); embedded != nil {
		// A DNS64 answer: judged by the IPv4 address the gateway will
		// reach, every reading of it (nat64.go).
		for _, v4 := range embedded {
			if ok, class, what := p.judge(v4, host, al); !ok {
				return false, class, "a NAT64 address embedding " + v4.String() + ", which is " + what
			}
		}
		return true, Public, "a NAT64 address embedding a public IPv4 address"
	}
	r := rangeOf(a)
	if r == nil {
		return false, Blocked, "not a valid address"
	}
	switch r.Class {
	case Public:
		return true, Public, r.Name
	case Private:
		if al.allows(a, host) {
			return true, Private, describe(r)
		}
	}
	return false, r.Class, describe(r)
}
