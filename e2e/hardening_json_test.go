package e2e

import (
	"encoding/json"
	"strings"
	"testing"
	"unicode"
)

// TestJSONOutputEscapesInvisible (issue 15, finding 5): show --json wrote
// U+009B (a one-byte CSI), U+202E, U+2066 and U+200B from an owner field
// raw. Through the binary, list, show and status --json now carry them
// only as \u escapes, and decode to the text that was saved.
func TestJSONOutputEscapesInvisible(t *testing.T) {
	h := newHome(t)
	owner := "ops\u009b31m \u202eevil\u202c \u2066x\u2069 zero\u200bwidth"
	h.addZapier("zap", "--owner", owner)
	for _, args := range [][]string{{"show", "zap", "--json"}, {"list", "--json"}, {"status", "--json"}, {"audit", "--json"}} {
		out := h.ok(args...).stdout
		for _, r := range out {
			if r != '\n' && (unicode.Is(unicode.Cc, r) || unicode.Is(unicode.Cf, r)) {
				t.Fatalf("%v wrote %U raw:\n%q", args, r, out)
			}
		}
		if !json.Valid([]byte(out)) {
			t.Fatalf("%v is not JSON:\n%s", args, out)
		}
	}
	var show map[string]any
	out := h.ok("show", "zap", "--json").stdout
	mustJSON(t, out, &show)
	if !strings.Contains(out, `\u009b`) || !strings.Contains(out, `\u202e`) || !strings.Contains(out, `\u2066`) || !strings.Contains(out, `\u200b`) {
		t.Fatalf("show --json lacks the escapes:\n%s", out)
	}
	if !strings.Contains(fmtAny(show), owner) {
		t.Fatalf("show --json does not decode to the saved owner %q:\n%s", owner, out)
	}
}

// fmtAny flattens decoded JSON into one string of every value.
func fmtAny(v any) string {
	switch x := v.(type) {
	case string:
		return x + "\n"
	case map[string]any:
		s := ""
		for _, e := range x {
			s += fmtAny(e)
		}
		return s
	case []any:
		s := ""
		for _, e := range x {
			s += fmtAny(e)
		}
		return s
	}
	return ""
}
