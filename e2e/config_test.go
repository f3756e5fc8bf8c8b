package e2e

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// configPath is where a home's default config file lives.
func (h *home) configPath() string {
	return filepath.Join(h.dir, "config", "webhook-setup", "config.toml")
}

// settings runs config show --json and returns the settings by key.
func (h *home) settings(env []string, args ...string) map[string]map[string]any {
	h.t.Helper()
	r := h.run("", env, append([]string{"config", "show", "--json"}, args...)...)
	if r.code != 0 {
		h.t.Fatalf("config show: %s", r)
	}
	var list []map[string]any
	mustJSON(h.t, r.stdout, &list)
	out := map[string]map[string]any{}
	for _, v := range list {
		out[v["key"].(string)] = v
	}
	return out
}

func TestConfigPrecedence(t *testing.T) {
	h := newHome(t)
	fileDB := filepath.Join(h.dir, "file.db")
	h.writeFile("config/webhook-setup/config.toml", `# settings for the test
db_path = "`+fileDB+`"

[delivery]
max_attempts = 3
wait = "2m"

[ui]
accessible = true
`)
	noEnvDB := []string{"WEBHOOK_SETUP_DB="}
	want := func(s map[string]map[string]any, key, value, source string) {
		t.Helper()
		if s[key]["value"] != value || s[key]["source"] != source {
			t.Errorf("%s = %v, want %q from %s", key, s[key], value, source)
		}
	}

	// default < config file < environment < flag, shown for db_path.
	s := h.settings(noEnvDB, "--config", filepath.Join(h.dir, "none.toml"))
	want(s, "db_path", filepath.Join(h.dir, "share", "webhook-setup", "webhook-setup.db"), "default")
	want(s, "config", filepath.Join(h.dir, "none.toml"), "flag")
	s = h.settings(noEnvDB)
	want(s, "db_path", fileDB, "config")
	if s["db_path"]["line"] != float64(2) {
		t.Errorf("db_path line = %v, want 2", s["db_path"]["line"])
	}
	want(s, "config", h.configPath(), "default")
	s = h.settings(nil)
	want(s, "db_path", h.db, "env")
	s = h.settings(nil, "--db", filepath.Join(h.dir, "flag.db"))
	want(s, "db_path", filepath.Join(h.dir, "flag.db"), "flag")
	// key_file follows the database it belongs to unless set itself.
	want(s, "key_file", filepath.Join(h.dir, "master.key"), "default")

	// The same order for every setting.
	want(s, "delivery.max_attempts", "3", "config")
	want(s, "delivery.wait", "2m", "config")
	want(s, "delivery.connect_timeout", "5s", "default")
	s = h.settings([]string{"WEBHOOK_SETUP_MAX_ATTEMPTS=5", "WEBHOOK_SETUP_WAIT=10s"})
	want(s, "delivery.max_attempts", "5", "env")
	want(s, "delivery.wait", "10s", "env")
	want(s, "ui.accessible", "true", "config")
	s = h.settings([]string{"ACCESSIBLE=false"})
	want(s, "ui.accessible", "false", "env")
	s = h.settings([]string{"ACCESSIBLE=false"}, "--accessible")
	want(s, "ui.accessible", "true", "flag")

	// WEBHOOK_SETUP_CONFIG names another file; --config beats it.
	other := h.writeFile("other.toml", "[delivery]\nmax_attempts = 9\n")
	s = h.settings([]string{"WEBHOOK_SETUP_CONFIG=" + other})
	want(s, "config", other, "env")
	want(s, "delivery.max_attempts", "9", "config")
	s = h.settings([]string{"WEBHOOK_SETUP_CONFIG=" + other}, "--config", h.configPath())
	want(s, "delivery.max_attempts", "3", "config")

	// The text form names the file and line.
	r := h.ok("config", "show")
	if !strings.Contains(r.stdout, "config "+h.configPath()+":5") || !strings.Contains(r.stdout, "env WEBHOOK_SETUP_DB") {
		t.Errorf("config show text:\n%s", r.stdout)
	}
}

