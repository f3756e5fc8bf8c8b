package wizard

import (
	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"

	"github.com/webriskops/webhook-setup/core"
)

// providerStep is "Provider key": the five supported keys, each with its
// one-line description from core.Providers.
type providerStep struct {
	env   *env
	a     *Answers
	list  choiceList
	width int
}

func newProviderStep(e *env, a *Answers) *providerStep {
	opts := make([]option, len(core.Providers))
	for i, p := range core.Providers {
		opts[i] = option{value: string(p.Key), label: string(p.Key), desc: p.Description}
	}
	return &providerStep{env: e, a: a, list: newChoiceList(opts, string(a.Provider))}
}

func (s *providerStep) Init() tea.Cmd { return nil }

func (s *providerStep) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	k, ok := msg.(tea.KeyMsg)
	if !ok {
		return s, nil
	}
	if s.list.update(k) {
		return s, nil
	}
	if key.Matches(k, keyEnter) {
		s.a.Provider = core.ProviderKey(s.list.selected().value)
		if ps := s.a.FieldProblems("provider_key"); len(ps) > 0 {
			return s, report(s, ps...)
		}
		return s, s.env.post(stepDoneMsg{step: stepProvider})
	}
	return s, nil
}

func (s *providerStep) View() string {
	intro := "Which kind of endpoint receives the ticket exports? The provider key is recorded before the endpoint is asked for."
	return wrap(intro, s.width) + "\n\n" + s.list.view(s.env.st, s.width)
}

func (s *providerStep) SetSize(w, _ int) { s.width = w }

func (s *providerStep) ShortHelp() []key.Binding {
	return []key.Binding{keyUp, keyEnter, keyBack}
}

func (s *providerStep) FullHelp() [][]key.Binding { return [][]key.Binding{s.ShortHelp()} }
