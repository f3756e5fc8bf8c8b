package ui

import (
	"strings"
	"testing"
	"unicode/utf8"
)

// TestWrappedFits80Columns: prose is broken at spaces within 80 columns,
// continuation lines are indented, every word survives in order, and a word
// longer than a line (a URL) is kept whole on a line of its own.
func TestWrappedFits80Columns(t *testing.T) {
	url := "https://hooks.zapier.com/hooks/catch/1234567/abcd…/" + strings.Repeat("x", 40)
	prose := strings.Repeat("the receiver refused the request as unauthorized ", 5) + url + " then retry."
	got := wrapped("fix:               ", prose, 19)
	lines := strings.Split(got, "\n")
	if len(lines) < 4 || !strings.HasPrefix(lines[0], "fix:               the receiver") {
		t.Fatalf("wrapped:\n%s", got)
	}
	for i, l := range lines {
		n := utf8.RuneCountInString(l)
		if n > lineWidth && !strings.Contains(l, url) {
			t.Errorf("line %d is %d columns: %q", i, n, l)
		}
		if i > 0 && !strings.HasPrefix(l, strings.Repeat(" ", 19)) {
			t.Errorf("line %d is not indented: %q", i, l)
		}
	}
	if strings.Join(strings.Fields(got), " ") != "fix: "+strings.Join(strings.Fields(prose), " ") {
		t.Errorf("words lost or reordered:\n%s", got)
	}
	if got := wrapped("error: x: ", "short", 2); got != "error: x: short" {
		t.Errorf("short text = %q", got)
	}
}
