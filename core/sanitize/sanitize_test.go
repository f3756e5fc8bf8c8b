package sanitize

import (
	"strings"
	"testing"
)

func TestLineNeutralisesHostileText(t *testing.T) {
	cases := []struct{ in, want string }{
		{"plain-name", "plain-name"},
		{"red\x1b[31mtext", `red\x1b[31mtext`},
		{"clip\x1b]52;c;ZXZpbA==\x07", `clip\x1b]52;c;ZXZpbA==\x07`},
		{"abc\u202edcba", `abc\u202edcba`},
		{"zero\u200bwidth", `zero\u200bwidth`},
		{"bad\xffutf8", `bad\xffutf8`},
		{"c1\u009bcsi", `c1\u009bcsi`},
		{"line\nbreak", `line\x0abreak`},
		{"émoji ✓", "émoji ✓"},
	}
	for _, c := range cases {
		if got := Line(c.in); got != c.want {
			t.Errorf("Line(%q) = %q, want %q", c.in, got, c.want)
		}
	}
}

func TestTextKeepsNewlinesOnly(t *testing.T) {
	got := Text("one\x1b[2J\ntwo\r\n")
	if got != `one\x1b[2J`+"\ntwo\n" {
		t.Fatalf("Text = %q", got)
	}
}

func TestOutputHasNoRawEscapes(t *testing.T) {
	in := "\x1b]8;;https://evil\x07link\x1b]8;;\x07\u2066\u2069\x00"
	out := Line(in)
	for _, bad := range []string{"\x1b", "\x07", "\u2066", "\x00"} {
		if strings.Contains(out, bad) {
			t.Fatalf("Line left %q in %q", bad, out)
		}
	}
}

func TestTruncate(t *testing.T) {
	if got := Truncate("abcdef", 4); got != "abc…" {
		t.Fatalf("Truncate = %q", got)
	}
	if got := Truncate("abc", 4); got != "abc" {
		t.Fatalf("Truncate = %q", got)
	}
}
