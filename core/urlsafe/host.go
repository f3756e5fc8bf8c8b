package urlsafe

import (
	"fmt"
	"net/netip"
	"strings"
	"unicode/utf8"

	"golang.org/x/net/idna"
)

// DNS limits on names, in bytes of the ASCII form without the trailing dot.
const (
	maxHostLen  = 253
	maxLabelLen = 63
)

// hostName validates a host name that is not an IP literal and returns the
// form that is looked up and sent: ASCII (A-labels for international
// names), lowercase, without a trailing dot. warn notes a visible change
// (an international name sent as xn--); reason is set when h is refused.
func hostName(h string) (name, warn, reason string) {
	if h == "" {
		return "", "", "the URL has no host"
	}
	// A cheap bound before IDNA; the limit proper applies to the name as
	// looked up (checkLabels), since an international name typed in UTF-8
	// can be longer than its xn-- form.
	if len(h) > 4*(maxHostLen+1) {
		return "", "", fmt.Sprintf("the host is %d bytes long; host names are at most %d", len(h), maxHostLen)
	}
	name, ok, reason := asciiName(h)
	if reason != "" {
		return "", "", reason
	}
	if !ok {
		if name, warn, reason = idnaName(h); reason != "" {
			return "", "", reason
		}
	}
	name = strings.TrimSuffix(name, ".")
	if reason = checkLabels(name); reason != "" {
		return "", "", reason
	}
	if numericTail(name) {
		if a, err := netip.ParseAddr(name); err == nil && name != h {
			return "", "", fmt.Sprintf("the host %q maps to the IP address %s; write IP addresses plainly", h, a)
		}
		return "", "", fmt.Sprintf("the host %q ends in a number, which some resolvers read as an IP address; "+
			"write IPv4 addresses as four decimal numbers without leading zeros, or use a host name", h)
	}
	return name, warn, ""
}

// asciiName is the fast path for plain ASCII names: it lowercases h when it
// holds only letters, digits, hyphens and dots and no label needs IDNA
// checks. ok is false when h must go through IDNA; reason refuses h.
func asciiName(h string) (name string, ok bool, reason string) {
	upper := false
	start := 0
	for i := 0; i <= len(h); i++ {
		if i == len(h) || h[i] == '.' {
			label := h[start:i]
			if n := len(label); n > 0 && (label[0] == '-' || label[n-1] == '-') {
				return "", false, fmt.Sprintf("the host label %q starts or ends with a hyphen", label)
			}
			if len(label) >= 4 && label[2] == '-' && label[3] == '-' {
				return "", false, "" // xn-- (or a reserved "??--" label): IDNA decides
			}
			start = i + 1
			continue
		}
		c := h[i]
		switch {
		case 'a' <= c && c <= 'z', '0' <= c && c <= '9', c == '-':
		case 'A' <= c && c <= 'Z':
			upper = true
		case c >= 0x80:
			return "", false, ""
		default:
			return "", false, fmt.Sprintf("the host has the character %q, which host names cannot contain", c)
		}
	}
	if upper {
		return lowerASCII(h), true, ""
	}
	return h, true, ""
}

