package e2e

import (
	"encoding/json"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/webriskops/webhook-setup/core/signing"
)

// wizardEnv is the environment of a wizard run: the home's plus a
// terminal type that answers queries like xterm.
func (h *home) wizardEnv(extra ...string) []string {
	return append(append(append([]string{}, h.env...), "TERM=xterm-256color"), extra...)
}

// startWizard opens the wizard of h in an 80×24 pseudo-terminal.
func (h *home) startWizard(extra ...string) *vterm {
	h.t.Helper()
	return startTerm(h.t, termOptions{env: h.wizardEnv(extra...), cols: 80, rows: 24})
}

var generatedSecret = regexp.MustCompile(signing.GeneratedPrefix + `[A-Za-z0-9_-]{43}`)

// toSecretStep starts a new setup and stops at its Endpoint URL, the
// step before Signing secret; provider and mode are indexes in their
// lists.
func toSecretStep(w *vterm, provider, mode int) {
	w.t.Helper()
	w.wait("Integration status")
	w.send("n")
	w.wait("Provider key", "generic_webhook")
	for i := 0; i < provider; i++ {
		w.send(keyDown)
	}
	w.send(keyEnter)
	w.wait("Deployment mode", "self-hosted")
	for i := 0; i < mode; i++ {
		w.send(keyDown)
	}
	w.send(keyEnter)
	w.wait("Endpoint URL", "URL ›")
}

// pasteSecret chooses "Paste one" in the Signing secret step, pastes secret,
// waits for its fingerprint and continues.
func pasteSecret(w *vterm, secret string) {
	w.t.Helper()
	w.wait("Signing secret", "Paste one")
	w.send(keyDown, keyEnter)
	w.wait("secret ›")
	w.send(paste(secret))
	w.wait("HMAC-SHA256 " + signing.Fingerprint(secret))
	w.send(keyEnter)
}

// privateURL is a self-hosted endpoint on a private address.
const privateURL = "https://10.20.1.5/webhook/intake"

// toPrivateNetwork starts a self-hosted setup (provider 4, mode 1) to url,
// on a private address, with knownSecret pasted and the receiver checks
// ticked, and stops at Private network, where the allowlist is proposed.
func toPrivateNetwork(w *vterm, url string) {
	w.t.Helper()
	toSecretStep(w, 4, 1)
	w.send(paste(url))
	w.wait("needs private-network approval")
	w.send(keyEnter)
	pasteSecret(w, knownSecret)
	tickChecks(w)
	w.wait("Private network", "(•) allowlist")
}

// tickChecks ticks the six receiver checks and continues.
func tickChecks(w *vterm) {
	w.t.Helper()
	w.wait("Receiver checks", "X-WebRiskOps-Signature [ ]")
	for range 6 {
		w.send(keySpace) // space only ticks: down moves on
		w.send(keyDown)
	}
	w.wait("X-WebRiskOps-Signature [x]")
	w.send(keyEnter)
}

// ownerAndSave fills the owner step and saves from Review.
func ownerAndSave(w *vterm, name string) {
	w.t.Helper()
	w.wait("Receiver owner and revoke path", "Receiver owner")
	w.send(paste("ops@example.com"))
	w.wait("ops@example.com")
	w.send(keyEnter)
	w.send(paste("Internal > receivers > hook"))
	w.wait("Internal > receivers > hook")
	w.send(keyEnter)
	w.wait("Review and save", "Ready to save", name)
	w.send(keyEnter)
	w.wait("Saved "+name, "Dry run", "Rehearsal", "Live")
}

func TestWizardCloudSetup(t *testing.T) {
	h := newHome(t)
	w := h.startWizard()
	w.wait("Integration status", "No webhook targets yet", "n new target", "q quit")
	toSecretStep(w, 0, 0)
	w.send(paste("  https://93.184.216.34/hook\n"))
	w.wait("surrounding whitespace", "✓ safe 93.184.216.34")
	w.send(keyEnter)
	w.wait("Signing secret", "Generate one (recommended)")
	w.send(keyEnter)
	w.wait("Shown once", "Press y once")
	secret := generatedSecret.FindString(w.screen())
	if secret == "" {
		t.Fatalf("no generated secret on screen:\n%s", w.screen())
	}
	w.send(keyEnter) // not confirmed: the step waits
	w.wait("the setup does not go on")
	w.send("y")
	tickChecks(w)
	ownerAndSave(w, "generic-93-184-216-34")
	w.send(keyEsc)
	w.wait("1 saved target", "generic-93-184-216-34", "✓✓✓✓·✓")
	w.send("q")
	if code := w.exit(); code != 0 {
		t.Fatalf("exit %d; screen:\n%s", code, w.screen())
	}
	if !w.restored() {
		t.Fatal("the terminal was not restored (alt screen or hidden cursor)")
	}
	if strings.Contains(w.output(), "\x1b]11;?") {
		t.Fatal("the binary asked the terminal for its background colour (bubbletea's init query is back)")
	}

	list := h.listed()
	if len(list) != 1 || list[0]["name"] != "generic-93-184-216-34" || list[0]["provider_key"] != "generic_webhook" ||
		list[0]["deployment_mode"] != "cloud" || list[0]["ready"] != true {
		t.Fatalf("list --json = %v", list)
	}
	show := h.shown("generic-93-184-216-34")
	if fp := show["signing"].(map[string]any)["fingerprint"]; fp != signing.Fingerprint(secret) {
		t.Fatalf("stored fingerprint %v is not the one of the secret shown (%s)", fp, signing.Fingerprint(secret))
	}
	if show["receiver_owner"] != "ops@example.com" || show["revoke_path"] != "Internal > receivers > hook" {
		t.Fatalf("show --json = %v", show)
	}
	if strings.Contains(h.dump(), "wizard:tester") {
		t.Fatal("the draft is kept after saving")
	}
}

