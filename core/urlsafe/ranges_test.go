package urlsafe

import (
	"net/netip"
	"testing"
)

// TestClassifyBoundaries checks both sides of every range edge.
func TestClassifyBoundaries(t *testing.T) {
	const P, R, B = Public, Private, Blocked
	tests := []struct {
		addr string
		want Class
	}{
		// 0.0.0.0/8
		{"0.0.0.0", B}, {"0.255.255.255", B}, {"1.0.0.0", P},
		// 10/8
		{"9.255.255.255", P}, {"10.0.0.0", R}, {"10.0.0.5", R}, {"10.255.255.255", R}, {"11.0.0.0", P},
		// 100.64/10 and the Alibaba metadata address inside it
		{"100.63.255.255", P}, {"100.64.0.0", R}, {"100.127.255.255", R}, {"100.128.0.0", P},
		{"100.100.100.199", R}, {"100.100.100.200", B}, {"100.100.100.201", R},
		// 127/8
		{"126.255.255.255", P}, {"127.0.0.0", B}, {"127.0.0.1", B}, {"127.255.255.255", B}, {"128.0.0.0", P},
		// 168.63.129.16
		{"168.63.129.15", P}, {"168.63.129.16", B}, {"168.63.129.17", P},
		// 169.254/16
		{"169.253.255.255", P}, {"169.254.0.0", B}, {"169.254.169.254", B}, {"169.254.255.255", B}, {"169.255.0.0", P},
		// 172.16/12
		{"172.15.255.255", P}, {"172.16.0.0", R}, {"172.31.255.255", R}, {"172.32.0.0", P},
		// 192.0.0/24 and 192.0.2/24
		{"191.255.255.255", P}, {"192.0.0.0", B}, {"192.0.0.255", B}, {"192.0.1.0", P}, {"192.0.1.255", P},
		{"192.0.2.0", B}, {"192.0.2.255", B}, {"192.0.3.0", P},
		// 192.31.196/24, 192.52.193/24, 192.88.99/24, 192.175.48/24
		{"192.31.195.255", P}, {"192.31.196.0", B}, {"192.31.196.255", B}, {"192.31.197.0", P},
		{"192.52.192.255", P}, {"192.52.193.0", B}, {"192.52.193.255", B}, {"192.52.194.0", P},
		{"192.88.98.255", P}, {"192.88.99.0", B}, {"192.88.99.255", B}, {"192.88.100.0", P},
		{"192.175.47.255", P}, {"192.175.48.0", B}, {"192.175.48.255", B}, {"192.175.49.0", P},
		// 192.168/16
		{"192.167.255.255", P}, {"192.168.0.0", R}, {"192.168.255.255", R}, {"192.169.0.0", P},
		// 198.18/15
		{"198.17.255.255", P}, {"198.18.0.0", B}, {"198.19.255.255", B}, {"198.20.0.0", P},
		// 198.51.100/24, 203.0.113/24
		{"198.51.99.255", P}, {"198.51.100.0", B}, {"198.51.100.255", B}, {"198.51.101.0", P},
		{"203.0.112.255", P}, {"203.0.113.0", B}, {"203.0.113.255", B}, {"203.0.114.0", P},
		// 224/4, 240/4, broadcast
		{"223.255.255.255", P}, {"224.0.0.0", B}, {"239.255.255.255", B}, {"240.0.0.0", B},
		{"255.255.255.254", B}, {"255.255.255.255", B},
		{"8.8.8.8", P}, {"1.1.1.1", P}, {"93.184.215.14", P},

		// IPv6 below 2000::/3 (::, ::1, IPv4-compatible, mapped, NAT64, discard)
		{"::", B}, {"::1", B}, {"::2", B}, {"::8.8.8.8", B}, {"::ffff:8.8.8.8", B}, {"::ffff:0.0.0.0", B},
		{"64:ff9b::8.8.8.8", B}, {"64:ff9b::1:0:0", B}, {"64:ff9b:1::8.8.8.8", B}, {"100::1", B},
		{"1fff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", B}, {"2000::", P},
		// Teredo 2001::/32 and 2001::/23
		{"2001::", B}, {"2001:0:4136:e378:8000:63bf:3fff:fdd2", B}, {"2001:1ff:ffff:ffff:ffff:ffff:ffff:ffff", B},
		{"2001:200::", P}, {"2000:ffff:ffff:ffff:ffff:ffff:ffff:ffff", P},
		// 2001:db8::/32
		{"2001:db7:ffff:ffff:ffff:ffff:ffff:ffff", P}, {"2001:db8::", B}, {"2001:db8:ffff:ffff:ffff:ffff:ffff:ffff", B}, {"2001:db9::", P},
		// 6to4 2002::/16
		{"2001:ffff:ffff:ffff:ffff:ffff:ffff:ffff", P}, {"2002::", B}, {"2002:808:808::1", B},
		{"2002:ffff:ffff:ffff:ffff:ffff:ffff:ffff", B}, {"2003::", P},
		// 2620:4f:8000::/48
		{"2620:4f:7fff:ffff:ffff:ffff:ffff:ffff", P}, {"2620:4f:8000::", B}, {"2620:4f:8000:ffff:ffff:ffff:ffff:ffff", B}, {"2620:4f:8001::", P},
		// 3fff::/20 and the top of 2000::/3
		{"3ffe:ffff:ffff:ffff:ffff:ffff:ffff:ffff", P}, {"3fff::", B}, {"3fff:fff:ffff:ffff:ffff:ffff:ffff:ffff", B},
		{"3fff:1000::", P}, {"3fff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", P}, {"4000::", B},
		// fc00::/7 and the AWS metadata address inside it
		{"fbff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", B}, {"fc00::", R}, {"fd12:3456::1", R},
		{"fdff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", R}, {"fe00::", B},
		{"fd00:ec2::253", B}, {"fd00:ec2::254", B}, {"fd00:ec2::255", B}, {"fd00:ec2::23", B}, {"fd00:ec2::123", B},
		{"fd00:ec1:ffff:ffff:ffff:ffff:ffff:ffff", R}, {"fd00:ec2:0:1::", R},
		{"fd20:ce::254", B}, {"fd20:ce::253", R}, {"fd00:42::42", B}, {"fd00:42::41", R},
		{"fd00:c1::a9fe:a9fe", B}, {"fd00:c1::a9fe:a9ff", R},
		{"192.0.0.192", B}, {"168.63.129.16", B}, {"100.100.100.200", B}, {"169.254.170.23", B}, {"169.254.42.42", B},
		// link-local, site-local, multicast
		{"fe7f:ffff:ffff:ffff:ffff:ffff:ffff:ffff", B}, {"fe80::", B}, {"fe80::1", B}, {"febf:ffff:ffff:ffff:ffff:ffff:ffff:ffff", B},
		{"fec0::", B}, {"feff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", B}, {"ff00::", B}, {"ff02::1", B},
		{"ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", B},
		{"2606:4700:4700::1111", P}, {"2a00:1450:4001::200e", P},
	}
	for _, tt := range tests {
		got, what := ClassifyAddr(netip.MustParseAddr(tt.addr))
		if got != tt.want {
			t.Errorf("ClassifyAddr(%s) = %v (%s), want %v", tt.addr, got, what, tt.want)
		}
		if what == "" {
			t.Errorf("ClassifyAddr(%s) gave no description", tt.addr)
		}
	}
}

