// Package sanitize neutralises text that came from outside (names, URLs,
// owner text, server responses) before a terminal draws it, so it cannot
// move the cursor, set the clipboard (OSC 52), reorder text (bidi) or
// break the layout. Stored values are never changed; only what is drawn.
package sanitize

import (
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Line returns s with every control, format (bidi, zero-width) and invalid
// UTF-8 character shown as a visible escape like \x1b or \u202e, so the
// text reads the same on every terminal. Newlines and tabs are escaped too.
func Line(s string) string {
	if isPlain(s) {
		return s
	}
	var b strings.Builder
	b.Grow(len(s) + 8)
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && size <= 1:
			fmt.Fprintf(&b, `\x%02x`, s[i])
		case r < 0x20 || r == 0x7f:
			fmt.Fprintf(&b, `\x%02x`, r)
		case r >= 0x80 && r < 0xa0, unsafeFormat(r):
			fmt.Fprintf(&b, `\u%04x`, r)
		default:
			b.WriteRune(r)
		}
		i += size
	}
	return b.String()
}

// Text is Line for multi-line text: newlines are kept, every other control
// character is escaped.
func Text(s string) string {
	lines := strings.Split(s, "\n")
	for i, l := range lines {
		lines[i] = Line(strings.TrimSuffix(l, "\r"))
	}
	return strings.Join(lines, "\n")
}

// Truncate cuts s (already sanitised) to at most n runes, marking the cut
// with an ellipsis.
func Truncate(s string, n int) string {
	if n <= 0 {
		return ""
	}
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	r := []rune(s)
	return string(r[:n-1]) + "…"
}

// isPlain is the fast path: printable ASCII needs no work.
func isPlain(s string) bool {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x20 || c >= 0x7f {
			return false
		}
	}
	return true
}

// unsafeFormat reports invisible format characters that can reorder or hide
// text: bidi embeddings, overrides and isolates, zero-width characters and
// other Unicode "Cf" characters, plus line and paragraph separators.
func unsafeFormat(r rune) bool {
	return unicode.Is(unicode.Cf, r) || r == '\u2028' || r == '\u2029'
}