func TestConfigBadFiles(t *testing.T) {
	cases := []struct {
		name, content string
		key, line     string
	}{
		{"unknown key", "db_path = \"/tmp/x.db\"\ncolour = true\n", `"colour"`, "config.toml:2:"},
		{"unknown key in section", "[delivery]\nmax_attempts = 3\nretries = 2\n", "delivery.retries", "config.toml:3:"},
		{"integer as string", "[delivery]\nmax_attempts = \"eight\"\n", "delivery.max_attempts", "config.toml:2:"},
		{"boolean as string", "\n[ui]\naccessible = \"yes\"\n", "ui.accessible", "config.toml:3:"},
		{"out of range", "[delivery]\nmax_attempts = 0\n", "delivery.max_attempts", "config.toml:2:"},
		{"bad duration", "[delivery]\n\nwait = \"soon\"\n", "delivery.wait", "config.toml:3:"},
		{"bad mode", "[defaults]\ndeployment_mode = \"moon\"\n", "defaults.deployment_mode", "config.toml:2:"},
		{"syntax error", "db_path = \"/tmp/x.db\n", "", "config.toml:1:"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			h := newHome(t)
			h.writeFile("config/webhook-setup/config.toml", c.content)
			// add would create a database and a target: it must do nothing.
			sf := h.writeFile("secret", knownSecret)
			r := h.run("", nil, "add", "--name", "zap", "--provider", "zapier_webhook", "--url", zapierURL,
				"--secret-file", sf, "--owner", "ops", "--revoke-path", "zapier", "--confirm-receiver-checks",
				"--resolve", zapierResolve)
			if r.code != 2 || !strings.Contains(r.stderr, "generic_webhook_config_invalid") ||
				!strings.Contains(r.stderr, c.key) || !strings.Contains(r.stderr, c.line) {
				t.Fatalf("want exit 2 naming %q at %q:\n%s", c.key, c.line, r)
			}
			if d := h.dump(); d != "no database" {
				t.Fatalf("a refused config file still touched the store:\n%s", d)
			}
			// An environment variable overriding the bad value does not
			// make the file valid.
			r = h.run("", []string{"WEBHOOK_SETUP_MAX_ATTEMPTS=4", "WEBHOOK_SETUP_WAIT=1s"}, "list", "--json")
			if r.code != 2 || !strings.Contains(r.stdout, `"code": "generic_webhook_config_invalid"`) {
				t.Fatalf("list --json with a bad config file:\n%s", r)
			}
		})
	}
}

func TestConfigInit(t *testing.T) {
	h := newHome(t)
	h.ok("config", "init")
	path := h.configPath()
	fi, err := os.Stat(path)
	if err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("config init wrote %v (%v)", fi, err)
	}
	b, _ := os.ReadFile(path)
	tmpl := string(b)
	for _, s := range []string{"# db_path = ", "WEBHOOK_SETUP_DB", "[delivery]", "# max_attempts = 8", "WEBHOOK_SETUP_MAX_ATTEMPTS",
		"# wait = \"60s\"", "[ui]", "# color = true", "ACCESSIBLE", "[defaults]", "# deployment_mode = \"cloud\""} {
		if !strings.Contains(tmpl, s) {
			t.Errorf("template lacks %q:\n%s", s, tmpl)
		}
	}
	// Commented out, the template changes nothing.
	for k, v := range h.settings(nil) {
		if k != "config" && v["source"] == "config" {
			t.Errorf("%s comes from the commented template", k)
		}
	}

	// It refuses to overwrite, and leaves the file alone.
	h.writeFile("config/webhook-setup/config.toml", "[delivery]\nmax_attempts = 4\n")
	r := h.run("", nil, "config", "init")
	if r.code != 2 || !strings.Contains(r.stderr, "--force") {
		t.Fatalf("second init: %s", r)
	}
	if b, _ := os.ReadFile(path); string(b) != "[delivery]\nmax_attempts = 4\n" {
		t.Fatalf("refused init changed the file: %q", b)
	}
	// --force replaces it, even a broken one.
	h.writeFile("config/webhook-setup/config.toml", "this is = not [toml\n")
	h.ok("config", "init", "--force")
	if b, _ := os.ReadFile(path); string(b) != tmpl {
		t.Fatal("init --force did not write the template")
	}

	// Every commented default, uncommented, is a valid file that sets every
	// setting from the file to its built-in default: the template cannot
	// drift from the settings table.
	clean := []string{"WEBHOOK_SETUP_DB=", "NO_COLOR="}
	defaults := h.settings(clean)
	uncommented := regexp.MustCompile(`(?m)^# ([a-z_]+ = )`).ReplaceAllString(tmpl, "$1")
	h.writeFile("config/webhook-setup/config.toml", uncommented)
	s := h.settings(clean)
	if len(s) != len(defaults) {
		t.Fatalf("%d settings, then %d", len(defaults), len(s))
	}
	for k, v := range s {
		if k == "config" {
			continue
		}
		if v["source"] != "config" || v["value"] != defaults[k]["value"] {
			t.Errorf("uncommented %s = %v, want %v from config", k, v, defaults[k]["value"])
		}
	}
}

