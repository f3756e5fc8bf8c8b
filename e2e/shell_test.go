package e2e

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestCompletionListsTargets: the shell's completion request for a target
// argument lists the saved targets; with no database it lists nothing and
// creates none.
func TestCompletionListsTargets(t *testing.T) {
	h := newHome(t)
	r := h.ok("__complete", "show", "")
	if strings.Contains(r.stdout, "zap") || h.dump() != "no database" {
		t.Fatalf("completion without a store: %s (%s)", r, h.dump())
	}
	h.addZapier("zap-tickets")
	h.addZapier("zap-findings")
	r = h.ok("__complete", "show", "")
	if !strings.Contains(r.stdout, "zap-tickets\tzapier_webhook cloud") || !strings.Contains(r.stdout, "zap-findings") {
		t.Fatalf("__complete show: %s", r)
	}
	// --db on the command line being completed names the store.
	other := newHome(t)
	if r := other.ok("__complete", "show", "--db", h.db, ""); !strings.Contains(r.stdout, "zap-tickets") {
		t.Fatalf("__complete show --db: %s", r)
	}
	r = h.ok("__complete", "export", "zap-t")
	if !strings.Contains(r.stdout, "zap-tickets") || strings.Contains(r.stdout, "zap-findings") {
		t.Fatalf("__complete export zap-t: %s", r)
	}
	for args, want := range map[string]string{
		"add\x00--provider\x00":      "make_webhook",
		"add\x00--mode\x00":          "self-hosted",
		"deliveries\x00--status\x00": "blocked",
		"recipe\x00--provider\x00":   "python",
	} {
		if r := h.ok(append([]string{"__complete"}, strings.Split(args, "\x00")...)...); !strings.Contains(r.stdout, want) {
			t.Errorf("__complete %q lacks %s: %s", args, want, r.stdout)
		}
	}
}

// TestDidYouMean: a mistyped command is a usage error that names the
// command meant.
func TestDidYouMean(t *testing.T) {
	h := newHome(t)
	for typed, meant := range map[string]string{"lsit": "list", "exprot": "export", "staus": "status"} {
		r := h.run("", nil, typed)
		if r.code != 2 || !strings.Contains(oneLine(r.stderr), "did you mean "+meant+"?") {
			t.Errorf("%s: %s", typed, r)
		}
	}
	if r := h.run("", nil, "deliveries", "drian"); r.code != 2 || !strings.Contains(oneLine(r.stderr), "did you mean drain?") {
		t.Errorf("deliveries drian: %s", r)
	}
}

// oneLine joins wrapped error text back into one line.
func oneLine(s string) string { return strings.Join(strings.Fields(s), " ") }

// TestVersion: --version and version --json name version, commit, Go and
// build time; a plain build reads them from the build information.
func TestVersion(t *testing.T) {
	h := newHome(t)
	var v map[string]string
	mustJSON(t, h.ok("version", "--json").stdout, &v)
	if v["version"] == "" || v["commit"] == "" || !strings.HasPrefix(v["go"], "go1.") || v["built"] == "" {
		t.Fatalf("version --json: %v", v)
	}
	if r := h.ok("--version"); !strings.HasPrefix(r.stdout, "webhook-setup "+v["version"]+" (commit ") {
		t.Fatalf("--version: %s", r)
	}
}

// TestManPages: man --dir writes one page per command.
func TestManPages(t *testing.T) {
	h := newHome(t)
	dir := filepath.Join(h.dir, "man1")
	h.ok("man", "--dir", dir)
	for _, page := range []string{"webhook-setup.1", "webhook-setup-export.1", "webhook-setup-deliveries-drain.1"} {
		b, err := os.ReadFile(filepath.Join(dir, page))
		if err != nil || !strings.Contains(string(b), ".TH \"WEBHOOK-SETUP\"") {
			t.Fatalf("%s: %v", page, err)
		}
	}
	if r := h.run("", nil, "man"); r.code != 2 {
		t.Fatalf("man without --dir: %s", r)
	}
}

// TestOldFlagSpellingsStillWork: add --name, recipe --target and
// rotate-secret --generate keep working, each with a note naming the new
// form; recipe --list --json lists the recipes.
func TestOldFlagSpellingsStillWork(t *testing.T) {
	h := newHome(t)
	sf := h.writeFile("secret", knownSecret+"\n")
	r := h.ok("add", "--name", "old-zap", "--provider", "zapier_webhook", "--url", zapierURL, "--secret-file", sf,
		"--owner", "o", "--revoke-path", "p", "--confirm-receiver-checks", "--resolve", zapierResolve)
	if !strings.Contains(r.stderr, "note: --name is deprecated") || strings.Contains(r.stdout, "deprecated") {
		t.Fatalf("add --name gave no deprecation note: %s", r)
	}
	if a, b := h.ok("recipe", "--target", "old-zap").stdout, h.ok("recipe", "old-zap").stdout; a != b || !strings.Contains(a, "old-zap") {
		t.Fatal("recipe --target and recipe TARGET differ")
	}
	if r := h.run("", nil, "recipe", "old-zap", "--target", "other"); r.code != 2 {
		t.Fatalf("two different targets: %s", r)
	}
	out := filepath.Join(h.dir, "new.secret")
	r = h.ok("rotate-secret", "old-zap", "--generate", "--secret-out", out, "--json")
	var rotated map[string]any
	mustJSON(t, r.stdout, &rotated) // the note stays off stdout
	if !strings.Contains(r.stderr, "use --generate-secret") {
		t.Fatalf("rotate-secret --generate: %s", r)
	}
	var list []map[string]string
	mustJSON(t, h.ok("recipe", "--list", "--json").stdout, &list)
	if len(list) < 6 || list[0]["provider"] == "" || list[0]["description"] == "" {
		t.Fatalf("recipe --list --json: %v", list)
	}
}
