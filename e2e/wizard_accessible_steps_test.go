package e2e

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/charmbracelet/x/ansi"
)

// Issue 14, item 6: accessible mode asks the same step definitions as the
// full-screen wizard, through the real binary in a pseudo-terminal.

// lineTerm drives the accessible prompts: it answers a prompt once it has
// been printed (one more time than it was answered), as a terminal in
// line mode hands each prompt one line.
type lineTerm struct {
	*vterm
	seen map[string]int
}

// flat is everything the program wrote, escapes removed and white space
// runs made one space, so text wrapped at any width (and coloured or not)
// reads whole.
func (l *lineTerm) flat() string {
	return strings.Join(strings.Fields(ansi.Strip(l.output())), " ")
}

// waitOut waits until the output holds every one of parts.
func (l *lineTerm) waitOut(parts ...string) {
	l.t.Helper()
	l.waitFunc(strings.Join(parts, " + "), 30*time.Second, func(string) bool {
		f := l.flat()
		for _, p := range parts {
			if !strings.Contains(f, p) {
				return false
			}
		}
		return true
	})
}

// answer waits for the next showing of prompt and types line.
func (l *lineTerm) answer(prompt, line string) {
	l.t.Helper()
	l.seen[prompt]++
	n := l.seen[prompt]
	l.waitFunc(prompt, 30*time.Second, func(string) bool { return strings.Count(l.flat(), prompt) >= n })
	l.send(line + keyEnter)
}

// hidden waits for the next showing of a hidden prompt and for echo off,
// then types line (keyEnter appended unless it is Ctrl-D).
func (l *lineTerm) hidden(prompt, line string) {
	l.t.Helper()
	l.seen[prompt]++
	n := l.seen[prompt]
	l.waitFunc(prompt, 30*time.Second, func(string) bool { return strings.Count(l.flat(), prompt) >= n })
	l.waitEchoOff(prompt)
	if line != "\x04" {
		line += keyEnter
	}
	l.send(line)
}

// accessibleVariants are the terminal sizes and colour settings every
// accessible test runs in.
var accessibleVariants = []struct {
	name       string
	cols, rows int
	env        []string
}{
	{"80x24", 80, 24, nil},
	{"60x20", 60, 20, nil},
	{"80x24-colour", 80, 24, []string{"NO_COLOR="}},
	{"60x20-colour", 60, 20, []string{"NO_COLOR="}},
}

func startAccessible(t *testing.T, h *home, cols, rows int, dir string, env ...string) *lineTerm {
	t.Helper()
	w := startTerm(t, termOptions{env: h.wizardEnv(env...), args: []string{"--accessible"}, cols: cols, rows: rows, dir: dir})
	return &lineTerm{vterm: w, seen: map[string]int{}}
}

// ownerWithControls is owner text with an escape sequence, a right-to-left
// override, a zero-width space and a tab; ownerStored is what both front
// ends keep of it.
const (
	ownerWithControls = "  Ops\x1b[31m\u202eTeam\u200b\tA  "
	ownerStored       = "Ops[31mTeam A"
)

