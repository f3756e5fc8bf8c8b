package wizard

import (
	"strings"

	"github.com/charmbracelet/bubbles/cursor"
	"github.com/charmbracelet/bubbles/key"
	"github.com/charmbracelet/bubbles/textinput"
	tea "github.com/charmbracelet/bubbletea"
)

// newInput returns a text input as every screen uses it: a steady cursor,
// the clipboard key off (it would run a clipboard program on the server, not read
// the operator's clipboard; terminals paste with bracketed paste) and no
// character limit. A limit would cut an over-long paste without a word
// (a 60 KB URL saved as its first 2048 bytes); unlimited, the whole value
// reaches the core's checks, which refuse it with the CLI's code and
// reason (urlsafe.MaxURLLen, core.MaxTextLen, core.MaxNameLen, ...).
func newInput(st *styles, prompt, value string) textinput.Model {
	in := textinput.New()
	in.Prompt = prompt
	in.CharLimit = 0 // no limit: see above
	in.KeyMap.Paste = key.NewBinding(key.WithDisabled())
	in.PromptStyle = st.selected
	in.TextStyle = st.text
	in.PlaceholderStyle = st.dim
	// In colour the cursor is drawn in reverse video; without colour it
	// is a character (see plainCursor), so it shows on any terminal.
	in.Cursor.Style = st.cursor
	// A steady cursor: a blinking one redraws twice a second, which over
	// SSH is traffic for nothing.
	in.Cursor.SetMode(cursor.CursorStatic)
	in.SetValue(value)
	in.CursorEnd()
	return in
}

// fieldView draws one input of a screen with several: the focused one
// marked "› " in the margin (as lists mark the chosen option), the others
// indented with their label plain, so the focus shows without colour too.
func fieldView(st *styles, in textinput.Model) string {
	if in.Focused() {
		return st.selected.Render("› ") + in.View()
	}
	in.PromptStyle = st.text
	return "  " + in.View()
}

// cleanKey removes invisible format characters (bidi overrides,
// zero-width characters) from typed or pasted text before it reaches an
// input. Control characters are removed by the input itself, and pasted
// newlines and tabs become spaces there: together that is sanitizeText,
// which the accessible prompts apply to a whole line.
func cleanKey(k tea.KeyMsg) tea.KeyMsg {
	if k.Type != tea.KeyRunes {
		return k
	}
	keep := k.Runes[:0:0]
	for _, r := range k.Runes {
		if invisible(r) {
			continue
		}
		keep = append(keep, r)
	}
	k.Runes = keep
	return k
}

// updateInput feeds a key to in. For a paste it trims surrounding
// whitespace from the whole value (a paste often brings a newline, which
// the input turns into a space) and reports how many characters were
// removed, so the screen can say so.
func updateInput(in *textinput.Model, msg tea.Msg) (trimmed int, cmd tea.Cmd) {
	k, isKey := msg.(tea.KeyMsg)
	if isKey {
		msg = cleanKey(k)
	}
	*in, cmd = in.Update(msg)
	if isKey && k.Paste {
		v := in.Value()
		t := strings.TrimSpace(v)
		if t != v {
			in.SetValue(t)
			in.CursorEnd()
			return len(v) - len(t), cmd
		}
	}
	return 0, cmd
}
