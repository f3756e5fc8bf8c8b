package wizard

import (
	"slices"

	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/huh"

	"github.com/webriskops/webhook-setup/core"
)

// ownerStep is "Receiver owner and revoke path": who owns the receiver and
// where its URL and secret are rotated or deleted. A huh form owned by the
// step draws and edits the two fields; the step moves the focus itself,
// synchronously (huh moves it through a command, so a paste right after
// enter would land in the field just left), and checks each field with the
// core's rules before leaving it.
type ownerStep struct {
	env  *env
	a    *answers
	form *huh.Form
	// texts are the fields' texts as typed, in ownerFields order.
	texts []string
	width int
}

// The two fields, in order.
const (
	ownerField  = "receiver_owner"
	revokeField = "revoke_path"
)

var (
	keyOwnerNext = key.NewBinding(key.WithKeys("enter", "tab", "down"), key.WithHelp("enter", "continue"))
	keyOwnerPrev = key.NewBinding(key.WithKeys("up"), key.WithHelp("↑", "previous field"))
)

func newOwnerStep(e *env, a *answers) *ownerStep {
	s := &ownerStep{env: e, a: a, texts: make([]string, len(ownerFields))}
	km := huh.NewDefaultKeyMap()
	off := key.NewBinding(key.WithDisabled())
	km.Quit, km.Input.Next, km.Input.Prev, km.Input.Submit = off, off, off, off
	// No CharLimit: a limit would cut a long paste short; unlimited, the
	// whole text reaches core.Validate, which refuses it as
	// generic_webhook_text_too_long with its real size.
	fields := make([]huh.Field, len(ownerFields))
	for i, f := range ownerFields {
		s.texts[i] = f.get(a)
		fields[i] = huh.NewInput().Key(f.key).Title(f.title).Description(f.desc).
			Placeholder(e.st.example(f.placeholder(a.Provider))).Value(&s.texts[i])
	}
	s.form = huh.NewForm(huh.NewGroup(fields...)).WithShowHelp(false).WithShowErrors(false).WithKeyMap(km).WithTheme(huhTheme(e.st))
	return s
}

// huhTheme is huh's base theme in the wizard's styles. The focused field
// has a bar on its left and the others none, so the focus shows without
// colour too.
func huhTheme(st *styles) *huh.Theme {
	t := huh.ThemeBase()
	t.Focused.Title = st.heading
	t.Focused.Description = st.dim
	t.Focused.TextInput.Prompt = st.selected
	t.Focused.TextInput.Cursor = st.cursor
	t.Focused.TextInput.Placeholder = st.dim
	t.Focused.Base = t.Focused.Base.BorderForeground(st.selected.GetForeground())
	t.Blurred.Title = st.text
	t.Blurred.Description = st.dim
	t.Blurred.TextInput.Placeholder = st.dim
	return t
}

// revokeExample is where a receiver of provider is usually revoked, as
// the placeholder of the revoke path.
func revokeExample(p core.ProviderKey) string {
	switch p {
	case core.ProviderZapier:
		return "Zapier > Zaps > Ticket intake > Trigger"
	case core.ProviderMake:
		return "Make > Scenarios > Ticket intake > Webhooks"
	case core.ProviderN8N:
		return "n8n > Workflows > Ticket intake > Webhook node"
	}
	return "the receiver's admin page, or a runbook link"
}

func (s *ownerStep) Init() tea.Cmd { return s.form.Init() }

func (s *ownerStep) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	if k, ok := msg.(tea.KeyMsg); ok {
		switch {
		case key.Matches(k, keyOwnerNext):
			return s, s.next()
		case key.Matches(k, keyOwnerPrev):
			if s.focused() == revokeField {
				return s, tea.Batch(s.form.PrevField(), report(s))
			}
			return s, nil
		}
		msg = cleanKey(k)
	}
	before := append([]string(nil), s.texts...)
	m, cmd := s.form.Update(msg)
	if f, ok := m.(*huh.Form); ok {
		s.form = f
	}
	s.store()
	if !slices.Equal(before, s.texts) && s.env.showing(ownerField, revokeField) {
		// Typed after a refusal: drop the errors the field no longer
		// has, keep the others.
		var shown []string
		for _, f := range []string{ownerField, revokeField} {
			if s.env.showing(f) {
				shown = append(shown, f)
			}
		}
		return s, tea.Batch(cmd, report(s, s.a.FieldProblems(shown...)...))
	}
	return s, cmd
}

// store puts the two texts into the answers as the definitions clean them
// (the input has already dropped what sanitizeText drops; trimming is
// what remains), the same function the accessible prompts use.
func (s *ownerStep) store() {
	for i, f := range ownerFields {
		f.set(s.a, f.sanitize(s.texts[i]))
	}
}

// focused is the key of the focused field.
func (s *ownerStep) focused() string {
	if f := s.form.GetFocusedField(); f != nil {
		return f.GetKey()
	}
	return ownerField
}

// next leaves the focused field when the core accepts it: to the revoke
// path, or out of the step.
func (s *ownerStep) next() tea.Cmd {
	s.store()
	field := s.focused()
	if ps := s.a.FieldProblems(field); len(ps) > 0 {
		return report(s, ps...)
	}
	if field == ownerField {
		return tea.Batch(s.form.NextField(), report(s))
	}
	if ps := s.a.FieldProblems(ownerField, revokeField); len(ps) > 0 {
		return report(s, ps...)
	}
	return tea.Batch(report(s), s.env.post(stepDoneMsg{step: stepOwner}))
}

func (s *ownerStep) View() string {
	intro := wrap(defOf(stepOwner).intro, s.width)
	return intro + "\n\n" + s.form.View()
}

func (s *ownerStep) SetSize(w, _ int) {
	s.width = w
	s.form = s.form.WithWidth(w)
}

// ShortHelp follows the focus: on the owner, enter moves to the revoke
// path (there is no field before it); on the revoke path, enter
// continues and ↑ goes back to the owner.
func (s *ownerStep) ShortHelp() []key.Binding {
	if s.focused() == ownerField {
		return append(when(len(s.a.FieldProblems(ownerField)) == 0, keyEnterField), keyBack)
	}
	keys := when(len(s.a.FieldProblems(ownerField, revokeField)) == 0, keyNext)
	return append(keys, keyOwnerPrev, keyBack)
}

func (s *ownerStep) FullHelp() [][]key.Binding { return [][]key.Binding{s.ShortHelp()} }
