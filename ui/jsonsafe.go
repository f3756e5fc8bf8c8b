package ui

import (
	"fmt"
	"unicode"
	"unicode/utf16"
	"unicode/utf8"
)

// escapeInvisible rewrites encoded JSON so that no character a terminal
// would act on or that hides or reorders text is written raw: C0 and C1
// controls and DEL, format characters (bidirectional overrides and
// isolates such as U+202E and U+2066, zero-width characters such as
// U+200B, the byte-order mark, soft hyphen) and the line and paragraph
// separators become \uXXXX escapes (surrogate pairs above U+FFFF).
// encoding/json already escapes C0 and U+2028/U+2029 but writes U+009B
// (a one-byte CSI for many terminals) and the rest raw. In encoder
// output such characters can only stand inside strings, so the escaped
// document decodes to the same values. b is returned as is when it holds
// nothing to escape.
func escapeInvisible(b []byte) []byte {
	i := 0
	for i < len(b) {
		r, size := utf8.DecodeRune(b[i:])
		if mustEscape(r, size) {
			break
		}
		i += size
	}
	if i == len(b) {
		return b
	}
	out := make([]byte, 0, len(b)+32)
	out = append(out, b[:i]...)
	for i < len(b) {
		r, size := utf8.DecodeRune(b[i:])
		if !mustEscape(r, size) {
			out = append(out, b[i:i+size]...)
			i += size
			continue
		}
		i += size
		if r == utf8.RuneError { // invalid byte: encoding/json never writes one
			out = append(out, `\ufffd`...)
			continue
		}
		if r > 0xFFFF {
			r1, r2 := utf16.EncodeRune(r)
			out = fmt.Appendf(out, `\u%04x\u%04x`, r1, r2)
			continue
		}
		out = fmt.Appendf(out, `\u%04x`, r)
	}
	return out
}

// mustEscape reports whether the rune r (size bytes long) is one
// escapeInvisible writes as an escape. Quotes, backslashes and C0
// controls other than DEL are already escaped by the encoder.
func mustEscape(r rune, size int) bool {
	switch {
	case r < utf8.RuneSelf:
		return r == 0x7f
	case r == utf8.RuneError && size == 1:
		return true
	}
	return unicode.Is(unicode.Cc, r) || unicode.Is(unicode.Cf, r) || r == 0x2028 || r == 0x2029
}
