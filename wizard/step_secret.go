package wizard

import (
	"fmt"
	"strings"

	"github.com/charmbracelet/bubbles/key"
	"github.com/charmbracelet/bubbles/textinput"
	tea "github.com/charmbracelet/bubbletea"

	"github.com/webriskops/webhook-setup/core/codes"
	"github.com/webriskops/webhook-setup/core/recipes"
	"github.com/webriskops/webhook-setup/core/signing"
)

// secretPhase is where the Signing secret step is.
type secretPhase int

const (
	secretChoose secretPhase = iota // generate, paste or keep
	secretShow                      // a generated secret, shown until confirmed
	secretPaste                     // the masked input
)

// secretEntry is the part of the Signing secret step shared with Rotate
// secret: choose generate or paste, show a generated secret once until the
// operator confirms it is stored in the receiver, or take a pasted one
// through a masked input. It reports through onDone when a secret is
// accepted.
type secretEntry struct {
	env     *env
	st      *styles
	phase   secretPhase
	list    choiceList
	input   textinput.Model
	secret  string
	gen     bool
	current string // the secret already given, offered as "keep"
	width   int

	// askDiscard is set when esc was pressed on a shown generated secret:
	// the step asks before throwing it away, since the operator may have
	// copied it into the receiver already.
	askDiscard bool
}

func newSecretEntry(env *env, current string) secretEntry {
	e := secretEntry{env: env, st: env.st, current: current}
	opts := secretOptions(current)
	e.list = newChoiceList(opts, "")
	e.input = newInput(env.st, "secret › ", "")
	e.input.EchoMode = textinput.EchoPassword
	e.input.EchoCharacter = '•'
	return e
}

// signingSummary is what is shown instead of a secret.
func signingSummary(secret string) string {
	return signing.Algorithm + " " + signing.Fingerprint(secret)
}

// secretEvent is what a key did to a secretEntry.
type secretEvent int

const (
	secretNone      secretEvent = iota
	secretAccepted              // e.secret is the accepted secret
	secretKept                  // the current secret stays
	secretDiscarded             // the shown generated secret was thrown away
)

// update handles one message; cmds carry problems and notices for source.
func (e *secretEntry) update(source any, msg tea.Msg) (secretEvent, tea.Cmd) {
	k, isKey := msg.(tea.KeyMsg)
	switch e.phase {
	case secretChoose:
		if isKey {
			return e.updateChoose(source, k)
		}
	case secretShow:
		if isKey {
			return e.updateShow(source, k)
		}
	case secretPaste:
		return e.updatePaste(source, msg)
	}
	return secretNone, nil
}

// updateChoose moves in the choice of generate, paste or keep, and takes
// enter on it.
func (e *secretEntry) updateChoose(source any, k tea.KeyMsg) (secretEvent, tea.Cmd) {
	if e.list.update(k) || !key.Matches(k, keyEnter) {
		return secretNone, nil
	}
	switch e.list.selected().value {
	case secretOptKeep:
		return secretKept, nil
	case secretOptGenerate:
		s, err := signing.Generate()
		if err != nil {
			return secretNone, reportErr(source, err)
		}
		e.secret, e.gen, e.phase = s, true, secretShow
		return secretNone, report(source)
	default:
		e.phase = secretPaste
		e.input.Reset()
		return secretNone, tea.Batch(e.input.Focus(), report(source))
	}
}

// updateShow answers the keys of a shown generated secret: y once it is
// stored, f to write it to a file, esc's question before discarding it.
func (e *secretEntry) updateShow(source any, k tea.KeyMsg) (secretEvent, tea.Cmd) {
	if e.askDiscard {
		switch {
		case key.Matches(k, keyDiscard):
			e.askDiscard = false
			e.phase, e.secret, e.gen = secretChoose, "", false
			return secretDiscarded, report(source)
		case key.Matches(k, keyKeep):
			e.askDiscard = false
			return secretNone, report(source)
		}
		return secretNone, nil
	}
	switch {
	case key.Matches(k, keySecretFile):
		path, err := writeSecretFile(e.env.secretDir, e.secret)
		if err != nil {
			return secretNone, report(source, codes.ProblemOf(err))
		}
		return secretNone, tea.Batch(report(source), notify(source, secretFileWritten(path)))
	case key.Matches(k, keyConfirm):
		return secretAccepted, report(source)
	case key.Matches(k, keyEnter):
		return secretNone, notify(source, "Press y once the secret is stored in the receiver; the setup does not go on before.")
	}
	return secretNone, nil
}

