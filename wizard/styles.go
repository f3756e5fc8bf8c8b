package wizard

import (
	"github.com/charmbracelet/lipgloss"
)

// styles are every style the wizard draws with, made from one renderer so
// the colour profile is the one of the output actually drawn on (and
// plain when colour is off). Colours are adaptive: the background is not
// queried (see package termbg), so they must read on dark and light.
type styles struct {
	r *lipgloss.Renderer

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
}

func newStyles(r *lipgloss.Renderer) *styles {
	accent := lipgloss.AdaptiveColor{Light: "#5A3FC0", Dark: "#A48BFF"}
	green := lipgloss.AdaptiveColor{Light: "#1B7F3B", Dark: "#5FD787"}
	red := lipgloss.AdaptiveColor{Light: "#B3261E", Dark: "#FF6B6B"}
	amber := lipgloss.AdaptiveColor{Light: "#8A5A00", Dark: "#E8B04A"}
	grey := lipgloss.AdaptiveColor{Light: "#5F5F5F", Dark: "#9E9E9E"}
	return &styles{
		r:        r,
		bar:      r.NewStyle().Bold(true).Foreground(accent),
		heading:  r.NewStyle().Bold(true),
		dim:      r.NewStyle().Foreground(grey),
		text:     r.NewStyle(),
		selected: r.NewStyle().Bold(true).Foreground(accent),
		ok:       r.NewStyle().Foreground(green),
		bad:      r.NewStyle().Bold(true).Foreground(red),
		warn:     r.NewStyle().Foreground(amber),
		code:     r.NewStyle().Bold(true),
		secret:   r.NewStyle().Bold(true).Border(lipgloss.NormalBorder()).Padding(0, 1),
		key:      r.NewStyle().Bold(true).Foreground(accent),
		notice:   r.NewStyle().Foreground(amber),
	}
}
