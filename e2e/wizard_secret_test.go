package e2e

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestWizardGeneratedSecretAndAfterSave drives the real binary in every
// terminal (issue 14, items 10 and 12): the generated secret is a line of its own
// with nothing around it; f writes it to a new 0600 file in the folder the
// wizard runs in and says where; esc asks before discarding it and n keeps
// the same secret; Y confirms. After saving, the next steps are named, the
// details show the URL safety decision, and the target.create audit event
// names it without the URL.
func TestWizardGeneratedSecretAndAfterSave(t *testing.T) {
	eachTerm(t, generatedSecretAndAfterSave)
	t.Run("accessible", func(t *testing.T) {
		h := newHome(t)
		p := startAccessible(t, h, 80, 24, "")
		p.answer("Enter a number between 1 and 2", "1") // New target
		p.answer("Enter a number between 1 and 6", "1") // generic_webhook
		p.answer("Enter a number between 1 and 4", "1") // cloud
		p.answer("webhook_url:", "https://93.184.216.34/hook")
		p.waitOut("✓ safe 93.184.216.34")
		p.answer("Enter a number between 1 and 3", "2") // paste
		p.hidden("Signing secret (hidden):", knownSecret)
		p.answer("Enter a number between 1 and 4", "1") // confirm the six checks
		for _, hdr := range []string{"Event", "Schema", "Idempotency-Key", "Timestamp", "Nonce", "Signature"} {
			p.answer("Does the receiver check X-WebRiskOps-"+hdr+" ", "y")
		}
		p.answer("Receiver owner (", "ops@example.com")
		p.answer("Revoke path (", "Internal > receivers > hook")
		p.waitOut("Ready to save")
		p.answer("Enter a number between 1 and 8", "1") // save
		p.waitOut("Saved generic-93-184-216-34", "Next: a test send",
			"webhook-setup export generic-93-184-216-34 --ticket FILE", "--portable for the portable fallback")
		p.send(keyCtrlC)
		p.exit()
		if !strings.Contains(h.ok("audit", "--json").stdout, "url check safe, 93.184.216.34, checked ") {
			t.Fatal("the create event does not name the URL check")
		}
	})
	// The generated secret in the plain prompts (its own line, f, the
	// discard question, Y): TestWizardAccessibleSteps.
}

func generatedSecretAndAfterSave(t *testing.T, v termVariant) *vterm {
	h := newHome(t)
	work := t.TempDir()
	w := v.start(t, h, termOptions{dir: work})
	toSecretStep(w, 0, 0)
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
	waitFlat(w, "Wrote the secret to")
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
	// Whole, fix included, in every terminal (at 60×20 the path takes
	// three rows and the fix lost its end), with the secret still shown.
	waitFlat(w, "generic_webhook_file_unsafe", "exists already",
		"fix: Move or remove that file (it may hold an earlier secret), then press f again; or copy the secret from the screen.")
	if !strings.Contains(w.screen(), secret) {
		t.Fatalf("the refusal pushed the secret off the screen:\n%s", w.screen())
	}

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
	waitFlat(w, "Next: a test send", "webhook-setup export generic-93-184-216-34", "add --portable for the portable fallback")

	w.send(keyEsc)
	w.wait("1 saved target")
	w.send(keyEnter)
	waitFlat(w, "Target · generic-93-184-216-34", "url check", "safe, 93.184.216.34", "url checked")
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
	return w
}
