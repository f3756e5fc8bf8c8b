package wizard

import (
	"fmt"

	"github.com/charmbracelet/bubbles/key"
	"github.com/charmbracelet/bubbles/viewport"
	tea "github.com/charmbracelet/bubbletea"
)

// pager shows long text (a verification recipe, a signed request) over a
// screen, scrollable, until esc closes it. The text is sanitised when it
// is set.
type pager struct {
	open  bool
	title string
	vp    viewport.Model
}

var (
	keyScroll = key.NewBinding(key.WithKeys("up", "down", "pgup", "pgdown"), key.WithHelp("↑/↓/pgup/pgdn", "scroll"))
	keyClose  = key.NewBinding(key.WithKeys("esc", "q"), key.WithHelp("esc", "close"))
)

func newPager() pager { return pager{vp: viewport.New(80, 10)} }

// show opens the pager with text.
func (p *pager) show(title, text string) {
	p.open, p.title = true, title
	p.vp.SetContent(cleanText(text))
	p.vp.GotoTop()
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
	p.vp.Width, p.vp.Height = w, max(h-1, 1)
}

func (p *pager) help() []key.Binding { return []key.Binding{keyScroll, keyClose} }
