package wizard

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"

	"github.com/webriskops/webhook-setup/core"
	"github.com/webriskops/webhook-setup/core/codes"
)

// flatText is s with every run of white space one space, so text wrapped
// at any width compares with the definition's.
func flatText(s string) string { return strings.Join(strings.Fields(s), " ") }

// accessibleUpTo runs the accessible prompts with lines and returns their
// output (the run ends at end of input).
func accessibleUpTo(t *testing.T, lines ...string) string {
	t.Helper()
	out, _ := runScript(t, newFakeStore(), lines...)
	return out
}

// Each step definition with a choice is drawn by both front ends: the
// full-screen step shows its intro and every option with its description,
// the accessible prompt the same intro, options and descriptions. A change
// to a definition shows in both or the test fails.
func TestStepDefsChoicesDrawnByBothFrontEnds(t *testing.T) {
	cases := []struct {
		step stepID
		// lines bring the accessible prompts to the step
		lines []string
		// open brings the full-screen wizard to the step
		open func(d *driver)
	}{
		{stepProvider, []string{"1"}, func(d *driver) { d.key("n") }},
		{stepMode, []string{"1", "1"}, func(d *driver) { d.key("n", "enter") }},
	}
	for _, c := range cases {
		t.Run(string(c.step), func(t *testing.T) {
			def := defOf(c.step)
			d := newDriver(t, newFakeStore())
			c.open(d)
			d.at(c.step)
			full := flatText(d.screen())
			line := flatText(accessibleUpTo(t, c.lines...))
			for _, want := range []string{c.step.Title(), def.intro} {
				if !strings.Contains(full, flatText(want)) || !strings.Contains(line, flatText(want)) {
					t.Fatalf("%q not in both front ends:\nfull-screen: %s\naccessible: %s", want, full, line)
				}
			}
			for _, o := range def.choice.options(&answers{}) {
				if !strings.Contains(full, o.label) || !strings.Contains(line, o.label) {
					t.Fatalf("option %q not in both front ends", o.label)
				}
				if !strings.Contains(full, flatText(o.desc)[:30]) || !strings.Contains(line, flatText(o.desc)[:30]) {
					t.Fatalf("description %q not in both front ends", o.desc)
				}
			}
		})
	}
}

// The Signing secret options, the Private network policies and the owner
// fields come from the definitions in both front ends too.
func TestStepDefsFieldsAndOptionsDrawnByBothFrontEnds(t *testing.T) {
	d := newDriver(t, newFakeStore())
	throughEndpoint(d, 0, 0, "https://93.184.216.34/hook")
	d.at(stepSecret)
	full := flatText(d.screen())
	line := flatText(accessibleUpTo(t, "1", "1", "1", "https://93.184.216.34/hook"))
	for _, o := range secretOptions("") {
		if !strings.Contains(full, o.label) || !strings.Contains(line, o.label) {
			t.Fatalf("secret option %q not in both:\n%s\n%s", o.label, full, line)
		}
	}
	if !strings.Contains(full, flatText(defOf(stepSecret).intro)) || !strings.Contains(line, flatText(defOf(stepSecret).intro)) {
		t.Fatal("the Signing secret intro is not in both front ends")
	}

	pasteSecretStep(d)
	tickAll(d)
	d.at(stepOwner)
	full = flatText(d.screen())
	line = flatText(accessibleUpTo(t, "1", "1", "1", "https://93.184.216.34/hook", "1", "y", "1", "y", "y", "y", "y", "y", "y", "ops@example.com"))
	for _, f := range ownerFields {
		if !strings.Contains(full, f.title) || !strings.Contains(line, f.title) {
			t.Fatalf("field %q not in both front ends:\n%s\n%s", f.title, full, line)
		}
		desc := strings.ToLower(strings.TrimSuffix(f.desc, "."))
		if !strings.Contains(strings.ToLower(full), desc) || !strings.Contains(strings.ToLower(line), desc) {
			t.Fatalf("description %q not in both front ends", f.desc)
		}
	}

	line = flatText(accessibleUpTo(t, "1", "5", "2", "https://10.20.1.5/webhook/x", "1", "y", "1", "y", "y", "y", "y", "y", "y", "2"))
	for _, o := range policyOptions {
		if !strings.Contains(line, o.label+": "+flatText(o.desc)) {
			t.Fatalf("policy %q not asked in accessible mode:\n%s", o.label, line)
		}
	}
	if !strings.Contains(line, flatText(defOf(stepNetwork).intro)) || !strings.Contains(line, allowlistHint) {
		t.Fatalf("the Private network intro or hint is not asked:\n%s", line)
	}
	n := newDriver(t, newFakeStore())
	throughEndpoint(n, 4, 1, "https://10.20.1.5/webhook/x")
	pasteSecretStep(n)
	tickAll(n)
	n.at(stepNetwork)
	f := flatText(n.screen())
	if !strings.Contains(f, flatText(defOf(stepNetwork).intro)) || !strings.Contains(f, allowlistHint) {
		t.Fatalf("the full-screen Private network lacks its definition:\n%s", n.screen())
	}
	for _, o := range policyOptions {
		if !strings.Contains(f, ") "+o.label) {
			t.Fatalf("the full-screen policy line lacks %q:\n%s", o.label, n.screen())
		}
	}
}