func TestWizardSelfHostedAllowlist(t *testing.T) {
	h := newHome(t)
	w := h.startWizard()
	toSecretStep(w, 4, 1)
	w.send(paste(privateURL))
	w.wait("needs private-network approval")
	w.send(keyEnter)
	w.wait("Signing secret", "Paste one")
	w.send(keyDown, keyEnter)
	w.wait("secret ›")
	w.send(paste(knownSecret))
	w.wait("HMAC-SHA256 " + signing.Fingerprint(knownSecret))
	if strings.Contains(w.screen(), knownSecret) {
		t.Fatal("the pasted secret is on screen")
	}
	w.send(keyEnter)
	tickChecks(w)
	// The endpoint needs approval: the step names it, suggests the
	// narrowest entry and opens on allowlist.
	w.wait("Private network", "Evidence", "(•) allowlist", "10.20.1.5 → 10.20.1.5 need approval", "Narrowest entry to add: 10.20.1.5/32")
	w.send(keyEnter)
	w.wait("› entry:")
	w.send("127.0.0.0/8")
	w.wait("generic_webhook_allowlist_invalid")
	w.helpLacks("enter add entry") // enter would only refuse it
	for range len("127.0.0.0/8") {
		w.send(keyBS)
	}
	w.waitGone("generic_webhook_allowlist_invalid")
	w.send("10.20.0.0/16")
	w.send(keyEnter)
	w.wait("• 10.20.0.0/16")
	w.send(keyEnter)
	w.send(paste("CHG-1234"))
	w.wait("CHG-1234")
	w.send(keyEnter)
	ownerAndSave(w, "n8n-10-20-1-5")
	w.send(keyEsc)
	w.wait("1 saved target")
	w.send("q")
	if code := w.exit(); code != 0 {
		t.Fatalf("exit %d", code)
	}
	list := h.listed()
	if len(list) != 1 || list[0]["deployment_mode"] != "self-hosted" || list[0]["provider_key"] != "n8n_webhook" || list[0]["ready"] != true {
		t.Fatalf("list --json = %v", list)
	}
	pn := h.shown("n8n-10-20-1-5")["private_network"].(map[string]any)
	if pn["policy"] != "allowlist" || pn["authorized_by"] != "CHG-1234" {
		t.Fatalf("private_network = %v", pn)
	}
	if al, _ := json.Marshal(pn["allowlist"]); string(al) != `["10.20.0.0/16"]` {
		t.Fatalf("allowlist = %s", al)
	}
}

func TestWizardInterruptThenResume(t *testing.T) {
	h := newHome(t)
	w := h.startWizard()
	toSecretStep(w, 2, 0)
	w.send(paste("https://hooks.zapier.com/hooks/catch/123456/abcdefg/"))
	w.send(keyEnter) // hooks.zapier.com does not resolve here: refused
	w.wait("generic_webhook_host_unresolved")
	for range len("hooks.zapier.com/hooks/catch/123456/abcdefg/") {
		w.send(keyBS)
	}
	w.send(paste("93.184.216.34/hooks/catch/123456/abcdefg/"))
	w.wait("✓ safe 93.184.216.34")
	w.send(keyEnter)
	w.wait("Signing secret")
	w.send(keyCtrlC)
	if code := w.exit(); code != 130 {
		t.Fatalf("ctrl+c exits %d, want 130; screen:\n%s", code, w.screen())
	}
	if !w.restored() {
		t.Fatal("the terminal was not restored after ctrl+c")
	}
	w.wait("generic_webhook_interrupted", "draft")

	w = h.startWizard()
	w.wait("Resume unfinished setup at Signing secret", "c resume")
	w.send("c")
	w.wait("Step 4 of 7 · Signing secret")
	w.send(keyEsc)
	w.wait("Endpoint URL", "93.184.216.34/hooks/catch/123456/abcdefg/")
	w.send(keyShiftTab)
	w.wait("Deployment mode", "› cloud")
	w.send(keyEnter)
	w.wait("Endpoint URL", "✓ safe")
	w.send(keyEnter)
	pasteSecret(w, knownSecret)
	tickChecks(w)
	ownerAndSave(w, "zapier-93-184-216-34")
	w.send(keyEsc)
	w.wait("1 saved target")
	w.wait("zapier-93-184-216-34")
	if strings.Contains(w.screen(), "Resume unfinished setup") {
		t.Fatal("saving the target kept the draft")
	}
	w.send("q")
	w.exit()
	if list := h.listed(); len(list) != 1 || list[0]["ready"] != true {
		t.Fatalf("list --json = %v", list)
	}
}

