package wizard

import (
	"strings"

	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"
)

// option is one entry of a choice list: a value, its label and a one-line
// description.
type option struct {
	value string
	label string
	desc  string
}

// namedOptions lists items as options labelled with their value (a
// provider key, a deployment mode), each with its description.
func namedOptions[T any](items []T, named func(T) (value, desc string)) []option {
	opts := make([]option, len(items))
	for i, it := range items {
		value, desc := named(it)
		opts[i] = option{value: value, label: value, desc: desc}
	}
	return opts
}

// choiceList is a vertical list of options with a cursor, used by the
// Provider key, Deployment mode and other one-of-n screens. It is a
// helper, not a screen: the screen owns it and decides what enter means.
type choiceList struct {
	opts   []option
	cursor int
}

func newChoiceList(opts []option, selected string) choiceList {
	c := choiceList{opts: opts}
	c.selectValue(selected)
	return c
}

// selectValue moves the cursor to value when it is one of the options.
func (c *choiceList) selectValue(value string) {
	for i, o := range c.opts {
		if o.value == value {
			c.cursor = i
		}
	}
}

// selected is the option under the cursor.
func (c *choiceList) selected() option { return c.opts[c.cursor] }

// update moves the cursor; it reports whether the key was used.
func (c *choiceList) update(msg tea.KeyMsg) bool {
	switch {
	case key.Matches(msg, keyUp):
		if c.cursor > 0 {
			c.cursor--
		}
	case key.Matches(msg, keyDown):
		if c.cursor < len(c.opts)-1 {
			c.cursor++
		}
	case msg.String() == "home":
		c.cursor = 0
	case msg.String() == "end":
		c.cursor = len(c.opts) - 1
	default:
		return false
	}
	return true
}

// view draws the options, each with its description on the next line.
func (c *choiceList) view(st *styles, width int) string {
	var b strings.Builder
	for i, o := range c.opts {
		if i > 0 {
			b.WriteByte('\n')
		}
		if i == c.cursor {
			b.WriteString(st.selected.Render("› " + o.label))
		} else {
			b.WriteString("  " + o.label)
		}
		if o.desc != "" {
			for _, l := range strings.Split(wrap(o.desc, max(width-4, 20)), "\n") {
				b.WriteString("\n" + st.dim.Render("    "+l))
			}
		}
	}
	return b.String()
}

// truncate cuts plain text to width cells with an ellipsis.
func truncate(s string, width int) string {
	if width <= 1 {
		return s
	}
	return fit(s, width, 1)
}