// A field's check is the one both front ends apply: a 600-byte owner is
// refused by the definition, by the full-screen step and by the accessible
// prompt with the same code (generic_webhook_text_too_long, not
// owner_missing); an empty one is owner_missing in all three.
func TestStepDefsFieldCheckRefusesInBothFrontEnds(t *testing.T) {
	long := strings.Repeat("o", 600)
	for _, c := range []struct {
		value string
		code  codes.Code
	}{{long, codes.TextTooLong}, {"", codes.OwnerMissing}} {
		ps := ownerFields[0].check(&answers{}, c.value)
		if len(ps) != 1 || ps[0].Code != c.code {
			t.Fatalf("definition check of %d bytes: %+v, want %s", len(c.value), ps, c.code)
		}
		d := newDriver(t, newFakeStore())
		throughEndpoint(d, 0, 0, "https://93.184.216.34/hook")
		pasteSecretStep(d)
		tickAll(d)
		d.at(stepOwner)
		if c.value != "" {
			d.paste(c.value)
		}
		d.key("enter")
		if got := d.problemCodes(); len(got) != 1 || got[0] != c.code {
			t.Fatalf("full-screen: %v, want %s", got, c.code)
		}
		lines := []string{"1", "1", "1", "https://93.184.216.34/hook", "1", "y", "1", "y", "y", "y", "y", "y", "y", c.value}
		out := accessibleUpTo(t, lines...)
		if !strings.Contains(out, "Problem "+string(c.code)) {
			t.Fatalf("accessible: no %s for %d bytes:\n%s", c.code, len(c.value), out)
		}
	}
	if codes.TextTooLong == codes.OwnerMissing {
		t.Fatal("too long and missing share a code")
	}
}

// Owner text with an escape sequence, a right-to-left override and a
// zero-width space is stored the same by both front ends: the full-screen
// input's cleaning (cleanKey and the text input) and the accessible
// prompt's (sanitizeText) agree, and neither keeps a control or invisible
// character.
func TestStepDefsSameSanitisingInBothFrontEnds(t *testing.T) {
	raw := "  Ops\x1b[31m\u202eTeam\u200b\tA  "
	d := newDriver(t, newFakeStore())
	throughEndpoint(d, 0, 0, "https://93.184.216.34/hook")
	pasteSecretStep(d)
	tickAll(d)
	d.at(stepOwner)
	d.send(tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune(raw), Paste: true})
	d.key("enter")
	d.paste("Internal > hooks")
	d.key("enter")
	d.at(stepReview)
	full := d.m.answers.Owner

	st := newFakeStore()
	out, _ := runScript(t, st, "1", "1", "1", "https://93.184.216.34/hook", "1", "y", "1", "y", "y", "y", "y", "y", "y",
		raw, "Internal > hooks", "quit")
	a, step := st.draftAnswers(t)
	if step != string(stepReview) {
		t.Fatalf("draft at %q:\n%s", step, out)
	}
	if a.Owner != full || full != ownerFields[0].sanitize(raw) {
		t.Fatalf("owner stored: accessible %q, full-screen %q, definition %q", a.Owner, full, ownerFields[0].sanitize(raw))
	}
	if full != "Ops[31mTeam A" {
		t.Fatalf("owner %q still has control or invisible characters", full)
	}
}