// updatePaste edits the pasted secret and checks it on enter, on a paste,
// and while it is typed after a refusal.
func (e *secretEntry) updatePaste(source any, msg tea.Msg) (secretEvent, tea.Cmd) {
	k, isKey := msg.(tea.KeyMsg)
	if isKey && key.Matches(k, keyNext) {
		v := strings.TrimSpace(e.input.Value())
		if p := signing.CheckSecret(v); p != nil {
			return secretNone, report(source, *p)
		}
		e.secret, e.gen = v, false
		return secretAccepted, report(source)
	}
	before := e.input.Value()
	trimmed, cmd := updateInput(&e.input, msg)
	if trimmed > 0 {
		cmd = tea.Batch(cmd, notify(source, fmt.Sprintf("Removed %s of surrounding whitespace from the pasted secret.", plural(trimmed, "character"))))
	}
	// After a paste, or typed after a refusal (the error follows the
	// input, and goes once the secret is acceptable).
	if (isKey && k.Paste) || (e.input.Value() != before && e.showing()) {
		if p := signing.CheckSecret(e.input.Value()); p != nil {
			return secretNone, tea.Batch(cmd, report(source, *p))
		}
		return secretNone, tea.Batch(cmd, report(source))
	}
	return secretNone, cmd
}

// showing reports whether a problem about the secret is on screen.
func (e *secretEntry) showing() bool { return e.env != nil && e.env.showing("signing_secret") }

// captures reports whether esc belongs to the entry (back to the choice).
func (e *secretEntry) captures() bool { return e.phase != secretChoose }

// escape goes back to the choice; on a shown generated secret it only
// asks first (y discards it, n or esc keeps it on screen).
func (e *secretEntry) escape() {
	if e.askDiscard {
		e.askDiscard = false
		return
	}
	if e.phase == secretShow && e.gen {
		e.askDiscard = true
		return
	}
	e.phase = secretChoose
	e.input.Blur()
}

// drop goes back to the choice without asking: the caller failed with the
// secret, so there is nothing left to keep.
func (e *secretEntry) drop() {
	e.askDiscard = false
	e.phase = secretChoose
	e.input.Blur()
}

func (e *secretEntry) view(recipeHint string) string {
	st := e.st
	switch e.phase {
	case secretShow:
		var b strings.Builder
		b.WriteString(st.warn.Render(secretShownWarning) + "\n\n")
		// On a line of its own with nothing around it, so a triple-click
		// copies the secret and only the secret.
		b.WriteString(st.secret.Render(e.secret) + "\n\n")
		b.WriteString(wrap(recipeHint, e.width) + "\n")
		b.WriteString(field(st, "signing", signingSummary(e.secret)) + "\n\n")
		if e.askDiscard {
			b.WriteString(st.warn.Render(wrap(secretDiscardQuestion, e.width)) + "\n")
			b.WriteString("Press " + st.key.Render("y") + " to discard it and choose again, " + st.key.Render("n") + " or " + st.key.Render("esc") + " to keep it.")
			return b.String()
		}
		b.WriteString(wrap("Press y once it is stored in the receiver; the secret is not shown again. Press f to write it to a new file (0600) in the current folder.", e.width))
		return b.String()
	case secretPaste:
		var b strings.Builder
		b.WriteString(wrap(secretPasteIntro, e.width))
		b.WriteString("\n\n" + e.input.View() + "\n\n")
		v := e.input.Value()
		switch {
		case v == "":
		case signing.CheckSecret(v) == nil:
			b.WriteString(field(st, "signing", signingSummary(v)))
		default:
			b.WriteString(st.dim.Render(fmt.Sprintf("%s; %d to %d needed", plural(len(v), "character"), signing.MinSecretLen, signing.MaxSecretLen)))
		}
		return b.String()
	}
	return e.list.view(st, e.width)
}

