package wizard

import (
	"strings"

	"github.com/charmbracelet/lipgloss"
	"github.com/muesli/termenv"
)

// styles are every style the wizard draws with, made from one renderer so
// the colour profile is the one of the output actually drawn on (and
// plain when colour is off). Colours are adaptive: the background is not
// queried (see package termbg), so they must read on dark and light.
type styles struct {
	r *lipgloss.Renderer
	// plain is set when the output has no colour and no text attributes
	// (NO_COLOR, --no-color, TERM=dumb): reverse video, dim and bold are
	// dropped, so focus, the text cursor and placeholders are drawn with
	// characters instead.
	plain bool

	bar      lipgloss.Style // the title bar
	heading  lipgloss.Style // screen heading
	dim      lipgloss.Style // secondary text
	text     lipgloss.Style // plain text
	selected lipgloss.Style // the highlighted option
	ok       lipgloss.Style // ready, safe
	bad      lipgloss.Style // blocked, refused
	warn     lipgloss.Style // needs approval, hints
	code     lipgloss.Style // a code from the catalog
	secret   lipgloss.Style // a generated secret shown once
	key      lipgloss.Style // a key in running text
	notice   lipgloss.Style // one-line notices
	cursor   lipgloss.Style // the text cursor of an input
}

func newStyles(r *lipgloss.Renderer) *styles {
	accent := lipgloss.AdaptiveColor{Light: "#5A3FC0", Dark: "#A48BFF"}
	green := lipgloss.AdaptiveColor{Light: "#1B7F3B", Dark: "#5FD787"}
	red := lipgloss.AdaptiveColor{Light: "#B3261E", Dark: "#FF6B6B"}
	amber := lipgloss.AdaptiveColor{Light: "#8A5A00", Dark: "#E8B04A"}
	grey := lipgloss.AdaptiveColor{Light: "#5F5F5F", Dark: "#9E9E9E"}
	plain := r.ColorProfile() == termenv.Ascii
	selected := r.NewStyle().Bold(true).Foreground(accent)
	cursor := selected // drawn in reverse video by the input
	if plain {
		cursor = r.NewStyle().Transform(plainCursor)
	}
	return &styles{
		r:        r,
		plain:    plain,
		cursor:   cursor,
		bar:      r.NewStyle().Bold(true).Foreground(accent),
		heading:  r.NewStyle().Bold(true),
		dim:      r.NewStyle().Foreground(grey),
		text:     r.NewStyle(),
		selected: selected,
		ok:       r.NewStyle().Foreground(green),
		bad:      r.NewStyle().Bold(true).Foreground(red),
		warn:     r.NewStyle().Foreground(amber),
		code:     r.NewStyle().Bold(true),
		secret:   r.NewStyle().Bold(true), // no border or padding: a triple-click copies only the secret
		key:      r.NewStyle().Bold(true).Foreground(accent),
		notice:   r.NewStyle().Foreground(amber),
	}
}

// plainCursor draws the text cursor without reverse video: a block at the
// end of the text (where the cursor sits on a space), or the character
// under it underlined with a combining low line, which keeps every
// character readable and the width of the line unchanged.
func plainCursor(s string) string {
	if strings.TrimSpace(s) == "" {
		return "█"
	}
	return s + "\u0332"
}

// example is a placeholder that shows an example value. Without colour
// it is put in brackets after "e.g.", so it cannot be taken for a value
// already entered; the leading space is where the cursor sits.
func (st *styles) example(s string) string {
	if st.plain {
		return " (e.g. " + s + ")"
	}
	return s
}

// hint is a placeholder that describes the value, in brackets without
// colour (see example).
func (st *styles) hint(s string) string {
	if st.plain {
		return " (" + strings.TrimSuffix(strings.TrimPrefix(s, "("), ")") + ")"
	}
	return s
}
