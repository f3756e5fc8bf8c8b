package urlsafe

import (
	"errors"
	"fmt"
	"net/netip"
	"net/url"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/webriskops/webhook-setup/core/codes"
)

// MaxURLLen is the longest webhook URL accepted, in bytes.
const MaxURLLen = 2048

// field is the problem field every URL refusal concerns.
const field = "webhook_url"

// Fixes more exact than the catalog's, for the refusals people meet most.
const (
	fixBlocked = "Use the receiver's public HTTPS URL; loopback, link-local, metadata, reserved and " +
		"IPv4-embedding addresses are never allowed, not even with an allowlist."
	fixPrivate = "Use the receiver's public HTTPS URL, or set deployment mode self-hosted and approve " +
		"this private network in the private-network step."
	fixTyped = "Paste the URL exactly as the receiver gave it: https://, a host name, no spaces or credentials."
)

// target is a URL that passed the parse-time policy.
type target struct {
	u        *url.URL   // the endpoint, fragment stripped, host in lookup form
	host     string     // lookup form; IPv6 literals without brackets
	addr     netip.Addr // valid when the host is an IP literal
	port     int        // 443 when the URL names none
	warnings []string
}

// Parse applies the parse-time policy to raw, without DNS: it returns the
// URL to send to (fragment stripped, host in lookup form) and warnings, or a
// problem on webhook_url. Private IP literals pass here; Check judges them
// against the policy.
func Parse(raw string) (*url.URL, []string, *codes.Problem) {
	t, p := parse(raw)
	if p != nil {
		return nil, nil, p
	}
	return t.u, t.warnings, nil
}

func refuse(reason, fix string) *codes.Problem {
	if fix == "" {
		fix = codes.URLUnsafe.Fix()
	}
	return &codes.Problem{Code: codes.URLUnsafe, Field: field, Reason: reason, Fix: fix}
}

// parse applies the parse-time policy in the order the URL reads: the
// characters, scheme and authority, the port, the host, the address
// classes, then net/url's reading of the whole. On a refusal t holds as far
// as parsing got (Check reports the refused host or literal).
func parse(raw string) (target, *codes.Problem) {
	var t target
	authority, p := schemeAuthority(raw)
	if p != nil {
		return t, p
	}
	hostPart, portPart, hasPort, reason := splitHostPort(authority)
	if reason != "" {
		return t, refuse(reason, fixTyped)
	}
	t.host, t.port = hostPart, 443 // the host as typed, until it is read below
	if hasPort {
		if t.port, reason = parsePort(portPart); reason != "" {
			return t, refuse(reason, fixTyped)
		}
	}
	hostport, p := t.readHost(authority, hostPart)
	if p != nil {
		return t, p
	}
	if t.addr.IsValid() {
		if class, what := ClassifyAddr(t.addr); class == Blocked {
			// Concatenated, not formatted: this refusal is on the fast path.
			return t, refuse(t.addr.String()+" is "+what+"; such addresses are never allowed", fixBlocked)
		}
	}
	return t, t.readURL(raw, authority, hostport, hasPort)
}

// schemeAuthority checks raw's characters and scheme and returns its authority
// (between // and the path), refusing one with user information.
func schemeAuthority(raw string) (string, *codes.Problem) {
	if reason := scanChars(raw); reason != "" {
		return "", refuse(reason, fixTyped)
	}
	colon := strings.IndexByte(raw, ':')
	if colon <= 0 || strings.ContainsAny(raw[:colon], "./?#") {
		return "", refuse("the URL has no scheme; webhook URLs start with https://", fixTyped)
	}
	if scheme := raw[:colon]; !strings.EqualFold(scheme, "https") {
		if strings.EqualFold(scheme, "http") {
			return "", refuse("the URL uses http://; only https:// is allowed, so evidence is encrypted in transit",
				"Use the https:// address of the receiver.")
		}
		return "", refuse(fmt.Sprintf("the URL uses the scheme %q; only https is allowed", clip(scheme)), fixTyped)
	}
	rest := raw[colon+1:]
	if !strings.HasPrefix(rest, "//") {
		return "", refuse("https: must be followed by // and the host", fixTyped)
	}
	rest = rest[2:]
	end := strings.IndexAny(rest, "/?#")
	if end < 0 {
		end = len(rest)
	}
	authority := rest[:end]
	if strings.IndexByte(authority, '@') >= 0 {
		return "", refuse("the URL has user information (text before @ in the host part); credentials in URLs "+
			"leak into logs and proxies", "Remove the user:password@ part; the receiver authenticates evidence by its signature.")
	}
	return authority, nil
}

// readHost reads the host: an IPv6 literal, a canonical IPv4 literal or a
// name, into t.host (lookup form) and t.addr (for a literal), and returns
// it as the URL will carry it (brackets around IPv6).
func (t *target) readHost(authority, hostPart string) (hostport string, p *codes.Problem) {
	switch {
	case strings.HasPrefix(authority, "["):
		a, err := netip.ParseAddr(hostPart)
		if err != nil {
			return "", refuse(fmt.Sprintf("[%s] is not a valid IPv6 address", clip(hostPart)), fixTyped)
		}
		if a.Is4() {
			return "", refuse("an IPv4 address is in brackets; write IPv4 addresses without brackets", fixTyped)
		}
		t.addr, t.host = a, a.String()
		return "[" + a.String() + "]", nil
	case isDigitsDots(hostPart):
		a, err := netip.ParseAddr(hostPart)
		if err != nil || !a.Is4() {
			return "", refuse(fmt.Sprintf("the host %q is not a canonical IPv4 address; write four decimal numbers "+
				"from 0 to 255 without leading zeros", clip(hostPart)), fixTyped)
		}
		t.addr, t.host = a, hostPart
		return hostPart, nil
	}
	name, warn, reason := hostName(hostPart)
	if reason != "" {
		return "", refuse(reason, fixTyped)
	}
	t.host = name
	if blockedName(name) {
		return "", refuse(fmt.Sprintf("the host %s names this machine or a cloud metadata service; it is never allowed", name), fixBlocked)
	}
	if warn != "" {
		t.warnings = append(t.warnings, warn)
	}
	if strings.HasSuffix(hostPart, ".") {
		t.warnings = append(t.warnings, "the trailing dot after the host was removed")
	}
	return name, nil
}

