package urlsafe

import (
	"net/netip"
	"strings"
)

// Class says how the policy treats an address.
type Class uint8

// The address classes, from harmless to never allowed.
const (
	// Public addresses need no approval.
	Public Class = iota
	// Private addresses are refused unless the allowlist approves them.
	Private
	// Blocked addresses are never allowed, allowlist or not.
	Blocked
)

func (c Class) String() string {
	switch c {
	case Public:
		return "public"
	case Private:
		return "private"
	default:
		return "blocked"
	}
}

// Range is one row of the address policy: the first row whose prefix holds
// an address decides its class.
type Range struct {
	Prefix netip.Prefix
	Class  Class
	// Name says what the address is, as it reads after "is": "a loopback address".
	Name string
	// desc is describe's text, made once: refusals and checks name the
	// row without allocating.
	desc string
}

func row(prefix string, c Class, name string) Range {
	r := Range{Prefix: netip.MustParsePrefix(prefix), Class: c, Name: name}
	r.desc = describe(&r)
	return r
}

// ranges4 and ranges6 are the policy tables, most specific rows first; the
// last row of each catches everything else.
var ranges4 = []Range{
	// Cloud metadata and platform-agent endpoints outside 169.254.0.0/16
	// (docs/url-safety.md names the source of each).
	row("100.100.100.200/32", Blocked, "the Alibaba Cloud metadata address"),
	row("168.63.129.16/32", Blocked, "the Azure platform (WireServer) address"),
	row("192.0.0.192/32", Blocked, "the Oracle Cloud@Customer metadata address"),
	row("255.255.255.255/32", Blocked, "the broadcast address"),
	row("0.0.0.0/8", Blocked, `a "this network" address`),
	row("127.0.0.0/8", Blocked, "a loopback address"),
	row("169.254.0.0/16", Blocked, "a link-local address, where cloud metadata services live"),
	row("192.0.0.0/24", Blocked, "an IETF protocol assignment address"),
	row("192.0.2.0/24", Blocked, "a documentation address (TEST-NET-1)"),
	row("198.18.0.0/15", Blocked, "a benchmarking address"),
	row("198.51.100.0/24", Blocked, "a documentation address (TEST-NET-2)"),
	row("203.0.113.0/24", Blocked, "a documentation address (TEST-NET-3)"),
	row("192.88.99.0/24", Blocked, "a 6to4 relay anycast address"),
	row("192.31.196.0/24", Blocked, "an AS112 DNS address"),
	row("192.52.193.0/24", Blocked, "an AMT relay address"),
	row("192.175.48.0/24", Blocked, "an AS112 direct-delegation DNS address"),
	row("224.0.0.0/4", Blocked, "a multicast address"),
	row("240.0.0.0/4", Blocked, "a reserved address"),
	row("10.0.0.0/8", Private, "a private address"),
	row("172.16.0.0/12", Private, "a private address"),
	row("192.168.0.0/16", Private, "a private address"),
	row("100.64.0.0/10", Private, "a shared (carrier-grade NAT) address"),
	row("0.0.0.0/0", Public, "a public address"),
}

var ranges6 = []Range{
	row("::/128", Blocked, "the unspecified address"),
	row("::1/128", Blocked, "the loopback address"),
	row("::ffff:0:0/96", Blocked, "an IPv4-mapped address, which embeds an IPv4 address"),
	row("::/96", Blocked, "an IPv4-compatible address, which embeds an IPv4 address"),
	// NAT64 literals are refused; DNS64 answers in these ranges are judged
	// by the IPv4 address they embed (nat64.go) before this table is read.
	row("64:ff9b::/96", Blocked, "a NAT64 address, which embeds an IPv4 address"),
	row("64:ff9b:1::/48", Blocked, "a local NAT64 address, which embeds an IPv4 address"),
	row("fe80::/10", Blocked, "a link-local address"),
	row("fec0::/10", Blocked, "a site-local address"),
	row("ff00::/8", Blocked, "a multicast address"),
	// Cloud metadata, credential and platform-agent endpoints inside
	// fc00::/7, which an allowlist could otherwise approve
	// (docs/url-safety.md names the source of each).
	row("fd00:ec2::254/128", Blocked, "the AWS metadata address"),
	row("fd00:ec2::23/128", Blocked, "the AWS EKS Pod Identity credentials address"),
	row("fd00:ec2::/64", Blocked, "an AWS platform service address (metadata, DNS, time, credentials)"),
	row("fd20:ce::254/128", Blocked, "the Google Cloud metadata address"),
	row("fd00:42::42/128", Blocked, "the Scaleway metadata address"),
	row("fd00:c1::a9fe:a9fe/128", Blocked, "the Oracle Cloud metadata address"),
	row("fc00::/7", Private, "a private (unique local) address"),
	row("2001::/32", Blocked, "a Teredo address, which embeds an IPv4 address"),
	row("2001:db8::/32", Blocked, "a documentation address"),
	row("2001::/23", Blocked, "an IETF protocol assignment address"),
	row("2002::/16", Blocked, "a 6to4 address, which embeds an IPv4 address"),
	row("2620:4f:8000::/48", Blocked, "an AS112 direct-delegation DNS address"),
	row("3fff::/20", Blocked, "a documentation address"),
	row("2000::/3", Public, "a public address"),
	row("::/0", Blocked, "outside global unicast space (2000::/3)"),
}

// Ranges returns a copy of the policy tables, IPv4 first, in the order they
// are matched; docs and `webhook-setup` help text read it.
func Ranges() []Range {
	out := make([]Range, 0, len(ranges4)+len(ranges6))
	out = append(out, ranges4...)
	return append(out, ranges6...)
}

// rangeOf returns the policy row that decides a. An IPv4-mapped address is
// judged as IPv6 (and so refused): callers unmap DNS answers first.
func rangeOf(a netip.Addr) *Range {
	a = a.WithZone("")
	tab := ranges6
	if a.Is4() {
		tab = ranges4
	}
	for i := range tab {
		if tab[i].Prefix.Contains(a) {
			return &tab[i]
		}
	}
	return nil
}

// ClassifyAddr says which class a falls in and what it is, e.g.
// (Private, "a private address (10.0.0.0/8)"). An invalid address is Blocked.
func ClassifyAddr(a netip.Addr) (Class, string) {
	r := rangeOf(a)
	if r == nil {
		return Blocked, "not a valid address"
	}
	return r.Class, describe(r)
}

// describe names a row with its prefix, except for the catch-all rows whose
// prefix would say nothing.
func describe(r *Range) string {
	if r.desc != "" {
		return r.desc
	}
	if r.Prefix.Bits() == 0 {
		return r.Name
	}
	var b strings.Builder
	b.Grow(len(r.Name) + 24)
	b.WriteString(r.Name)
	b.WriteString(" (")
	b.WriteString(r.Prefix.String())
	b.WriteString(")")
	return b.String()
}
