package e2e

import (
	"strings"
	"testing"

	"github.com/webriskops/webhook-setup/core/signing"
)

// Rotate secret in the plain prompts, in the real binary: the grace
// period in the full-screen words ("24h", it printed Go's "24h0m0s"), the
// generated secret with its scrollback warning, and the rotation saved.
func TestWizardAccessibleRotate(t *testing.T) {
	for _, v := range accessibleVariants[:2] {
		t.Run(v.name, func(t *testing.T) {
			h := newHome(t)
			h.addZapier("zap")
			p := startAccessible(t, h, v.cols, v.rows, t.TempDir(), v.env...)
			p.answer("Enter a number between 1 and 7", "4") // Rotate secret
			p.answer("Target name", "zap")
			p.waitOut("The previous secret keeps signing for 24h.")
			if strings.Contains(p.flat(), "24h0m0s") {
				t.Fatal("the grace period is in Go's duration syntax")
			}
			p.answer("Enter a number between 1 and 3", "1") // generate
			p.waitOut("Warning: the secret stays in this terminal's scrollback")
			p.answer("[y/N/f]", "y")
			p.answer("Enter a number between 1 and 7", "6") // quit
			if code := p.exit(); code != 0 {
				t.Fatalf("exit %d", code)
			}
			if fp := h.shown("zap")["signing"].(map[string]any)["fingerprint"]; fp == signing.Fingerprint(knownSecret) {
				t.Fatal("the secret was not rotated")
			}
		})
	}
}
