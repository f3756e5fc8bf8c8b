package urlsafe

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// Redaction limits, in characters: longer path segments and query keys are
// cut, as are query values longer than maxValue.
const (
	maxSegment = 8
	maxValue   = 4
	keepRunes  = 4
	ellipsis   = "…"
)

// Redact returns raw fit to show and log: webhook URLs are bearer
// credentials (Zapier, Make and n8n put the token in the path), so only the
// scheme, host and port are kept whole. User information becomes "…@",
// every path segment longer than 8 characters, the last path segment when
// longer than 4, and every query value longer than 4 is cut to its first 4 characters plus "…", and a fragment becomes
// "#…". Input without a scheme, or with spaces around it, is cut the same
// way. Control and invalid characters become U+FFFD. Redact never fails.
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
		// Not scheme://…: cut piece by piece, the last piece like a path's
		// last segment, so "hooks.zapier.com/hooks/catch/1/abc1d2e/" hides
		// its token too.
		cutPath(b, s)
		return
	}
	scheme := strings.Index(head, "://") + 3
	b.WriteString(head[:scheme])
	head = head[scheme:]
	if at := strings.LastIndexByte(head, '@'); at >= 0 {
		b.WriteString(ellipsis + "@")
		head = head[at+1:]
	}
	if hostLike(head) {
		b.WriteString(head)
	} else {
		cut(b, head, maxSegment)
	}

	path, query, frag := rest, "", ""
	hasQuery, hasFrag := false, false
	if i := strings.IndexByte(path, '#'); i >= 0 {
		path, frag, hasFrag = path[:i], path[i+1:], true
	}
	if i := strings.IndexByte(path, '?'); i >= 0 {
		path, query, hasQuery = path[:i], path[i+1:], true
	}
	cutPath(b, path)
	if hasQuery {
		b.WriteByte('?')
		redactQuery(b, query)
	}
	if hasFrag && frag != "" {
		b.WriteString("#" + ellipsis)
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

// redactQuery cuts keys like path segments and values longer than maxValue;
// a piece without "=" is treated as a value.
func redactQuery(b *strings.Builder, q string) {
	for {
		i := strings.IndexAny(q, "&;")
		piece := q
		if i >= 0 {
			piece = q[:i]
		}
		if k, v, ok := strings.Cut(piece, "="); ok {
			cut(b, k, maxSegment)
			b.WriteByte('=')
			cut(b, v, maxValue)
		} else {
			cut(b, piece, maxValue)
		}
		if i < 0 {
			return
		}
		b.WriteByte(q[i])
		q = q[i+1:]
	}
}

// cutPath cuts path segments like cutPieces, and the last non-empty segment
// already when it is longer than keepRunes: Zapier's catch token is 7
// characters, under the 8-character rule, yet it is the credential.
func cutPath(b *strings.Builder, path string) {
	trimmed := strings.TrimRight(path, "/")
	i := strings.LastIndexByte(trimmed, '/')
	if i < 0 {
		cutPieces(b, path, '/', maxSegment)
		return
	}
	cutPieces(b, trimmed[:i+1], '/', maxSegment)
	cut(b, trimmed[i+1:], keepRunes)
	b.WriteString(path[len(trimmed):])
}

// cutPieces writes s with each sep-separated piece cut to max characters.
func cutPieces(b *strings.Builder, s string, sep byte, max int) {
	for {
		i := strings.IndexByte(s, sep)
		if i < 0 {
			cut(b, s, max)
			return
		}
		cut(b, s[:i], max)
		b.WriteByte(sep)
		s = s[i+1:]
	}
}

// cut writes s, or its first keepRunes characters and "…" when s has more
// than max characters.
func cut(b *strings.Builder, s string, max int) {
	if len(s) <= max || utf8.RuneCountInString(s) <= max {
		b.WriteString(s)
		return
	}
	i, n := 0, 0
	for n < keepRunes && i < len(s) {
		_, size := utf8.DecodeRuneInString(s[i:])
		i += size
		n++
	}
	b.WriteString(s[:i])
	b.WriteString(ellipsis)
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

// WithoutFragment is raw without its fragment (from the first #): the
// fragment is never sent, so it is not stored either.
func WithoutFragment(raw string) string {
	if i := strings.IndexByte(raw, '#'); i >= 0 {
		return raw[:i]
	}
	return raw
}
