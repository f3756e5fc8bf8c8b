package config

import (
	"strings"
	"testing"
	"time"

	"github.com/webriskops/webhook-setup/core/codes"
)

func TestKeyLines(t *testing.T) {
	src := `# comment
db_path = "/x" # trailing
"quoted key" = 1
dotted.key.here = true

[delivery]
max_attempts = 8
text = """
[not a table]
name = "no"
"""
lit = '''
x = 1 '''
arr = [
  "a", # comment ]
  "b",
]

[[target]]
name = "one"
private_network = { policy = "allowlist", allowlist = ["10.0.0.0/8"] }

[target.signing]
secret_file = "a"

[[target]]
name = "two"
  webhook_url = 'https://x/#y'

[target.signing]
secret_env = "B"
inline = [{ a = 1 }, { b = 2 }]
`
	want := map[string]int{
		"db_path":                             2,
		"quoted key":                          3,
		"dotted":                              4,
		"dotted.key.here":                     4,
		"delivery":                            6,
		"delivery.max_attempts":               7,
		"delivery.text":                       8,
		"delivery.lit":                        12,
		"delivery.arr":                        14,
		"target[0]":                           19,
		"target[0].name":                      20,
		"target[0].private_network":           21,
		"target[0].private_network.policy":    21,
		"target[0].signing":                   23,
		"target[0].signing.secret_file":       24,
		"target[1]":                           26,
		"target[1].name":                      27,
		"target[1].webhook_url":               28,
		"target[1].signing":                   30,
		"target[1].signing.secret_env":        31,
		"target[1].signing.inline[1].b":       32,
		"target[0].private_network.allowlist": 21,
	}
	got := keyLines([]byte(src))
	for k, line := range want {
		if got[k] != line {
			t.Errorf("line of %q = %d, want %d", k, got[k], line)
		}
	}
	for _, k := range []string{"delivery.name", "name", "not a table", "x"} {
		if _, ok := got[k]; ok {
			t.Errorf("%q recorded from inside a string", k)
		}
	}
}

func TestKeyLinesMultilineInlineTable(t *testing.T) {
	// TOML 1.1 allows newlines and comments in inline tables.
	src := "[[target]]\nname = \"a\"\nprivate_network = {\n  policy = \"deny\", # c\n  authorized_by = \"x\",\n}\nrevoke_path = \"r\"\n"
	got := keyLines([]byte(src))
	if got["target[0].private_network.authorized_by"] != 5 || got["target[0].revoke_path"] != 7 {
		t.Fatalf("lines = %v", got)
	}
}

func TestKeyLinesEndsOnAnyInput(t *testing.T) {
	for _, src := range []string{"", "[", "[[", "a = [", "a = {", `a = "`, "a = '''", `a = """\`, "= = =",
		"a = [[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[1]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]",
		"a = {b = {c = {d = {e = 1}}}}", "\"\\", "'", "a.\"b\\u00e9\" = 1", "[a]]\n[[b]"} {
		keyLines([]byte(src))
	}
}

func TestDeepNestingIsRefusedBeforeParsing(t *testing.T) {
	deep := map[string]string{
		"dotted key":     "x = 1\n" + strings.Repeat("a.", 5000) + "b = 1\n",
		"inline tables":  "x = 1\na = " + strings.Repeat("{b = ", 2000) + "1" + strings.Repeat("}", 2000) + "\n",
		"arrays":         "x = 1\na = " + strings.Repeat("[", 3000) + strings.Repeat("]", 3000) + "\n",
		"table header":   "x = 1\n[" + strings.Repeat("t.", 100) + "t]\n",
		"mixed in depth": "[" + strings.Repeat("a.", 30) + "a]\n" + strings.Repeat("b.", 30) + "c = " + strings.Repeat("{d.e = ", 10) + "1" + strings.Repeat("}", 10) + "\n",
	}
	for name, src := range deep {
		start := time.Now()
		_, err := ParseTargets([]byte(src), "t.toml")
		e := codesError(t, err)
		if !hasProblem(e, codes.ConfigInvalid, "t.toml:2:", "nested more than") {
			t.Errorf("%s: %s", name, reasons(e))
		}
		if d := time.Since(start); d > 100*time.Millisecond {
			t.Errorf("%s took %v", name, d)
		}
	}
	// Real files nest four deep at most, far from the limit.
	if _, err := ParseSettings([]byte("a.b.c.d = 1\n"), "c.toml", testSchema); !strings.Contains(err.Error(), "unknown key") {
		t.Fatalf("shallow key: %v", err)
	}
}
