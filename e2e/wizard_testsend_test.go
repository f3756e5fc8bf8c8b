package e2e

import (
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestWizardTestSends: after saving, the wizard signs a dry-run request and
// rehearses a delivery against the real `receive` process, through the same
// code as `test-send`.
func TestWizardTestSends(t *testing.T) {
	h := newHome(t)
	w := h.startWizard()
	w.wait("Integration status", "No webhook targets yet")
	toSecretStep(w, 0, 0)
	w.send(paste("https://93.184.216.34/hook"))
	w.wait("✓ safe 93.184.216.34")
	w.send(keyEnter)
	pasteSecret(w, knownSecret)
	tickChecks(w)
	ownerAndSave(w, "generic-93-184-216-34")

	// Dry run: the signed request, nothing sent.
	w.send(keyEnter)
	w.wait("Signed request", "X-WebRiskOps-Signature", "v1=", "ticket_export.requested")
	if strings.Contains(w.screen(), knownSecret) {
		t.Fatal("the dry run shows the secret")
	}
	w.send(keyEsc)

	// Rehearsal against the real receiver, which knows the same secret.
	cert := filepath.Join(h.dir, "receiver.pem")
	sf := h.writeFile("recv-secret", knownSecret)
	recv, base := h.startReceive("--secret-file", sf, "--self-signed", "--cert-out", cert)
	w.wait("nothing was sent", "another test")
	w.send(keyEnter)
	w.wait("Dry run", "Rehearsal")
	w.send(keyDown, keyEnter)
	w.wait("› receiver URL:")
	w.send(paste(base + "/hook"))
	w.send(keyTab)
	w.send(paste(cert))
	w.send(keyEnter)
	w.wait("Delivered", "answered 200")
	// The receiver prints its line after it answered: wait for the line.
	waitFor(t, func() bool { return len(lines(recv.stdout.String())) > 0 }, 20*time.Second, "the receiver's line")
	if out := recv.stderr.String() + recv.stdout.String(); !strings.Contains(out, "accepted") {
		t.Fatalf("the receiver did not accept the rehearsal:\n%s", out)
	}
	recv.cmd.Process.Signal(syscall.SIGINT)
	recv.wait(t, 10*time.Second)
	if out := h.ok("audit").stdout; !strings.Contains(out, "rehearsal test delivery") {
		t.Fatalf("the rehearsal is not in the audit log:\n%s", out)
	}
}