func TestConfigPath(t *testing.T) {
	h := newHome(t)
	var p map[string]any
	mustJSON(t, h.ok("config", "path", "--json").stdout, &p)
	if p["config"] != h.configPath() || p["config_exists"] != false || p["db_path"] != h.db ||
		p["key_file"] != filepath.Join(filepath.Dir(h.db), "master.key") {
		t.Fatalf("config path = %v", p)
	}
	other := h.writeFile("elsewhere/c.toml", "[ui]\ncolor = false\n")
	mustJSON(t, h.ok("config", "path", "--json", "--config", other).stdout, &p)
	if p["config"] != other || p["config_exists"] != true {
		t.Fatalf("config path --config = %v", p)
	}
	r := h.ok("config", "path")
	if !strings.Contains(r.stdout, h.configPath()) || !strings.Contains(r.stdout, "missing") || !strings.Contains(r.stdout, h.db) {
		t.Fatalf("config path:\n%s", r.stdout)
	}
	if d := h.dump(); d != "no database" {
		t.Fatal("config path created the database")
	}
}

// TestConfiguredAllowlistPolicyIsForSelfHosted: a configured default
// private-network policy of allowlist applies to self-hosted targets only;
// a cloud target added or applied without a policy is deny, not refused.
func TestConfiguredAllowlistPolicyIsForSelfHosted(t *testing.T) {
	h := newHome(t)
	env := []string{"WEBHOOK_SETUP_PRIVATE_NETWORK_POLICY=allowlist"}
	sf := h.writeFile("secret", knownSecret+"\n")
	if r := h.run("", env, "add", "--name", "zap", "--provider", "zapier_webhook", "--mode", "cloud", "--url", zapierURL,
		"--secret-file", sf, "--owner", "ops", "--revoke-path", "Zapier", "--confirm-receiver-checks",
		"--resolve", zapierResolve); r.code != 0 {
		t.Fatalf("cloud add under a default allowlist policy: %s", r)
	}
	var shown map[string]any
	mustJSON(t, h.ok("show", "zap", "--json").stdout, &shown)
	if pn := shown["private_network"].(map[string]any); pn["policy"] != "deny" {
		t.Fatalf("cloud target policy = %v", pn["policy"])
	}
	r := h.run("", env, "add", "--name", "n8n", "--provider", "n8n_webhook", "--mode", "self-hosted",
		"--url", "https://n8n.internal/webhook/abc", "--resolve", "n8n.internal:443:10.20.1.5",
		"--secret-file", sf, "--owner", "ops", "--revoke-path", "n8n", "--confirm-receiver-checks", "--json")
	if r.code != 3 || !strings.Contains(r.stdout, "generic_webhook_allowlist_invalid") {
		t.Fatalf("self-hosted add under a default allowlist policy without entries: %s", r)
	}
}

// TestConfigFileReportsEveryBadValue: a config file with several bad values
// names each of them, with its line, in one run.
func TestConfigFileReportsEveryBadValue(t *testing.T) {
	h := newHome(t)
	if err := os.MkdirAll(filepath.Dir(h.configPath()), 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(h.configPath(), []byte("[delivery]\nwait = \"zz\"\nmax_attempts = 0\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	r := h.run("", nil, "list")
	if r.code != 2 || !strings.Contains(r.stderr, "config.toml:2:") || !strings.Contains(r.stderr, "delivery.wait") ||
		!strings.Contains(r.stderr, "config.toml:3:") || !strings.Contains(r.stderr, "delivery.max_attempts") {
		t.Fatalf("two bad values: %s", r)
	}
}
