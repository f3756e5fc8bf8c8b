package wizard

import (
	"github.com/charmbracelet/bubbles/spinner"
	tea "github.com/charmbracelet/bubbletea"
)

// newSpinner is the spinner every screen shows while it waits.
func newSpinner(st *styles) spinner.Model {
	return spinner.New(spinner.WithSpinner(spinner.Dot), spinner.WithStyle(st.selected))
}

// spinTick moves spin on a tick while busy and drops the tick otherwise,
// so the spinner's tick loop ends when the work does.
func spinTick(spin *spinner.Model, msg spinner.TickMsg, busy bool) tea.Cmd {
	if !busy {
		return nil
	}
	var cmd tea.Cmd
	*spin, cmd = spin.Update(msg)
	return cmd
}
