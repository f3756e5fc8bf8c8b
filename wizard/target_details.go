package wizard

import (
	"strings"

	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"

	"github.com/webriskops/webhook-setup/core"
	"github.com/webriskops/webhook-setup/core/urlsafe"
)

// details shows a saved target: its fields with the URL redacted (hook
// paths are credentials) until v reveals it, its readiness and what
// blocks it, and the actions on it.
type details struct {
	env    *env
	t      core.Target
	reveal bool
	width  int
}

func newDetails(e *env, t core.Target) *details { return &details{env: e, t: t} }

func (d *details) Init() tea.Cmd { return nil }

func (d *details) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	k, ok := msg.(tea.KeyMsg)
	if !ok {
		return d, nil
	}
	switch {
	case key.Matches(k, keyReveal):
		d.reveal = !d.reveal
	case key.Matches(k, keyEdit):
		return d, d.act(actionEdit)
	case key.Matches(k, keyTest):
		return d, d.act(actionTest)
	case key.Matches(k, keyRotate):
		return d, d.act(actionRotate)
	case key.Matches(k, keyDisconnect):
		return d, d.act(actionDisconnect)
	}
	return d, nil
}

func (d *details) act(a targetAction) tea.Cmd {
	return d.env.post(openTargetMsg{action: a, t: d.t})
}

func (d *details) View() string {
	st, t := d.env.st, d.t
	u := urlsafe.Redact(t.BaseURL)
	if d.reveal {
		u = t.BaseURL
	}
	r := core.Evaluate(t)
	lines := append(detailFields(st, t, u),
		"",
		st.heading.Render("Readiness"),
		statesTable(st, r.States),
	)
	var b strings.Builder
	b.WriteString(strings.Join(lines, "\n"))
	if len(r.Blocked) > 0 {
		b.WriteString("\n\n" + problemLines(st, r.Blocked, d.width))
	}
	if w := core.LookAlikeWarning(t); w != "" {
		b.WriteString("\n\n" + st.warn.Render(wrap("! "+clean(w), d.width)))
	}
	return b.String()
}

// detailFields are a target's rows in its details, the same in both
// front ends (the plain prompts' copy had drifted: no URL safety
// decision, no rate limit); u is the webhook_url as it is to be shown,
// redacted unless revealed.
func detailFields(st *styles, t core.Target, u string) []string {
	return []string{
		field(st, "name", t.Name),
		field(st, "provider key", string(t.ProviderKey)),
		field(st, "deployment mode", string(t.DeploymentMode)),
		field(st, "webhook_url", u),
		field(st, "url check", urlCheckDecision(t)),
		field(st, "url checked", urlCheckWhen(t)+resolveNote(t)),
		field(st, "receiver owner", t.ReceiverOwner),
		field(st, "revoke path", t.RevokePath),
		field(st, "signing", core.SigningSummary(t.Signing)),
		field(st, "private network", networkSummary(t)),
		field(st, "rate limit", t.EffectiveRate().String()),
	}
}

// urlCheckDecision is the URL safety decision t was saved with.
func urlCheckDecision(t core.Target) string {
	if t.URLCheck == nil {
		return "not recorded; every send checks the URL again"
	}
	return t.URLCheck.Decision()
}

// urlCheckWhen is when that decision was made.
func urlCheckWhen(t core.Target) string {
	if t.URLCheck == nil {
		return "—"
	}
	return t.URLCheck.When()
}

func (d *details) SetSize(w, _ int) { d.width = w }

func (d *details) ShortHelp() []key.Binding {
	reveal := keyReveal
	if d.reveal {
		reveal = key.NewBinding(key.WithKeys("v"), key.WithHelp("v", "hide URL"))
	}
	return []key.Binding{reveal, keyEdit, keyTest, keyRotate, keyDisconnect, keyBack}
}

func (d *details) FullHelp() [][]key.Binding { return [][]key.Binding{d.ShortHelp()} }
