package urlsafe

import (
	"context"
	"net"
	"net/netip"
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"

	"github.com/webriskops/webhook-setup/core/codes"
)

// The fuzz oracle: the refused ranges written out again with net.ParseCIDR,
// independent of the policy tables, so a mistake in one shows in the other.
var (
	oracleRefused4 = cidrs("0.0.0.0/8", "127.0.0.0/8", "169.254.0.0/16", "192.0.0.0/24", "192.0.2.0/24",
		"198.18.0.0/15", "198.51.100.0/24", "203.0.113.0/24", "192.88.99.0/24", "192.31.196.0/24",
		"192.52.193.0/24", "192.175.48.0/24", "224.0.0.0/4", "240.0.0.0/4", "255.255.255.255/32",
		"100.100.100.200/32", "168.63.129.16/32",
		// private, refused without an allowlist
		"10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "100.64.0.0/10")
	oracleRefused6 = cidrs("2001::/23", "2001:db8::/32", "2002::/16", "2620:4f:8000::/48", "3fff::/20",
		"fc00::/7", "fe80::/10", "fec0::/10", "ff00::/8", "::/128", "::1/128")
	oracleGlobal6 = cidrs("2000::/3")[0]
	oraclePrivate = cidrs("10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "100.64.0.0/10", "fc00::/7")
	// never allowed although inside a private range: cloud endpoints
	oracleMetadata = cidrs("100.100.100.200/32", "fd00:ec2::/64", "fd20:ce::254/128", "fd00:42::42/128",
		"fd00:c1::a9fe:a9fe/128")
	oracleNAT64      = cidrs("64:ff9b::/96")[0]
	oracleNAT64Local = cidrs("64:ff9b:1::/48")[0]
)

// oracleNAT64Readings returns the IPv4 addresses a DNS64 answer may embed
// (RFC 6052: the /96 well-known prefix; /48, /56, /64, /96 inside the
// local-use /48), or nil when a is not one.
func oracleNAT64Readings(a netip.Addr) []netip.Addr {
	ip := net.IP(a.AsSlice())
	at := func(idx ...int) netip.Addr {
		return netip.AddrFrom4([4]byte{ip[idx[0]], ip[idx[1]], ip[idx[2]], ip[idx[3]]})
	}
	switch {
	case !a.Is6() || a.Is4In6():
		return nil
	case oracleNAT64.Contains(ip):
		return []netip.Addr{at(12, 13, 14, 15)}
	case oracleNAT64Local.Contains(ip):
		return []netip.Addr{at(6, 7, 9, 10), at(7, 9, 10, 11), at(9, 10, 11, 12), at(12, 13, 14, 15)}
	}
	return nil
}

func cidrs(ss ...string) []*net.IPNet {
	out := make([]*net.IPNet, len(ss))
	for i, s := range ss {
		_, n, err := net.ParseCIDR(s)
		if err != nil {
			panic(err)
		}
		out[i] = n
	}
	return out
}

func inAny(ip net.IP, nets []*net.IPNet) bool {
	for _, n := range nets {
		if n.Contains(ip) {
			return true
		}
	}
	return false
}

// oracleRefused says whether a public-only policy must refuse a (already
// unmapped by the caller's rules).
func oracleRefused(a netip.Addr) bool {
	if r := oracleNAT64Readings(a); r != nil {
		for _, v4 := range r {
			if oracleRefused(v4) {
				return true
			}
		}
		return false
	}
	ip := net.IP(a.AsSlice())
	if a.Is4() {
		return inAny(ip, oracleRefused4)
	}
	if a.Is4In6() {
		return true
	}
	return !oracleGlobal6.Contains(ip) || inAny(ip, oracleRefused6)
}

// oracleNeverAllowed says whether no allowlist may admit a.
func oracleNeverAllowed(a netip.Addr) bool {
	if r := oracleNAT64Readings(a); r != nil {
		for _, v4 := range r {
			if oracleNeverAllowed(v4) {
				return true
			}
		}
		return false
	}
	if !oracleRefused(a) {
		return false
	}
	ip := net.IP(a.AsSlice())
	return !inAny(ip, oraclePrivate) || a.Is4In6() || inAny(ip, oracleMetadata)
}

// fuzzAnswers decodes DNS answers from bytes: a tag byte, then 4 (even tag)
// or 16 (odd tag) address bytes, repeated.
func fuzzAnswers(b []byte) []netip.Addr {
	var out []netip.Addr
	for len(b) > 0 && len(out) < 16 {
		n := 4
		if b[0]%2 == 1 {
			n = 16
		}
		if len(b) < 1+n {
			break
		}
		a, _ := netip.AddrFromSlice(b[1 : 1+n])
		out = append(out, a)
		b = b[1+n:]
	}
	return out
}

// authorityOf returns the text between "://" and the first /, ? or #.
func authorityOf(raw string) string {
	i := strings.Index(raw, "://")
	if i < 0 {
		return ""
	}
	rest := raw[i+3:]
	if j := strings.IndexAny(rest, "/?#"); j >= 0 {
		rest = rest[:j]
	}
	return rest
}

func FuzzCheck(f *testing.F) {
	for _, seed := range []struct {
		raw   string
		dns   []byte
		allow string
	}{
		{"https://hooks.example.com/hook", []byte{0, 93, 184, 215, 14}, ""},
		{"https://hooks.example.com/hook", []byte{0, 10, 0, 0, 5}, "10.0.0.0/8"},
		{"https://hooks.example.com/hook", []byte{1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 127, 0, 0, 1}, "*.example.com"},
		{"https://8.8.8.8/", nil, ""},
		{"https://127.1/", nil, ""},
		{"https://user@example.com/", []byte{0, 8, 8, 8, 8}, ""},
		{"http://example.com/", []byte{0, 8, 8, 8, 8}, ""},
		{"https://[::ffff:8.8.8.8]/", nil, ""},
		{"https://\uff45xample.com/", []byte{0, 8, 8, 8, 8}, ""},
	} {
		f.Add(seed.raw, seed.dns, seed.allow)
	}
	f.Fuzz(func(t *testing.T, raw string, dns []byte, allow string) {
		answers := fuzzAnswers(dns)
		r := resolverFunc(func(context.Context, string, string) ([]netip.Addr, error) { return answers, nil })
		ctx := context.Background()

		v := Check(ctx, raw, Policy{}, r)
		checkVerdict(t, raw, v, answers)
		if v.Safe {
			for _, a := range v.Pinned {
				if oracleRefused(a) {
					t.Fatalf("%q: pinned %s, which a public-only policy refuses", raw, a)
				}
			}
		}
		_, _, p := Parse(raw)
		if p != nil && v.Safe {
			t.Fatalf("%q: Parse refused (%s) but Check accepted", raw, p.Reason)
		}

		// With a fuzzed allowlist: never-allowed ranges stay refused.
		pol := Policy{SelfHosted: true, Allowlist: strings.Split(allow, ",")}
		v = Check(ctx, raw, pol, r)
		checkVerdict(t, raw, v, answers)
		if v.Safe {
			for _, a := range v.Pinned {
				if oracleNeverAllowed(a) {
					t.Fatalf("%q with allowlist %q: pinned %s, which is never allowed", raw, allow, a)
				}
			}
		}
		if v.NeedsApproval && v.Safe {
			t.Fatal("a safe verdict needs approval")
		}
	})
}

// cutPrefix strips the "… (N bytes)" a long URL is cut with, if any.
func cutPrefix(s string) string {
	if i := strings.LastIndex(s, "… ("); i >= 0 && strings.HasSuffix(s, " bytes)") {
		return s[:i]
	}
	return s
}

// checkVerdict holds the invariants every verdict keeps, safe or not.
func checkVerdict(t *testing.T, raw string, v Verdict, answers []netip.Addr) {
	t.Helper()
	if r, p := Redact(raw), cutPrefix(v.URL); v.URL != r && !(p != v.URL && strings.HasPrefix(r, p)) {
		t.Fatalf("%q: URL %q is neither Redact(raw) nor its start", raw, v.URL)
	}
	if !v.Safe {
		unsafe := v.Code == string(codes.URLUnsafe) || v.Code == string(codes.HostUnresolved) && len(v.Addresses) == 0
		if !unsafe || v.Reason == "" || v.Fix == "" || v.Pinned != nil {
			t.Fatalf("%q: refusal without code, reason or fix, or with pins: %+v", raw, v)
		}
		return
	}
	if v.Code != "" || len(v.Pinned) == 0 || v.Endpoint == nil {
		t.Fatalf("%q: safe verdict is incomplete: %+v", raw, v)
	}
	if !strings.HasPrefix(strings.ToLower(raw), "https://") || v.Endpoint.Scheme != "https" {
		t.Fatalf("%q: safe with another scheme", raw)
	}
	if strings.ContainsRune(authorityOf(raw), '@') || v.Endpoint.User != nil {
		t.Fatalf("%q: safe with user information", raw)
	}
	if strings.ContainsRune(raw, '\\') || v.Endpoint.Fragment != "" {
		t.Fatalf("%q: safe with a backslash or a fragment", raw)
	}
	if !utf8.ValidString(raw) {
		t.Fatalf("%q: safe with invalid UTF-8", raw)
	}
	for _, c := range raw {
		if unicode.IsSpace(c) || unicode.IsControl(c) || unicode.Is(unicode.Cf, c) {
			t.Fatalf("%q: safe with whitespace or a control character %U", raw, c)
		}
	}
	if len(raw) > 2048 {
		t.Fatalf("safe with %d bytes", len(raw))
	}
	if strings.ContainsRune(authorityOf(raw), '%') {
		t.Fatalf("%q: safe with a zone or an escaped host", raw)
	}
	// Every pin comes from this lookup (or is the literal), and every answer was judged.
	host := v.Endpoint.Hostname()
	if lit, err := netip.ParseAddr(host); err == nil {
		if len(v.Pinned) != 1 || v.Pinned[0] != lit {
			t.Fatalf("%q: literal %s pinned as %v", raw, lit, v.Pinned)
		}
		return
	}
	var unmapped []netip.Addr
	for _, a := range answers {
		if a.IsValid() {
			unmapped = append(unmapped, a.Unmap())
		}
	}
	for _, a := range v.Pinned {
		if !contains(unmapped, a) {
			t.Fatalf("%q: pinned %s, which the resolver never answered", raw, a)
		}
	}
	for _, a := range unmapped {
		if !contains(v.Pinned, a) {
			t.Fatalf("%q: answer %s was dropped instead of judged", raw, a)
		}
	}
	if blockedName(strings.ToLower(strings.TrimSuffix(host, "."))) {
		t.Fatalf("%q: safe with a never-allowed name", raw)
	}
}

// FuzzRedact: Redact never panics, and its output never holds an input
// token: a path segment (or, without a scheme, a piece between slashes)
// of 5 or more characters that is not one of the public words of webhook
// paths or a Zapier account id, whatever follows it (/silent/, /1, /.,
// a query, a fragment). The oracle below is written out again here, apart
// from the rule in redact.go.
func FuzzRedact(f *testing.F) {
	for _, s := range []string{
		"https://hooks.zapier.com/hooks/catch/123456789/abcdefghij/",
		"https://hooks.zapier.com/hooks/catch/1234567/zq7x9k2/silent/",
		"https://hooks.zapier.com/hooks/catch/1234567/zq7x9k2/1",
		"https://hooks.zapier.com/hooks/catch/1234567/zq7x9k2/.",
		"https://hook.eu1.make.com/abcdefghijklmnopqrstuvwxyz",
		"https://n8n.example.com/webhook-test/6f1c2a3b-1111/x?y=1",
		"https://u:p@example.com:8443/a/bcdefghijkl?x=abcdefgh#frag",
		"not a url/abcdefghijkl",
		"https://example.com/bcdefgh=abc?abcdefgh=abc",
		"https://example.com\\abcdefghijkl",
		"https://ex\x00ample.com/\xff\xfeabcdefghijkl",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, raw string) {
		out := Redact(raw)
		if !utf8.ValidString(out) {
			t.Fatalf("Redact(%q) = %q is not valid UTF-8", raw, out)
		}
		for _, c := range out {
			if unicode.Is(unicode.Cc, c) || unicode.Is(unicode.Cf, c) {
				t.Fatalf("Redact(%q) = %q keeps a control character", raw, out)
			}
		}
		if again := Redact(out); again != out {
			t.Fatalf("Redact is not idempotent: %q → %q → %q", raw, out, again)
		}
		// The part Redact keeps whole: scheme://userinfo@host:port, and
		// the spaces around the input. Both sides are compared without
		// those spaces, which could otherwise join a kept short piece into
		// a long segment's text.
		in := strings.TrimFunc(sanitize(raw), unicode.IsSpace)
		kept, path := "", in
		outPath := strings.TrimFunc(out, unicode.IsSpace)
		if _, rest, ok := splitAuthority(in); ok {
			kept, path = in[:len(in)-len(rest)], rest
			_, outRest, _ := splitAuthority(outPath)
			outPath = outRest
		}
		if i := strings.IndexAny(path, "?#"); i >= 0 && kept != "" {
			path = path[:i]
		}
		if i := strings.IndexAny(outPath, "?#"); i >= 0 && kept != "" {
			outPath = outPath[:i]
		}
		// A backslash separates segments too (browsers read it as /).
		segs := strings.Split(strings.ReplaceAll(path, "\\", "/"), "/")
		outSegs := strings.Split(strings.ReplaceAll(outPath, "\\", "/"), "/")
		if len(segs) != len(outSegs) {
			t.Fatalf("Redact(%q) = %q changes the number of path segments", raw, out)
		}
		var shown []string // input segments the rule may show
		var tokens []string
		for i, seg := range segs {
			if !oracleToken(segs, i) {
				shown = append(shown, seg)
				continue
			}
			tokens = append(tokens, seg)
			if outSegs[i] == seg {
				t.Fatalf("Redact(%q) = %q keeps the token %q", raw, out, seg)
			}
		}
		for _, tok := range tokens {
			if strings.Contains(kept, tok) {
				continue
			}
			if tokenOnly(tok) && strings.Contains(outPath, tok) && !containedInAny(tok, shown) {
				t.Fatalf("Redact(%q) = %q keeps the token %q", raw, out, tok)
			}
		}
	})
}

// oracleToken says whether segs[i] is a token the output must not show:
// 5 or more characters, not a public word of webhook paths, not the
// numeric account id after /hooks/catch/.
func oracleToken(segs []string, i int) bool {
	seg := segs[i]
	if utf8.RuneCountInString(seg) < 5 {
		return false
	}
	switch strings.ToLower(seg) {
	case "hooks", "catch", "silent", "webhook", "webhook-test", "webhooks":
		return false
	}
	isID := i >= 2 && strings.EqualFold(segs[i-2], "hooks") && strings.EqualFold(segs[i-1], "catch") &&
		strings.Trim(seg, "0123456789") == ""
	return !isID
}

func containedInAny(s string, in []string) bool {
	for _, x := range in {
		if strings.Contains(x, s) {
			return true
		}
	}
	return false
}

// tokenOnly reports whether s is made of characters tokens are made of, so
// no separator Redact adds could make it appear by joining pieces.
func tokenOnly(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '-' || c == '_' || c == '.' || c == '~') {
			return false
		}
	}
	return true
}
