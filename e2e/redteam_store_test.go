package e2e

import (
	"crypto/sha256"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
)

// attackerUID is the second local account of the red-team tests: nobody,
// which every Debian system has.
const attackerUID = "65534"

// asAttacker runs a shell script as the other local account (setpriv
// drops to nobody); the test skips with the reason when it cannot.
func asAttacker(t *testing.T, dir, script string) {
	t.Helper()
	cmd := exec.Command("setpriv", "--reuid="+attackerUID, "--regid="+attackerUID, "--clear-groups", "sh", "-c", script)
	cmd.Dir = dir
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("the attacker's script failed: %v\n%s", err, out)
	}
}

// treeState records names, modes, owners and file contents under dir.
func treeState(t *testing.T, dir string) string {
	t.Helper()
	var b strings.Builder
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		fi, err := d.Info()
		if err != nil {
			return err
		}
		fmt.Fprintf(&b, "%s %v uid %d", p, fi.Mode(), fi.Sys().(*syscall.Stat_t).Uid)
		if fi.Mode().IsRegular() {
			data, _ := os.ReadFile(p)
			fmt.Fprintf(&b, " sha256 %x", sha256.Sum256(data))
		}
		b.WriteString("\n")
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return b.String()
}

// TestRedTeamPlantedStore reproduces finding 2 with two local accounts:
// another account plants master.key (0644, a key it knows) and an empty
// database in a world-writable data folder; the operator's add is refused
// with generic_webhook_store_unsafe naming the path and the fix, and
// nothing on disk changes. Once the folder is closed, the planted key
// itself is refused.
func TestRedTeamPlantedStore(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("needs root to act as a second local account (setpriv to nobody); run the e2e tests as root to check finding 2")
	}
	if _, err := exec.LookPath("setpriv"); err != nil {
		t.Skip("setpriv (util-linux) is not installed: cannot act as a second local account")
	}
	h := newHome(t)
	shared, err := os.MkdirTemp("", "webhook-shared-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(shared) })
	os.Chmod(shared, 0o755)
	data := filepath.Join(shared, "data")
	os.Mkdir(data, 0o777)
	os.Chmod(data, 0o777)
	const knownKey = "QUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUE=" // 32 bytes of 'A'
	asAttacker(t, data, "umask 022; printf '%s\\n' "+knownKey+" > master.key; : > webhook-setup.db")

	db := filepath.Join(data, "webhook-setup.db")
	env := []string{"WEBHOOK_SETUP_DB=" + db}
	sf := h.writeFile("secret", knownSecret+"\n")
	add := func() result {
		return h.run("", env, "add", "--name", "zap", "--provider", "zapier_webhook", "--mode", "cloud",
			"--url", zapierURL, "--secret-file", sf, "--owner", "ops@example.com",
			"--revoke-path", "Zapier > Zaps > Ticket intake", "--confirm-receiver-checks", "--resolve", zapierResolve)
	}

	before := treeState(t, shared)
	r := add()
	if r.code != 3 || !strings.Contains(r.stderr, "generic_webhook_store_unsafe") || !strings.Contains(r.stderr, data) ||
		!strings.Contains(r.stderr, "chmod 0700 "+data) {
		t.Fatalf("add in a world-writable data folder with a planted key: want exit 3, the code, the folder and its fix\n%s", r)
	}
	if after := treeState(t, shared); after != before {
		t.Fatalf("the refusal changed the disk:\n%s\nthen\n%s", before, after)
	}

	// The operator closes the folder but keeps the planted files: the key
	// (and then the database) of the other account are refused by owner.
	os.Chmod(data, 0o700)
	before = treeState(t, shared)
	r = add()
	if r.code != 3 || !strings.Contains(r.stderr, "generic_webhook_store_unsafe") || !strings.Contains(r.stderr, "belongs to another user") {
		t.Fatalf("add with a planted key in a closed folder: want exit 3 and the owner named\n%s", r)
	}
	if after := treeState(t, shared); after != before {
		t.Fatalf("the refusal changed the disk:\n%s\nthen\n%s", before, after)
	}
	for _, cmd := range [][]string{{"list"}, {"status"}, {"audit"}} {
		if r := h.run("", env, cmd...); r.code != 3 || !strings.Contains(r.stderr, "generic_webhook_store_unsafe") {
			t.Errorf("%v on the planted store: want the refusal\n%s", cmd, r)
		}
	}
	if after := treeState(t, shared); after != before {
		t.Fatalf("read-only commands changed the disk:\n%s\nthen\n%s", before, after)
	}
}
