//go:build linux

package ui

import (
	"testing"

	"golang.org/x/sys/unix"
)

// TestHardenProcess: after hardenProcess the process is not dumpable
// (prctl PR_GET_DUMPABLE) and may write no core file (RLIMIT_CORE 0).
// Run does it at the start of every command.
func TestHardenProcess(t *testing.T) {
	hardenProcess()
	d, err := unix.PrctlRetInt(unix.PR_GET_DUMPABLE, 0, 0, 0, 0)
	if err != nil || d != 0 {
		t.Errorf("PR_GET_DUMPABLE = %d (%v), want 0", d, err)
	}
	var lim unix.Rlimit
	if err := unix.Getrlimit(unix.RLIMIT_CORE, &lim); err != nil || lim.Cur != 0 || lim.Max != 0 {
		t.Errorf("RLIMIT_CORE = %+v (%v), want 0/0", lim, err)
	}
}
