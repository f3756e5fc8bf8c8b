package e2e

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"
)

// The wizard's responsiveness in a pseudo-terminal whose emulator answers
// terminal queries, with no network delay and over a simulated 100 ms
// round trip (each direction delayed by 50 ms, as over SSH):
//
//   - first frame: process start → "Integration status" on the screen;
//   - keystroke: a key written → its change on the screen.
//
// The same figures are taken for `gum input` (charmbracelet/gum v0.17.0,
// built from the module proxy), the reference the first frame must not
// exceed, and for the wizard built with -tags termquery, which keeps
// bubbletea's init query of the background colour, to show what that
// query costs. Run:
//
//	go test -run '^$' -bench Wizard -benchtime 20x ./e2e/
//
// and record the figures in docs/perf-wizard.md.

// benchRTTs are the simulated round trips.
var benchRTTs = []time.Duration{0, 100 * time.Millisecond}

// benchBins holds the binaries the benchmarks build once.
var benchBins struct {
	once             sync.Once
	wizard, query    string
	gum, gumSkip     string
	wizardErr, qyErr error
}

// buildBenchBins builds the wizard without -race (the figures are for the
// binary people run), the termquery variant, and gum.
func buildBenchBins(b *testing.B) {
	benchBins.once.Do(func() {
		dir := filepath.Join(os.TempDir(), "webhook-setup-bench")
		_ = os.MkdirAll(dir, 0o755)
		benchBins.wizard = filepath.Join(dir, "webhook-setup")
		benchBins.wizardErr = goBuild("", "-o", benchBins.wizard, "github.com/webriskops/webhook-setup")
		benchBins.query = filepath.Join(dir, "webhook-setup-termquery")
		benchBins.qyErr = goBuild("", "-tags", "termquery", "-o", benchBins.query, "github.com/webriskops/webhook-setup")
		benchBins.gum, benchBins.gumSkip = buildGum(dir)
	})
	if benchBins.wizardErr != nil {
		b.Fatalf("build the wizard: %v", benchBins.wizardErr)
	}
}

// goBuild runs go build in dir ("" for the module).
func goBuild(dir string, args ...string) error {
	cmd := exec.Command("go", append([]string{"build"}, args...)...)
	cmd.Dir = dir
	if out, err := cmd.CombinedOutput(); err != nil {
		return fmt.Errorf("%v: %s", err, out)
	}
	return nil
}

// buildGum builds gum v0.17.0 in a module of its own (it cannot be built
// from this one), reusing an earlier build. It returns why it was skipped
// when the module proxy cannot be reached.
func buildGum(dir string) (path, skip string) {
	mod := filepath.Join(dir, "gum-v0.17.0")
	path = filepath.Join(mod, "gum")
	if _, err := os.Stat(path); err == nil {
		return path, ""
	}
	_ = os.MkdirAll(mod, 0o755)
	steps := [][]string{
		{"mod", "init", "gumbench"},
		{"get", "github.com/charmbracelet/gum@v0.17.0"},
		{"build", "-o", path, "github.com/charmbracelet/gum"},
	}
	for _, s := range steps {
		if s[0] == "mod" {
			if _, err := os.Stat(filepath.Join(mod, "go.mod")); err == nil {
				continue
			}
		}
		cmd := exec.Command("go", s...)
		cmd.Dir = mod
		cmd.Env = append(os.Environ(), "GOFLAGS=-mod=mod")
		if out, err := cmd.CombinedOutput(); err != nil {
			return "", fmt.Sprintf("gum v0.17.0 is not available (go %s: %v: %s); the gum reference is skipped",
				strings.Join(s, " "), err, firstLine(string(out)))
		}
	}
	return path, ""
}

func firstLine(s string) string {
	s, _, _ = strings.Cut(strings.TrimSpace(s), "\n")
	return s
}

// benchEnv is a fresh operator home for one run.
func benchEnv(b *testing.B) []string {
	dir := b.TempDir()
	return []string{
		"HOME=" + dir, "PATH=" + os.Getenv("PATH"), "USER=bench", "TERM=xterm-256color", "NO_COLOR=1",
		"XDG_CONFIG_HOME=" + filepath.Join(dir, "config"),
		"WEBHOOK_SETUP_DB=" + filepath.Join(dir, "data", "webhook-setup.db"),
	}
}

