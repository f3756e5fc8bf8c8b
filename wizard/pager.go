package wizard

import (
	"fmt"
	"strings"

	"github.com/charmbracelet/bubbles/key"
	"github.com/charmbracelet/bubbles/viewport"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/x/ansi"
)

// pager shows long text (a verification recipe, a signed request) over a
// screen, scrollable, until esc closes it. The text is sanitised when it
// is set.
//
// A line wider than the screen is soft-wrapped rather than cut: it goes
// on under its own indent after contMark. Wrapping was chosen over
// scrolling sideways because over SSH at 80 columns an operator reads the
// whole recipe by scrolling one way only, and nothing is out of sight.
// The mark is not ASCII, so it cannot be mistaken for code, and whenever
// a line is wrapped the help line says how to get the text unwrapped
// (full), for copying.
type pager struct {
	open  bool
	title string
	text  string // sanitised, unwrapped
	full  string // the command that prints the text unwrapped
	// wrapped reports whether any line of text is wrapped at the
	// current width.
	wrapped bool
	vp      viewport.Model
	st      *styles
	w, h    int
}

// contMark starts every continuation line of a wrapped line.
const contMark = "↪ "

var (
	keyScroll = key.NewBinding(key.WithKeys("up", "down", "pgup", "pgdown"), key.WithHelp("↑/↓/pgup/pgdn", "scroll"))
	keyClose  = key.NewBinding(key.WithKeys("esc", "q"), key.WithHelp("esc", "close"))
)

func newPager(st *styles) pager { return pager{vp: viewport.New(80, 10), st: st, w: 80, h: 11} }

// show opens the pager with text; full is the command that prints the
// same text unwrapped, named in the help line when a line is wrapped.
func (p *pager) show(title, text, full string) {
	p.open, p.title, p.full = true, title, full
	p.text = cleanText(text)
	p.layout()
	p.vp.GotoTop()
}

// layout wraps the text to the width and sizes the viewport to the
// height left once the help line (one or two lines) is drawn.
func (p *pager) layout() {
	content, wrapped := softWrap(p.text, p.w, p.st)
	p.wrapped = wrapped
	helpH := strings.Count(helpLines(p.st, p.help(), p.w), "\n")
	p.vp.Width, p.vp.Height = p.w, max(p.h-1-helpH, 1)
	p.vp.SetContent(content)
	p.vp.SetYOffset(p.vp.YOffset) // clamp after a resize
}

// update scrolls or closes; it reports whether it closed.
func (p *pager) update(msg tea.Msg) (closed bool, cmd tea.Cmd) {
	if k, ok := msg.(tea.KeyMsg); ok && key.Matches(k, keyClose) {
		p.open = false
		return true, nil
	}
	p.vp, cmd = p.vp.Update(msg)
	return false, cmd
}

func (p *pager) view(st *styles) string {
	pos := fmt.Sprintf(" %3.0f%%", p.vp.ScrollPercent()*100)
	return st.heading.Render(p.title) + st.dim.Render(pos) + "\n" + p.vp.View()
}

func (p *pager) setSize(w, h int) {
	p.w, p.h = w, h
	p.layout()
}

func (p *pager) help() []key.Binding {
	keys := []key.Binding{keyScroll, keyClose}
	if p.wrapped && p.full != "" {
		// Not a key: the help line is where the operator looks for what
		// to do next. The binding has a key nobody can type. It goes
		// first, so the keys stay on the bottom row.
		note := key.NewBinding(key.WithKeys("\x00"), key.WithHelp(contMark+"wrapped; unwrapped:", p.full))
		keys = append([]key.Binding{note}, keys...)
	}
	return keys
}

// softWrap wraps every line of text wider than width: it breaks after the
// last space that fits (a word longer than the line is cut), and each
// continuation line starts with the line's indent and contMark. Nothing
// of the text is lost: joining a line and its continuations (marks and
// line breaks removed) gives it back. It reports whether any line was
// wrapped.
func softWrap(text string, width int, st *styles) (string, bool) {
	if width <= 0 {
		return text, false
	}
	lines := strings.Split(text, "\n")
	wrapped := false
	out := make([]string, 0, len(lines))
	for _, l := range lines {
		if ansi.StringWidth(l) <= width {
			out = append(out, l)
			continue
		}
		wrapped = true
		indent := l[:len(l)-len(strings.TrimLeft(l, " "))]
		if ansi.StringWidth(indent)+ansi.StringWidth(contMark)+10 > width {
			indent = ""
		}
		lead := indent + contMark
		mark := indent + st.dim.Render(contMark)
		rest, prefix, limit := l, "", width
		for ansi.StringWidth(rest) > limit {
			head := ansi.Truncate(rest, limit, "")
			cut := len(head)
			// Break after the last space that has text before it (not
			// inside the indent), so words stay whole.
			if i := strings.LastIndex(head, " "); i >= 0 && strings.TrimSpace(head[:i]) != "" {
				cut = i + 1
			}
			if cut == 0 { // a character wider than the line
				cut = len(string([]rune(rest)[0]))
			}
			out = append(out, prefix+rest[:cut])
			rest, prefix, limit = rest[cut:], mark, width-ansi.StringWidth(lead)
		}
		out = append(out, prefix+rest)
	}
	return strings.Join(out, "\n"), wrapped
}
