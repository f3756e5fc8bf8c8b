package e2e

import (
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
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
			toSecretStep(w, 2, 0) // zapier_webhook, cloud
			w.send(paste(offlineZapURL))
			waitFlat(w, "generic_webhook_host_unresolved", "press ctrl+r (resolve as)", "ctrl+r resolve as esc back")

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
			for _, l := range strings.Split(w.screen(), "\n") {
				if strings.Contains(l, "Addresses ›") && strings.HasSuffix(strings.TrimSpace(l), "…") {
					t.Fatalf("the Addresses line runs past the edge and is cut: %q", l)
				}
			}
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

// TestWizardResolveAsAccessible: the plain prompts offer the same answer
// after an unresolved host, judged the same way, and save it.
func TestWizardResolveAsAccessible(t *testing.T) {
	h := newHome(t)
	w := startTerm(t, termOptions{env: h.wizardEnv(), args: []string{"--accessible"}, cols: 100, rows: 40})
	seen := map[string]int{}
	answer := func(prompt, line string) {
		t.Helper()
		seen[prompt]++
		n := seen[prompt]
		w.waitFunc(prompt, 20*time.Second, func(string) bool { return strings.Count(w.output(), prompt) >= n })
		w.send(line + keyEnter)
	}
	answer("Enter a number between 1 and 2", "1") // New target
	answer("Enter a number between 1 and 6", "3") // zapier_webhook
	answer("Enter a number between 1 and 4", "1") // cloud
	answer("webhook_url:", offlineZapURL)
	w.wait("generic_webhook_host_unresolved", "Resolve hooks.zapier.com:443 as addresses you give")
	answer("Enter a number between 1 and 3", "2") // resolve as
	answer("Addresses for hooks.zapier.com:443", "169.254.169.254")
	w.wait("hooks.zapier.com resolves to 169.254.169.254")
	answer("Enter a number between 1 and 3", "2") // resolve as, again
	answer("Addresses for hooks.zapier.com:443", pinnedAddr)
	w.wait("Resolve as hooks.zapier.com:443 → "+pinnedAddr, "✓ safe hooks.zapier.com → "+pinnedAddr)
	answer("Enter a number between 1 and 3", "2") // paste a secret
	w.waitEchoOff("Signing secret (hidden):")
	w.send(knownSecret + keyEnter)
	answer("Enter a number between 1 and 4", "1") // confirm the six checks
	for _, hdr := range []string{"X-WebRiskOps-Event", "X-WebRiskOps-Schema", "X-WebRiskOps-Idempotency-Key", "X-WebRiskOps-Timestamp", "X-WebRiskOps-Nonce", "X-WebRiskOps-Signature"} {
		answer("Does the receiver check "+hdr+" ", "y")
	}
	answer("Receiver owner", "ops@example.com")
	answer("Revoke path", "Zapier > Zaps > Ticket intake")
	w.wait("resolve as", pinnedAddr+" (instead of DNS)", "Ready to save")
	answer("Enter a number between 1 and 8", "1") // save
	w.wait("Saved " + offlineZap)
	answer("Enter a number between 1 and 4", "1") // dry run: nothing is sent
	// Open a target shows the URL safety decision and where its
	// addresses came from, as the full-screen details do (item 12).
	answer("Enter a number between 1 and 7", "2") // Open a target
	answer("Target name", offlineZap)
	w.waitFunc("the URL decision in the details", 20*time.Second, func(string) bool {
		f := strings.Join(strings.Fields(w.output()), " ")
		return strings.Contains(f, "url check safe, hooks.zapier.com → "+pinnedAddr) &&
			strings.Contains(f, "addresses from resolve as, not DNS")
	})
	answer("Reveal the full webhook_url?", "n")
	answer("Enter a number between 1 and 7", "6") // quit (Edit a target is the 7th)
	if code := w.exit(); code != 0 {
		t.Fatalf("exit %d; screen:\n%s", code, w.screen())
	}
	checkSavedOverride(t, h, offlineZap)

	// Applying the target without the key removes the override; the
	// endpoint is judged again, so on this machine (no DNS) only a
	// per-run --resolve lets the removal through.
	text := readFile(t, filepath.Join(h.dir, "export", "targets.toml"))
	without := h.writeFile("export/without.toml", strings.Replace(text, `resolve = ["`+pinnedAddr+`"]`, "", 1))
	before := h.dump()
	if r := h.run("", nil, "apply", "-f", without); r.code != 3 || !strings.Contains(r.stdout+r.stderr, "generic_webhook_host_unresolved") {
		t.Fatalf("apply without resolve, no DNS: %s", r)
	}
	if h.dump() != before {
		t.Fatal("a refused apply changed the store")
	}
	if r := h.ok("apply", "-f", without, "--resolve", "hooks.zapier.com:443:"+pinnedAddr); !strings.Contains(r.stdout, "resolve") {
		t.Fatalf("apply without resolve, with --resolve: %s", r)
	}
	if r := h.ok("show", offlineZap); strings.Contains(r.stdout, "resolve:") {
		t.Fatalf("show after the override was applied away:\n%s", r.stdout)
	}
}

// TestResolveAsCommandsAndSends: add --resolve-as saves an override
// (judged first: a loopback one is refused and nothing is written),
// resolve-as replaces and --clear removes it, and every send judges the
// saved addresses again: once the private-network approval no longer
// covers the pinned address, test-send and export refuse before any
// traffic. No command here is given an address it could reach.
func TestResolveAsCommandsAndSends(t *testing.T) {
	h := newHome(t)
	sf := h.writeFile("secret", knownSecret+"\n")
	add := func(name, url string, extra ...string) result {
		args := append([]string{"add", name, "--url", url, "--secret-file", sf, "--owner", "ops@example.com",
			"--revoke-path", "Internal > receivers > hook", "--confirm-receiver-checks"}, extra...)
		return h.run("", nil, args...)
	}

	r := add("loop", offlineZapURL, "--provider", "zapier_webhook", "--mode", "cloud", "--resolve-as", "127.0.0.1")
	if r.code != 3 || !strings.Contains(r.stderr, "generic_webhook_url_unsafe") || !strings.Contains(r.stderr, "hooks.zapier.com resolves to 127.0.0.1") {
		t.Fatalf("add --resolve-as 127.0.0.1: %s", r)
	}
	if r := add("typo", offlineZapURL, "--provider", "zapier_webhook", "--resolve-as", "hooks.zapier.com:443:"+pinnedAddr); r.code != 3 ||
		!strings.Contains(r.stderr, "generic_webhook_resolve_invalid") {
		t.Fatalf("add --resolve-as in curl's form: %s", r)
	}
	if d := h.dump(); d != "no database" {
		t.Fatalf("a refused add wrote to the store:\n%s", d)
	}

	const n8nURL = "https://n8n.offline.example/webhook/intake"
	if r := add("n8n-off", n8nURL, "--provider", "n8n_webhook", "--mode", "self-hosted", "--resolve-as", "10.20.1.7",
		"--private-network-policy", "allowlist", "--allow", "10.20.0.0/16", "--authorized-by", "CAB-1"); r.code != 0 {
		t.Fatalf("add a self-hosted target with an approved private override: %s", r)
	}
	if r := h.ok("show", "n8n-off"); !strings.Contains(r.stdout, "n8n.offline.example:443 → 10.20.1.7 (instead of DNS)") {
		t.Fatalf("show:\n%s", r.stdout)
	}
	// resolve-as judges before it writes: an unapproved address is refused.
	if r := h.run("", nil, "resolve-as", "n8n-off", "10.99.0.5"); r.code != 3 || !strings.Contains(r.stderr, "n8n.offline.example resolves to 10.99.0.5") {
		t.Fatalf("resolve-as with an unapproved address: %s", r)
	}
	if r := h.ok("resolve-as", "n8n-off", "10.20.1.8, 10.20.1.9"); !strings.Contains(r.stdout, "n8n.offline.example:443 → 10.20.1.8, 10.20.1.9") {
		t.Fatalf("resolve-as: %s", r)
	}

	// The approval changes under the saved target (as an older version or
	// a hand edit could leave it): the pinned addresses are no longer
	// approved, and every send refuses them before dialling.
	if _, err := h.openDB().Exec(`UPDATE targets SET network_allowlist = '["10.99.0.0/16"]' WHERE name = 'n8n-off'`); err != nil {
		t.Fatal(err)
	}
	r = h.run("", nil, "test-send", "n8n-off")
	if r.code != 3 || !strings.Contains(r.stdout+r.stderr, "n8n.offline.example resolves to 10.20.1.8") ||
		!strings.Contains(r.stdout+r.stderr, "PROVIDER_BASE_URL_BLOCKED") {
		t.Fatalf("test-send with the approval gone: %s", r)
	}
	r = h.run("", nil, "export", "n8n-off", "--ticket", h.tickets("one.ndjson", 1), "--wait", "0")
	if r.code != 3 || !strings.Contains(r.stdout+r.stderr, "10.20.1.8") || !strings.Contains(r.stdout+r.stderr, "Nothing was queued") {
		t.Fatalf("export with the approval gone: %s", r)
	}

	// Removed: the host is DNS's again, and this machine has none.
	if r := h.ok("resolve-as", "n8n-off", "--clear"); !strings.Contains(r.stdout, "Removed the resolve override of n8n-off") {
		t.Fatalf("resolve-as --clear: %s", r)
	}
	if js := h.shown("n8n-off"); js["resolve"] != nil {
		t.Fatalf("show --json after --clear: resolve = %v", js["resolve"])
	}
	if r := h.run("", nil, "test-send", "n8n-off"); r.code != 3 || !strings.Contains(r.stdout+r.stderr, "generic_webhook_host_unresolved") {
		t.Fatalf("test-send after --clear: %s", r)
	}
	audit := flatScreen(h.ok("audit").stdout)
	for _, want := range []string{"resolve n8n.offline.example:443 → 10.20.1.7", "changed resolve; resolve now n8n.offline.example:443 → 10.20.1.8, 10.20.1.9",
		"changed resolve; resolve now none (DNS)"} {
		if !strings.Contains(audit, want) {
			t.Errorf("audit lacks %q:\n%s", want, audit)
		}
	}
}

// TestWizardResolveAsResume: the answer is kept in the draft as soon as it
// is given, with its URL; a dropped session (SIGHUP) before the step ends
// resumes at Endpoint URL with both, checked again.
func TestWizardResolveAsResume(t *testing.T) {
	h := newHome(t)
	w := h.startWizard()
	toSecretStep(w, 2, 0)
	w.send(paste(offlineZapURL))
	waitFlat(w, "generic_webhook_host_unresolved")
	sealed := func() string {
		var b []byte
		_ = h.openDB().QueryRow(`SELECT sealed FROM drafts`).Scan(&b)
		return string(b)
	}
	before := sealed() // the draft as the Deployment mode step left it
	w.send(keyCtrlR)
	w.wait("Addresses ›")
	w.send(paste(pinnedAddr), keyEnter)
	w.wait("✓ safe", pinnedAddr)
	waitFor(t, func() bool { return sealed() != before }, 10*time.Second, "the draft saved with the answer")
	if err := w.cmd.Process.Signal(syscall.SIGHUP); err != nil {
		t.Fatal(err)
	}
	w.exit()

	w = h.startWizard()
	w.wait("Resume unfinished setup at Endpoint URL", "c resume")
	w.send("c")
	waitFlat(w, "Endpoint URL", "URL › "+offlineZapURL, "resolve as hooks.zapier.com:443 → "+pinnedAddr, "✓ safe hooks.zapier.com → "+pinnedAddr)
	w.send(keyEnter)
	w.wait("Signing secret")
	w.send(keyCtrlC)
	w.exit()
}