// subject is one program measured the same way as the others.
type subject struct {
	name  string
	bin   func() (string, string) // path, or why it is skipped
	args  []string
	first string // text of the first frame
	// ready brings the program to a text input; typed and empty are what
	// the input shows with "x" typed and with nothing typed.
	ready        func(w *vterm)
	typed, empty string
}

var subjects = []subject{
	{
		name:  "wizard",
		bin:   func() (string, string) { return benchBins.wizard, "" },
		first: "Integration status",
		ready: func(w *vterm) {
			w.wait("Integration status", "No webhook targets yet")
			w.send("n")
			w.wait("Provider key")
			w.send(keyEnter)
			w.wait("Deployment mode")
			w.send(keyEnter)
			w.wait("URL › https://hooks.zapier.com")
		},
		typed: "URL › x", empty: "URL › https://hooks.zapier.com",
	},
	{
		name: "wizard-termquery",
		bin: func() (string, string) {
			if benchBins.qyErr != nil {
				return "", "the termquery build failed: " + benchBins.qyErr.Error()
			}
			return benchBins.query, ""
		},
		first: "Integration status",
	},
	{
		name:  "gum-input",
		bin:   func() (string, string) { return benchBins.gum, benchBins.gumSkip },
		args:  []string{"input"},
		first: "Type something...",
		ready: func(w *vterm) { w.wait("Type something...") },
		typed: "> x", empty: "Type something...",
	},
}

// BenchmarkWizardFirstFrame measures process start → first frame.
func BenchmarkWizardFirstFrame(b *testing.B) {
	buildBenchBins(b)
	for _, rtt := range benchRTTs {
		for _, s := range subjects {
			b.Run(fmt.Sprintf("%s/rtt=%dms", s.name, rtt.Milliseconds()), func(b *testing.B) {
				bin, skip := s.bin()
				if skip != "" {
					b.Skip(skip)
				}
				var times []time.Duration
				queried := false
				for range b.N {
					w := startTerm(b, termOptions{bin: bin, args: s.args, env: benchEnv(b), rtt: rtt})
					w.wait(s.first)
					times = append(times, time.Since(w.start))
					queried = queried || strings.Contains(w.output(), "\x1b]11;?")
					_ = w.cmd.Process.Kill()
					w.exit()
				}
				report(b, times, "first-frame")
				if queried {
					b.ReportMetric(1, "bg-query")
				} else {
					b.ReportMetric(0, "bg-query")
				}
			})
		}
	}
}

// BenchmarkWizardKeystroke measures a key written → its change on the
// screen, in a text input: "x", then backspace, in turn.
func BenchmarkWizardKeystroke(b *testing.B) {
	buildBenchBins(b)
	for _, rtt := range benchRTTs {
		for _, s := range subjects {
			if s.ready == nil {
				continue
			}
			b.Run(fmt.Sprintf("%s/rtt=%dms", s.name, rtt.Milliseconds()), func(b *testing.B) {
				bin, skip := s.bin()
				if skip != "" {
					b.Skip(skip)
				}
				w := startTerm(b, termOptions{bin: bin, args: s.args, env: benchEnv(b), rtt: rtt})
				s.ready(w)
				var times []time.Duration
				for i := range b.N {
					key, want := "x", s.typed
					if i%2 == 1 {
						key, want = keyBS, s.empty
					}
					began := time.Now()
					w.send(key)
					w.wait(want)
					times = append(times, time.Since(began))
				}
				report(b, times, "keystroke")
				_ = w.cmd.Process.Kill()
			})
		}
	}
}

// report sets ns/op to the median and adds the median and 90th
// percentile in milliseconds.
func report(b *testing.B, times []time.Duration, what string) {
	slices.Sort(times)
	median := times[len(times)/2]
	p90 := times[min(len(times)*9/10, len(times)-1)]
	b.ReportMetric(float64(median.Nanoseconds()), "ns/op")
	b.ReportMetric(float64(median.Microseconds())/1000, "ms/"+what)
	b.ReportMetric(float64(p90.Microseconds())/1000, "ms-p90/"+what)
}
