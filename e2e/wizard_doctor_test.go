package e2e

import (
	"testing"
)

// TestWizardDoctorScreen: ? on the home screen opens the Doctor screen in
// the real binary, which shows a seeded problem (a secret past
// rotation.max_age) with its fix; esc goes back home.
func TestWizardDoctorScreen(t *testing.T) {
	h := newHome(t)
	h.addZapier("zap")
	h.sqlOn(`UPDATE credentials SET created_at = created_at - 100*86400*1000000000`)
	w := startTerm(t, termOptions{env: h.wizardEnv(), args: []string{"--resolve", zapierResolve}, cols: 80, rows: 24})
	w.wait("Integration status", "? doctor")
	w.send("?")
	w.wait("Doctor", "need action", "FAIL target.secret_age zap", "rotate-secret zap")
	w.send(keyEsc)
	w.wait("Integration status", "zap")
	w.send("q")
	w.exit()
}
