// Package termbg keeps Bubble Tea v1's package init from asking the
// terminal for its background colour.
//
// bubbletea v1.3.10 calls lipgloss.HasDarkBackground() in its init. When
// stdout is a terminal, termenv then writes an OSC 11 query and a cursor
// position request and blocks until the terminal answers: one full round
// trip before main runs, on every start of the binary, whatever the
// command. Over SSH at 100 ms that is 100 ms before the wizard can draw.
//
// termenv skips the query when TERM is "dumb". This package's init sets
// TERM=dumb for the few microseconds of package initialisation and Restore
// (called from package wizard's init, which runs after bubbletea's) puts
// the original value back. The trick relies on Go's initialisation order
// (packages sorted by import path, each initialised as soon as its imports
// are): this package imports only os, so it is initialised right after os,
// long before lipgloss and bubbletea. The end-to-end tests check that the
// binary never sends the query.
//
// Without the answer, lipgloss assumes a dark background unless COLORFGBG
// says otherwise; the wizard's colours read on both.
//
// Build with -tags termquery to keep bubbletea's query, for measuring what
// it costs (see docs/performance.md).
package termbg
