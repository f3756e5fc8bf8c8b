package wizard

import (
	"fmt"

	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"

	"github.com/webriskops/webhook-setup/core"
)

// keptSecretStep is the Signing secret step of an edit: the saved secret
// stays (it is never read, so it cannot be shown), and enter goes back to
// Review. A target without one gets it by rotation too. A new secret is a rotation, not an edit: the rotation keeps the
// previous secret signing for the grace period while the receiver is
// updated, which an edit saved in one step could not.
type keptSecretStep struct {
	env   *env
	a     *answers
	width int
}

func newKeptSecretStep(e *env, a *answers) *keptSecretStep { return &keptSecretStep{env: e, a: a} }

func (s *keptSecretStep) Init() tea.Cmd { return nil }

func (s *keptSecretStep) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	if k, ok := msg.(tea.KeyMsg); ok && key.Matches(k, keyKeepSecret) {
		return s, s.env.post(stepDoneMsg{step: stepSecret})
	}
	return s, nil
}

func (s *keptSecretStep) View() string {
	return s.env.st.selected.Render("› ") + keptSecretLine(s.a) + "\n\n" + wrap(keptSecretText(s.env, s.a.Edit.Saved.Name), s.width)
}

// keptSecretLine is the one choice of an edit's Signing secret step.
func keptSecretLine(a *answers) string {
	if a.Edit.Saved.Signing == nil {
		return "No signing secret is stored for this target"
	}
	return "Keep the current secret, " + core.SigningSummary(a.Edit.Saved.Signing)
}

// keptSecretText says why an edit keeps the secret and how to change it.
func keptSecretText(e *env, name string) string {
	return fmt.Sprintf("An edit keeps the signing secret. To change it, rotate it: r on the target (or webhook-setup rotate-secret %s); the previous secret keeps signing for %s while the receiver is updated.",
		clean(name), graceText(e.grace))
}

func (s *keptSecretStep) SetSize(w, _ int) { s.width = w }

// keyKeepSecret is enter on an edit's Signing secret step.
var keyKeepSecret = key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "keep it"))

func (s *keptSecretStep) ShortHelp() []key.Binding {
	return []key.Binding{keyKeepSecret, key.NewBinding(key.WithKeys("esc"), key.WithHelp("esc", "back to Review"))}
}

func (s *keptSecretStep) FullHelp() [][]key.Binding { return [][]key.Binding{s.ShortHelp()} }
