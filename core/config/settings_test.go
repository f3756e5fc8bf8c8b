package config

import (
	"strings"
	"testing"

	"github.com/webriskops/webhook-setup/core/codes"
)

// testSchema mirrors the shape of ui's settings table.
var testSchema = map[string]Kind{
	"db_path":                         String,
	"key_file":                        String,
	"fallback_dir":                    String,
	"defaults.deployment_mode":        String,
	"defaults.private_network_policy": String,
	"delivery.max_attempts":           Integer,
	"delivery.wait":                   String,
	"ui.accessible":                   Boolean,
	"ui.color":                        Boolean,
}

func TestParseSettings(t *testing.T) {
	src := `db_path = "/data/w.db"

[defaults]
deployment_mode = "self-hosted"

[delivery]
max_attempts = 3
wait = "2m"

[ui]
color = false
`
	got, err := ParseSettings([]byte(src), "config.toml", testSchema)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]Setting{
		"db_path":                  {"/data/w.db", 1},
		"defaults.deployment_mode": {"self-hosted", 4},
		"delivery.max_attempts":    {"3", 7},
		"delivery.wait":            {"2m", 8},
		"ui.color":                 {"false", 11},
	}
	if len(got) != len(want) {
		t.Fatalf("got %v", got)
	}
	for k, w := range want {
		if got[k] != w {
			t.Errorf("%s = %+v, want %+v", k, got[k], w)
		}
	}
}

func TestParseSettingsEmptyAndCommentedFile(t *testing.T) {
	for _, src := range []string{"", "# only comments\n\n[delivery]\n# max_attempts = 8\n"} {
		got, err := ParseSettings([]byte(src), "c.toml", testSchema)
		if err != nil || len(got) != 0 {
			t.Fatalf("%q: %v, %v", src, got, err)
		}
	}
}

func TestParseSettingsRefuses(t *testing.T) {
	cases := []struct {
		name, src string
		want      []string // substrings of one problem's reason
	}{
		{"unknown top-level key", "db_path = \"x\"\ncolour = true\n", []string{"c.toml:2:", `unknown key "colour"`}},
		{"unknown key in a section", "[delivery]\nmax_attempts = 2\nretries = 3\n", []string{"c.toml:3:", `"delivery.retries"`}},
		{"unknown section", "[server]\nport = 1\n", []string{"c.toml:1:", `"server"`}},
		{"integer as string", "[delivery]\nmax_attempts = \"eight\"\n", []string{"c.toml:2:", "delivery.max_attempts must be an integer, not a string"}},
		{"bool as string", "[ui]\naccessible = \"yes\"\n", []string{"c.toml:2:", "ui.accessible must be true or false, not a string"}},
		{"string as integer", "db_path = 5\n", []string{"c.toml:1:", "db_path must be a string, not an integer"}},
		{"section as value", "delivery = 3\n", []string{"c.toml:1:", "delivery must be a table"}},
		{"syntax error", "db_path = \"x\"\n\n[delivery\n", []string{"c.toml:3:", "not valid TOML"}},
		{"duplicate key", "db_path = \"x\"\ndb_path = \"y\"\n", []string{"c.toml:2:", "not valid TOML"}},
		{"dotted unknown", "ui.colour = true\n", []string{"c.toml:1:", `"ui.colour"`}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := ParseSettings([]byte(c.src), "c.toml", testSchema)
			e := codesError(t, err)
			if e.Code != codes.ConfigInvalid || !hasProblem(e, codes.ConfigInvalid, c.want...) {
				t.Fatalf("got %s\n%s, want %q", e.Code, reasons(e), c.want)
			}
		})
	}
}

func TestParseSettingsReportsEveryProblem(t *testing.T) {
	src := "a = 1\n[delivery]\nmax_attempts = \"x\"\n[ui]\ncolor = 1\n"
	_, err := ParseSettings([]byte(src), "c.toml", testSchema)
	e := codesError(t, err)
	if len(e.Problems) != 3 {
		t.Fatalf("problems:\n%s", reasons(e))
	}
	for i, line := range []string{"c.toml:1:", "c.toml:3:", "c.toml:5:"} {
		if !strings.HasPrefix(e.Problems[i].Reason, line) {
			t.Errorf("problem %d = %q, want it on %s", i, e.Problems[i].Reason, line)
		}
	}
}

func TestParseSettingsTooLarge(t *testing.T) {
	_, err := ParseSettings(make([]byte, MaxFileSize+1), "c.toml", testSchema)
	if e := codesError(t, err); e.Code != codes.ConfigInvalid {
		t.Fatal(e)
	}
}
