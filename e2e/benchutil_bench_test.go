package e2e

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/webriskops/webhook-setup/core"
	"github.com/webriskops/webhook-setup/store"
)

// Shared by the benchmarks of this package (docs/performance.md).
//
// Every benchmark runs at a quick smoke size unless BENCH_FULL is set, so
// `go test -run '^$' -bench . -benchtime=1x ./...` stays fast; bench/run
// sets BENCH_FULL=1 for the figures. Nothing here compares a time with a
// threshold: the budgets are judged in docs/performance.md, not by tests.

// benchFull reports whether the full benchmark sizes are wanted.
func benchFull() bool { return os.Getenv("BENCH_FULL") != "" }

// sized returns full when BENCH_FULL is set, otherwise smoke.
func sized(full, smoke int) int {
	if benchFull() {
		return full
	}
	return smoke
}

// benchSecret signs every bench target's deliveries.
const benchSecret = "wrsec_bench-secret-0123456789abcdefABCDEF0123456789"

// runBench runs the bench binary with env and returns its stdout, failing
// the benchmark on a non-zero exit.
func runBench(b testing.TB, env []string, args ...string) string {
	b.Helper()
	cmd := exec.Command(benchBins.wizard, args...)
	cmd.Env = env
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	if err := cmd.Run(); err != nil {
		b.Fatalf("%v: %v\nstdout:\n%s\nstderr:\n%s", args, err, clip(out.String()), clip(errb.String()))
	}
	return out.String()
}

func clip(s string) string {
	if len(s) > 2000 {
		return s[:2000] + "…"
	}
	return s
}

// timed runs the bench binary once and returns its wall time and its own
// peak RSS in bytes (runPeakRSS).
func timed(b testing.TB, env []string, args ...string) (time.Duration, int64) {
	b.Helper()
	return timedBin(b, benchBins.wizard, env, args...)
}

// timedBin is timed with another binary.
func timedBin(b testing.TB, bin string, env []string, args ...string) (time.Duration, int64) {
	b.Helper()
	cmd := exec.Command(bin, args...)
	cmd.Env = env
	var errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = nil, &errb // stdout to /dev/null: no pipe to drain
	start := time.Now()
	rss, err := runPeakRSS(cmd)
	if err != nil {
		b.Fatalf("%v: %v\n%s", args, err, clip(errb.String()))
	}
	return time.Since(start), rss
}

// cpuTicks is a process's user+system time in clock ticks (1/100 s).
func cpuTicks(pid int) int64 {
	raw, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0
	}
	// Fields after the command name, which ends with the last ')'.
	f := strings.Fields(string(raw[bytes.LastIndexByte(raw, ')')+1:]))
	if len(f) < 13 {
		return 0
	}
	u, _ := strconv.ParseInt(f[11], 10, 64)
	s, _ := strconv.ParseInt(f[12], 10, 64)
	return u + s
}

// median and p90 of times.
func quantiles(times []time.Duration) (median, p90 time.Duration) {
	s := slices.Clone(times)
	slices.Sort(s)
	return s[len(s)/2], s[min(len(s)*9/10, len(s)-1)]
}

// medianOf is the median of vs.
func medianOf(vs []float64) float64 {
	s := slices.Clone(vs)
	slices.Sort(s)
	return s[len(s)/2]
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }

func mib(bytes int64) float64 { return float64(bytes) / (1 << 20) }

// targetDBs caches databases of n targets, made once per test binary.
var targetDBs struct {
	sync.Mutex
	dirs map[int]string
}

// targetsDB returns the path of a database holding n complete targets
// (target-00000, …), with its key file beside it. It is written through
// the store package in one transaction, as apply -f would, and shared by
// the benchmarks: they only read it. The folder is remade by the next run.
func targetsDB(b testing.TB, n int) string {
	b.Helper()
	targetDBs.Lock()
	defer targetDBs.Unlock()
	if p, ok := targetDBs.dirs[n]; ok {
		return p
	}
	// One fixed folder per size, remade by each test binary: nothing
	// piles up in the temp folder.
	dir := filepath.Join(os.TempDir(), "webhook-setup-bench", fmt.Sprintf("targets-%d", n))
	if err := os.RemoveAll(dir); err != nil {
		b.Fatal(err)
	}
	path := filepath.Join(dir, "webhook-setup.db")
	s, err := store.Open(path, "")
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	ops := make([]store.Op, n)
	for i := range ops {
		name := fmt.Sprintf("target-%05d", i)
		ops[i] = store.Op{Kind: store.OpCreate, Secret: benchSecret, Target: core.Target{
			Name: name, ProviderKey: core.ProviderZapier, DeploymentMode: core.ModeCloud,
			BaseURL:       "https://hooks.zapier.com/hooks/catch/123456/" + name + "abcdef/",
			ReceiverOwner: "ops@example.com", RevokePath: "Zapier > Zaps > " + name,
			ReceiverChecksConfirmed: true, PrivateNetwork: core.PrivateNetwork{Policy: core.PolicyDeny},
		}}
	}
	if err := s.Apply(context.Background(), ops, "bench"); err != nil {
		b.Fatal(err)
	}
	if targetDBs.dirs == nil {
		targetDBs.dirs = map[int]string{}
	}
	targetDBs.dirs[n] = path
	return path
}

// profiler is bench/pprofrun, built once: webhook-setup that writes CPU
// and heap profiles when asked through its environment.
var profiler struct {
	once sync.Once
	bin  string
	err  error
}

// buildProfiler builds bench/pprofrun once and returns its path.
func buildProfiler(b testing.TB) string {
	b.Helper()
	profiler.once.Do(func() {
		profiler.bin = filepath.Join(os.TempDir(), "webhook-setup-bench", "pprofrun")
		profiler.err = goBuild("", "-o", profiler.bin, "github.com/webriskops/webhook-setup/bench/pprofrun")
	})
	if profiler.err != nil {
		b.Fatalf("build bench/pprofrun: %v", profiler.err)
	}
	return profiler.bin
}

// profileDir is where profiles go: BENCH_PROFILE_DIR, or "" for none.
func profileDir() string { return os.Getenv("BENCH_PROFILE_DIR") }

// profileOnce runs each named profile once per test binary, whatever b.N.
var profileOnce sync.Map // name → *sync.Once

func onceFor(name string) *sync.Once {
	o, _ := profileOnce.LoadOrStore(name, new(sync.Once))
	return o.(*sync.Once)
}

// profiled runs args once under bench/pprofrun, writing name-cpu.pprof and
// name-heap.pprof into profileDir().
func profiled(b testing.TB, name string, env []string, args ...string) {
	b.Helper()
	bin := buildProfiler(b)
	dir, _ := filepath.Abs(profileDir())
	if err := os.MkdirAll(dir, 0o755); err != nil {
		b.Fatal(err)
	}
	env = append(slices.Clone(env),
		"BENCH_CPUPROFILE="+filepath.Join(dir, name+"-cpu.pprof"),
		"BENCH_MEMPROFILE="+filepath.Join(dir, name+"-heap.pprof"))
	took, rss := timedBin(b, bin, env, args...)
	b.Logf("profiled %s: %v, peak RSS %.1f MiB, profiles in %s", name, took, mib(rss), dir)
}
