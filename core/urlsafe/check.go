package urlsafe

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"time"

	"github.com/webriskops/webhook-setup/core/codes"
)

// lookupTimeout bounds DNS when the caller's context has no deadline.
const lookupTimeout = 10 * time.Second

// portResolver is a Resolver that can answer per port, like curl's
// --resolve; Check prefers it when r has it.
type portResolver interface {
	LookupNetIPPort(ctx context.Context, network, host string, port int) ([]netip.Addr, error)
}

// Check decides whether raw may receive evidence under p: the parse-time
// policy, then every A and AAAA answer from r (net.DefaultResolver when nil)
// against the address policy. A safe verdict pins the addresses that were
// judged, and NewClient dials only those.
func Check(ctx context.Context, raw string, p Policy, r Resolver) Verdict {
	v := Verdict{URL: shownURL(raw), Addresses: []string{}, Warnings: []string{}}
	t, prob := parse(raw)
	if prob != nil {
		v.Code, v.Reason, v.Fix = string(prob.Code), prob.Reason, prob.Fix
		v.Host = t.host // as far as parsing got: the refused literal or name
		if t.addr.IsValid() {
			v.Addresses = []string{t.addr.String()}
		}
		return v
	}
	v.Host, v.Endpoint = t.host, t.u
	v.Warnings = append(v.Warnings, t.warnings...)
	al, warns := parseAllowlist(p.Allowlist)
	v.Warnings = append(v.Warnings, warns...)

	addrs := []netip.Addr{t.addr}
	name := ""
	if !t.addr.IsValid() {
		name = t.host
		var err error
		if addrs, err = lookup(ctx, r, t.host, t.port); err != nil {
			return v.unresolved(lookupReason(t.host, err))
		}
	}
	v.Addresses = make([]string, len(addrs))
	for i, a := range addrs {
		v.Addresses[i] = a.String()
	}

	// Judge every address; report the worst refusal, the first of its kind.
	var worst netip.Addr
	var worstClass Class
	worstWhat := ""
	refused := 0
	for _, a := range addrs {
		ok, class, what := p.judge(a, name, &al)
		if ok {
			continue
		}
		refused++
		if !worst.IsValid() || class > worstClass {
			worst, worstClass, worstWhat = a, class, what
		}
	}
	if refused == 0 {
		v.Safe, v.Pinned = true, addrs
		return v
	}

	subject := fmt.Sprintf("%s is", worst)
	if name != "" {
		subject = fmt.Sprintf("%s resolves to %s,", name, worst)
	}
	also := ""
	if len(addrs) > 1 {
		also = fmt.Sprintf(" (%d of its %d addresses refused)", refused, len(addrs))
	}
	if worstClass == Blocked {
		return v.refuse(fmt.Sprintf("%s %s%s; such addresses are never allowed", subject, worstWhat, also), fixBlocked)
	}
	if !p.SelfHosted {
		return v.refuse(fmt.Sprintf("%s %s%s; only self-hosted targets can reach private networks, "+
			"after approval in the private-network step", subject, worstWhat, also), fixPrivate)
	}
	v.NeedsApproval = true
	fix := fmt.Sprintf("Approve %s in the private-network allowlist", approvable(worst))
	if name != "" {
		fix += fmt.Sprintf(", or the host name %s", name)
	}
	return v.refuse(fmt.Sprintf("%s %s%s; self-hosted targets can allow it in the private-network step",
		subject, worstWhat, also), fix+".")
}

// refuse marks v unsafe with code generic_webhook_url_unsafe.
func (v Verdict) refuse(reason, fix string) Verdict {
	v.Safe, v.Pinned = false, nil
	v.Code, v.Reason, v.Fix = string(codes.URLUnsafe), reason, fix
	return v
}

// unresolved marks v refused with code generic_webhook_host_unresolved: a
// host that does not resolve is not an unsafe one, and the operator's fix
// (DNS, or --resolve) is a different one.
func (v Verdict) unresolved(reason string) Verdict {
	v.Safe, v.Pinned = false, nil
	v.Code, v.Reason, v.Fix = string(codes.HostUnresolved), reason, codes.HostUnresolved.Fix()
	return v
}

// lookup asks r for every A and AAAA record of host and returns the answers
// unmapped (an IPv4-mapped answer is an IPv4 address), without zones or
// duplicates. No answer at all is an error.
func lookup(ctx context.Context, r Resolver, host string, port int) ([]netip.Addr, error) {
	if r == nil {
		r = net.DefaultResolver
	}
	if _, ok := ctx.Deadline(); !ok {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, lookupTimeout)
		defer cancel()
	}
	var got []netip.Addr
	var err error
	if pr, ok := r.(portResolver); ok {
		got, err = pr.LookupNetIPPort(ctx, "ip", host, port)
	} else {
		got, err = r.LookupNetIP(ctx, "ip", host)
	}
	if err != nil {
		return nil, err
	}
	out := make([]netip.Addr, 0, len(got))
	for _, a := range got {
		a = a.Unmap().WithZone("")
		if !a.IsValid() || contains(out, a) {
			continue
		}
		out = append(out, a)
	}
	if len(out) == 0 {
		return nil, errNoAddrs
	}
	return out, nil
}

var errNoAddrs = errors.New("no addresses")

// lookupReason turns a lookup failure into words a person can act on.
func lookupReason(host string, err error) string {
	var de *net.DNSError
	var pm *PortMismatchError
	switch {
	case errors.As(err, &pm):
		return pm.Error()
	case errors.Is(err, errNoAddrs):
		return fmt.Sprintf("%s resolves to no addresses", host)
	case errors.Is(err, context.Canceled):
		return fmt.Sprintf("the lookup of %s was cancelled", host)
	case errors.Is(err, context.DeadlineExceeded):
		return fmt.Sprintf("the lookup of %s timed out; check the network and DNS, then try again", host)
	case errors.As(err, &de) && de.IsNotFound:
		return fmt.Sprintf("%s does not resolve (no such host)", host)
	case errors.As(err, &de) && de.IsTimeout:
		return fmt.Sprintf("the lookup of %s timed out; check the network and DNS, then try again", host)
	}
	return fmt.Sprintf("the lookup of %s failed: %v", host, err)
}

func contains(as []netip.Addr, a netip.Addr) bool {
	for _, b := range as {
		if a == b {
			return true
		}
	}
	return false
}

// approvable is what a refusal suggests approving for the private address
// a: its whole private range when the allowlist accepts that, else (100.64/10
// and fc00::/7 hold never-allowed metadata addresses) the /24 or /64 around a
// (or a narrower CIDR inside it).
func approvable(a netip.Addr) string {
	whole := rangeOf(a).Prefix
	var al allowlist
	if al.addPrefix(whole.String(), whole) == "" {
		return whole.String() + " (or a narrower CIDR inside it)"
	}
	bits := 24
	if !a.Is4() {
		bits = 64
	}
	p := netip.PrefixFrom(a, bits).Masked()
	if al.addPrefix(p.String(), p) != "" {
		p = netip.PrefixFrom(a, a.BitLen())
	}
	return p.String()
}
