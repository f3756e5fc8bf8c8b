//go:build !linux

package ui

// hardenProcess: core-dump and ptrace hardening is done on Linux only.
func hardenProcess() {}