// Every accessible prompt has a way back and a way out without Ctrl-C.
func TestAccessibleBackOnEveryPrompt(t *testing.T) {
	st := newFakeStore()
	out, err := runScript(t, st,
		"1", "1", "1", "https://93.184.216.34/hook", // to Signing secret
		"back",      // to Endpoint URL
		"back",      // to Deployment mode
		"back",      // to Provider key
		"4", "", "", // make_webhook; mode and URL kept
		"1", "y", "1", "y", "y", // two checks ...
		"back",   // ... back to the Receiver checks menu
		"back",   // back to Signing secret
		"back",   // to Endpoint URL
		"",       // URL kept
		"1", "y", // generate, stored
		"1", "y", "y", "y", "y", "y", "y",
		"ops@example.com",
		"back", // from the revoke path to the owner
		"back", // from the owner to the previous step
	)
	if codes.ExitCode(err) != codes.ExitInterrupted {
		t.Fatalf("end of input: %v\n%s", err, out)
	}
	for _, want := range []string{navHelp, "Step 3 of 7 · Endpoint URL", "Step 2 of 7 · Deployment mode",
		"Step 1 of 7 · Provider key", "Receiver owner (the person or team who owns the receiving endpoint) [ops@example.com]:"} {
		if !strings.Contains(flatText(out), want) {
			t.Fatalf("output lacks %q:\n%s", want, out)
		}
	}
	a, step := st.draftAnswers(t)
	if a.Provider != core.ProviderMake || step != string(stepReceiver) || a.Owner != "ops@example.com" {
		t.Fatalf("draft at %q: %+v\n%s", step, a, out)
	}
}

// quit at any prompt of a setup keeps the answers as a draft at that step,
// says how to resume in the words the next start uses, and exits with
// generic_webhook_interrupted; end of input does the same.
func TestAccessibleQuitKeepsDraftAndSaysHowToResume(t *testing.T) {
	for _, last := range []string{"quit", ""} {
		st := newFakeStore()
		lines := []string{"1", "5", "1", "https://93.184.216.34/hook"}
		if last != "" {
			lines = append(lines, last)
		}
		out, err := runScript(t, st, lines...)
		if codes.ExitCode(err) != codes.ExitInterrupted || !strings.Contains(err.Error(), "kept as a draft") {
			t.Fatalf("%q: %v\n%s", last, err, out)
		}
		a, step := st.draftAnswers(t)
		if step != string(stepSecret) || a.Provider != core.ProviderN8N || a.URL != "https://93.184.216.34/hook" {
			t.Fatalf("%q: draft %q %+v", last, step, a)
		}
		if !strings.Contains(flatText(out), "Run webhook-setup again and choose: Resume unfinished setup at Signing secret (Step 4 of 7), saved just now.") {
			t.Fatalf("%q: no resume line:\n%s", last, out)
		}
	}
}

// The resume offer reads the same in both front ends: step, "Step N of
// M", and when it was saved.
func TestResumeTextSameInBothFrontEnds(t *testing.T) {
	st := newFakeStore()
	a := answers{Provider: core.ProviderMake, Mode: core.ModeCloud, URL: "https://93.184.216.34/hook"}
	st.draft = &draftRow{step: string(stepSecret), data: a.Marshal(), at: time.Now().Add(-3 * time.Minute)}
	want := "Resume unfinished setup at Signing secret (Step 4 of 7), saved 3 min ago"
	out, _ := runScript(t, st, "quit")
	if !strings.Contains(flatText(out), "1. "+want) {
		t.Fatalf("accessible home lacks %q:\n%s", want, out)
	}
	d := newDriver(t, st)
	d.wantFlat(want)
	d.send(resize(60, 20)) // wrapped, not cut: "saved 3 min ago" stays
	d.wantFlat(want)
}

