package urlsafe

import (
	"context"
	"net"
	"net/netip"
	"strings"
	"sync/atomic"
	"testing"
)

// resolverFunc adapts a function to Resolver.
type resolverFunc func(ctx context.Context, network, host string) ([]netip.Addr, error)

func (f resolverFunc) LookupNetIP(ctx context.Context, network, host string) ([]netip.Addr, error) {
	return f(ctx, network, host)
}

// answers resolves every name to addrs.
func answers(addrs ...string) resolverFunc {
	as := make([]netip.Addr, len(addrs))
	for i, s := range addrs {
		as[i] = netip.MustParseAddr(s)
	}
	return func(context.Context, string, string) ([]netip.Addr, error) { return as, nil }
}

// noLookups fails the test when anything is looked up.
func noLookups(t *testing.T) resolverFunc {
	return func(_ context.Context, _, host string) ([]netip.Addr, error) {
		t.Errorf("unexpected lookup of %q", host)
		return nil, &net.DNSError{Err: "unexpected", Name: host, IsNotFound: true}
	}
}

// flipResolver answers first with one set of addresses, then with another,
// counting calls: a DNS answer that changes between check and send.
type flipResolver struct {
	first, later []netip.Addr
	calls        atomic.Int32
}

func (f *flipResolver) LookupNetIP(context.Context, string, string) ([]netip.Addr, error) {
	if f.calls.Add(1) == 1 {
		return f.first, nil
	}
	return f.later, nil
}

func addrs(ss ...string) []netip.Addr {
	out := make([]netip.Addr, len(ss))
	for i, s := range ss {
		out[i] = netip.MustParseAddr(s)
	}
	return out
}

func hasAll(s string, subs ...string) bool {
	for _, sub := range subs {
		if !strings.Contains(s, sub) {
			return false
		}
	}
	return true
}
