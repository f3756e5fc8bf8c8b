package wizard

import (
	"strings"

	"github.com/charmbracelet/bubbles/key"
	"github.com/charmbracelet/bubbles/textinput"
	tea "github.com/charmbracelet/bubbletea"

	"github.com/webriskops/webhook-setup/core"
	"github.com/webriskops/webhook-setup/core/signing"
)

// The optional extras of the Receiver checks step, two rows under the six
// header ticks: the Standard Webhooks headers (a tick) and an edge header
// the platform checks before any step runs (a name and a hidden value,
// edited in place). Both only add headers to every delivery; neither is
// needed for the target to be ready.

// Rows of the extras, after the receiverHeaders rows.
const (
	rowStandard = iota
	rowEdge
	extraRows
)

// extras fills t's extra headers from the answers: the profile, and the
// edge header name with the value's fingerprint (never the value).
func (a *answers) extras(t *core.Target) {
	t.StandardWebhooks = a.StandardWebhooks
	if a.EdgeHeader != "" {
		t.EdgeAuth = &core.EdgeAuth{Header: a.EdgeHeader}
		if core.CheckEdgeValue(a.EdgeValue) == nil {
			t.EdgeAuth.Fingerprint = signing.Fingerprint(a.EdgeValue)
		}
	}
}

// extrasSummary is the Review line of t's extra headers; "" when none.
func extrasSummary(t core.Target) string {
	var parts []string
	if t.StandardWebhooks {
		parts = append(parts, "Standard Webhooks")
	}
	if t.EdgeAuth != nil {
		parts = append(parts, "edge "+t.EdgeAuth.Header+" "+t.EdgeAuth.Fingerprint)
	}
	return strings.Join(parts, ", ")
}

// whsecHint tells, after saving a target with the Standard Webhooks
// headers, how to get the secret in the libraries' whsec_ form, without
// printing it: "" for other targets.
func whsecHint(t core.Target) string {
	if !t.StandardWebhooks {
		return ""
	}
	return " Standard Webhooks libraries take the secret as whsec_…: webhook-setup show " + clean(t.Name) + " --whsec"
}

// help is the help line while the edge editor is open: enter only while
// the core accepts the header and value as they stand (both empty is
// none).
func (e *edgeEditor) help() []key.Binding {
	ok := len(core.CheckEdge(strings.TrimSpace(e.name.Value()), strings.TrimSpace(e.value.Value()))) == 0
	keys := when(ok, key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "set (both empty: none)")))
	return append(keys, keyField, key.NewBinding(key.WithKeys("esc"), key.WithHelp("esc", "cancel")))
}

// edgeEditor edits the edge header name and value in place.
type edgeEditor struct {
	editing     bool
	name, value textinput.Model
}

// open starts editing with the current answers.
func (e *edgeEditor) open(st *styles, a *answers) tea.Cmd {
	e.editing = true
	e.name = newInput(st, "header ", a.EdgeHeader)
	e.name.Placeholder = "x-make-apikey (empty: none)"
	e.value = newInput(st, "value  ", a.EdgeValue)
	e.value.EchoMode = textinput.EchoPassword
	e.value.Placeholder = "hidden"
	e.value.Blur()
	return e.name.Focus()
}

// updateEdge feeds msg to the open edge editor: enter sets the answers
// once the name and value pass core.CheckEdge (both empty: none), esc
// cancels, tab and the arrows switch between the two fields.
func (s *receiverStep) updateEdge(msg tea.Msg) tea.Cmd {
	e := &s.edge
	k, ok := msg.(tea.KeyMsg)
	if !ok {
		return nil
	}
	switch {
	case k.Type == tea.KeyEsc:
		e.editing = false
		return report(s)
	case k.Type == tea.KeyTab || k.Type == tea.KeyDown || k.Type == tea.KeyUp:
		if e.name.Focused() {
			e.name.Blur()
			return e.value.Focus()
		}
		e.value.Blur()
		return e.name.Focus()
	case key.Matches(k, keyNext):
		header, value := strings.TrimSpace(e.name.Value()), strings.TrimSpace(e.value.Value())
		if ps := core.CheckEdge(header, value); len(ps) > 0 {
			return report(s, ps...)
		}
		s.a.EdgeHeader, s.a.EdgeValue = header, value
		e.editing = false
		return report(s)
	}
	in := &e.name
	if e.value.Focused() {
		in = &e.value
	}
	_, cmd := updateInput(in, msg)
	return cmd
}

// toggleExtra acts on the extras row under the cursor.
func (s *receiverStep) toggleExtra(row int) tea.Cmd {
	switch row {
	case rowStandard:
		s.a.StandardWebhooks = !s.a.StandardWebhooks
	case rowEdge:
		return s.edge.open(s.env.st, s.a)
	}
	return nil
}

// extrasView draws the two extras rows (and the editor when open).
func (s *receiverStep) extrasView() string {
	st := s.env.st
	row := func(i int, label, state string) string {
		name := "  " + label
		if s.cursor == len(receiverHeaders)+i {
			name = st.selected.Render("› " + label)
		}
		return name + " " + state
	}
	box := "[ ]"
	if s.a.StandardWebhooks {
		box = st.ok.Render("[x]")
	}
	edge := st.dim.Render("none (space to set)")
	if s.a.EdgeHeader != "" {
		edge = s.a.EdgeHeader + st.dim.Render(" (value set)")
	}
	var b strings.Builder
	b.WriteString("\n" + st.dim.Render("Optional, for every delivery:") + "\n")
	b.WriteString(row(rowStandard, "Standard Webhooks headers", box) + "\n")
	b.WriteString(row(rowEdge, "Edge header", edge))
	if s.edge.editing {
		b.WriteString("\n    " + fieldView(st, s.edge.name) + "\n    " + fieldView(st, s.edge.value))
	}
	return b.String()
}

// extrasOption is the Receiver checks choice that asks the extras, saying
// what is set.
func extrasOption(a *answers) [2]string {
	t := core.Target{}
	a.extras(&t)
	now := extrasSummary(t)
	if now == "" {
		now = "none set"
	}
	return [2]string{"extras", "Optional extra headers: Standard Webhooks, an edge header (" + now + ")"}
}

// receiverExtras asks the extras as plain prompts: the Standard Webhooks
// headers (yes/no), then the edge header name (empty: none) and its value,
// read without echo and checked as the core checks it.
func (ui *lineUI) receiverExtras(a *answers) error {
	ok, err := ui.confirm("Also send the Standard Webhooks headers (webhook-id, webhook-timestamp, webhook-signature) for receivers that use a Standard Webhooks library?")
	if err != nil {
		return err
	}
	a.StandardWebhooks = ok
	header, err := ui.ask("Edge header the platform checks before any step (x-make-apikey, n8n Header Auth; empty for none)", a.EdgeHeader,
		func(v string) error {
			if v = strings.TrimSpace(v); v == "" {
				return nil
			}
			return problemErr(core.CheckEdgeHeader(v))
		})
	if err != nil {
		return err
	}
	if header == "" {
		a.EdgeHeader, a.EdgeValue = "", ""
		return nil
	}
	for {
		v, err := ui.askHidden("Value of " + clean(header) + " (hidden):")
		if err != nil {
			return err
		}
		if p := core.CheckEdgeValue(strings.TrimSpace(v)); p != nil {
			ui.problems(*p)
			continue
		}
		a.EdgeHeader, a.EdgeValue = header, strings.TrimSpace(v)
		return nil
	}
}
