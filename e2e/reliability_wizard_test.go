package e2e

import (
	"strings"
	"syscall"
	"testing"

	"github.com/webriskops/webhook-setup/core/signing"
)

// wizardSecret is pasted into the wizard's secret step.
const wizardSecret = "wizard-pasted-secret-0123456789abcdefghij-XYZ"

// rawMarks are pieces of hostile text that must never reach the terminal
// from the wizard: its own drawing uses other sequences.
var rawMarks = []string{"\x1b]52", "\x1b[31;1;5;7m", "\x07", "\x9b2J", "\u009b", "\u202e", "\u2066", "\u200d", "\u2028", "\xff\xfe"}

func noRawMarks(t *testing.T, what, out string) {
	t.Helper()
	for _, m := range rawMarks {
		if strings.Contains(out, m) {
			i := strings.Index(out, m)
			t.Fatalf("%s sent %q raw to the terminal: …%q…", what, m, out[max(0, i-80):min(len(out), i+80)])
		}
	}
}

// TestReliabilityWizardHostileTextAndSecrets drives the wizard in a
// pseudo-terminal and reads every byte it sends to the terminal. A saved
// target whose owner and revoke path carry terminal tricks is listed,
// opened, and offered for disconnect; a new setup gets a hostile URL and
// owner pasted; a secret is pasted; another is generated; and a wizard
// holding a pasted secret dumps its goroutines (SIGQUIT). No hostile
// sequence reaches the terminal raw, the pasted secret never shows, the
// generated one shows only until it is confirmed, and the webhook URL
// token shows only while it is being typed.
func TestReliabilityWizardHostileTextAndSecrets(t *testing.T) {
	h := newHome(t)
	sf := h.writeFile("s", knownSecret)
	h.ok("add", "--name", "evil", "--provider", "generic_webhook", "--url", "https://93.184.216.34/hooks/catch/1/"+urlToken+"/",
		"--secret-file", sf, "--owner", hostile, "--revoke-path", hostile, "--confirm-receiver-checks")

	w := h.startWizard()
	w.wait("Integration status", "evil")
	w.send(keyEnter)
	w.wait("receiver owner", `\x1b]52`)
	w.send(keyEsc)
	w.wait("Integration status")
	w.send("d")
	w.wait("Revoke path for evil")
	w.send(keyEsc)
	w.wait("Integration status")
	before := len(w.output())

	// A new setup: a hostile URL and owner pasted, the secret pasted.
	toSecretStep(w, 0, 0)
	w.send(paste("https://93.184.216.34/x y\x1b]52;c;aGk=\x07\u202e"))
	w.wait("generic_webhook_url_unsafe")
	for range 80 {
		w.send(keyBS)
	}
	w.send(paste("https://93.184.216.34/hooks/catch/1/" + urlToken + "/"))
	w.wait("✓ safe 93.184.216.34")
	w.send(keyEnter)
	w.wait("Signing secret", "Paste one")
	typed := len(w.output())
	w.send(keyDown, keyEnter)
	w.wait("secret ›")
	w.send(paste(wizardSecret))
	w.wait("HMAC-SHA256 " + signing.Fingerprint(wizardSecret))
	w.send(keyEnter)
	tickChecks(w)
	w.wait("Receiver owner and revoke path", "Receiver owner")
	w.send(paste(hostile + "OWNEREND"))
	w.wait("OWNEREND")
	w.send(keyEnter)
	w.send(paste("Internal > " + hostile + "PATHEND"))
	w.wait("PATHEND")
	w.send(keyEnter)
	w.wait("Review and save", "Ready to save")
	w.send(keyEnter)
	w.wait("Saved ")
	w.send(keyEsc)
	w.wait("2 saved targets")

	// Another, with a generated secret: shown once, until confirmed.
	w.send("n")
	w.wait("Provider key")
	w.send(keyEnter)
	w.wait("Deployment mode")
	w.send(keyEnter)
	w.wait("Endpoint URL", "URL ›")
	w.send(paste("https://93.184.216.35/hook"))
	w.wait("✓ safe 93.184.216.35")
	w.send(keyEnter)
	w.wait("Signing secret", "Generate one (recommended)")
	w.send(keyEnter)
	w.wait("Shown once", "Press y once")
	generated := generatedSecret.FindString(w.screen())
	if generated == "" {
		t.Fatalf("no generated secret on screen:\n%s", w.screen())
	}
	w.send("y")
	tickChecks(w)
	confirmed := len(w.output())
	ownerAndSave(w, "generic-93-184-216-35")
	w.send(keyEsc)
	w.wait("3 saved targets")
	w.send("q")
	if code := w.exit(); code != 0 {
		t.Fatalf("exit %d; screen:\n%s", code, w.screen())
	}
	out := w.output()
	noRawMarks(t, "the wizard", out)
	for _, s := range []string{wizardSecret, knownSecret} {
		if strings.Contains(out, s) {
			t.Fatalf("the wizard showed the secret %.10s…", s)
		}
	}
	if !strings.Contains(out[:confirmed], generated) || strings.Contains(out[confirmed:], generated) {
		t.Fatal("the generated secret was not shown once, or shown again after it was confirmed")
	}
	if strings.Contains(out[:before], urlToken) || strings.Contains(out[typed:], urlToken) {
		t.Fatal("the wizard showed the webhook URL token outside the URL being typed")
	}
	list := h.listed()
	if len(list) != 3 {
		t.Fatalf("list = %v", list)
	}

	// A goroutine dump of a wizard holding a pasted secret.
	w = h.startWizard("GOTRACEBACK=all")
	toSecretStep(w, 0, 0)
	w.send(paste("https://93.184.216.36/hook"))
	w.wait("✓ safe 93.184.216.36")
	w.send(keyEnter)
	w.wait("Signing secret", "Paste one")
	w.send(keyDown, keyEnter)
	w.wait("secret ›")
	w.send(paste(wizardSecret))
	w.wait("HMAC-SHA256 " + signing.Fingerprint(wizardSecret))
	w.cmd.Process.Signal(syscall.SIGQUIT)
	w.exit()
	dump := w.output()
	if !strings.Contains(dump, "goroutine ") {
		t.Fatalf("no goroutine dump:\n%q", dump)
	}
	if strings.Contains(dump, wizardSecret) {
		t.Fatal("the goroutine dump holds the pasted secret")
	}

	// Neither secret is in the store's files: drafts are sealed too.
	scanned := h.scanStoreFiles(wizardSecret, generated, urlToken)
	figure(t, "%d bytes of terminal output and %d of store files scanned: hostile text neutralised, 0 leaks", len(out)+len(dump), scanned)
}
