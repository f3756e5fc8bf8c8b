package wizard

import (
	"io"
	"regexp"
	"strings"
	"sync"

	"github.com/charmbracelet/x/ansi"
	"github.com/charmbracelet/x/term"
)

// accessibleWidth is the width accessible prose is wrapped to when the
// terminal's is not known.
const accessibleWidth = 80

// outWidth is the terminal width of out when it is a terminal, else 80.
func outWidth(out io.Writer) int {
	if f, ok := out.(interface{ Fd() uintptr }); ok && term.IsTerminal(f.Fd()) {
		if w, _, err := term.GetSize(f.Fd()); err == nil && w > 20 {
			return w
		}
	}
	return accessibleWidth
}

// hanging marks a line whose continuations are indented two more spaces:
// a list item ("- ", "1. ") or a problem.
var hanging = regexp.MustCompile(`^(-|\d+\.|Problem)$`)

// wordWrapper word-wraps what is written through it to width, as it is
// written (a prompt is shown at once, not held for its line's end), so the
// terminal never breaks a word. A continuation keeps the line's indent,
// two spaces more for a list item or a problem. A word wider than the
// line (a URL) is left whole for the terminal to break. Escape sequences
// count as no width.
type wordWrapper struct {
	mu     sync.Mutex
	w      io.Writer
	width  int
	col    int    // cells on the current line
	lead   int    // leading spaces of the current line
	indent string // for its continuations; set by its first word
	words  int    // words on the current line
	word   []byte // pending word
	lastAt int    // where in this Write's output the last word starts, or -1
}

// promptRoom is the columns a prompt leaves for the answer typed after it.
const promptRoom = 8

func newWordWrapper(w io.Writer, width int) *wordWrapper {
	return &wordWrapper{w: w, width: width}
}

func (ww *wordWrapper) Write(p []byte) (int, error) {
	ww.mu.Lock()
	defer ww.mu.Unlock()
	var out []byte
	ww.lastAt = -1
	for _, c := range p {
		switch c {
		case '\n':
			out = ww.flush(out)
			out = append(out, '\n')
			ww.col, ww.lead, ww.indent, ww.words = 0, 0, "", 0
		case ' ':
			out = ww.flush(out)
			if ww.words == 0 {
				ww.lead++
			}
			if ww.col < ww.width {
				out = append(out, ' ')
				ww.col++
			}
		default:
			ww.word = append(ww.word, c)
		}
	}
	// Show a prompt now: what is written last may be one. It keeps room
	// for a short answer (y, a number) on its line: when it does not, its
	// last word goes on the next line.
	out = ww.flush(out)
	if n := len(p); n > 0 && p[n-1] != '\n' && ww.col > ww.width-promptRoom && ww.words > 1 && ww.lastAt >= 0 {
		tail := append([]byte(nil), out[ww.lastAt:]...)
		if p[n-1] == ' ' && tail[len(tail)-1] != ' ' {
			tail = append(tail, ' ') // dropped at the edge
		}
		out = append(append([]byte(strings.TrimRight(string(out[:ww.lastAt]), " ")), '\n'), ww.indent...)
		out = append(out, tail...)
		ww.col = len(ww.indent) + ansi.StringWidth(string(tail))
		ww.words = 1
	}
	if _, err := ww.w.Write(out); err != nil {
		return 0, err
	}
	return len(p), nil
}

// flush places the pending word: on this line if it fits, else on the
// next one under the indent.
func (ww *wordWrapper) flush(out []byte) []byte {
	if len(ww.word) == 0 {
		return out
	}
	w := ansi.StringWidth(string(ww.word))
	if w == 0 && ww.words == 0 {
		// Only escape sequences (a style starting the line): the spaces
		// after it are still the line's indent.
		out = append(out, ww.word...)
		ww.word = ww.word[:0]
		return out
	}
	if ww.words > 0 && ww.col+w > ww.width {
		// Drop the spaces left at the end of the line.
		for len(out) > 0 && out[len(out)-1] == ' ' {
			out = out[:len(out)-1]
		}
		out = append(out, '\n')
		out = append(out, ww.indent...)
		ww.col = len(ww.indent)
	}
	if ww.words == 0 {
		ww.indent = strings.Repeat(" ", min(ww.lead, ww.width/2))
		if hanging.MatchString(ansi.Strip(string(ww.word))) {
			ww.indent += "  "
		}
	}
	ww.lastAt = len(out)
	out = append(out, ww.word...)
	ww.col += w
	ww.words++
	ww.word = ww.word[:0]
	return out
}

// newLine tells the wrapper the terminal is at the start of a line: the
// operator's answer and enter were echoed by the terminal, not written
// through it.
func (ww *wordWrapper) newLine() {
	ww.mu.Lock()
	defer ww.mu.Unlock()
	ww.col, ww.lead, ww.indent, ww.words = 0, 0, "", 0
}