func (e *secretEntry) help() []key.Binding {
	switch e.phase {
	case secretShow:
		if e.askDiscard {
			return []key.Binding{keyDiscard, keyKeep}
		}
		return []key.Binding{keyConfirm, keySecretFile, keyBack}
	case secretPaste:
		ok := signing.CheckSecret(strings.TrimSpace(e.input.Value())) == nil
		return append(when(ok, keyNext), keyBack)
	}
	return []key.Binding{keyUp, keyEnter, keyBack}
}

// secretStep is "Signing secret": generate one (recommended) or paste one,
// masked; a generated secret is shown once and the step waits until the
// operator confirms it is stored in the receiver.
type secretStep struct {
	env   *env
	a     *answers
	entry secretEntry
	width int
}

func newSecretStep(e *env, a *answers) *secretStep {
	s := &secretStep{env: e, a: a}
	current := ""
	if !a.SecretGenerated || a.SecretStored {
		current = a.Secret
	}
	s.entry = newSecretEntry(e, current)
	if a.SecretGenerated && !a.SecretStored && signing.CheckSecret(a.Secret) == nil {
		// Resumed before the operator confirmed: show it again.
		s.entry.secret, s.entry.gen, s.entry.phase = a.Secret, true, secretShow
	}
	return s
}

func (s *secretStep) Init() tea.Cmd { return nil }

func (s *secretStep) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	if k, ok := msg.(tea.KeyMsg); ok && s.entry.captures() && key.Matches(k, keyBack) {
		s.entry.escape()
		return s, report(s)
	}
	ev, cmd := s.entry.update(s, msg)
	if s.entry.phase == secretShow && s.entry.gen {
		// Keep the generated secret in the answers at once, so the draft
		// (saved after each step) and a resume show the same one.
		s.a.Secret, s.a.SecretGenerated, s.a.SecretStored = s.entry.secret, true, false
	}
	switch ev {
	case secretDiscarded:
		s.a.Secret, s.a.SecretGenerated, s.a.SecretStored = "", false, false
	case secretAccepted:
		s.a.Secret, s.a.SecretGenerated, s.a.SecretStored = s.entry.secret, s.entry.gen, true
		if ps := s.a.FieldProblems("signing_secret"); len(ps) > 0 {
			return s, report(s, ps...)
		}
		return s, tea.Batch(cmd, s.env.post(stepDoneMsg{step: stepSecret}))
	case secretKept:
		if p := signing.CheckSecret(s.a.Secret); p != nil {
			return s, report(s, *p)
		}
		return s, tea.Batch(cmd, s.env.post(stepDoneMsg{step: stepSecret}))
	}
	return s, cmd
}

// Captures reports whether esc goes back inside the step.
func (s *secretStep) Captures() bool { return s.entry.captures() }

func (s *secretStep) View() string {
	intro := ""
	if s.entry.phase == secretChoose {
		intro = wrap(defOf(stepSecret).intro, s.width) + "\n\n"
	}
	hint := "Put it where the receiver reads it (the recipes read " + recipes.SecretEnv + ")."
	return intro + s.entry.view(hint)
}

func (s *secretStep) SetSize(w, _ int) {
	s.width = w
	s.entry.width = w
	s.entry.input.Width = max(w-len(s.entry.input.Prompt)-2, 10)
}

func (s *secretStep) ShortHelp() []key.Binding { return s.entry.help() }

func (s *secretStep) FullHelp() [][]key.Binding { return [][]key.Binding{s.ShortHelp()} }