// The paste-secret prompt is no dead end: an empty line and back return to
// the choice, a refused secret is asked again with its problem, and quit
// leaves with the draft kept.
func TestAccessiblePasteSecretIsNoDeadEnd(t *testing.T) {
	st := newFakeStore()
	out, err := runScript(t, st, "1", "1", "1", "https://93.184.216.34/hook",
		"2", "", // paste, empty line: back to the choice
		"2", "back", // paste, back: back to the choice
		"2", "short", // refused
		"quit")
	if codes.ExitCode(err) != codes.ExitInterrupted {
		t.Fatalf("%v\n%s", err, out)
	}
	if n := strings.Count(out, "Signing secret\n1. Generate one"); n != 3 {
		t.Fatalf("the secret choice is asked %d times, want 3:\n%s", n, out)
	}
	if !strings.Contains(out, "Problem "+string(codes.SecretWeak)) {
		t.Fatalf("a short secret is not refused with its problem:\n%s", out)
	}
	if !strings.Contains(flatText(out), "An empty line or back returns to the choice.") {
		t.Fatalf("the paste prompt does not say how back works:\n%s", out)
	}
	if _, step := st.draftAnswers(t); step != string(stepSecret) {
		t.Fatalf("draft at %q", step)
	}
}

// A generated secret is printed on a line of its own with a scrollback
// warning; f writes it to the full-screen wizard's file (new, 0600); back
// asks before discarding it; Y is yes.
func TestAccessibleGeneratedSecret(t *testing.T) {
	dir := t.TempDir()
	t.Chdir(dir)
	st := newFakeStore()
	out, _ := runScript(t, st, "1", "1", "1", "https://93.184.216.34/hook",
		"1",    // generate
		"f",    // write the file
		"back", // discard?
		"n",    // no: still shown
		"Y",    // stored
		"quit")
	a, _ := st.draftAnswers(t)
	if !a.SecretGenerated || !a.SecretStored {
		t.Fatalf("draft secret state %+v", a)
	}
	if !strings.Contains(out, "\n"+a.Secret+"\n") {
		t.Fatalf("the secret is not on a line of its own:\n%s", out)
	}
	for _, want := range []string{secretShownWarning, scrollbackWarning[:40], secretDiscardQuestion[:30], "Wrote the secret to " + filepath.Join(dir, secretFileName)} {
		if !strings.Contains(flatText(out), flatText(want)) {
			t.Fatalf("output lacks %q:\n%s", want, out)
		}
	}
	fi, err := os.Stat(filepath.Join(dir, secretFileName))
	if err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("secret file: %v %v", fi, err)
	}
	b, _ := os.ReadFile(filepath.Join(dir, secretFileName))
	if strings.TrimSpace(string(b)) != a.Secret {
		t.Fatal("the file does not hold the shown secret")
	}

	// back, then y: discarded, the choice is asked again.
	st = newFakeStore()
	out, _ = runScript(t, st, "1", "1", "1", "https://93.184.216.34/hook", "1", "back", "y", "quit")
	if n := strings.Count(out, "Signing secret\n1. Generate one"); n != 2 {
		t.Fatalf("after discarding, the choice is asked %d times, want 2:\n%s", n, out)
	}
	if a, _ := st.draftAnswers(t); a.Secret != "" {
		t.Fatal("the discarded secret is kept in the draft")
	}
}

