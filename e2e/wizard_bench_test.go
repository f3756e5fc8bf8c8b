package e2e

import (
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
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
//   - keystroke: a key written → its change on the screen;
//   - home: the list of 10,000 saved targets against one;
//   - idle: memory and CPU at the home screen, and the binary's size.
//
// The same figures are taken for `gum input` (charmbracelet/gum v0.17.0,
// built from the module proxy), the reference the first frame must not
// exceed, and for the wizard built with -tags termquery, which keeps
// bubbletea's init query of the background colour, to show what that
// query costs. bench/run runs them in full; by hand:
//
//	BENCH_FULL=1 go test -run '^$' -bench Wizard -benchtime 20x ./e2e/
//
// The figures are in docs/performance.md.

// benchRTTs are the simulated round trips.
var benchRTTs = []time.Duration{0, 100 * time.Millisecond}

// benchBins holds the binaries the benchmarks build once.
var benchBins struct {
	once             sync.Once
	wizard, query    string
	gum, gumSkip     string
	wizardErr, qyErr error
	// bare is bench/bareloop, the export's yardstick as a process.
	bare    string
	bareErr error
}

// buildBenchBins builds the wizard without -race (the figures are for the
// binary people run), the termquery variant, gum, and bench/bareloop (the
// export's yardstick).
func buildBenchBins(b *testing.B) {
	benchBins.once.Do(func() {
		dir := filepath.Join(os.TempDir(), "webhook-setup-bench")
		_ = os.MkdirAll(dir, 0o755)
		benchBins.wizard = filepath.Join(dir, "webhook-setup")
		benchBins.wizardErr = goBuild("", "-o", benchBins.wizard, "github.com/webriskops/webhook-setup")
		benchBins.query = filepath.Join(dir, "webhook-setup-termquery")
		benchBins.qyErr = goBuild("", "-tags", "termquery", "-o", benchBins.query, "github.com/webriskops/webhook-setup")
		benchBins.bare = filepath.Join(dir, "bareloop")
		benchBins.bareErr = goBuild("", "-o", benchBins.bare, "github.com/webriskops/webhook-setup/bench/bareloop")
		benchBins.gum, benchBins.gumSkip = buildGum(dir)
	})
	if benchBins.wizardErr != nil {
		b.Fatalf("build the wizard: %v", benchBins.wizardErr)
	}
	if benchBins.bareErr != nil {
		b.Fatalf("build bench/bareloop: %v", benchBins.bareErr)
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
	if !benchFull() {
		return "", "gum v0.17.0 is built only for the full run (BENCH_FULL=1, bench/run); the smoke run skips the gum reference"
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
	// the input shows with "x" typed and with nothing typed (empty "": the
	// typed text is gone).
	ready        func(w *vterm)
	typed, empty string
}

// endpointPlaceholder is part of the endpoint step's placeholder for the
// first provider (generic_webhook), shown while the input is empty, with
// or without colour ("(e.g. …)" without).
const endpointPlaceholder = "https://receiver.example.com/webriskops"

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
			w.wait(endpointPlaceholder)
		},
		typed: "URL › x", empty: endpointPlaceholder,
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
		// The floor: the pseudo-terminal's own echo (cat in cooked mode),
		// what the harness and the kernel add to every keystroke.
		name:  "pty-echo",
		bin:   func() (string, string) { return "/bin/cat", "" },
		ready: func(*vterm) {},
		typed: "x", // empty: backspace erases it
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

// available returns the subjects that can run, with why the others are
// skipped; need selects subjects (nil: all).
func available(b *testing.B, need func(subject) bool) (out []subject, bins []string) {
	for _, s := range subjects {
		if need != nil && !need(s) {
			continue
		}
		bin, skip := s.bin()
		if skip != "" {
			b.Logf("%s skipped: %s", s.name, skip)
			continue
		}
		out, bins = append(out, s), append(bins, bin)
	}
	return out, bins
}

// BenchmarkWizardFirstFrame measures process start → first frame of every
// subject, interleaved run by run (wizard, termquery build, gum, in an
// order that rotates), so machine load hits them alike. ns/op is the
// wizard's median; x-gum is the wizard's median over gum's.
func BenchmarkWizardFirstFrame(b *testing.B) {
	buildBenchBins(b)
	for _, rtt := range benchRTTs {
		b.Run(fmt.Sprintf("rtt=%dms", rtt.Milliseconds()), func(b *testing.B) {
			subs, bins := available(b, func(s subject) bool { return s.first != "" })
			times := make([][]time.Duration, len(subs))
			queried := make([]bool, len(subs))
			for i := range b.N {
				for k := range subs {
					j := (i + k) % len(subs)
					w := startTerm(b, termOptions{bin: bins[j], args: subs[j].args, env: benchEnv(b), rtt: rtt})
					w.wait(subs[j].first)
					times[j] = append(times[j], time.Since(w.start))
					queried[j] = queried[j] || strings.Contains(w.output(), "\x1b]11;?")
					_ = w.cmd.Process.Kill()
					w.exit()
				}
			}
			reportSubjects(b, subs, times, "first-frame")
			for j, s := range subs {
				q := 0.0
				if queried[j] {
					q = 1
				}
				b.ReportMetric(q, "bg-query/"+s.name)
			}
		})
	}
}

// keyPhase is the range of the random pause before each key. Bubble Tea
// draws on a ticker (120 frames a second for the wizard, 60 for gum); a key
// sent right after the last redraw always waits a whole frame, one sent
// at a random moment waits half a frame on average, as a person's keys do.
// 50 ms is a whole number of frames at both rates, so every phase is
// equally likely.
const keyPhase = 50 * time.Millisecond

// BenchmarkWizardKeystroke measures a key written → its change on the
// screen, in a text input ("x", then backspace, in turn), for the wizard
// and gum side by side: both run at once and take keys in turn, each after
// a random pause (keyPhase). ns/op is the wizard's median.
func BenchmarkWizardKeystroke(b *testing.B) {
	buildBenchBins(b)
	for _, rtt := range benchRTTs {
		b.Run(fmt.Sprintf("rtt=%dms", rtt.Milliseconds()), func(b *testing.B) {
			subs, bins := available(b, func(s subject) bool { return s.ready != nil })
			terms := make([]*vterm, len(subs))
			for j, s := range subs {
				terms[j] = startTerm(b, termOptions{bin: bins[j], args: s.args, env: benchEnv(b), rtt: rtt})
				s.ready(terms[j])
			}
			rng := rand.New(rand.NewPCG(7, uint64(rtt)))
			times := make([][]time.Duration, len(subs))
			for i := range b.N {
				for j, s := range subs {
					// Pacing: each key lands at a random phase of the frame tick.
					time.Sleep(time.Duration(rng.Int64N(int64(keyPhase))))
					began := time.Now()
					switch {
					case i%2 == 0:
						terms[j].send("x")
						terms[j].wait(s.typed)
					case s.empty == "":
						terms[j].send(keyBS)
						terms[j].waitGone(s.typed)
					default:
						terms[j].send(keyBS)
						terms[j].wait(s.empty)
					}
					times[j] = append(times[j], time.Since(began))
				}
			}
			reportSubjects(b, subs, times, "keystroke")
			for _, w := range terms {
				_ = w.cmd.Process.Kill()
			}
			if profileDir() != "" && rtt == 0 {
				onceFor("keystroke").Do(func() { profileKeystrokes(b, 400) })
			}
		})
	}
}

// profileKeystrokes types n keys into the wizard built as bench/pprofrun,
// as the benchmark does, and leaves its CPU profile in profileDir() as
// wizard-keystroke-cpu.pprof.
func profileKeystrokes(b *testing.B, n int) {
	bin := buildProfiler(b)
	dir, _ := filepath.Abs(profileDir())
	if err := os.MkdirAll(dir, 0o755); err != nil {
		b.Fatal(err)
	}
	env := append(benchEnv(b), "BENCH_CPUPROFILE="+filepath.Join(dir, "wizard-keystroke-cpu.pprof"))
	w := startTerm(b, termOptions{bin: bin, env: env})
	subjects[0].ready(w)
	rng := rand.New(rand.NewPCG(11, 13))
	for i := range n {
		// Pacing: each key lands at a random phase of the frame tick.
		time.Sleep(time.Duration(rng.Int64N(int64(keyPhase))))
		if i%2 == 0 {
			w.send("x")
			w.wait(subjects[0].typed)
		} else {
			w.send(keyBS)
			w.wait(subjects[0].empty)
		}
	}
	w.send(keyCtrlC)
	w.exit()
	b.Logf("profiled %d keystrokes: %s", n, filepath.Join(dir, "wizard-keystroke-cpu.pprof"))
}

// reportSubjects sets ns/op to the first subject's (the wizard's) median,
// adds every subject's median and 90th percentile in milliseconds, and the
// wizard's median over gum's.
func reportSubjects(b *testing.B, subs []subject, times [][]time.Duration, what string) {
	var wizard, gum time.Duration
	for j, s := range subs {
		median, p90 := quantiles(times[j])
		b.ReportMetric(ms(median), "ms/"+what+"/"+s.name)
		b.ReportMetric(ms(p90), "ms-p90/"+what+"/"+s.name)
		switch s.name {
		case "wizard":
			wizard = median
			b.ReportMetric(float64(median.Nanoseconds()), "ns/op")
		case "gum-input":
			gum = median
		}
	}
	if wizard > 0 && gum > 0 {
		b.ReportMetric(float64(wizard)/float64(gum), "x-gum/"+what)
	}
}

// homeWait waits for the home screen's list: the count line and the first
// target's row.
func homeWait(w *vterm) { w.wait("Integration status", "saved target", "target-00000") }

// BenchmarkWizardHome measures the home screen with 10,000 saved targets
// against the same screen with one, interleaved: the first frame (the
// heading) and the list (the count and the first page of rows). The home
// screen reads one page (COUNT and LIMIT/OFFSET) and no secret. x-1target
// is the 10,000-target median over the one-target median.
func BenchmarkWizardHome(b *testing.B) {
	buildBenchBins(b)
	sizes := []int{1, sized(10000, 1000)}
	dbs := []string{targetsDB(b, sizes[0]), targetsDB(b, sizes[1])}
	first := make([][]time.Duration, 2)
	list := make([][]time.Duration, 2)
	b.ResetTimer()
	for i := range b.N {
		for k := range 2 {
			j := (i + k) % 2
			env := append(benchEnv(b), "WEBHOOK_SETUP_DB="+dbs[j])
			w := startTerm(b, termOptions{bin: benchBins.wizard, env: env})
			w.wait("Integration status")
			first[j] = append(first[j], time.Since(w.start))
			homeWait(w)
			list[j] = append(list[j], time.Since(w.start))
			_ = w.cmd.Process.Kill()
			w.exit()
		}
	}
	b.StopTimer()
	for j, n := range sizes {
		f, _ := quantiles(first[j])
		b.ReportMetric(ms(f), fmt.Sprintf("ms/first-frame/%d", n))
		m, p90 := quantiles(list[j])
		b.ReportMetric(ms(m), fmt.Sprintf("ms/list/%d", n))
		b.ReportMetric(ms(p90), fmt.Sprintf("ms-p90/list/%d", n))
	}
	m1, _ := quantiles(list[0])
	mn, _ := quantiles(list[1])
	b.ReportMetric(float64(mn.Nanoseconds()), "ns/op")
	b.ReportMetric(float64(mn)/float64(m1), "x-1target")
}

// BenchmarkWizardIdle measures the wizard idle at the home screen (10,000
// targets, smoke: 1,000): peak and current resident memory after a second
// of idling, the CPU it used while idle, and the size of the binary.
func BenchmarkWizardIdle(b *testing.B) {
	buildBenchBins(b)
	db := targetsDB(b, sized(10000, 1000))
	idle := time.Duration(sized(2000, 200)) * time.Millisecond
	var hwm, rss int64
	var cpu float64
	for range b.N {
		w := startTerm(b, termOptions{bin: benchBins.wizard, env: append(benchEnv(b), "WEBHOOK_SETUP_DB="+db)})
		homeWait(w)
		pid := w.cmd.Process.Pid
		t0 := cpuTicks(pid)
		// The behaviour measured: the wizard left idle this long.
		time.Sleep(idle)
		cpu = max(cpu, float64(cpuTicks(pid)-t0)/100/idle.Seconds()*100)
		hwm = max(hwm, procStatus(pid, "VmHWM"))
		rss = max(rss, procStatus(pid, "VmRSS"))
		_ = w.cmd.Process.Kill()
		w.exit()
	}
	fi, err := os.Stat(benchBins.wizard)
	if err != nil {
		b.Fatal(err)
	}
	b.ReportMetric(mib(hwm), "MiB-peak-rss")
	b.ReportMetric(mib(rss), "MiB-rss")
	b.ReportMetric(cpu, "cpu-%-idle")
	b.ReportMetric(mib(fi.Size()), "MiB-binary")
}
