package wizard

import (
	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"

	"github.com/webriskops/webhook-setup/core"
)

// choiceStep is a step that picks one value from a list, checked by the
// core like every field: "Provider key" and "Deployment mode".
type choiceStep struct {
	env   *env
	a     *answers
	step  stepID
	field string // the JSON name the core's problems use
	intro string
	list  choiceList
	set   func(a *answers, value string)
	width int
}

// newProviderStep is "Provider key": the five supported keys, each with its
// one-line description from core.Providers.
func newProviderStep(e *env, a *answers) *choiceStep {
	opts := namedOptions(core.Providers, func(p core.Provider) (string, string) { return string(p.Key), p.Description })
	return &choiceStep{env: e, a: a, step: stepProvider, field: "provider_key",
		intro: "Which kind of endpoint receives the ticket exports? The provider key is recorded before the endpoint is asked for.",
		list:  newChoiceList(opts, string(a.Provider)),
		set:   func(a *answers, v string) { a.Provider = core.ProviderKey(v) }}
}

// newModeStep is "Deployment mode": cloud, self-hosted or webhook-only, each
// saying what it means for URL safety (public HTTPS only, or an approved
// private network).
func newModeStep(e *env, a *answers) *choiceStep {
	opts := namedOptions(core.Modes, func(m core.ModeInfo) (string, string) { return string(m.Mode), m.Description })
	return &choiceStep{env: e, a: a, step: stepMode, field: "deployment_mode",
		intro: "Where does the receiver run? This decides what URL safety allows: a public SaaS hook must be public HTTPS; a self-hosted receiver may sit on a private network the customer approves.",
		list:  newChoiceList(opts, string(a.Mode)),
		set:   func(a *answers, v string) { a.Mode = core.Mode(v) }}
}

func (s *choiceStep) Init() tea.Cmd { return nil }

func (s *choiceStep) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	k, ok := msg.(tea.KeyMsg)
	if !ok {
		return s, nil
	}
	if s.list.update(k) {
		return s, nil
	}
	if key.Matches(k, keyEnter) {
		s.set(s.a, s.list.selected().value)
		if ps := s.a.FieldProblems(s.field); len(ps) > 0 {
			return s, report(s, ps...)
		}
		return s, s.env.post(stepDoneMsg{step: s.step})
	}
	return s, nil
}

func (s *choiceStep) View() string {
	return wrap(s.intro, s.width) + "\n\n" + s.list.view(s.env.st, s.width)
}

func (s *choiceStep) SetSize(w, _ int) { s.width = w }

func (s *choiceStep) ShortHelp() []key.Binding {
	return []key.Binding{keyUp, keyEnter, keyBack}
}

func (s *choiceStep) FullHelp() [][]key.Binding { return [][]key.Binding{s.ShortHelp()} }
