package urlsafe

import (
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// The redaction rule. Webhook URLs are bearer credentials: Zapier, Make
// and n8n put the token in the path, and Zapier's token (7 characters) is
// often not the last segment (its documented /silent/ suffix, or a
// trailing /1). So every piece of a path or query that could be a
// credential is hidden whole, not cut to a prefix:
//
//   - a path segment (or a piece of text that is not a URL) with more than
//     showRunes characters is a credential unless it is one of the public
//     words of webhook paths (publicPathWords) or the numeric account id of
//     a Zapier catch hook;
//   - whatever its length, the segment after /hooks/catch/ID/ (Zapier's
//     token), the first segment on hook.<region>.make.com (Make's token) and
//     the segment after /webhook/ or /webhook-test/ (n8n's webhook id) are
//     credentials;
//   - query values longer than showRunes, and query keys longer than
//     showRunes that are not public key names (publicQueryKeys), are
//     credentials;
//   - user information becomes "…@" and a fragment "#…".
//
// A credential is written as hidden ("…"); nothing of it is kept.
const (
	showRunes = 4
	hidden    = "…"
)

// publicPathWords are the path segments of provider webhook URLs that
// carry no secret; they stay visible so an operator can tell the shape.
var publicPathWords = map[string]bool{
	"hooks": true, "catch": true, "silent": true, "webhook": true, "webhook-test": true, "webhooks": true,
}

// publicQueryKeys are query key names that name a credential without being
// one.
var publicQueryKeys = map[string]bool{
	"token": true, "access_token": true, "api_key": true, "apikey": true, "secret": true,
	"signature": true, "source": true, "format": true,
}

// Redact returns raw fit to show and log, by the rule above: only the
// scheme, host and port are kept whole. Input without a scheme, or with
// spaces around it, is hidden the same way. Control and invalid characters
// become U+FFFD. Redact never fails, and Redact(Redact(x)) == Redact(x).
func Redact(raw string) string {
	s := sanitize(raw)
	// Surrounding spaces stay visible (they are often why a URL was
	// refused) but must not hide the URL's shape from the cutting below.
	from := len(s) - len(strings.TrimLeftFunc(s, unicode.IsSpace))
	to := len(strings.TrimRightFunc(s, unicode.IsSpace))
	if from >= to {
		return s
	}
	var b strings.Builder
	b.Grow(len(s) + 8)
	b.WriteString(s[:from])
	redactTrimmed(&b, s[from:to])
	b.WriteString(s[to:])
	return b.String()
}

// redactTrimmed writes the redacted form of s, which has no surrounding
// spaces.
func redactTrimmed(b *strings.Builder, s string) {
	head, rest, ok := splitAuthority(s)
	if !ok {
		// Not scheme://…: hide piece by piece like a path, so
		// "hooks.zapier.com/hooks/catch/1/abc1d2e/" hides its token too.
		hidePath(b, s, "")
		return
	}
	scheme := strings.Index(head, "://") + 3
	b.WriteString(head[:scheme])
	head = head[scheme:]
	if at := strings.LastIndexByte(head, '@'); at >= 0 {
		b.WriteString(hidden + "@")
		head = head[at+1:]
	}
	host := ""
	if hostLike(head) {
		b.WriteString(head)
		host = head
	} else {
		hide(b, head)
	}

	path, query, frag := rest, "", ""
	hasQuery, hasFrag := false, false
	if i := strings.IndexByte(path, '#'); i >= 0 {
		path, frag, hasFrag = path[:i], path[i+1:], true
	}
	if i := strings.IndexByte(path, '?'); i >= 0 {
		path, query, hasQuery = path[:i], path[i+1:], true
	}
	hidePath(b, path, host)
	if hasQuery {
		b.WriteByte('?')
		redactQuery(b, query)
	}
	if hasFrag && frag != "" {
		b.WriteString("#" + hidden)
	}
}

// splitAuthority splits s after "scheme://host:port" (the authority ends at
// the first /, ?, # or backslash). ok is false when s has no scheme://.
func splitAuthority(s string) (head, rest string, ok bool) {
	i := strings.Index(s, "://")
	if i <= 0 {
		return "", "", false
	}
	for j := 0; j < i; j++ {
		c := s[j]
		if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || j > 0 && ('0' <= c && c <= '9' || c == '+' || c == '-' || c == '.')) {
			return "", "", false
		}
	}
	end := strings.IndexAny(s[i+3:], "/?#\\")
	if end < 0 {
		return s, "", true
	}
	return s[:i+3+end], s[i+3+end:], true
}

// redactQuery hides values and keys that could be credentials; a piece
// without "=" is treated as a value.
func redactQuery(b *strings.Builder, q string) {
	for {
		i := strings.IndexAny(q, "&;")
		piece := q
		if i >= 0 {
			piece = q[:i]
		}
		if k, v, ok := strings.Cut(piece, "="); ok {
			if publicQueryKeys[strings.ToLower(k)] {
				b.WriteString(k)
			} else {
				hide(b, k)
			}
			b.WriteByte('=')
			hide(b, v)
		} else {
			hide(b, piece)
		}
		if i < 0 {
			return
		}
		b.WriteByte(q[i])
		q = q[i+1:]
	}
}

