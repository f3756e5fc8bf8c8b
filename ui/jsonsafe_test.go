package ui

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"
	"unicode"
)

// TestWriteJSONEscapesInvisible (issue 15, finding 5): show --json wrote
// U+009B, U+202E, U+2066 and U+200B raw. Every control, format and
// separator character is now a \u escape, and the document decodes to the
// same values.
func TestWriteJSONEscapesInvisible(t *testing.T) {
	nasty := "a\u009b31m b\u202eevil\u202c c\u2066d\u2069 e\u200bf \ufeff\u00ad\u061c\u2028\u2029\x7f\x1b[2J\x07 \U000e0041 ü ok"
	v := map[string]any{"owner": nasty, "list": []string{nasty}, "plain": "hooks.zapier.com €"}
	var buf bytes.Buffer
	if err := writeJSON(&buf, v); err != nil {
		t.Fatal(err)
	}
	out := buf.String()
	for _, r := range out {
		if r != '\n' && (unicode.Is(unicode.Cc, r) || unicode.Is(unicode.Cf, r) || r == 0x2028 || r == 0x2029) {
			t.Fatalf("writeJSON wrote %U raw:\n%q", r, out)
		}
	}
	for _, esc := range []string{`\u009b`, `\u202e`, `\u2066`, `\u200b`, `\u007f`, `\udb40\udc41`, "ü", "€"} {
		if !strings.Contains(out, esc) {
			t.Errorf("output lacks %s:\n%s", esc, out)
		}
	}
	var back map[string]any
	if err := json.Unmarshal(buf.Bytes(), &back); err != nil {
		t.Fatal(err)
	}
	list, _ := back["list"].([]any)
	if back["owner"] != nasty || len(list) != 1 || list[0] != nasty || back["plain"] != v["plain"] {
		t.Fatalf("decoded %q, want %q", back["owner"], nasty)
	}
	// Nothing to escape: the encoder's bytes, unchanged.
	clean := []byte(`{"a": "b ü"}`)
	if got := escapeInvisible(clean); len(got) == 0 || &got[0] != &clean[0] {
		t.Error("clean output was copied")
	}
}
