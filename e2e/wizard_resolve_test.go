package e2e

import (
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"
)

// Resolve as (issue 14, item 1). This machine has no DNS: every host name
// the binary looks up is unresolved, so these runs are the offline
// operator's. No test sends to the addresses it gives: the public one is
// only judged and saved, the refused ones are refused before any traffic.

const (
	keyCtrlR = "\x12"
	keyCtrlU = "\x15" // delete to the start of the field

	offlineZapURL = "https://hooks.zapier.com/hooks/catch/123/abc/"
	offlineZapTok = "hooks/catch/123/abc"
	// pinnedAddr is a public address (not a documentation range: urlsafe
	// refuses TEST-NET as reserved) that nothing here ever dials.
	pinnedAddr = "3.33.152.147"
	offlineZap = "zapier-hooks-zapier-com"
)

// TestWizardResolveAsOffline: a host-name cloud target completed through
// the full-screen wizard with ctrl+r, at 80×24 and 60×20, with and without
// colour; loopback and metadata answers are refused; the saved override
// is in show, export-config, and the exported file applies back
// unchanged.
func TestWizardResolveAsOffline(t *testing.T) {
	colour := regexp.MustCompile(`\x1b\[[0-9;]*(38|48);[25];[0-9;]*m`)
	for _, c := range []struct {
		name       string
		cols, rows int
		colour     bool
	}{
		{"80x24", 80, 24, false},
		{"80x24-colour", 80, 24, true},
		{"60x20", 60, 20, false},
		{"60x20-colour", 60, 20, true},
	} {
		t.Run(c.name, func(t *testing.T) {
			h := newHome(t)
			var env []string
			if c.colour {
				env = []string{"NO_COLOR="}
			}
			w := startTerm(t, termOptions{env: h.wizardEnv(env...), cols: c.cols, rows: c.rows})
			toSecretStep(w, 2, 0, "") // zapier_webhook, cloud
			w.send(paste(offlineZapURL))
			waitFlat(w, "generic_webhook_host_unresolved", "wizard: ctrl+r resolve as", "ctrl+r resolve as esc back")

			for _, bad := range []string{"127.0.0.1", "169.254.169.254"} {
				w.send(keyCtrlR)
				w.wait("Addresses ›")
				w.send(keyCtrlU, paste(bad), keyEnter)
				waitFlat(w, "generic_webhook_url_unsafe", "hooks.zapier.com resolves to "+bad, "never allowed")
				w.send(keyEnter) // refused: enter does not continue
				w.wait("Endpoint URL")
			}
			w.send(keyCtrlR)
			w.wait("Addresses › 169.254.169.254")
			w.send(keyCtrlU, paste(pinnedAddr), keyEnter)
			w.wait("✓ safe", pinnedAddr)
			w.send(keyEnter)
			pasteSecret(w, knownSecret)
			tickChecks(w)
			w.wait("Receiver owner and revoke path", "Receiver owner")
			w.send(paste("ops@example.com"), keyEnter)
			w.send(paste("Zapier > Zaps > Ticket intake"), keyEnter)
			w.wait("Review and save", "resolve as", pinnedAddr, "Ready to save")
			w.send(keyEnter)
			w.wait("Saved", "Dry run")
			w.send(keyEsc)
			w.wait("1 saved target", offlineZap)
			w.send("q")
			if code := w.exit(); code != 0 {
				t.Fatalf("exit %d; screen:\n%s", code, w.screen())
			}
			if got := colour.MatchString(w.output()); got != c.colour {
				t.Errorf("colour sequences drawn: %v, want %v", got, c.colour)
			}

			checkSavedOverride(t, h, offlineZap)
		})
	}
}

// flatScreen is a screen's words on one line, so wrapped text reads whole.
func flatScreen(s string) string { return strings.Join(strings.Fields(s), " ") }

// waitFlat waits until the screen's words hold every one of parts, at
// any width.
func waitFlat(w *vterm, parts ...string) {
	w.t.Helper()
	w.waitFunc(strings.Join(parts, " + "), 20*time.Second, func(s string) bool {
		f := flatScreen(s)
		for _, p := range parts {
			if !strings.Contains(f, p) {
				return false
			}
		}
		return true
	})
}

// checkSavedOverride: show and show --json name the override; export-config
// writes it without the URL's token; the file applies back unchanged.
func checkSavedOverride(t *testing.T, h *home, name string) {
	t.Helper()
	line := "hooks.zapier.com:443 → " + pinnedAddr + " (instead of DNS)"
	if r := h.ok("show", name); !strings.Contains(r.stdout, "resolve:") || !strings.Contains(r.stdout, line) {
		t.Fatalf("show lacks the override:\n%s", r.stdout)
	}
	js := h.shown(name)
	if rs, _ := js["resolve"].([]any); len(rs) != 1 || rs[0] != pinnedAddr || js["resolve_for"] != "hooks.zapier.com:443" {
		t.Fatalf("show --json resolve = %v, resolve_for = %v", js["resolve"], js["resolve_for"])
	}
	out := filepath.Join(h.dir, "export", "targets.toml")
	urlDir := filepath.Join(h.dir, "export", "secrets")
	h.ok("export-config", "--out", out, "--url-files", urlDir)
	text := readFile(t, out)
	if !strings.Contains(text, `resolve = ["`+pinnedAddr+`"]`) || strings.Contains(text, offlineZapTok) {
		t.Fatalf("export-config:\n%s", text)
	}
	h.writeFile("export/secrets/"+name+".secret", knownSecret+"\n")
	before := h.dump()
	// No --resolve: the saved override is all this machine has.
	if r := h.ok("apply", "-f", out); !strings.Contains(r.stdout, "unchanged  "+name) || !strings.Contains(r.stdout, "Nothing to change.") {
		t.Fatalf("apply of the exported file:\n%s", r.stdout)
	}
	if h.dump() != before {
		t.Fatal("applying the exported file changed the store")
	}
	audit := h.ok("audit").stdout
	if !strings.Contains(flatScreen(audit), "resolve "+line) || strings.Contains(audit, offlineZapTok) {
		t.Fatalf("the create audit event does not name the override (or holds the token):\n%s", audit)
	}
}