func TestWizardHangupKeepsDraft(t *testing.T) {
	h := newHome(t)
	w := h.startWizard()
	toSecretStep(w, 0, 0)
	w.send(paste("https://93.184.216.34/hook"), keyEnter)
	w.wait("Signing secret")
	if err := w.cmd.Process.Signal(syscall.SIGHUP); err != nil {
		t.Fatal(err)
	}
	if code := w.exit(); code != 130 {
		t.Fatalf("SIGHUP exits %d", code)
	}
	w = h.startWizard()
	w.wait("Resume unfinished setup at Signing secret")
	w.send("q")
	w.exit()
}

func TestWizardResize(t *testing.T) {
	h := newHome(t)
	w := h.startWizard()
	toSecretStep(w, 0, 0)
	w.send(paste("https://93.184.216.34/hook"))
	w.wait("✓ safe")
	for _, size := range [][2]int{{120, 40}, {60, 20}, {80, 24}} {
		w.resize(size[0], size[1])
		w.waitFunc("a redraw at the new size", 10*time.Second, func(s string) bool {
			lines := strings.Split(s, "\n")
			return strings.Contains(s, "Endpoint URL") && strings.Contains(s, "✓ safe") &&
				strings.Contains(lines[len(lines)-1], "esc back")
		})
		for _, l := range strings.Split(w.screen(), "\n") {
			if len([]rune(l)) > size[0] {
				t.Fatalf("a line is wider than %d: %q", size[0], l)
			}
		}
	}
	w.send(keyEnter)
	w.wait("Signing secret")
	w.send(keyCtrlC)
	w.exit()
}

func TestWizardAccessible(t *testing.T) {
	h := newHome(t)
	w := startTerm(t, termOptions{env: h.wizardEnv(), args: []string{"--accessible"}, cols: 100, rows: 40})
	seen := map[string]int{}
	// answer waits for the next showing of prompt and types line. A
	// terminal in line mode hands each prompt exactly one line.
	answer := func(prompt, line string) {
		t.Helper()
		seen[prompt]++
		n := seen[prompt]
		w.waitFunc(prompt, 20*time.Second, func(string) bool { return strings.Count(w.output(), prompt) >= n })
		w.send(line + keyEnter)
	}
	answer("Enter a number between 1 and 2", "1") // New target
	answer("Enter a number between 1 and 6", "1") // generic_webhook
	answer("Enter a number between 1 and 4", "1") // cloud
	answer("webhook_url:", "https://93.184.216.34/hook")
	w.wait("✓ safe 93.184.216.34")
	answer("Enter a number between 1 and 3", "2") // paste
	w.wait("Signing secret (hidden):")
	// huh prints the prompt just before it turns echo off.
	w.waitEchoOff("Signing secret (hidden):")
	w.send(knownSecret + keyEnter)
	w.wait("Signing: HMAC-SHA256 " + signing.Fingerprint(knownSecret))
	if strings.Contains(w.output(), knownSecret) {
		t.Fatal("the secret was echoed in accessible mode")
	}
	// The extras: Standard Webhooks, an edge header with a hidden value.
	answer("Enter a number between 1 and 4", "3")
	answer("Also send the Standard Webhooks headers", "y")
	answer("Edge header the platform checks", "x-make-apikey")
	w.wait("Value of x-make-apikey (hidden):")
	w.waitEchoOff("Value of x-make-apikey (hidden):")
	w.send(edgeValueOne + keyEnter)
	answer("Enter a number between 1 and 4", "1") // confirm the six checks
	for _, hdr := range []string{"X-WebRiskOps-Event", "X-WebRiskOps-Schema", "X-WebRiskOps-Idempotency-Key", "X-WebRiskOps-Timestamp", "X-WebRiskOps-Nonce", "X-WebRiskOps-Signature"} {
		answer("Does the receiver check "+hdr+" ", "y")
	}
	answer("Receiver owner", "ops@example.com")
	answer("Revoke path", "Internal > receivers > hook")
	w.wait("Ready to save")
	answer("Enter a number between 1 and 8", "1") // save
	w.wait("Saved generic-93-184-216-34", "Test send", "No test send now")
	answer("Enter a number between 1 and 4", "1") // dry run
	w.wait("X-WebRiskOps-Signature: v1=", "webhook-signature: v1,", "x-make-apikey: [redacted edge authentication value]")
	if strings.Contains(w.output(), edgeValueOne) {
		t.Fatal("the edge value was echoed in accessible mode")
	}
	answer("Enter a number between 1 and 7", "6") // quit (Edit a target is 7)
	if code := w.exit(); code != 0 {
		t.Fatalf("exit %d; screen:\n%s", code, w.screen())
	}
	if list := h.listed(); len(list) != 1 || list[0]["ready"] != true || h.shown(list[0]["name"].(string))["standard_webhooks"] != true {
		t.Fatalf("list --json = %v", list)
	}
	h.scanStoreFiles(edgeValueOne)
}

