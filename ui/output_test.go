package ui

import (
	"bytes"
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

// TestWriteJSONArrayIsWriteJSON: the element-at-a-time writer of list and
// status prints exactly what writeJSON prints for the whole slice: nested
// objects and arrays, omitted and null fields, HTML characters left as
// they are, invisible characters escaped, empty and nil slices.
func TestWriteJSONArrayIsWriteJSON(t *testing.T) {
	type inner struct {
		Code string   `json:"code"`
		Tags []string `json:"tags,omitempty"`
	}
	type item struct {
		Name     string            `json:"name"`
		Ready    bool              `json:"ready"`
		Blocked  []inner           `json:"blocked"`
		Warnings []string          `json:"warnings,omitempty"`
		Verified *inner            `json:"verified,omitempty"`
		Extra    map[string]string `json:"extra"`
	}
	hostile := "a<b>&c \u202e\u200b\x1b[31m \"q\" \\ é"
	for _, items := range [][]item{
		nil,
		{},
		{{Name: "one"}},
		{
			{Name: hostile, Ready: true, Blocked: []inner{{Code: "x", Tags: []string{hostile, ""}}}, Warnings: []string{"w"},
				Verified: &inner{Code: hostile}, Extra: map[string]string{"b": "2", "a": hostile}},
			{Name: "", Blocked: []inner{}, Extra: map[string]string{}},
			{Name: "three", Blocked: nil},
		},
	} {
		var whole, each bytes.Buffer
		if err := writeJSON(&whole, items); err != nil {
			t.Fatal(err)
		}
		if err := writeJSONArray(&each, items); err != nil {
			t.Fatal(err)
		}
		if whole.String() != each.String() {
			t.Fatalf("items %d:\nwriteJSON:\n%s\nwriteJSONArray:\n%s", len(items), whole.String(), each.String())
		}
	}
}
