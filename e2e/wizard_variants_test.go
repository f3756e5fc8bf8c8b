package e2e

import (
	"fmt"
	"regexp"
	"strings"
	"testing"
	"time"
)

// Issue 14 asks every pty test of a numbered problem to run at 80×24 and
// 60×20, with and without colour: the helpers here run one test body in
// each of those terminals, as subtests sharing the package's binary.

// termVariant is one terminal: a size, with or without colour.
type termVariant struct {
	cols, rows int
	colour     bool
}

var termVariants = []termVariant{{80, 24, true}, {80, 24, false}, {60, 20, true}, {60, 20, false}}

func (v termVariant) String() string {
	if v.colour {
		return fmt.Sprintf("%dx%d", v.cols, v.rows)
	}
	return fmt.Sprintf("%dx%d NO_COLOR", v.cols, v.rows)
}

// colourSGR matches colour SGR sequences (38/48 foreground or
// background); cursor and screen controls do not count.
var colourSGR = regexp.MustCompile(`\x1b\[[0-9;]*(38|48);[25];[0-9;]*m`)

// start opens the wizard of h in the variant's terminal for the (sub)test
// t; o gives the arguments, extra environment and working folder.
func (v termVariant) start(t *testing.T, h *home, o termOptions) *vterm {
	t.Helper()
	colour := "NO_COLOR=1"
	if v.colour {
		colour = "NO_COLOR="
	}
	o.env = h.wizardEnv(append([]string{colour}, o.env...)...)
	o.cols, o.rows = v.cols, v.rows
	return startTerm(t, o)
}

// eachTerm runs body in every variant as a subtest. body returns the
// terminal it drove; afterwards the variant is checked to have held:
// colour drawn exactly when asked for, and no line of the last screen
// wider than the terminal.
func eachTerm(t *testing.T, body func(t *testing.T, v termVariant) *vterm) {
	for _, v := range termVariants {
		t.Run(v.String(), func(t *testing.T) {
			w := body(t, v)
			if w == nil {
				return
			}
			if got := colourSGR.MatchString(w.output()); got != v.colour {
				t.Errorf("colour sequences drawn: %v, want %v", got, v.colour)
			}
			for _, l := range strings.Split(w.screen(), "\n") {
				if len([]rune(l)) > v.cols {
					t.Errorf("a line is wider than %d: %q", v.cols, l)
				}
			}
		})
	}
}

// helpOf is the help line (one or two rows): the rows under the screen's
// last blank row.
func helpOf(screen string) string {
	lines := strings.Split(strings.TrimRight(screen, "\n "), "\n")
	i := len(lines) - 1
	for i > 0 && strings.TrimSpace(lines[i-1]) != "" {
		i--
	}
	return strings.Join(lines[i:], "\n")
}

// waitHelp waits until the help line offers want.
func (v *vterm) waitHelp(want string) {
	v.t.Helper()
	v.waitFunc("help line with "+want, 20*time.Second, func(s string) bool { return strings.Contains(helpOf(s), want) })
}

// helpLacks fails if the help line offers key.
func (v *vterm) helpLacks(key string) {
	v.t.Helper()
	if h := helpOf(v.screen()); strings.Contains(h, key) {
		v.t.Fatalf("the help line offers %q while it does nothing:\n%s", key, v.screen())
	}
}

// noFlagsShown fails if the screen names a command-line flag: the
// wizard's fixes say which step, field or key does it.
func (v *vterm) noFlagsShown() {
	v.t.Helper()
	if f := flatScreen(v.screen()); regexp.MustCompile(`(^|[ (])--[a-z]`).MatchString(f) {
		v.t.Fatalf("the screen names a command-line flag:\n%s", v.screen())
	}
}
