package e2e

import (
	"fmt"
	"os"
	"os/exec"
	"runtime"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// A child's peak resident memory, measured as its own (docs/performance.md).
//
// Not the finished process's rusage (ru_maxrss): Go starts children with
// vfork, so until exec the child shares the parent's memory, and exec
// stores the high-water mark of the memory it leaves, the parent's, as the
// child's (the kernel's exec_mmap → setmax_mm_hiwater_rss; golang/go#32054).
// A child's ru_maxrss is therefore never below the test process's own peak
// at the time it started it, whatever the child did. The child's own peak
// is VmHWM in /proc/PID/status, which belongs to its memory after exec.
// It is readable only while the child runs (a zombie has no memory left to
// report), so it is polled. A cgroup's memory.peak would be exact, but this
// machine's cgroup v2 tree has no memory controller to give a child one.

// peakPoll is how often the peak is read. VmHWM only grows, so all that can
// be missed is a rise in the last peakPoll of a process's life; one read
// costs tens of microseconds of CPU.
const peakPoll = 2 * time.Millisecond

// watchPeakRSS follows the process pid's own peak resident memory (VmHWM)
// until exited is closed, and returns a function that waits for that and
// gives the last reading, in bytes.
func watchPeakRSS(pid int, exited <-chan struct{}) func() int64 {
	var peak int64
	done := make(chan struct{})
	go func() {
		defer close(done)
		tick := time.NewTicker(peakPoll)
		defer tick.Stop()
		for {
			// 0 once the process has exited: its last reading stands.
			if b := procStatus(pid, "VmHWM"); b > 0 {
				peak = b
			}
			select {
			case <-exited:
				return
			case <-tick.C:
			}
		}
	}()
	return func() int64 {
		<-done
		return peak
	}
}

// runPeakRSS runs cmd to its end and returns the error of cmd.Wait and the
// child's own peak resident memory in bytes (watchPeakRSS).
func runPeakRSS(cmd *exec.Cmd) (int64, error) {
	if err := cmd.Start(); err != nil {
		return 0, err
	}
	exited := make(chan struct{})
	var err error
	go func() {
		err = cmd.Wait()
		close(exited)
	}()
	peak := watchPeakRSS(cmd.Process.Pid, exited)()
	return peak, err
}

// procStatus reads one "Vm…" line of /proc/PID/status in bytes.
func procStatus(pid int, field string) int64 {
	raw, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(raw), "\n") {
		if rest, ok := strings.CutPrefix(line, field+":"); ok {
			kb, _ := strconv.ParseInt(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(rest), "kB")), 10, 64)
			return kb * 1024
		}
	}
	return 0
}

// TestPeakRSSIsTheChildsOwn shows why the benchmarks poll VmHWM: this
// process touches a 256 MiB buffer, then runs a small child (sleep) that
// holds a few MiB. The child's ru_maxrss reports this process's peak; its
// polled VmHWM reports its own few MiB. A child that fills 64 MiB of its
// own (python3) is read at 64 MiB or more: the polling does not miss it.
func TestPeakRSSIsTheChildsOwn(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("VmHWM and exec's inherited high-water mark are Linux's")
	}
	const held = 256 << 20
	buf := make([]byte, held)
	for i := 0; i < len(buf); i += os.Getpagesize() {
		buf[i] = 1 // resident, not only reserved
	}
	if own := procStatus(os.Getpid(), "VmHWM"); own < held {
		t.Fatalf("this process's VmHWM is %d KiB after touching %d KiB", own>>10, held>>10)
	}

	// Long enough for several readings.
	cmd := exec.Command("sleep", "0.2")
	peak, err := runPeakRSS(cmd)
	if err != nil {
		t.Fatal(err)
	}
	runtime.KeepAlive(buf)
	ru, ok := cmd.ProcessState.SysUsage().(*syscall.Rusage)
	if !ok {
		t.Fatal("no rusage")
	}
	inherited := ru.Maxrss << 10 // kilobytes on Linux

	if peak <= 0 || peak >= 32<<20 {
		t.Fatalf("sleep's own peak read as %d KiB: want a few MiB", peak>>10)
	}
	if inherited < held {
		t.Fatalf("sleep's ru_maxrss is %d KiB, under this process's %d KiB buffer: this kernel no longer hands the parent's peak to a vforked child (the comment above is out of date)", inherited>>10, held>>10)
	}
	t.Logf("sleep 0.2 started from a process holding %d MiB: ru_maxrss %.1f MiB, own VmHWM %.1f MiB",
		held>>20, mib(inherited), mib(peak))

	const filled = 64 << 20
	big, err := runPeakRSS(exec.Command("python3", "-c",
		fmt.Sprintf("import time; b = b'x' * %d; time.sleep(0.2)", filled)))
	if err != nil {
		t.Fatal(err)
	}
	if big < filled || big > filled+64<<20 {
		t.Fatalf("a child holding %d KiB of its own read as %d KiB", filled>>10, big>>10)
	}
	t.Logf("python3 holding %d MiB of its own: own VmHWM %.1f MiB", filled>>20, mib(big))
}
