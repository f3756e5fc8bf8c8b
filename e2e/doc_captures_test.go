package e2e

import (
	"fmt"
	"os"
	"regexp"
	"sort"
	"strings"
	"testing"
	"time"
)

// The screen captures in the docs are drawn by the real binary: each
// ```text block under a `<!-- capture: NAME -->` marker in README.md or
// docs/wizard.md is what the scenario NAME below leaves on the screen
// (fixed size, NO_COLOR, fixed names, URLs and secrets). TestDocCaptures
// fails when a block and the screen differ;
//
//	UPDATE_CAPTURES=1 go test -count=1 -run TestDocCaptures ./e2e/
//
// rewrites the blocks from the screens. A scenario that cannot reach its
// screen fails on its own; the others are still compared or rewritten.

// captureDocs are the files whose capture blocks are checked, relative to
// this package.
var captureDocs = []string{"../README.md", "../docs/wizard.md"}

// captureBlock is a marker, the blank lines after it, and the block.
var captureBlock = regexp.MustCompile("(?s)<!-- capture: ([a-z0-9-]+) -->\n(\n*)```text\n(.*?)```")

// docCapture draws one documented screen in a fresh home and returns the
// terminal it is on, settled on the screen to capture.
type docCapture struct {
	cols, rows int
	draw       func(t *testing.T, h *home, o termOptions) *vterm
}

var docCaptures = map[string]docCapture{
	"home-80x24":                {80, 24, captureHome},
	"endpoint-selfhosted-80x24": {80, 24, captureEndpointSelfHosted},
	"secret-generated-80x24":    {80, 24, captureGeneratedSecret},
	"private-network-80x24":     {80, 24, capturePrivateNetwork},
	"review-warning-80x24":      {80, 24, captureReviewWarning},
	"after-save-80x24":          {80, 24, captureAfterSave},
	"live-confirm-80x24":        {80, 24, captureLiveConfirm},
	"resolve-as-80x24":          {80, 24, captureResolveAs},
	"edit-review-80x24":         {80, 24, captureEditReview},
}

func TestDocCaptures(t *testing.T) {
	update := os.Getenv("UPDATE_CAPTURES") == "1"
	docs := map[string]string{}
	used := map[string]bool{}
	for _, path := range captureDocs {
		b, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		docs[path] = string(b)
		for _, m := range captureBlock.FindAllStringSubmatch(string(b), -1) {
			if _, ok := docCaptures[m[1]]; !ok {
				t.Errorf("%s: capture %q has no scenario in e2e/doc_captures_test.go", path, m[1])
			}
			used[m[1]] = true
		}
	}
	names := make([]string, 0, len(docCaptures))
	for name := range docCaptures {
		if !used[name] {
			t.Errorf("scenario %q is in no document (add a <!-- capture: %s --> block, or remove the scenario)", name, name)
		}
		names = append(names, name)
	}
	sort.Strings(names)

	screens := map[string]string{}
	for _, name := range names {
		if !used[name] {
			continue
		}
		c := docCaptures[name]
		t.Run(name, func(t *testing.T) {
			h := newHome(t)
			o := termOptions{env: h.wizardEnv("NO_COLOR=1"), cols: c.cols, rows: c.rows, dir: t.TempDir()}
			w := c.draw(t, h, o)
			screens[name] = normaliseCapture(settled(w))
		})
	}

	for _, path := range captureDocs {
		text := docs[path]
		changed := false
		text = captureBlock.ReplaceAllStringFunc(text, func(block string) string {
			m := captureBlock.FindStringSubmatch(block)
			got, ok := screens[m[1]]
			if !ok {
				return block // its scenario failed, and says why
			}
			if want := m[3]; want != got {
				if !update {
					t.Errorf("%s: capture %s is not what the binary draws (UPDATE_CAPTURES=1 go test -run TestDocCaptures ./e2e/ rewrites it)\n--- document:\n%s--- screen:\n%s", path, m[1], want, got)
					return block
				}
				changed = true
			}
			return "<!-- capture: " + m[1] + " -->\n" + m[2] + "```text\n" + got + "```"
		})
		if update && changed {
			if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
				t.Fatal(err)
			}
			t.Logf("rewrote the captures of %s", path)
		}
	}
}

// settled returns the screen once it has stopped changing: a spinner, a
// cursor or a late redraw must not be captured half-way. Waiting is not
// judged: a screen that keeps changing for 10 s is taken as it is.
func settled(w *vterm) string {
	last := w.screen()
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); {
		time.Sleep(300 * time.Millisecond)
		s := w.screen()
		if s == last {
			return s
		}
		last = s
	}
	return last
}

// Things that change from run to run, replaced by fixed text of the same
// width so the layout of the capture is the real one.
var (
	captureVersion = regexp.MustCompile(`^webhook-setup \S+ › `)
	fingerprint    = regexp.MustCompile(`sha256:[0-9a-f]{12}`)
)

// capturedSecret stands in the docs for the generated secret the screen
// showed.
const capturedSecret = "<the generated secret, shown once>"

// normaliseCapture makes a screen a capture block: trailing spaces cut,
// the version string, a generated secret and its fingerprint fixed.
func normaliseCapture(screen string) string {
	lines := strings.Split(screen, "\n")
	for i, l := range lines {
		l = strings.TrimRight(l, " ")
		l = captureVersion.ReplaceAllString(l, "webhook-setup dev › ")
		if s := generatedSecret.FindString(l); s != "" {
			// A placeholder no secret scanner takes for a secret.
			l = strings.ReplaceAll(l, s, capturedSecret)
			lines[i] = l
			continue
		}
		lines[i] = l
	}
	out := strings.Join(lines, "\n")
	if generatedSecret.MatchString(screen) {
		// The fingerprint of a generated secret changes with it.
		out = fingerprint.ReplaceAllString(out, "sha256:0123456789ab")
	}
	return out + "\n"
}

