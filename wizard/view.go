package wizard

import (
	"strings"

	"github.com/charmbracelet/bubbles/key"
	"github.com/charmbracelet/x/ansi"
)

// frame is the lines the parent draws around a screen: the heading and a
// blank line above, a blank line and (at least) one help line below.
const frame = 4

// resize gives every screen the room it has.
func (m *model) resize() {
	w, h := m.width, max(m.height-frame, 1)
	m.home.SetSize(w, h)
	if m.cur != m.home {
		m.cur.SetSize(w, h)
	}
}

// heading is the first line: where the operator is. On a narrow
// terminal the prefixes go first, so the screen's own heading stays whole.
func (m *model) heading() string {
	st := m.env.st
	var title, short string
	switch m.screen {
	case screenHome:
		title = "Integration status"
	case screenStep:
		title, short = setupTitle(m.answers, m.step)
	case screenTest:
		title = "Test send · " + clean(m.originTarget.Name)
	case screenDetails:
		title = "Target · " + clean(m.originTarget.Name)
	case screenRotate:
		title = "Rotate secret · " + clean(m.originTarget.Name)
	case screenDisconnect:
		title = "Disconnect · " + clean(m.originTarget.Name)
	case screenDoctor:
		title = "Doctor"
	}
	bar := "webhook-setup"
	if m.screen == screenHome && m.version != "" {
		bar += " " + clean(m.version)
	}
	full := st.bar.Render(bar) + st.dim.Render(" › ") + st.heading.Render(title)
	if m.width <= 0 || ansi.StringWidth(full) <= m.width {
		return full
	}
	if short != "" && ansi.StringWidth(title) > m.width {
		return st.heading.Render(short)
	}
	return st.heading.Render(title)
}

// help is the help line of the current screen. Off the home screen (where
// q quits) it ends with ctrl+c quit when that fits without another line:
// ctrl+c quits anywhere, and a setup's draft is kept.
func (m *model) help() string {
	st, w := m.env.st, m.width
	keys := m.cur.ShortHelp()
	help := helpLines(st, keys, w)
	if m.screen == screenHome {
		return help
	}
	withQuit := helpLines(st, append(append([]key.Binding(nil), keys...), keyCtrlC), w)
	if strings.Count(withQuit, "\n") == strings.Count(help, "\n") {
		return withQuit
	}
	return help
}

// when lists bindings only when ok. A help line lists a key only when
// pressing it now does what the help says: enter refused with an error is
// not "continue", and the problem on screen already says what is missing.
func when(ok bool, bindings ...key.Binding) []key.Binding {
	if !ok {
		return nil
	}
	return bindings
}

// pagerHolder is a screen that can open a pager over itself.
type pagerHolder interface{ pagerOpen() bool }

// roomTaker is a screen that fits itself into the body height left under
// the heading, its errors and the help line (which change as it is used),
// rather than being cut at the bottom.
type roomTaker interface{ setRoom(h int) }

// roomTakerMin is the body rows a roomTaker keeps under a long refusal:
// the receiver checks' count and the focused row (its name and check).
const roomTakerMin = 3

// problemRoom is the rows the problems may take: half the screen, at
// least four, so a screen cut at the bottom keeps its top half (a third
// cut the fix off refusals at 60×20: a secret file's path over three
// rows, the receiver checks' six headers). A screen that fits itself
// into what is left (roomTaker) gives its rows up instead, down to
// roomTakerMin.
func (m *model) problemRoom() int {
	room := max(m.height/2, 4)
	if _, ok := m.cur.(roomTaker); ok {
		room = max(room, m.height-frame-strings.Count(m.help(), "\n")-roomTakerMin)
	}
	return room
}

// View draws the frame: heading, the screen cut to the room left, the
// problems and notice the screen reported, and the help line at the
// bottom. Nothing is wider or taller than the terminal.
func (m *model) View() string {
	st := m.env.st
	w, h := m.width, m.height
	var foot []string
	// A recipe or signed request open over a screen takes it: the
	// problems and notice the screen reported belong to what is under
	// the pager, and come back when it closes.
	if p, ok := m.cur.(pagerHolder); !ok || !p.pagerOpen() {
		if len(m.problems) > 0 {
			foot = append(foot, fit(problemLines(st, m.problems, w), w, m.problemRoom()))
		}
		if m.notice != "" {
			foot = append(foot, st.notice.Render(wrap(m.notice, w)))
		}
	}
	footer := strings.Join(foot, "\n")
	footLines := 0
	if footer != "" {
		footLines = strings.Count(footer, "\n") + 1
	}
	help := m.help()
	footLines += strings.Count(help, "\n")
	bodyH := max(h-frame-footLines, 1)
	if r, ok := m.cur.(roomTaker); ok {
		r.setRoom(bodyH)
	}
	body := fit(m.cur.View(), w, bodyH)
	if n := strings.Count(body, "\n") + 1; n < bodyH {
		body += strings.Repeat("\n", bodyH-n)
	}
	var b strings.Builder
	b.WriteString(m.heading() + "\n\n" + body)
	if footer != "" {
		b.WriteString("\n" + footer)
	}
	b.WriteString("\n\n" + help)
	return fit(b.String(), w, h)
}