// readURL has net/url read raw, refuses what it reads differently from the
// policy (the host part), and keeps the URL in t.u: https, the host in
// lookup form, the port in decimal, the fragment removed.
func (t *target) readURL(raw, authority, hostport string, hasPort bool) *codes.Problem {
	u, err := url.Parse(raw)
	if err != nil {
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err
		}
		return refuse(fmt.Sprintf("the URL does not parse: %v", err), fixTyped)
	}
	if u.Host != authority || u.User != nil || u.Opaque != "" {
		return refuse("the URL's host part cannot be read unambiguously", fixTyped)
	}
	if hasPort {
		hostport += ":" + strconv.Itoa(t.port) // decimal, without leading zeros
	}
	u.Scheme = "https"
	u.Host = hostport
	if strings.IndexByte(raw, '#') >= 0 {
		u.Fragment, u.RawFragment = "", ""
		t.warnings = append(t.warnings, "the fragment (after #) was removed; it is never sent to the receiver")
	}
	t.u = u
	return nil
}

// scanChars refuses empty or over-long input and any whitespace, control,
// invisible formatting character or backslash, before anything parses it.
func scanChars(raw string) string {
	if raw == "" {
		return "the URL is empty"
	}
	if len(raw) > MaxURLLen {
		return fmt.Sprintf("the URL is %d bytes long; the limit is %d", len(raw), MaxURLLen)
	}
	nonASCII := false
	for i := 0; i < len(raw); i++ {
		switch c := raw[i]; {
		case c == ' ':
			return fmt.Sprintf("the URL has a space at byte %d; URLs cannot hold spaces", i+1)
		case c < 0x20 || c == 0x7f:
			return fmt.Sprintf("the URL has a control character (0x%02X) at byte %d", c, i+1)
		case c == '\\':
			return "the URL has a backslash, which URL parsers read differently; use / in paths"
		case c >= 0x80:
			nonASCII = true
		}
	}
	if !nonASCII {
		return ""
	}
	if !utf8.ValidString(raw) {
		return "the URL is not valid UTF-8"
	}
	for _, r := range raw {
		switch {
		case r < 0x80:
		case unicode.IsSpace(r):
			return fmt.Sprintf("the URL has the whitespace character U+%04X", r)
		case unicode.Is(unicode.Cc, r) || unicode.Is(unicode.Cf, r):
			return fmt.Sprintf("the URL has the invisible character U+%04X", r)
		}
	}
	return ""
}

// splitHostPort splits an authority without userinfo; an IPv6 host comes
// back without brackets.
func splitHostPort(authority string) (host, port string, hasPort bool, reason string) {
	if authority == "" {
		return "", "", false, "the URL has no host"
	}
	rest := ""
	if authority[0] == '[' {
		end := strings.IndexByte(authority, ']')
		if end < 0 {
			return "", "", false, "the IPv6 address has no closing ]"
		}
		host, rest = authority[1:end], authority[end+1:]
		if strings.IndexByte(host, '%') >= 0 {
			return "", "", false, "the IPv6 address has a zone (%); zones name local interfaces and are not allowed"
		}
		if rest != "" && rest[0] != ':' {
			return "", "", false, "unexpected text after the IPv6 address"
		}
	} else {
		host, rest = authority, ""
		if i := strings.IndexByte(authority, ':'); i >= 0 {
			host, rest = authority[:i], authority[i:]
		}
		if strings.ContainsAny(host, "[]") {
			return "", "", false, "the host has a bracket; only IPv6 addresses are written in brackets"
		}
		if strings.IndexByte(host, '%') >= 0 {
			return "", "", false, "the host is percent-encoded; write it in plain characters"
		}
	}
	if host == "" {
		return "", "", false, "the URL has no host"
	}
	if rest != "" {
		return host, rest[1:], true, ""
	}
	return host, "", false, ""
}

// parsePort accepts decimal ports 1 to 65535.
func parsePort(s string) (int, string) {
	if s == "" {
		return 0, "the URL has a colon after the host but no port"
	}
	n := 0
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return 0, fmt.Sprintf("the port %q is not a decimal number", clip(s))
		}
		if n = n*10 + int(s[i]-'0'); n > 65535 {
			return 0, fmt.Sprintf("the port %s is outside 1-65535", clip(s))
		}
	}
	if n == 0 {
		return 0, "the port 0 is outside 1-65535"
	}
	return n, ""
}

// isDigitsDots reports whether s looks like a dotted number, the only shape
// an IPv4 literal may take.
func isDigitsDots(s string) bool {
	digits := false
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case '0' <= c && c <= '9':
			digits = true
		case c != '.':
			return false
		}
	}
	return digits
}

// clip shortens s for quoting in a reason.
func clip(s string) string {
	const max = 40
	if len(s) <= max {
		return s
	}
	i := max
	for i > 0 && !utf8.RuneStart(s[i]) {
		i--
	}
	return s[:i] + "…"
}
