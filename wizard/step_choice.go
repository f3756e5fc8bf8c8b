package wizard

import (
	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"
)

// choiceStep is a step that picks one value from a list, checked by the
// core like every field: "Provider key" and "Deployment mode". Its intro,
// options and the answer it sets are the step's definition (stepdefs.go),
// which the accessible front end asks too.
type choiceStep struct {
	env   *env
	a     *answers
	step  stepID
	def   stepDef
	list  choiceList
	width int
}

// newChoiceStep draws the choice of step s from its definition, on the
// answer given so far.
func newChoiceStep(e *env, a *answers, s stepID) *choiceStep {
	def := defOf(s)
	return &choiceStep{env: e, a: a, step: s, def: def,
		list: newChoiceList(def.choice.options(a), def.choice.get(a))}
}

// newProviderStep is "Provider key": the five supported keys, each with its
// one-line description from core.Providers.
func newProviderStep(e *env, a *answers) *choiceStep { return newChoiceStep(e, a, stepProvider) }

// newModeStep is "Deployment mode": cloud, self-hosted or webhook-only, each
// saying what it means for URL safety (public HTTPS only, or an approved
// private network).
func newModeStep(e *env, a *answers) *choiceStep { return newChoiceStep(e, a, stepMode) }

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
		c := s.def.choice
		c.set(s.a, s.list.selected().value)
		if ps := s.a.FieldProblems(c.field); len(ps) > 0 {
			return s, report(s, ps...)
		}
		return s, s.env.post(stepDoneMsg{step: s.step})
	}
	return s, nil
}

func (s *choiceStep) View() string {
	return wrap(s.def.intro, s.width) + "\n\n" + s.list.view(s.env.st, s.width)
}

func (s *choiceStep) SetSize(w, _ int) { s.width = w }

func (s *choiceStep) ShortHelp() []key.Binding {
	return []key.Binding{keyUp, keyEnter, keyBack}
}

func (s *choiceStep) FullHelp() [][]key.Binding { return [][]key.Binding{s.ShortHelp()} }