// The accessible setup, through the step definitions: every item-6 problem
// with its fix, at 80×24 and 60×20, with and without colour.
func TestWizardAccessibleSteps(t *testing.T) {
	secretLine := regexp.MustCompile(`\n(wrsec_[A-Za-z0-9_-]{43})\r?\n`)
	for _, v := range accessibleVariants {
		t.Run(v.name, func(t *testing.T) {
			h := newHome(t)
			work := t.TempDir()
			l := startAccessible(t, h, v.cols, v.rows, work, v.env...)
			l.answer("Enter a number between 1 and 2", "1") // New target
			l.waitOut("type back for the previous step, or quit to keep the unfinished setup as a draft")
			l.answer("Enter a number between 1 and 6", "3") // zapier_webhook
			l.answer("Enter a number between 1 and 4", "1") // cloud
			l.answer("webhook_url:", "https://93.184.216.34/hook")
			l.waitOut("✓ safe 93.184.216.34")

			// The paste-secret prompt: an empty line and back return to
			// the choice.
			l.answer("Enter a number between 1 and 3", "2")
			l.hidden("Signing secret (hidden):", "")
			l.answer("Enter a number between 1 and 3", "2")
			l.hidden("Signing secret (hidden):", "back")
			l.answer("Enter a number between 1 and 3", "1") // generate

			// The generated secret: its own line, the scrollback warning,
			// f writes the full-screen wizard's file, back asks first, Y.
			l.waitOut("[y/N/f]", "stays in this terminal's scrollback")
			m := secretLine.FindStringSubmatch(ansi.Strip(l.output()))
			if m == nil {
				t.Fatalf("the secret is not on a line of its own:\n%s", l.output())
			}
			secret := m[1]
			l.answer("[y/N/f]", "f")
			l.waitOut("Wrote the secret to " + filepath.Join(work, "webriskops-signing-secret.txt") + " (mode 0600")
			path := filepath.Join(work, "webriskops-signing-secret.txt")
			if b, err := os.ReadFile(path); err != nil || strings.TrimSpace(string(b)) != secret {
				t.Fatalf("secret file: %v", err)
			}
			if fi, _ := os.Stat(path); fi.Mode().Perm() != 0o600 {
				t.Fatalf("mode %04o", fi.Mode().Perm())
			}
			l.answer("[y/N/f]", "back")
			l.answer("Discard this secret?", "n")
			l.answer("[y/N/f]", "Y")

			// Receiver checks: the count, and the header not ticked named.
			l.waitOut("0 of 6 confirmed")
			l.answer("Enter a number between 1 and 4", "1")
			for _, hdr := range []string{"Event", "Schema", "Idempotency-Key", "Timestamp", "Nonce", "Signature"} {
				a := "y"
				if hdr == "Nonce" {
					a = "n"
				}
				l.answer("Does the receiver check X-WebRiskOps-"+hdr+" (", a)
			}
			l.waitOut("5 of 6 confirmed", "generic_webhook_receiver_checks_unconfirmed", "X-WebRiskOps-Nonce is not ticked",
				"Show the verification recipe in Receiver checks prints it") // the menu's own entry, not a command
			l.answer("Enter a number between 1 and 4", "1")
			for _, hdr := range []string{"Event", "Schema", "Idempotency-Key", "Timestamp", "Nonce", "Signature"} {
				l.answer("Does the receiver check X-WebRiskOps-"+hdr+" (", "y")
			}
			l.waitOut("6 of 6 confirmed")

			// Owner: too long is too long; control and invisible
			// characters go as in the full-screen wizard.
			l.answer("Receiver owner (", strings.Repeat("o", 600))
			l.waitOut("Problem generic_webhook_text_too_long", "600 bytes")
			if strings.Contains(l.flat(), "generic_webhook_receiver_owner_missing") {
				t.Fatal("a too-long owner is reported missing")
			}
			l.answer("Receiver owner (", ownerWithControls)
			l.answer("Revoke path (", "Zapier > Zaps > Intake")

			// Review repeats the provider/host mismatch.
			l.waitOut("Ready to save", "! warning: zapier_webhook URLs are on hooks.zapier.com")
			l.answer("Enter a number between 1 and 8", "1") // save
			l.waitOut("Saved zapier-93-184-216-34")
			// quit with nothing unfinished ends as Quit does.
			l.answer("Enter a number between 1 and 4", "quit")
			if code := l.exit(); code != 0 {
				t.Fatalf("exit %d:\n%s", code, l.flat())
			}
			if got := h.shown("zapier-93-184-216-34")["receiver_owner"]; got != ownerStored {
				t.Fatalf("owner stored %q, want %q", got, ownerStored)
			}
			h.scanStoreFiles(secret)
		})
	}
}