// hidePath writes path with every segment that is a credential (see the
// rule at the top) hidden. Segments end at / and at \ (which browsers read
// as /); the separators are kept. host is the URL's host, "" for text that
// is not a URL.
func hidePath(b *strings.Builder, path, host string) {
	var segs []string
	start := 0
	for i := 0; i <= len(path); i++ {
		if i == len(path) || path[i] == '/' || path[i] == '\\' {
			segs = append(segs, path[start:i])
			start = i + 1
		}
	}
	// Each segment is judged among the segments before it as they are
	// written (a hidden one reads as "…"), so redacting the output again
	// judges every segment alike and changes nothing.
	pos := 0
	for i, seg := range segs {
		if i > 0 {
			b.WriteByte(path[pos-1])
		}
		pos += len(seg) + 1
		if seg != "" && isCredential(segs, i, host) {
			segs[i] = hidden
		}
		b.WriteString(segs[i])
	}
}

// isCredential reports whether segs[i] is a credential by the rule at the
// top: a provider's token position, or any long segment that is not a
// public word or a Zapier account id.
func isCredential(segs []string, i int, host string) bool {
	seg := segs[i]
	low := strings.ToLower(seg)
	prev := func(k int) string {
		if i-k < 0 {
			return ""
		}
		return strings.ToLower(segs[i-k])
	}
	switch {
	case prev(3) == "hooks" && prev(2) == "catch" && allDigits(prev(1)):
		return true // Zapier: /hooks/catch/ID/TOKEN
	case prev(1) == "webhook" || prev(1) == "webhook-test":
		return true // n8n: /webhook/ID, /webhook-test/ID
	case i == 1 && isMakeHookHost(host):
		return true // Make: hook.<region>.make.com/TOKEN
	case utf8.RuneCountInString(seg) <= showRunes, publicPathWords[low]:
		return false
	case prev(2) == "hooks" && prev(1) == "catch" && allDigits(seg):
		return false // Zapier's account id, not its token
	}
	return true
}

// isMakeHookHost reports whether host[:port] is Make's webhook host,
// hook.<region>.make.com.
func isMakeHookHost(host string) bool {
	if h, _, ok := strings.Cut(host, ":"); ok {
		host = h
	}
	host = strings.TrimSuffix(strings.ToLower(host), ".")
	return strings.HasPrefix(host, "hook.") && strings.HasSuffix(host, ".make.com")
}

func allDigits(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// hide writes s when it has at most showRunes characters, else hidden.
func hide(b *strings.Builder, s string) {
	if len(s) <= showRunes || utf8.RuneCountInString(s) <= showRunes {
		b.WriteString(s)
		return
	}
	b.WriteString(hidden)
}

// hostLike reports whether auth reads as host[:port], which is kept whole.
func hostLike(auth string) bool {
	if len(auth) > maxHostLen+9 {
		return false
	}
	for i := 0; i < len(auth); i++ {
		c := auth[i]
		if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c >= 0x80 ||
			strings.IndexByte(".-_:[]%", c) >= 0) {
			return false
		}
	}
	return true
}

// sanitize makes s valid UTF-8 without control or formatting characters,
// copying only when it must.
func sanitize(s string) string {
	clean := true
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x20 || c == 0x7f || c >= 0x80 {
			clean = false
			break
		}
	}
	if clean {
		return s
	}
	var b strings.Builder
	b.Grow(len(s))
	for _, r := range s {
		if r == utf8.RuneError || unicode.Is(unicode.Cc, r) || unicode.Is(unicode.Cf, r) {
			r = utf8.RuneError
		}
		b.WriteRune(r)
	}
	return b.String()
}

// maxShownRunes bounds a URL as a verdict repeats it: a URL over the
// 2048-byte limit is refused, and its redacted form (which can stay long,
// "/a/a/a…") is cut rather than echoed whole.
const maxShownRunes = 300

// shownURL is Redact(raw), cut after maxShownRunes characters with "…"
// and the input's size. It cuts the redacted text, so it never shows more
// of raw than Redact does.
func shownURL(raw string) string {
	s := Redact(raw)
	if utf8.RuneCountInString(s) <= maxShownRunes {
		return s
	}
	i, n := 0, 0
	for n < maxShownRunes {
		_, size := utf8.DecodeRuneInString(s[i:])
		i += size
		n++
	}
	return s[:i] + hidden + " (" + strconv.Itoa(len(raw)) + " bytes)"
}

// WithoutFragment is raw without its fragment (from the first #): the
// fragment is never sent, so it is not stored either.
func WithoutFragment(raw string) string {
	if i := strings.IndexByte(raw, '#'); i >= 0 {
		return raw[:i]
	}
	return raw
}
