package e2e

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestWizardGeneratedSecretAndAfterSave drives the real binary at 80×24
// (issue 14, items 10 and 12): the generated secret is a line of its own
// with nothing around it; f writes it to a new 0600 file in the folder the
// wizard runs in and says where; esc asks before discarding it and n keeps
// the same secret; Y confirms. After saving, the next steps are named, the
// details show the URL safety decision, and the target.create audit event
// names it without the URL.
func TestWizardGeneratedSecretAndAfterSave(t *testing.T) {
	h := newHome(t)
	work := t.TempDir()
	w := startTerm(t, termOptions{env: h.wizardEnv(), cols: 80, rows: 24, dir: work})
	toSecretStep(w, 0, 0, "")
	w.send(paste("https://93.184.216.34/hook"))
	w.wait("✓ safe 93.184.216.34")
	w.send(keyEnter)
	w.wait("Signing secret", "Generate one (recommended)")
	w.send(keyEnter)
	w.wait("Shown once", "Press y once")
	secret := generatedSecret.FindString(w.screen())
	if secret == "" {
		t.Fatalf("no generated secret on screen:\n%s", w.screen())
	}
	onItsOwn := false
	for _, line := range strings.Split(w.screen(), "\n") {
		if strings.Contains(line, secret) {
			onItsOwn = strings.TrimRight(line, " ") == secret
		}
	}
	if !onItsOwn {
		t.Fatalf("the secret shares its line with something else:\n%s", w.screen())
	}

	w.send("f")
	w.wait("Wrote the secret to")
	path := filepath.Join(work, "webriskops-signing-secret.txt")
	got, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if strings.TrimSpace(string(got)) != secret {
		t.Fatal("the file does not hold the shown secret")
	}
	if fi, _ := os.Stat(path); fi.Mode().Perm() != 0o600 {
		t.Fatalf("mode %04o, want 0600", fi.Mode().Perm())
	}
	w.send("f") // the file exists now: refused, left as it is
	w.wait("generic_webhook_file_unsafe", "exists already")

	w.send(keyEsc)
	w.wait("Discard this secret?")
	w.send("n")
	w.wait("Press y once")
	if !strings.Contains(w.screen(), secret) {
		t.Fatalf("n did not keep the same secret:\n%s", w.screen())
	}
	w.send("Y")
	tickChecks(w)
	ownerAndSave(w, "generic-93-184-216-34")
	w.wait("Next: a test send", "webhook-setup export generic-93-184-216-34", "add --portable for the portable fallback")

	w.send(keyEsc)
	w.wait("1 saved target")
	w.send(keyEnter)
	w.wait("Target · generic-93-184-216-34", "url check", "safe, 93.184.216.34", "url checked")
	w.send(keyEsc)
	w.wait("1 saved target")
	w.send("q")
	if code := w.exit(); code != 0 {
		t.Fatalf("exit %d; screen:\n%s", code, w.screen())
	}
	audit := h.ok("audit", "--json").stdout
	if !strings.Contains(audit, "url check safe, 93.184.216.34, checked ") {
		t.Fatalf("the create event does not name the URL check:\n%s", audit)
	}
	if strings.Contains(audit, secret) {
		t.Fatal("the audit log holds the secret")
	}
}
