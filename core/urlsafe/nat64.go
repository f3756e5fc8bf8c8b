package urlsafe

import "net/netip"

// NAT64 (RFC 6052). On an IPv6-only network with DNS64, the resolver
// answers for an IPv4-only receiver with an address in 64:ff9b::/96 (or a
// network-specific prefix in the local-use 64:ff9b:1::/48, RFC 8215) that
// embeds the receiver's IPv4 address; the NAT64 gateway then connects to
// that IPv4 address. Such an answer is judged as the IPv4 address it
// carries: refused when that address would be, allowed when it is public.

var (
	nat64WellKnown = netip.MustParsePrefix("64:ff9b::/96")
	nat64Local     = netip.MustParsePrefix("64:ff9b:1::/48")
)

// nat64Embedded returns the IPv4 addresses a may carry when it is a NAT64
// address, and nil otherwise. The well-known prefix is always a /96
// (RFC 6052 section 2.1). Inside 64:ff9b:1::/48 the operator may use a /48,
// /56, /64 or /96 prefix, which put the IPv4 address in different bits
// (RFC 6052 section 2.2, skipping bits 64-71); which one a gateway uses
// cannot be told from the address, so every reading is returned and every
// one must pass.
func nat64Embedded(a netip.Addr) []netip.Addr {
	if !a.Is6() || a.Is4In6() {
		return nil
	}
	b := a.As16()
	v4 := func(i, j, k, l int) netip.Addr { return netip.AddrFrom4([4]byte{b[i], b[j], b[k], b[l]}) }
	switch {
	case nat64WellKnown.Contains(a):
		return []netip.Addr{v4(12, 13, 14, 15)}
	case nat64Local.Contains(a):
		return []netip.Addr{
			v4(6, 7, 9, 10),    // /48
			v4(7, 9, 10, 11),   // /56
			v4(9, 10, 11, 12),  // /64
			v4(12, 13, 14, 15), // /96
		}
	}
	return nil
}
