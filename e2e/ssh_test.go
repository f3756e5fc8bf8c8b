package e2e

import (
	"bufio"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"io/fs"
	"net"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// The wizard over a real OpenSSH server, set up as the README's "Giving
// operators the wizard without a shell account (OpenSSH)" describes: a
// local account that owns the store, whose authorized key forces the
// binary with command="…",restrict,pty, and operators who connect with
// ssh -t. The test makes the account and the keys, runs Debian's sshd on
// 127.0.0.1 with its own configuration, and drives the ssh client in the
// pseudo-terminal harness of pty_test.go.

// openSSHTools are the programs the test runs; .ci/run installs
// openssh-server (sshd) when it is missing.
type openSSHTools struct{ sshd, ssh, keygen string }

// needOpenSSH finds sshd, ssh and ssh-keygen and checks the test runs as
// root (sshd switches to the account, useradd makes it). Elsewhere the test
// skips, saying why; under CI=true it fails, since .ci/run installs sshd
// and runs as root.
func needOpenSSH(t *testing.T) openSSHTools {
	t.Helper()
	look := func(name string) string {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
		// sbin is often not on a non-root PATH.
		if p := "/usr/sbin/" + name; isExecutable(p) {
			return p
		}
		return ""
	}
	tools := openSSHTools{sshd: look("sshd"), ssh: look("ssh"), keygen: look("ssh-keygen")}
	var missing []string
	for name, p := range map[string]string{"sshd (openssh-server)": tools.sshd, "ssh": tools.ssh, "ssh-keygen": tools.keygen,
		"useradd": look("useradd"), "userdel": look("userdel")} {
		if p == "" {
			missing = append(missing, name)
		}
	}
	sort.Strings(missing)
	reason := ""
	switch {
	case os.Geteuid() != 0:
		reason = "the test must run as root (it creates an account and runs sshd)"
	case len(missing) > 0:
		reason = "missing " + strings.Join(missing, ", ") + " (apt-get install openssh-server; bash .ci/run installs it)"
	}
	if reason != "" {
		if os.Getenv("CI") == "true" {
			t.Fatalf("OpenSSH test cannot run although CI=true: %s", reason)
		}
		t.Skip("OpenSSH test skipped: " + reason)
	}
	return tools
}

func isExecutable(p string) bool {
	fi, err := os.Stat(p)
	return err == nil && fi.Mode().IsRegular() && fi.Mode().Perm()&0o111 != 0
}

// sshAccount is a forced-command account served by a real sshd on
// 127.0.0.1.
type sshAccount struct {
	t          *testing.T
	tools      openSSHTools
	name       string
	uid, gid   int
	home       string // the account's home: owns the store
	bin        string // the binary under test, copied where the account may run it
	key        string // the operator's private key (the client side)
	clientHome string // HOME of the ssh client, so ~/.ssh of the test's user is not read
	port       int
}

// startSSHAccount creates the account and its authorized key, starts sshd
// and registers the cleanup: sshd stopped by its pid, the account's
// leftover processes ended by pid, the account and its home deleted.
func startSSHAccount(t *testing.T) *sshAccount {
	t.Helper()
	tools := needOpenSSH(t)
	dir := t.TempDir()
	a := &sshAccount{t: t, tools: tools, name: randomAccountName(t), clientHome: filepath.Join(dir, "client")}
	must(t, os.MkdirAll(a.clientHome, 0o700))

	hostKey := filepath.Join(dir, "host_ed25519")
	a.key = filepath.Join(a.clientHome, "id_ed25519")
	for _, k := range []string{hostKey, a.key} {
		mustRun(t, exec.Command(tools.keygen, "-q", "-t", "ed25519", "-N", "", "-C", "webhook-setup-e2e", "-f", k))
	}

	// -p '*': no password, but not locked ("!"), which sshd refuses
	// without PAM.
	mustRun(t, exec.Command("useradd", "--create-home", "--shell", "/bin/sh", "--password", "*", a.name))
	t.Cleanup(a.remove)
	u, err := user.Lookup(a.name)
	if err != nil {
		t.Fatal(err)
	}
	a.uid, _ = strconv.Atoi(u.Uid)
	a.gid, _ = strconv.Atoi(u.Gid)
	a.home = u.HomeDir

	// The binary lives in a folder only root may enter; the account gets
	// its own copy, owned by root like /usr/local/bin/webhook-setup.
	a.bin = filepath.Join(a.home, "webhook-setup")
	copyFile(t, bin, a.bin, 0o755)

	pub, err := os.ReadFile(a.key + ".pub")
	if err != nil {
		t.Fatal(err)
	}
	sshDir := filepath.Join(a.home, ".ssh")
	must(t, os.MkdirAll(sshDir, 0o700))
	authorized := filepath.Join(sshDir, "authorized_keys")
	line := fmt.Sprintf("command=%q,restrict,pty %s", a.bin, pub)
	must(t, os.WriteFile(authorized, []byte(line), 0o600))
	for _, p := range []string{sshDir, authorized} {
		must(t, os.Chown(p, a.uid, a.gid))
	}

	a.startSSHD(dir, hostKey)
	return a
}

// randomAccountName is wsssh, the pid and a random suffix: a name no
// earlier run left behind.
func randomAccountName(t *testing.T) string {
	b := make([]byte, 3)
	if _, err := rand.Read(b); err != nil {
		t.Fatal(err)
	}
	return fmt.Sprintf("wsssh%d%s", os.Getpid(), hex.EncodeToString(b))
}

// startSSHD runs sshd in the foreground on a free loopback port with a
// configuration of its own, and waits until it listens.
func (a *sshAccount) startSSHD(dir, hostKey string) {
	t := a.t
	// sshd's privilege separation needs this folder.
	must(t, os.MkdirAll("/run/sshd", 0o755))
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	a.port = l.Addr().(*net.TCPAddr).Port
	l.Close()
	config := filepath.Join(dir, "sshd_config")
	must(t, os.WriteFile(config, []byte(fmt.Sprintf(`# webhook-setup e2e: sshd on loopback for one test account
ListenAddress 127.0.0.1
Port %d
HostKey %s
PidFile %s
# the test's folders are temporary ones
StrictModes no
UsePAM no
PubkeyAuthentication yes
PasswordAuthentication no
KbdInteractiveAuthentication no
AuthorizedKeysFile .ssh/authorized_keys
AllowUsers %s
PermitRootLogin no
PrintMotd no
PrintLastLog no
AcceptEnv ACCESSIBLE NO_COLOR
`, a.port, hostKey, filepath.Join(dir, "sshd.pid"), a.name)), 0o600))

	log := &syncBuffer{}
	sshd := exec.Command(a.tools.sshd, "-D", "-e", "-f", config)
	sshd.Stdout, sshd.Stderr = log, log
	if err := sshd.Start(); err != nil {
		t.Fatal(err)
	}
	done := make(chan struct{})
	go func() { _ = sshd.Wait(); close(done) }()
	t.Cleanup(func() {
		_ = sshd.Process.Signal(syscall.SIGTERM)
		select {
		case <-done:
		case <-time.After(10 * time.Second):
			_ = sshd.Process.Kill()
			<-done
		}
		if t.Failed() {
			t.Logf("sshd log:\n%s", log)
		}
	})
	listening := fmt.Sprintf("Server listening on 127.0.0.1 port %d", a.port)
	waitFor(t, func() bool {
		select {
		case <-done:
			t.Fatalf("sshd exited:\n%s", log)
		default:
		}
		return strings.Contains(log.String(), listening)
	}, 20*time.Second, "sshd to listen on port ", a.port)
}

// sshArgs are the operator's ssh arguments; tty adds -t.
func (a *sshAccount) sshArgs(tty bool) []string {
	args := []string{
		"-F", "/dev/null", // no configuration of the machine's or the test user's
		"-p", strconv.Itoa(a.port), "-i", a.key,
		"-o", "IdentitiesOnly=yes", "-o", "BatchMode=yes",
		"-o", "StrictHostKeyChecking=no", "-o", "UserKnownHostsFile=/dev/null",
		"-o", "LogLevel=ERROR", "-o", "ConnectTimeout=10",
		"-o", "SendEnv=NO_COLOR",
	}
	if tty {
		args = append(args, "-t")
	}
	return append(args, a.name+"@127.0.0.1")
}

// clientEnv is the environment of the operator's ssh client.
func (a *sshAccount) clientEnv() []string {
	return []string{"HOME=" + a.clientHome, "PATH=" + os.Getenv("PATH"), "TERM=xterm-256color", "NO_COLOR=1"}
}

// connect runs ssh -t in an 80×24 pseudo-terminal: the wizard on the
// other side.
func (a *sshAccount) connect() *vterm {
	a.t.Helper()
	return startTerm(a.t, termOptions{bin: a.tools.ssh, args: a.sshArgs(true), env: a.clientEnv(), cols: 80, rows: 24})
}

// runAs runs the binary as the account, in its home (as a cron job or a
// shell of the account would), to read what the sessions stored.
func (a *sshAccount) runAs(args ...string) result {
	a.t.Helper()
	cmd := exec.Command(a.bin, args...)
	cmd.Dir = a.home
	cmd.Env = []string{"HOME=" + a.home, "USER=" + a.name, "PATH=/usr/bin:/bin", "GORACE=atexit_sleep_ms=0"}
	cmd.SysProcAttr = &syscall.SysProcAttr{Credential: &syscall.Credential{Uid: uint32(a.uid), Gid: uint32(a.gid)}}
	r, err := runCmd(cmd)
	if err != nil {
		a.t.Fatalf("%v as %s: %v", args, a.name, err)
	}
	if r.code != 0 {
		a.t.Fatalf("%v as %s: %s", args, a.name, r)
	}
	return r
}

// processes are the pids of the account's running processes.
func (a *sshAccount) processes() []int {
	entries, _ := os.ReadDir("/proc")
	var pids []int
	for _, e := range entries {
		pid, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		if uid, ok := realUID(pid); ok && uid == a.uid {
			pids = append(pids, pid)
		}
	}
	return pids
}

// realUID reads the real uid of pid from /proc/PID/status.
func realUID(pid int) (int, bool) {
	f, err := os.Open(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0, false
	}
	defer f.Close()
	s := bufio.NewScanner(f)
	for s.Scan() {
		if f := strings.Fields(s.Text()); len(f) > 1 && f[0] == "Uid:" {
			uid, err := strconv.Atoi(f[1])
			return uid, err == nil
		}
	}
	return 0, false
}

// waitSessionsEnded waits until no process of the account runs: the
// wizard of a dropped connection has had its hangup and exited.
func (a *sshAccount) waitSessionsEnded() {
	a.t.Helper()
	waitFor(a.t, func() bool { return len(a.processes()) == 0 }, 20*time.Second, "the account's sessions to end")
}

// remove ends what the account still runs (by pid) and deletes it with
// its home.
func (a *sshAccount) remove() {
	for _, pid := range a.processes() {
		_ = syscall.Kill(pid, syscall.SIGKILL)
	}
	deadline := time.Now().Add(10 * time.Second)
	for len(a.processes()) > 0 && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	// userdel warns (and exits non-zero) about a mail spool useradd never
	// made; the account and its home are what must go.
	out, err := exec.Command("userdel", "--remove", a.name).CombinedOutput()
	if _, lookErr := user.Lookup(a.name); lookErr == nil {
		a.t.Errorf("userdel %s: %v: %s", a.name, err, out)
	}
	if a.home != "" {
		if _, statErr := os.Stat(a.home); statErr == nil {
			a.t.Errorf("the home %s was not removed: %v: %s", a.home, err, out)
		}
	}
}

// storeState is every file under the account's data folder with its mode
// and content hash: two equal states mean nothing changed on disk.
func (a *sshAccount) storeState() string {
	a.t.Helper()
	root := filepath.Join(a.home, ".local", "share", "webhook-setup")
	var b strings.Builder
	err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		fi, err := d.Info()
		if err != nil {
			return err
		}
		sum := ""
		if fi.Mode().IsRegular() {
			f, err := os.Open(p)
			if err != nil {
				return err
			}
			h := sha256.New()
			_, err = io.Copy(h, f)
			f.Close()
			if err != nil {
				return err
			}
			sum = hex.EncodeToString(h.Sum(nil))
		}
		fmt.Fprintf(&b, "%s %v %d %s\n", p, fi.Mode(), fi.ModTime().UnixNano(), sum)
		return nil
	})
	if err != nil {
		a.t.Fatalf("the store of %s: %v", a.name, err)
	}
	return b.String()
}