// quit and Ctrl-D leave any prompt with the draft kept, exit 130 with
// generic_webhook_interrupted and say how to resume, in the words the next
// start offers; both front ends offer it the same: the step, "Step N of
// M" and when it was saved.
func TestWizardAccessibleQuitAndResume(t *testing.T) {
	const resume = "Resume unfinished setup at Signing secret (Step 4 of 7), saved just now"
	for _, v := range accessibleVariants[:2] {
		t.Run(v.name, func(t *testing.T) {
			h := newHome(t)
			l := startAccessible(t, h, v.cols, v.rows, "", v.env...)
			l.answer("Enter a number between 1 and 2", "1")
			l.answer("Enter a number between 1 and 6", "1")
			l.answer("Enter a number between 1 and 4", "1")
			l.answer("webhook_url:", "https://93.184.216.34/hook")
			l.answer("Enter a number between 1 and 3", "2")
			l.hidden("Signing secret (hidden):", "\x04") // Ctrl-D at the hidden prompt
			if code := l.exit(); code != 130 {
				t.Fatalf("Ctrl-D exits %d:\n%s", code, l.flat())
			}
			l.waitOut("Run webhook-setup again and choose: "+resume, "generic_webhook_interrupted", "kept as a draft")
			if !l.restored() {
				t.Fatal("the terminal was not given back")
			}

			// The next start offers the draft in the same words, in both
			// front ends.
			l = startAccessible(t, h, v.cols, v.rows, "", v.env...)
			l.waitOut("1. " + resume)
			l.answer("Enter a number between 1 and 3", "1") // resume
			l.waitOut("Step 4 of 7 · Signing secret")
			l.answer("Enter a number between 1 and 3", "quit")
			if code := l.exit(); code != 130 {
				t.Fatalf("quit exits %d:\n%s", code, l.flat())
			}
			l.waitOut("Run webhook-setup again and choose: "+resume, "setup stopped")

			w := startTerm(t, termOptions{env: h.wizardEnv(), cols: v.cols, rows: v.rows})
			w.waitFunc(resume, 20*time.Second, func(s string) bool {
				return strings.Contains(strings.Join(strings.Fields(s), " "), "Resume unfinished setup at Signing secret (Step 4 of 7)")
			})
			w.send("q")
			w.exit()
		})
	}
}

// The full-screen wizard keeps of the same owner text what the accessible
// prompt keeps (TestWizardAccessibleSteps): one sanitiser.
func TestWizardOwnerSanitisedAsInAccessible(t *testing.T) {
	h := newHome(t)
	w := h.startWizard()
	toSecretStep(w, 0, 0)
	w.send(paste("https://93.184.216.34/hook"), keyEnter)
	pasteSecret(w, knownSecret)
	tickChecks(w)
	w.wait("Receiver owner and revoke path", "Receiver owner")
	w.send(paste(ownerWithControls))
	w.wait("Ops[31mTeam A")
	w.send(keyEnter)
	w.send(paste("Internal > receivers > hook"))
	w.wait("Internal > receivers > hook")
	w.send(keyEnter)
	w.wait("Review and save", "Ready to save")
	w.send(keyEnter)
	w.wait("Saved generic-93-184-216-34")
	w.send(keyCtrlC)
	w.exit()
	if got := h.shown("generic-93-184-216-34")["receiver_owner"]; got != ownerStored {
		t.Fatalf("owner stored %q, want %q", got, ownerStored)
	}
}

// ACCESSIBLE=1 and TERM=dumb start the same prompts as --accessible: back
// from the first step returns to Integration status, and quit there ends
// as Quit does (exit 0).
func TestWizardAccessibleEntryPoints(t *testing.T) {
	for _, env := range [][]string{{"ACCESSIBLE=1"}, {"TERM=dumb"}} {
		t.Run(env[0], func(t *testing.T) {
			h := newHome(t)
			w := startTerm(t, termOptions{env: h.wizardEnv(env...), cols: 60, rows: 20})
			l := &lineTerm{vterm: w, seen: map[string]int{}}
			l.answer("Enter a number between 1 and 2", "1")
			l.answer("Enter a number between 1 and 6", "back")
			l.answer("Enter a number between 1 and 2", "quit")
			if code := l.exit(); code != 0 {
				t.Fatalf("quit at Integration status exits %d:\n%s", code, l.flat())
			}
			if strings.Contains(l.output(), "\x1b[?1049h") {
				t.Fatal("the full-screen program started")
			}
		})
	}
}