// Receiver checks say "N of 6 confirmed" and name the header not ticked.
func TestAccessibleReceiverChecksCountAndMissingHeader(t *testing.T) {
	out, _ := runScript(t, newFakeStore(), "1", "1", "1", "https://93.184.216.34/hook", "1", "y",
		"1", "y", "y", "y", "y", "n", "y", "quit")
	for _, want := range []string{"0 of 6 confirmed", "5 of 6 confirmed", "Problem generic_webhook_receiver_checks", "X-WebRiskOps-Nonce is not ticked"} {
		if !strings.Contains(flatText(out), want) {
			t.Fatalf("output lacks %q:\n%s", want, out)
		}
	}
}

// Review repeats the endpoint's warnings as the full-screen Review does:
// a Zapier key with a URL that is not a Zapier hook.
func TestAccessibleReviewRepeatsEndpointWarnings(t *testing.T) {
	a := answers{Provider: core.ProviderZapier, Mode: core.ModeCloud, URL: "https://93.184.216.34/hook"}
	hints := reviewWarnings(&a, nil)
	if len(hints) == 0 {
		t.Fatal("no provider hint for a Zapier key on a bare address")
	}
	out, _ := runScript(t, newFakeStore(), "1", "3", "1", "https://93.184.216.34/hook", "1", "y",
		"1", "y", "y", "y", "y", "y", "y", "ops@example.com", "Zapier > Zaps", "quit")
	i := strings.Index(out, "Step 7 of 7 · Review and save")
	if i < 0 || !strings.Contains(flatText(out[i:]), "! warning: "+flatText(clean(hints[0]))) {
		t.Fatalf("Review does not repeat %q:\n%s", hints[0], out)
	}
}

// Each field's limit is the core's: its check takes a text of limit bytes
// and refuses one byte more as too long, never as missing.
func TestStepDefsFieldLimitsAreTheCores(t *testing.T) {
	for _, f := range append(append([]fieldDef(nil), ownerFields...), authorizedByField) {
		a := &answers{Mode: core.ModeSelfHosted, Policy: core.PolicyAllowlist, Allowlist: []string{"10.20.0.0/16"}}
		for _, p := range f.check(a, strings.Repeat("a", f.limit)) {
			if p.Code == codes.TextTooLong {
				t.Fatalf("%s: %d bytes refused: %+v", f.key, f.limit, p)
			}
		}
		ps := f.check(a, strings.Repeat("a", f.limit+1))
		if len(ps) != 1 || ps[0].Code != codes.TextTooLong || ps[0].Field != f.key {
			t.Fatalf("%s: %d bytes: %+v, want one %s", f.key, f.limit+1, ps, codes.TextTooLong)
		}
	}
}

// Rotate secret asks the same secret options and shows a generated secret
// the same way; back and quit work in target actions too: back returns to
// Integration status, quit there ends as Quit (no error).
func TestAccessibleRotateUsesTheSecretDefinitions(t *testing.T) {
	st := newFakeStore()
	st.targets["a-one"] = readyTarget("a-one")
	out, err := runScript(t, st,
		"4", "a-one", // Rotate secret
		"2", "back", // paste, back: nothing rotated
		"4", "a-one",
		"1", "Y", // generate, stored
		"4", "back", // back at the target name
		"quit")
	if err != nil {
		t.Fatalf("quit: %v\n%s", err, out)
	}
	secret := st.secrets["a-one"]
	if secret == "" || !strings.Contains(out, "\n"+secret+"\n") || !strings.Contains(flatText(out), "Rotated. Now") {
		t.Fatalf("rotate: %q\n%s", secret, out)
	}
	if n := strings.Count(out, "Rotated."); n != 1 {
		t.Fatalf("rotated %d times", n)
	}
	for _, o := range secretOptions("") {
		if !strings.Contains(out, o.label) {
			t.Fatalf("rotate lacks %q", o.label)
		}
	}
}

