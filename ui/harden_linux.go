//go:build linux

package ui

import "golang.org/x/sys/unix"

// hardenProcess keeps the secrets this process holds (signing secrets,
// webhook URLs, the store key) out of core dumps and away from other
// processes of the same user: no core file (RLIMIT_CORE 0) and not
// dumpable (PR_SET_DUMPABLE 0, which also stops ptrace attaches and makes
// /proc/PID/mem and environ root's). It runs once at the start of every
// command, since nearly all of them read a secret or a URL. Failures are
// ignored: the limits are a second line of defence, not a precondition.
func hardenProcess() {
	_ = unix.Setrlimit(unix.RLIMIT_CORE, &unix.Rlimit{Cur: 0, Max: 0})
	_ = unix.Prctl(unix.PR_SET_DUMPABLE, 0, 0, 0, 0)
}