func copyFile(t *testing.T, from, to string, mode os.FileMode) {
	t.Helper()
	b, err := os.ReadFile(from)
	if err != nil {
		t.Fatal(err)
	}
	must(t, os.WriteFile(to, b, mode))
	must(t, os.Chmod(to, mode))
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

func mustRun(t *testing.T, cmd *exec.Cmd) {
	t.Helper()
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("%v: %v: %s", cmd.Args, err, out)
	}
}

// TestWizardOverOpenSSH: through a real sshd and a forced-command account,
// an operator completes a setup over ssh -t; a connection dropped in the
// middle of a step leaves a draft the next connection resumes at that
// step; ssh without -t gets exit 2 and the guidance, and the store is left
// as it was. The audit events name the account and the client address.
func TestWizardOverOpenSSH(t *testing.T) {
	a := startSSHAccount(t)

	// A complete setup over ssh -t.
	w := a.connect()
	w.wait("Integration status", "No webhook targets yet", "n new target")
	t.Logf("first frame over ssh -t: %v after starting ssh", time.Since(w.start).Round(time.Millisecond))
	toSecretStep(w, 0, 0)
	w.send(paste("https://93.184.216.34/hook"))
	w.wait("✓ safe 93.184.216.34")
	w.send(keyEnter)
	w.wait("Signing secret", "Generate one (recommended)")
	w.send(keyEnter)
	w.wait("Shown once", "Press y once")
	w.send("y")
	tickChecks(w)
	ownerAndSave(w, "generic-93-184-216-34")
	w.send(keyEsc)
	w.wait("1 saved target", "generic-93-184-216-34")
	w.send("q")
	if code := w.exit(); code != 0 {
		t.Fatalf("ssh -t exit %d after q; screen:\n%s", code, w.screen())
	}
	if !w.restored() {
		t.Fatal("the terminal was not restored over ssh (alt screen or hidden cursor)")
	}
	a.waitSessionsEnded()
	if list := a.runAs("list", "--json").stdout; !strings.Contains(list, `"generic-93-184-216-34"`) {
		t.Fatalf("list --json after the ssh setup: %s", list)
	}

	// A dropped connection in the middle of the Signing secret step: the
	// client dies, sshd hangs up the wizard's terminal.
	w = a.connect()
	toSecretStep(w, 2, 0)
	w.send(paste("https://93.184.216.34/hooks/catch/123456/abcdefg/"))
	w.wait("✓ safe 93.184.216.34")
	w.send(keyEnter)
	w.wait("Signing secret", "Paste one")
	w.send(keyDown, keyEnter)
	w.wait("secret ›")
	w.send(paste(knownSecret[:20])) // half typed when the link drops
	must(t, w.cmd.Process.Signal(syscall.SIGKILL))
	dropped := time.Now()
	if code := w.exit(); code != 128+int(syscall.SIGKILL) {
		t.Fatalf("the killed ssh client exited %d", code)
	}
	a.waitSessionsEnded()
	t.Logf("the wizard of the dropped connection ended %v after the client was killed", time.Since(dropped).Round(time.Millisecond))

	w = a.connect()
	w.wait("Resume unfinished setup at Signing secret", "generic-93-184-216-34")
	w.send("c")
	w.wait("Step 4 of 7 · Signing secret")
	w.send(keyEsc)
	w.wait("Endpoint URL", "93.184.216.34/hooks/catch/123456/abcdefg/")
	w.send(keyEnter)
	pasteSecret(w, knownSecret)
	tickChecks(w)
	ownerAndSave(w, "zapier-93-184-216-34")
	w.send(keyEsc)
	w.wait("2 saved targets", "generic-93-184-216-34", "zapier-93-184-216-34")
	if strings.Contains(w.screen(), "Resume unfinished setup") {
		t.Fatalf("saving the resumed setup kept the draft; screen:\n%s", w.screen())
	}
	w.send("q")
	if code := w.exit(); code != 0 {
		t.Fatalf("ssh -t exit %d after q; screen:\n%s", code, w.screen())
	}
	a.waitSessionsEnded()

	var list []map[string]any
	mustJSON(t, a.runAs("list", "--json").stdout, &list)
	if len(list) != 2 {
		t.Fatalf("list --json = %v", list)
	}
	for _, tg := range list {
		if tg["ready"] != true {
			t.Fatalf("not ready: %v", tg)
		}
	}
	var audit []map[string]any
	mustJSON(t, a.runAs("audit", "--json").stdout, &audit)
	wantActor := fmt.Sprintf("%s (uid %d) from 127.0.0.1", a.name, a.uid)
	if len(audit) < 2 {
		t.Fatalf("audit --json = %v", audit)
	}
	for _, e := range audit {
		if e["actor"] != wantActor {
			t.Fatalf("audit actor %q, want %q (the account and the SSH client address): %v", e["actor"], wantActor, e)
		}
	}

	// ssh without -t: no terminal on the other side.
	before := a.storeState()
	cmd := exec.Command(a.tools.ssh, a.sshArgs(false)...)
	cmd.Env = a.clientEnv()
	r, err := runCmd(cmd)
	if err != nil {
		t.Fatal(err)
	}
	if r.code != 2 {
		t.Fatalf("ssh without -t: %s", r)
	}
	for _, want := range []string{"generic_webhook_no_terminal", "ssh -t", "webhook-setup add"} {
		if !strings.Contains(r.stderr, want) {
			t.Fatalf("ssh without -t: stderr lacks %q: %s", want, r)
		}
	}
	a.waitSessionsEnded()
	if after := a.storeState(); after != before {
		t.Fatalf("ssh without -t changed the store:\nbefore:\n%s\nafter:\n%s", before, after)
	}
}
