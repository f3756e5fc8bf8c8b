package recipes

import (
	"bufio"
	"bytes"
	"context"
	"encoding/hex"
	"fmt"
	"net/netip"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

// The node, python and go receivers read their listen address alike: the
// same forms bind the same address, checked on the socket the process
// really holds (its file descriptors matched against /proc/net/tcp and
// tcp6), not on what it prints; and the same bad forms exit 2 with the
// same message.
func TestReceiversReadListenAddressAlike(t *testing.T) {
	t.Parallel()
	if _, err := os.Stat("/proc/net/tcp"); err != nil {
		t.Skip("no /proc/net/tcp: the bound address cannot be read on this system")
	}
	dir := t.TempDir()
	receivers := map[string][]string{
		"node":   {lookTool(t, "node"), writeRecipe(t, dir, "node", "webriskops-receiver.js")},
		"python": {lookTool(t, "python3"), writeRecipe(t, dir, "python", "webriskops_receiver.py")},
		"go":     {buildGoReceiver(t, dir)},
	}
	env := []string{SecretEnv + "=" + newSecret(t), "WEBRISKOPS_TLS_CERT=", "WEBRISKOPS_TLS_KEY=", "WEBRISKOPS_LISTEN="}
	binds := []struct{ arg, want string }{
		{"0", "127.0.0.1"},
		{":0", "0.0.0.0"},
		{"127.0.0.1:0", "127.0.0.1"},
		{"[::1]:0", "::1"},
	}
	bad := []string{"abc", "70000", ":70000", "127.0.0.1:", "127.0.0.1:abc", "[]:80", "1.2.3.4:80:90", ""}
	const badMessage = "want PORT, :PORT, HOST:PORT or [IPv6]:PORT"
	for name, argv := range receivers {
		for _, b := range binds {
			pid := startListening(t, append(append([]string{}, argv...), b.arg), env)
			got := boundAddresses(t, pid)
			if len(got) != 1 || got[0].Addr().String() != b.want {
				t.Errorf("%s %q listens on %v, want exactly %s", name, b.arg, got, b.want)
			}
		}
		for _, arg := range bad {
			// A receiver that takes a bad address listens for ever: bound
			// the run, and count running on as accepting it.
			ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
			defer cancel()
			cmd := exec.CommandContext(ctx, argv[0], append(argv[1:], arg)...)
			if arg == "" {
				// An empty first argument is no argument: the address then
				// comes from the environment, which carries the bad value.
				cmd = exec.CommandContext(ctx, argv[0], argv[1:]...)
				arg = "x:y"
			}
			cmd.Env = append(append(os.Environ(), env...), "WEBRISKOPS_LISTEN="+arg)
			var stderr bytes.Buffer
			cmd.Stderr = &stderr
			err := cmd.Run()
			want := fmt.Sprintf("listen address %s: %s", strconv.Quote(arg), badMessage)
			if ee, ok := err.(*exec.ExitError); !ok || ee.ExitCode() != 2 || !strings.Contains(stderr.String(), want) {
				t.Errorf("%s %q: %v, stderr %q; want exit 2 and %q", name, arg, err, stderr.String(), want)
			}
		}
	}
}

// buildGoReceiver builds the go recipe outside this module, as the
// receiver test does.
func buildGoReceiver(t *testing.T, dir string) string {
	t.Helper()
	goTool := lookTool(t, "go")
	path := writeRecipe(t, dir, "go", "webriskops_receiver.go")
	bin := filepath.Join(dir, "webriskops-receiver")
	build := exec.Command(goTool, "build", "-o", bin, path)
	build.Dir = dir
	build.Env = append(os.Environ(), "GOWORK=off", "GOTOOLCHAIN=local", "GOFLAGS=-buildvcs=false")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build the recipe: %v\n%s", err, out)
	}
	return bin
}

// startListening starts argv and returns its pid once it says it listens;
// the process is killed when the test ends.
func startListening(t *testing.T, argv, env []string) int {
	t.Helper()
	cmd := exec.Command(argv[0], argv[1:]...)
	cmd.Env = append(os.Environ(), env...)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	ready := make(chan bool, 1)
	go func() {
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			if strings.HasPrefix(sc.Text(), "listening on ") {
				ready <- true
			}
		}
		ready <- false
	}()
	select {
	case ok := <-ready:
		if !ok {
			cmd.Wait()
			t.Fatalf("%v exited before listening: %s", argv, stderr.String())
		}
	case <-time.After(30 * time.Second):
		t.Fatalf("%v did not listen within 30 s", argv)
	}
	return cmd.Process.Pid
}

// boundAddresses returns the addresses pid's listening TCP sockets are bound
// to: the socket inodes of its file descriptors, looked up in /proc/net/tcp
// and /proc/net/tcp6 (state 0A is LISTEN).
func boundAddresses(t *testing.T, pid int) []netip.AddrPort {
	t.Helper()
	fds, err := os.ReadDir(fmt.Sprintf("/proc/%d/fd", pid))
	if err != nil {
		t.Fatal(err)
	}
	inodes := map[string]bool{}
	for _, fd := range fds {
		link, err := os.Readlink(fmt.Sprintf("/proc/%d/fd/%s", pid, fd.Name()))
		if inode, ok := strings.CutPrefix(link, "socket:["); err == nil && ok {
			inodes[strings.TrimSuffix(inode, "]")] = true
		}
	}
	var out []netip.AddrPort
	for _, table := range []string{"/proc/net/tcp", "/proc/net/tcp6"} {
		raw, err := os.ReadFile(table)
		if err != nil {
			continue
		}
		for _, line := range strings.Split(string(raw), "\n")[1:] {
			f := strings.Fields(line)
			if len(f) < 10 || f[3] != "0A" || !inodes[f[9]] {
				continue
			}
			out = append(out, parseProcAddr(t, f[1]))
		}
	}
	return out
}

// parseProcAddr reads /proc/net/tcp's "ADDR:PORT": the address in hex as
// the kernel stores it (32-bit words in host byte order, little-endian on
// the machines this runs on), the port in hex.
func parseProcAddr(t *testing.T, s string) netip.AddrPort {
	t.Helper()
	a, p, _ := strings.Cut(s, ":")
	raw, err := hex.DecodeString(a)
	port, perr := strconv.ParseUint(p, 16, 16)
	if err != nil || perr != nil || (len(raw) != 4 && len(raw) != 16) {
		t.Fatalf("unreadable /proc/net address %q", s)
	}
	for i := 0; i < len(raw); i += 4 {
		raw[i], raw[i+1], raw[i+2], raw[i+3] = raw[i+3], raw[i+2], raw[i+1], raw[i]
	}
	addr, _ := netip.AddrFromSlice(raw)
	return netip.AddrPortFrom(addr.Unmap(), uint16(port))
}
