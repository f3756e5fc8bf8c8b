// Command pprofrun is webhook-setup with profiling: it runs the same
// commands (ui.Run) and writes a CPU profile to $BENCH_CPUPROFILE and a
// heap profile to $BENCH_MEMPROFILE when they are set, and an execution
// trace (where goroutines wait: go tool trace) to $BENCH_TRACE. bench/run and the
// e2e benchmarks use it to profile the slowest paths
// (docs/performance.md); it is never installed.
package main

import (
	"fmt"
	"os"
	"runtime"
	"runtime/pprof"
	"runtime/trace"

	"github.com/webriskops/webhook-setup/ui"
)

func main() {
	os.Exit(run())
}

func run() int {
	if path := os.Getenv("BENCH_CPUPROFILE"); path != "" {
		f, err := os.Create(path)
		if err != nil {
			fmt.Fprintln(os.Stderr, "pprofrun:", err)
			return 1
		}
		defer f.Close()
		if err := pprof.StartCPUProfile(f); err != nil {
			fmt.Fprintln(os.Stderr, "pprofrun:", err)
			return 1
		}
		defer pprof.StopCPUProfile()
	}
	if path := os.Getenv("BENCH_TRACE"); path != "" {
		f, err := os.Create(path)
		if err != nil {
			fmt.Fprintln(os.Stderr, "pprofrun:", err)
			return 1
		}
		defer f.Close()
		if err := trace.Start(f); err != nil {
			fmt.Fprintln(os.Stderr, "pprofrun:", err)
			return 1
		}
		defer trace.Stop()
	}
	code := ui.Run(ui.NewApp("pprofrun"), os.Args[1:])
	if path := os.Getenv("BENCH_MEMPROFILE"); path != "" {
		runtime.GC()
		if f, err := os.Create(path); err == nil {
			_ = pprof.WriteHeapProfile(f)
			f.Close()
		}
	}
	return code
}
