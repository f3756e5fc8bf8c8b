package wizard

import (
	"errors"
	"strings"

	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/huh"

	"github.com/webriskops/webhook-setup/core/codes"
)

// problemError carries a core problem through huh's Validate, so the
// parent can draw its code, reason and fix.
type problemError struct{ p codes.Problem }

func (e problemError) Error() string { return string(e.p.Code) + ": " + e.p.Reason }

// fieldCheck returns a huh validator that applies the core's rules for
// one field to a candidate value, on a copy of the answers. It is pure and
// fast: huh calls it inside Update.
func fieldCheck(a *Answers, field string, set func(*Answers, string)) func(string) error {
	return func(v string) error {
		c := *a
		set(&c, strings.TrimSpace(v))
		if ps := c.FieldProblems(field); len(ps) > 0 {
			return problemError{ps[0]}
		}
		return nil
	}
}

// ownerStep is "Receiver owner and revoke path": who owns the receiver and
// where its URL and secret are rotated or deleted. It is a huh form owned
// by the step: messages are forwarded to it and its State read to move on.
type ownerStep struct {
	env        *env
	a          *Answers
	form       *huh.Form
	owner      string
	revokePath string
	width      int
}

func newOwnerStep(e *env, a *Answers) *ownerStep {
	s := &ownerStep{env: e, a: a, owner: a.Owner, revokePath: a.RevokePath}
	km := huh.NewDefaultKeyMap()
	km.Quit = key.NewBinding(key.WithDisabled()) // ctrl+c belongs to the parent
	km.Input.Prev = key.NewBinding(key.WithKeys("up"), key.WithHelp("↑", "previous field"))
	km.Input.Next = key.NewBinding(key.WithKeys("enter", "tab", "down"), key.WithHelp("enter", "next"))
	s.form = huh.NewForm(huh.NewGroup(
		huh.NewInput().Key("receiver_owner").
			Title("Receiver owner").
			Description("The person or team who owns the receiving endpoint.").
			Placeholder("ops@example.com").
			CharLimit(600).
			Value(&s.owner).
			Validate(fieldCheck(a, "receiver_owner", func(c *Answers, v string) { c.Owner = v })),
		huh.NewInput().Key("revoke_path").
			Title("Revoke path").
			Description("Where the receiver URL and signing secret are rotated or deleted.").
			Placeholder("Zapier > Zaps > Ticket intake > Trigger").
			CharLimit(600).
			Value(&s.revokePath).
			Validate(fieldCheck(a, "revoke_path", func(c *Answers, v string) { c.RevokePath = v })),
	)).WithShowHelp(false).WithShowErrors(false).WithKeyMap(km).WithTheme(huhTheme(e.st))
	return s
}

// huhTheme is huh's base theme, drawn by the wizard's renderer.
func huhTheme(st *styles) *huh.Theme {
	t := huh.ThemeBase()
	t.Focused.Title = st.heading
	t.Focused.Description = st.dim
	t.Focused.TextInput.Prompt = st.selected
	t.Focused.TextInput.Placeholder = st.dim
	t.Blurred = t.Focused
	t.Blurred.Title = st.text
	return t
}

func (s *ownerStep) Init() tea.Cmd { return s.form.Init() }

func (s *ownerStep) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	if k, ok := msg.(tea.KeyMsg); ok {
		msg = cleanKey(k)
	}
	m, cmd := s.form.Update(msg)
	if f, ok := m.(*huh.Form); ok {
		s.form = f
	}
	s.a.Owner, s.a.RevokePath = strings.TrimSpace(s.owner), strings.TrimSpace(s.revokePath)
	if s.form.State == huh.StateCompleted {
		if ps := s.a.FieldProblems("receiver_owner", "revoke_path"); len(ps) > 0 {
			return s, report(s, ps...)
		}
		return s, tea.Batch(cmd, report(s), done(stepOwner))
	}
	if _, ok := msg.(tea.KeyMsg); ok {
		var ps []codes.Problem
		for _, err := range s.form.Errors() {
			var pe problemError
			if errors.As(err, &pe) {
				ps = append(ps, pe.p)
			}
		}
		return s, tea.Batch(cmd, report(s, ps...))
	}
	return s, cmd
}

func (s *ownerStep) View() string {
	intro := wrap("Before saving, record who owns the receiver and where to revoke it: disconnecting starts there.", s.width)
	return intro + "\n\n" + s.form.View()
}

func (s *ownerStep) SetSize(w, h int) {
	s.width = w
	s.form = s.form.WithWidth(w).WithHeight(max(h-3, 6))
}

func (s *ownerStep) ShortHelp() []key.Binding {
	return []key.Binding{keyNext, keyFieldUp, keyBack}
}

func (s *ownerStep) FullHelp() [][]key.Binding { return [][]key.Binding{s.ShortHelp()} }