func TestClassifyDescriptions(t *testing.T) {
	tests := []struct{ addr, want string }{
		{"10.0.0.5", "a private address (10.0.0.0/8)"},
		{"127.0.0.1", "a loopback address (127.0.0.0/8)"},
		{"169.254.169.254", "link-local"},
		{"100.100.100.200", "metadata"},
		{"::ffff:8.8.8.8", "embeds an IPv4 address"},
		{"64:ff9b::808:808", "NAT64"},
		{"2002:808:808::1", "6to4"},
		{"2001::1", "Teredo"},
		{"4000::1", "2000::/3"},
		{"8.8.8.8", "a public address"},
	}
	for _, tt := range tests {
		if _, what := ClassifyAddr(netip.MustParseAddr(tt.addr)); !hasAll(what, tt.want) {
			t.Errorf("ClassifyAddr(%s) = %q, want it to mention %q", tt.addr, what, tt.want)
		}
	}
	if c, _ := ClassifyAddr(netip.Addr{}); c != Blocked {
		t.Errorf("the zero Addr is %v, want blocked", c)
	}
	// A zone does not change the class.
	if c, _ := ClassifyAddr(netip.MustParseAddr("fe80::1%eth0")); c != Blocked {
		t.Errorf("fe80::1%%eth0 is %v, want blocked", c)
	}
}

// TestRangesTable keeps the tables well formed: masked prefixes, one
// catch-all per family, at the end.
func TestRangesTable(t *testing.T) {
	for _, tab := range [][]Range{ranges4, ranges6} {
		for i, r := range tab {
			if r.Prefix != r.Prefix.Masked() {
				t.Errorf("%s is not masked", r.Prefix)
			}
			if (r.Prefix.Bits() == 0) != (i == len(tab)-1) {
				t.Errorf("%s: the catch-all row must be last and only", r.Prefix)
			}
			if r.Name == "" {
				t.Errorf("%s has no name", r.Prefix)
			}
		}
	}
	if n := len(Ranges()); n != len(ranges4)+len(ranges6) {
		t.Errorf("Ranges() has %d rows", n)
	}
	Ranges()[0].Class = Public // a copy: the policy must not change
	if ranges4[0].Class != Blocked {
		t.Fatal("Ranges() exposed the policy table")
	}
}