func TestWizardNoTTY(t *testing.T) {
	h := newHome(t)
	r := h.run("", nil) // stdin and stdout are pipes, not a terminal
	if r.code != 2 {
		t.Fatalf("without a terminal: %s", r)
	}
	for _, want := range []string{"generic_webhook_no_terminal", "ssh -t", "webhook-setup add"} {
		if !strings.Contains(r.stderr, want) {
			t.Fatalf("stderr lacks %q: %s", want, r)
		}
	}
	if h.dump() != "no database" {
		t.Fatal("the wizard without a terminal touched the store")
	}
}

func TestWizardColour(t *testing.T) {
	// Bold and colour SGR sequences; cursor and screen controls do not count.
	colour := regexp.MustCompile(`\x1b\[[0-9;]*(38|48);[25];[0-9;]*m`)
	cases := []struct {
		name   string
		env    []string
		args   []string
		colour bool
	}{
		{"NO_COLOR", nil, nil, false},
		{"--no-color", []string{"NO_COLOR="}, []string{"--no-color"}, false},
		{"colour", []string{"NO_COLOR="}, nil, true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			h := newHome(t)
			w := startTerm(t, termOptions{env: h.wizardEnv(c.env...), args: c.args})
			w.wait("Integration status", "q quit")
			w.send("q")
			w.exit()
			if got := colour.MatchString(w.output()); got != c.colour {
				t.Fatalf("colour sequences drawn: %v, want %v", got, c.colour)
			}
		})
	}
}

// TestWizardNoColourMarksFocus: without colour (NO_COLOR, or TERM=dumb
// with the full-screen wizard asked for) the focused field is marked with
// "›", the text cursor is a visible character and placeholders read as
// hints in brackets, since reverse video and dim text are not drawn.
func TestWizardNoColourMarksFocus(t *testing.T) {
	cases := []struct {
		name string
		env  []string
		args []string
	}{
		{"NO_COLOR", nil, nil},
		{"TERM=dumb", []string{"TERM=dumb", "NO_COLOR="}, []string{"--accessible=false"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			h := newHome(t)
			w := startTerm(t, termOptions{env: h.wizardEnv(c.env...), args: c.args, cols: 80, rows: 24})
			toSecretStep(w, 4, 1)
			w.wait("URL › █(e.g. https://")
			w.send(paste(privateURL))
			w.wait("URL › " + privateURL + "█")
			w.wait("needs private-network approval")
			w.send(keyEnter)
			w.wait("Signing secret", "Paste one")
			w.send(keyDown, keyEnter)
			w.wait("secret › █")
			w.send(paste(knownSecret))
			w.wait("HMAC-SHA256")
			w.send(keyEnter)
			tickChecks(w)
			w.wait("Private network", "› policy  ( ) deny   (•) allowlist", "  entry:  (e.g. 10.20.0.0/16", "  authorized by:  (who approved it")
			w.send(keyTab)
			w.wait("  policy  ( ) deny", "› entry: █(e.g. 10.20.0.0/16", "  authorized by:  (who approved it")
			w.send("10.20.0.0/16")
			w.wait("› entry: 10.20.0.0/16█")
			w.send(keyTab)
			w.wait("  entry: 10.20.0.0/16\n", "› authorized by: █(who approved it")
			if n := strings.Count(w.screen(), "█"); n != 1 {
				t.Fatalf("%d cursors on screen:\n%s", n, w.screen())
			}
			if reverse := regexp.MustCompile(`\x1b\[[0-9;]*m`); reverse.MatchString(w.output()) {
				t.Fatalf("SGR sequences drawn without colour: %q", reverse.FindString(w.output()))
			}
			w.send(keyCtrlC)
			w.exit()
		})
	}
}