// idnaName maps h with the IDNA lookup profile and accepts the result only
// when each label is the plain lowercase of what was typed, or the xn-- form
// of it: look-alikes (fullwidth or enclosed characters, ideographic dots)
// that the mapping silently turns into other text are refused.
func idnaName(h string) (name, warn, reason string) {
	if i := strings.IndexFunc(h, delimiterLookalike); i >= 0 {
		r, _ := utf8.DecodeRuneInString(h[i:])
		return "", "", fmt.Sprintf("the host %q has %q (U+%04X), which looks like a URL delimiter", h, r, r)
	}
	a, err := idna.Lookup.ToASCII(h)
	if err != nil {
		return "", "", fmt.Sprintf("the host %q is not a valid host name (%v)", h, err)
	}
	in := strings.Split(h, ".")
	out := strings.Split(a, ".")
	same := len(in) == len(out)
	international := false
	for i := 0; same && i < len(in); i++ {
		if isASCII(in[i]) {
			same = out[i] == lowerASCII(in[i])
			continue
		}
		international = true
		if !strings.HasPrefix(out[i], "xn--") {
			same = false
			break
		}
		u, err := idna.Lookup.ToUnicode(out[i])
		same = err == nil && u == strings.ToLower(in[i])
	}
	if !same {
		t := strings.TrimSuffix(a, ".")
		if ip, err := netip.ParseAddr(t); err == nil {
			return "", "", fmt.Sprintf("the host %q maps to the IP address %s; write IP addresses plainly", h, ip)
		}
		return "", "", fmt.Sprintf("the host %q turns into %q when mapped for lookup: it has look-alike characters "+
			"(fullwidth or enclosed letters and digits, or ideographic dots); type the host in plain characters", h, t)
	}
	if international {
		warn = fmt.Sprintf("the international host %s is looked up and sent as %s", strings.TrimSuffix(h, "."), strings.TrimSuffix(a, "."))
	}
	return a, warn, ""
}

// delimiterLookalike reports characters that IDNA lets through but that
// read as a slash, colon or dot, so a host could seem to end earlier.
func delimiterLookalike(r rune) bool {
	switch r {
	case '\u2044', '\u2215', '\u29f8', '\u2236', '\ua789', '\u0589', '\u05c3', '\u2024', '\u2027':
		return true
	}
	return false
}

// checkLabels enforces DNS lengths and refuses empty labels.
func checkLabels(name string) string {
	if name == "" {
		return "the URL has no host"
	}
	if len(name) > maxHostLen {
		return fmt.Sprintf("the host is %d bytes long; host names are at most %d", len(name), maxHostLen)
	}
	start := 0
	for i := 0; i <= len(name); i++ {
		if i < len(name) && name[i] != '.' {
			continue
		}
		switch n := i - start; {
		case n == 0:
			return "the host has an empty label (a leading dot or two dots in a row)"
		case n > maxLabelLen:
			return fmt.Sprintf("the host label %q is %d bytes long; labels are at most %d", name[start:i], n, maxLabelLen)
		}
		start = i + 1
	}
	return ""
}

// numericTail reports whether the last label of name is a decimal or 0x
// hexadecimal number, which inet_aton-style and WHATWG parsers treat as
// part of an IPv4 address.
func numericTail(name string) bool {
	last := name[strings.LastIndexByte(name, '.')+1:]
	if len(last) >= 2 && last[0] == '0' && (last[1] == 'x' || last[1] == 'X') {
		for i := 2; i < len(last); i++ {
			if !isHex(last[i]) {
				return false
			}
		}
		return true
	}
	if last == "" {
		return false
	}
	for i := 0; i < len(last); i++ {
		if last[i] < '0' || last[i] > '9' {
			return false
		}
	}
	return true
}

// blockedName reports whether name (lookup form) is one of the names that
// are refused whatever they resolve to.
func blockedName(name string) bool {
	switch name {
	case "localhost", "localhost.localdomain", "metadata", "metadata.google.internal",
		"instance-data", "metadata.amazonaws.com", "metadata.tencentyun.com",
		// The Kubernetes API server as every pod can name it.
		"kubernetes", "kubernetes.default", "kubernetes.default.svc", "kubernetes.default.svc.cluster.local":
		return true
	}
	return strings.HasSuffix(name, ".localhost")
}

func isHex(c byte) bool {
	return '0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F'
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 {
			return false
		}
	}
	return true
}

func lowerASCII(s string) string {
	for i := 0; i < len(s); i++ {
		if 'A' <= s[i] && s[i] <= 'Z' {
			b := []byte(s)
			for j := i; j < len(b); j++ {
				if 'A' <= b[j] && b[j] <= 'Z' {
					b[j] += 'a' - 'A'
				}
			}
			return string(b)
		}
	}
	return s
}