// The scenarios. Each uses fixed names and URLs, and hosts resolved with
// --resolve, so the screens are the same on every machine.

const (
	captureMakeURL     = "https://hook.eu1.make.com/abcdef123456"
	captureMakeResolve = "hook.eu1.make.com:443:18.192.10.20"
	captureN8NURL      = "https://n8n.internal.example/webhook/webriskops"
	captureN8NResolve  = "n8n.internal.example:443:10.20.1.5"
)

// addCaptureTargets saves the three targets the home capture lists.
func addCaptureTargets(h *home) {
	h.t.Helper()
	h.addZapier("zapier-tickets")
	sf := h.writeFile("secret-captures", knownSecret+"\n")
	h.ok("add", "make-findings", "--provider", "make_webhook", "--mode", "cloud", "--url", captureMakeURL,
		"--secret-file", sf, "--owner", "ops@example.com", "--revoke-path", "Make > Scenarios > Findings > Webhooks",
		"--confirm-receiver-checks", "--resolve", captureMakeResolve)
	h.ok("add", "n8n-internal", "--provider", "n8n_webhook", "--mode", "self-hosted", "--url", captureN8NURL,
		"--secret-file", sf, "--owner", "platform@example.com", "--revoke-path", "n8n > Workflows > Intake > Webhook node",
		"--confirm-receiver-checks", "--private-network-policy", "allowlist", "--allow", "10.20.1.5/32",
		"--authorized-by", "CHG-1234", "--resolve", captureN8NResolve)
}

func captureHome(t *testing.T, h *home, o termOptions) *vterm {
	addCaptureTargets(h)
	w := startTerm(t, o)
	w.wait("3 saved targets", "make-findings hook.eu1.make.com ready", "q quit")
	return w
}

func captureEndpointSelfHosted(t *testing.T, h *home, o termOptions) *vterm {
	w := startTerm(t, o)
	toSecretStep(w, 4, 1)
	w.send(paste("https://10.20.1.7:5678/webhook-test/intake"))
	w.wait("needs private-network approval", "port 5678")
	return w
}

func captureGeneratedSecret(t *testing.T, h *home, o termOptions) *vterm {
	w := startTerm(t, o)
	toSecretStep(w, 2, 0)
	w.send(paste("https://93.184.216.34/hooks/catch/123456/abcdefg/"))
	w.wait("✓ safe 93.184.216.34")
	w.send(keyEnter)
	w.wait("Signing secret", "Generate one (recommended)")
	w.send(keyEnter)
	w.wait("Shown once", "Press y once")
	return w
}

func capturePrivateNetwork(t *testing.T, h *home, o termOptions) *vterm {
	w := startTerm(t, o)
	toPrivateNetwork(w, privateURL)
	w.wait("need approval")
	return w
}

func captureReviewWarning(t *testing.T, h *home, o termOptions) *vterm {
	w := startTerm(t, o)
	toSecretStep(w, 2, 0)
	w.send(paste("https://93.184.216.34/hook"))
	w.wait("✓ safe 93.184.216.34", "hint: zapier_webhook URLs are on hooks.zapier.com")
	w.send(keyEnter)
	pasteSecret(w, knownSecret)
	tickChecks(w)
	w.wait("Receiver owner and revoke path", "Receiver owner")
	w.send(paste("ops@example.com"))
	w.wait("ops@example.com")
	w.send(keyEnter)
	w.send(paste("Zapier > Zaps > Ticket intake"))
	w.wait("Zapier > Zaps > Ticket intake")
	w.send(keyEnter)
	w.wait("Review and save", "! warning:", "Ready to save")
	return w
}

func captureAfterSave(t *testing.T, h *home, o termOptions) *vterm {
	args := append(o.args, "--resolve", zapierResolve)
	o.args = args
	w := startTerm(t, o)
	toSecretStep(w, 2, 0)
	w.send(paste(zapierURL))
	w.wait("✓ safe hooks.zapier.com")
	w.send(keyEnter)
	pasteSecret(w, knownSecret)
	tickChecks(w)
	ownerAndSave(w, "zapier-hooks-zapier-com")
	w.wait("Next: a test", "--portable")
	return w
}

func captureLiveConfirm(t *testing.T, h *home, o termOptions) *vterm {
	h.addZapier("zapier-tickets")
	w := startTerm(t, o)
	w.wait("Integration status", "zapier-tickets")
	w.send("t")
	w.wait("Dry run", "Rehearsal", "Live")
	w.send(keyDown, keyDown, keyEnter)
	w.wait(fmt.Sprintf("Send a live test delivery to %s? [y/N]", "hooks.zapier.com"))
	return w
}

// captureResolveAs: a host that does not resolve (this machine has no
// DNS), answered with ctrl+r.
func captureResolveAs(t *testing.T, h *home, o termOptions) *vterm {
	w := startTerm(t, o)
	toSecretStep(w, 2, 0)
	w.send(paste(offlineZapURL))
	w.waitFlat("generic_webhook_host_unresolved", "ctrl+r resolve as")
	w.send(keyCtrlR)
	w.wait("Addresses ›")
	w.send(paste(pinnedAddr), keyEnter)
	w.wait("✓ safe", pinnedAddr)
	return w
}

// captureEditReview: e on a saved target, its owner's typo fixed.
func captureEditReview(t *testing.T, h *home, o termOptions) *vterm {
	h.addTypoTarget()
	o.args = append(o.args, "--resolve", zapierResolve)
	w := startTerm(t, o)
	editOwner(w)
	return w
}
