package e2e

import (
	"fmt"
	"os"
	"regexp"
	"testing"
)

// TestSecretHolderWritesNoCore: a running command that holds a secret
// (receive with --secret-file) has a core file size limit of 0, soft and
// hard, as /proc/PID/limits shows; it also made itself non-dumpable
// (checked in-process by ui's TestHardenProcess).
func TestSecretHolderWritesNoCore(t *testing.T) {
	h := newHome(t)
	sf := h.writeFile("secret", knownSecret+"\n")
	recv, _ := h.startReceive("--secret-file", sf)
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/limits", recv.cmd.Process.Pid))
	if err != nil {
		t.Skipf("no /proc limits to read: %v", err)
	}
	if !regexp.MustCompile(`(?m)^Max core file size\s+0\s+0\s`).Match(b) {
		t.Fatalf("receive may write a core file:\n%s", b)
	}
}
