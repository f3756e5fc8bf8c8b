package e2e

import (
	"strings"
	"testing"
	"unicode/utf8"
)

// assertFits80 fails when a line of out is wider than an 80-column
// terminal; name says which command printed it.
func assertFits80(t *testing.T, name, out string) {
	t.Helper()
	for _, line := range strings.Split(strings.TrimRight(out, "\n"), "\n") {
		if n := utf8.RuneCountInString(line); n > 80 {
			t.Errorf("%s: a line of %d columns:\n%s", name, n, out)
		}
	}
}