// A too-long owner that reaches Review (a draft from before the check) is
// named there as too long, with the step that fixes it, not as missing.
func TestAccessibleReviewTooLongOwner(t *testing.T) {
	st := newFakeStore()
	a := answers{Provider: core.ProviderGeneric, Mode: core.ModeCloud, URL: "https://93.184.216.34/hook",
		Secret: testSecret, SecretStored: true, Checks: append([]string(nil), receiverHeaders...),
		Owner: strings.Repeat("o", 600), RevokePath: "Internal > hooks"}
	st.draft = &draftRow{step: string(stepReview), data: a.Marshal(), at: time.Now()}
	out, _ := runScript(t, st, "1", "quit")
	f := flatText(out)
	if !strings.Contains(f, "- "+string(codes.TextTooLong)+":") || !strings.Contains(f, "(step 6, Receiver owner and revoke path)") {
		t.Fatalf("Review does not name the long owner:\n%s", out)
	}
	if strings.Contains(f, string(codes.OwnerMissing)) {
		t.Fatalf("a long owner is reported missing:\n%s", out)
	}
}

// Every accessible text answer is cleaned as a full-screen input cleans
// it, the URL too: a zero-width space pasted into it is dropped, not
// refused.
func TestAccessibleURLCleanedAsFullScreen(t *testing.T) {
	st := newFakeStore()
	out, _ := runScript(t, st, "1", "1", "1", "https://93.184.216.34/\u200bhook\u202e", "quit")
	a, step := st.draftAnswers(t)
	if step != string(stepSecret) || a.URL != "https://93.184.216.34/hook" {
		t.Fatalf("draft at %q with URL %q:\n%s", step, a.URL, out)
	}
	d := newDriver(t, newFakeStore())
	d.key("n", "enter", "enter")
	d.at(stepEndpoint)
	d.paste("https://93.184.216.34/\u200bhook\u202e")
	d.key("enter")
	d.at(stepSecret)
	if d.m.answers.URL != a.URL {
		t.Fatalf("full-screen URL %q, accessible %q", d.m.answers.URL, a.URL)
	}
}

// The plain prompts give the same examples as the full-screen fields'
// placeholders, from the same definitions: the provider's shape of URL
// (urlExample) before an empty webhook_url prompt, and each empty text
// field's example after its description; a placeholder that only
// restates the description (authorized by) is left out.
func TestAccessibleShowsTheDefinitionsExamples(t *testing.T) {
	for i, p := range core.Providers {
		out, _ := runScript(t, newFakeStore(), "1", fmt.Sprint(i+1), "1")
		if want := "For example: " + urlExample(p.Key, core.ModeCloud); !strings.Contains(flatText(out), want) {
			t.Errorf("%s: the output lacks %q:\n%s", p.Key, want, out)
		}
	}
	out, _ := runScript(t, newFakeStore(),
		"1", "4", "1", "https://93.184.216.34/hook", // make_webhook, cloud
		"1", "y", // generate, stored
		"1", "y", "y", "y", "y", "y", "y", // the six checks
		"ops@example.com",
	)
	flat := flatText(out)
	for _, want := range []string{
		"Receiver owner (the person or team who owns the receiving endpoint; e.g. ops@example.com):",
		"Revoke path (where the receiver URL and signing secret are rotated or deleted; e.g. " + revokeExample(core.ProviderMake) + "):",
	} {
		if !strings.Contains(flat, want) {
			t.Errorf("the output lacks %q:\n%s", want, out)
		}
	}
}

// A line that is not from a terminal arrives whole: a 60 KB URL is
// refused with its own size and without the note on terminal-cut lines.
func TestAccessibleLongLineFromAPipeIsWhole(t *testing.T) {
	url := "https://93.184.216.34/" + strings.Repeat("a", 60000)
	out, _ := runScript(t, newFakeStore(), "1", "1", "1", url)
	flat := flatText(out)
	if want := fmt.Sprintf("the URL is %d bytes long; the limit is 2048", len(url)); !strings.Contains(flat, want) {
		t.Fatalf("the output lacks %q:\n%.3000s", want, flat)
	}
	if strings.Contains(flat, fullLineNote) {
		t.Fatal("a piped line got the note on terminal-cut lines")
	}
}
