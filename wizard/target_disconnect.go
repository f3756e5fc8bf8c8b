package wizard

import (
	"fmt"
	"strings"

	"github.com/charmbracelet/bubbles/key"
	"github.com/charmbracelet/bubbles/textinput"
	tea "github.com/charmbracelet/bubbletea"

	"github.com/webriskops/webhook-setup/core"
	"github.com/webriskops/webhook-setup/core/codes"
)

// disconnectedMsg is the outcome of a disconnect.
type disconnectedMsg struct {
	src  *disconnect
	name string
	err  error
}

// disconnect removes a saved target, after showing the revoke path
// checklist (revoke at the receiver first) and the operator typing the
// target's name to confirm.
type disconnect struct {
	env     *env
	t       core.Target
	confirm textinput.Model
	running bool
	width   int
}

func newDisconnect(e *env, t core.Target) *disconnect {
	d := &disconnect{env: e, t: t}
	d.confirm = newInput(e.st, "type the name › ", "")
	return d
}

func (d *disconnect) Init() tea.Cmd { return d.confirm.Focus() }

func (d *disconnect) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	switch msg := msg.(type) {
	case disconnectedMsg:
		if msg.src != d {
			return d, nil
		}
		d.running = false
		if msg.err != nil {
			return d, report(d, codes.ProblemOf(msg.err))
		}
		notice := fmt.Sprintf("Disconnected %s: the target and its credentials are removed.", clean(msg.name))
		return d, d.env.post(homeMsg{notice: notice})
	case tea.KeyMsg:
		if d.running {
			return d, nil
		}
		if key.Matches(msg, keyNext) {
			if strings.TrimSpace(d.confirm.Value()) != d.t.Name {
				return d, notify(d, "The name does not match; nothing was changed.")
			}
			d.running = true
			e, name := d.env, d.t.Name
			return d, func() tea.Msg {
				ctx, cancel := e.cmdCtx(storeTimeout)
				defer cancel()
				return disconnectedMsg{src: d, name: name, err: e.store.DeleteTarget(ctx, name, e.actor)}
			}
		}
		_, cmd := updateInput(&d.confirm, msg)
		return d, cmd
	}
	var cmd tea.Cmd
	d.confirm, cmd = d.confirm.Update(msg)
	return d, cmd
}

func (d *disconnect) View() string {
	st := d.env.st
	var b strings.Builder
	b.WriteString(wrap(fmt.Sprintf("Revoke path for %s (owner: %s). Work through it before disconnecting:", clean(d.t.Name), clean(d.t.ReceiverOwner)), d.width) + "\n\n")
	for i, step := range core.RevokeChecklist(d.t) {
		b.WriteString(fmt.Sprintf("  %d. ", i+1) + strings.ReplaceAll(wrap(clean(step), d.width-5), "\n", "\n     ") + "\n")
	}
	b.WriteString("\n" + wrap("Disconnecting removes the target and its credentials here. Type "+st.key.Render(clean(d.t.Name))+" and press enter to confirm.", d.width) + "\n\n")
	if d.running {
		b.WriteString("disconnecting…")
	} else {
		b.WriteString(d.confirm.View())
	}
	return b.String()
}

func (d *disconnect) SetSize(w, _ int) {
	d.width = w
	d.confirm.Width = max(w-len(d.confirm.Prompt)-2, 10)
}

func (d *disconnect) ShortHelp() []key.Binding {
	matches := !d.running && strings.TrimSpace(d.confirm.Value()) == d.t.Name
	return append(when(matches, key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "disconnect"))), keyBack)
}

func (d *disconnect) FullHelp() [][]key.Binding { return [][]key.Binding{d.ShortHelp()} }
