package wizard

import (
	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"

	"github.com/webriskops/webhook-setup/core"
)

// modeStep is "Deployment mode": cloud, self-hosted or webhook-only, each
// saying what it means for URL safety (public HTTPS only, or an approved
// private network).
type modeStep struct {
	env   *env
	a     *Answers
	list  choiceList
	width int
}

func newModeStep(e *env, a *Answers) *modeStep {
	opts := make([]option, len(core.Modes))
	for i, m := range core.Modes {
		opts[i] = option{value: string(m.Mode), label: string(m.Mode), desc: m.Description}
	}
	return &modeStep{env: e, a: a, list: newChoiceList(opts, string(a.Mode))}
}

func (s *modeStep) Init() tea.Cmd { return nil }

func (s *modeStep) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	k, ok := msg.(tea.KeyMsg)
	if !ok {
		return s, nil
	}
	if s.list.update(k) {
		return s, nil
	}
	if key.Matches(k, keyEnter) {
		s.a.Mode = core.Mode(s.list.selected().value)
		if ps := s.a.FieldProblems("deployment_mode"); len(ps) > 0 {
			return s, report(s, ps...)
		}
		return s, s.env.post(stepDoneMsg{step: stepMode})
	}
	return s, nil
}

func (s *modeStep) View() string {
	intro := "Where does the receiver run? This decides what URL safety allows: a public SaaS hook must be public HTTPS; a self-hosted receiver may sit on a private network the customer approves."
	return wrap(intro, s.width) + "\n\n" + s.list.view(s.env.st, s.width)
}

func (s *modeStep) SetSize(w, _ int) { s.width = w }

func (s *modeStep) ShortHelp() []key.Binding {
	return []key.Binding{keyUp, keyEnter, keyBack}
}

func (s *modeStep) FullHelp() [][]key.Binding { return [][]key.Binding{s.ShortHelp()} }
