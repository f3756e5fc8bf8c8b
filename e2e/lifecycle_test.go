package e2e

import (
	"database/sql"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

func TestRotateSecretAndDisconnect(t *testing.T) {
	h := newHome(t)
	h.addZapier("rot")
	var before, after map[string]any
	mustJSON(t, h.ok("show", "rot", "--json").stdout, &before)
	r := h.ok("rotate-secret", "rot", "--generate", "--grace", "1h")
	if !strings.Contains(r.stdout, "wrsec_") || !strings.Contains(r.stdout, "keeps signing until") {
		t.Fatalf("rotate output:\n%s", r)
	}
	mustJSON(t, h.ok("show", "rot", "--json").stdout, &after)
	fp := func(m map[string]any) string { return m["signing"].(map[string]any)["fingerprint"].(string) }
	if fp(before) == fp(after) {
		t.Fatal("fingerprint did not change after rotation")
	}
	// Rotation without a source is refused with the secret code.
	if r := h.run("", nil, "rotate-secret", "rot"); r.code != 3 || !strings.Contains(r.stderr, "generic_webhook_secret_missing") {
		t.Fatalf("rotate without secret: %s", r)
	}
	if r := h.run("", nil, "rotate-secret", "nope", "--generate"); r.code != 2 || !strings.Contains(r.stderr, "generic_webhook_target_not_found") {
		t.Fatalf("rotate unknown: %s", r)
	}

	// Not on a terminal, disconnect needs --yes and changes nothing without it.
	dump := h.dump()
	r = h.run("", nil, "disconnect", "rot")
	if r.code != 2 || !strings.Contains(r.stdout, "Revoke path") || h.dump() != dump {
		t.Fatalf("disconnect without --yes: %s", r)
	}
	r = h.ok("disconnect", "rot", "--yes")
	if !strings.Contains(r.stdout, "Rotate or delete the receiver URL") {
		t.Fatalf("disconnect output lacks the checklist:\n%s", r)
	}
	var list []any
	mustJSON(t, h.ok("list", "--json").stdout, &list)
	if len(list) != 0 {
		t.Fatalf("target still listed: %v", list)
	}

	var audit []map[string]any
	mustJSON(t, h.ok("audit", "--json").stdout, &audit)
	actions := map[string]bool{}
	for _, e := range audit {
		actions[e["action"].(string)] = true
		if e["actor"] != testActor(t) {
			t.Fatalf("actor = %v", e["actor"])
		}
	}
	for _, a := range []string{"target.create", "secret.rotate", "target.disconnect"} {
		if !actions[a] {
			t.Errorf("audit lacks %s: %v", a, audit)
		}
	}
	// The SSH client address is part of the actor when present.
	h.run("", []string{"SSH_CLIENT=203.0.113.9 51000 22"}, "add", "--name", "ssh-one", "--provider", "webhook",
		"--url", "https://receiver.example.com/x", "--generate-secret", "--secret-out", filepath.Join(h.dir, "s2"),
		"--owner", "o", "--revoke-path", "p", "--confirm-receiver-checks", "--resolve", "receiver.example.com:443:93.184.216.34")
	if out := h.ok("audit", "--json").stdout; !strings.Contains(out, testActor(t)+" from 203.0.113.9") {
		t.Fatalf("audit lacks SSH client address:\n%s", out)
	}
}

func TestCheckURL(t *testing.T) {
	h := newHome(t)
	type verdict struct {
		URL       string   `json:"url"`
		Safe      bool     `json:"safe"`
		Code      string   `json:"code"`
		Reason    string   `json:"reason"`
		Host      string   `json:"host"`
		Addresses []string `json:"addresses"`
		Warnings  []string `json:"warnings"`
	}
	cases := []struct {
		args []string
		exit int
		safe bool
		code string
	}{
		{[]string{"https://hooks.zapier.com/hooks/catch/1/abcdefghij/", "--resolve", zapierResolve}, 0, true, ""},
		{[]string{"https://127.0.0.1/x"}, 3, false, "generic_webhook_url_unsafe"},
		{[]string{"https://2130706433/x"}, 3, false, "generic_webhook_url_unsafe"},
		{[]string{"https://n8n.internal/webhook/abc", "--resolve", "n8n.internal:443:10.20.1.5"}, 3, false, "generic_webhook_url_unsafe"},
		{[]string{"https://n8n.internal/webhook/abc", "--resolve", "n8n.internal:443:10.20.1.5", "--mode", "self-hosted",
			"--private-network-policy", "allowlist", "--allow", "10.20.0.0/16", "--authorized-by", "CAB-1"}, 0, true, ""},
		{[]string{"https://n8n.internal/webhook/abc", "--resolve", "n8n.internal:443:10.20.1.5", "--mode", "cloud",
			"--private-network-policy", "allowlist", "--allow", "10.20.0.0/16", "--authorized-by", "CAB-1"}, 3, false, "generic_webhook_private_network_invalid"},
	}
	for _, c := range cases {
		r := h.run("", nil, append(append([]string{"check-url"}, c.args...), "--json")...)
		if r.code != c.exit {
			t.Fatalf("%v: %s", c.args, r)
		}
		if c.code == "generic_webhook_private_network_invalid" {
			if !strings.Contains(r.stdout, c.code) {
				t.Fatalf("%v: %s", c.args, r)
			}
			continue
		}
		var keys map[string]any
		mustJSON(t, r.stdout, &keys)
		for _, k := range []string{"url", "safe", "code", "reason", "host", "addresses", "warnings"} {
			if _, ok := keys[k]; !ok {
				t.Errorf("%v: check-url --json has no %q: %s", c.args, k, r.stdout)
			}
		}
		var v verdict
		mustJSON(t, r.stdout, &v)
		if v.Host == "" {
			t.Errorf("%v: no host in %s", c.args, r.stdout)
		}
		if v.Safe != c.safe || v.Code != c.code || v.Addresses == nil || v.Warnings == nil {
			t.Fatalf("%v: %+v", c.args, v)
		}
		if !c.safe && v.Reason == "" {
			t.Fatalf("%v: refusal without reason", c.args)
		}
	}
	// Human form: the verdict, the address and the fix.
	r := h.run("", nil, "check-url", "https://n8n.internal/webhook/abc", "--resolve", "n8n.internal:443:10.20.1.5", "--mode", "self-hosted")
	if r.code != 3 || !strings.Contains(r.stdout, "needs private-network approval") || !strings.Contains(r.stdout, "10.20.1.5") || !strings.Contains(r.stdout, "fix:") {
		t.Fatalf("human check-url:\n%s", r)
	}
	if r := h.run("", nil, "check-url"); r.code != 2 {
		t.Fatalf("check-url without URL: %s", r)
	}
	if h.dump() != "no database" {
		t.Fatal("check-url created a database")
	}
}

// TestNoSecretInDatabaseFiles reads the raw database, WAL and shared-memory
// files after adds and a rotation and finds neither secret in the clear.
func TestNoSecretInDatabaseFiles(t *testing.T) {
	h := newHome(t)
	h.addZapier("one")
	second := "another-known-secret-value-0123456789-XYZ"
	sf := h.writeFile("second", second)
	h.ok("rotate-secret", "one", "--secret-file", sf)
	// Hold the database open in another connection so the WAL stays on disk.
	db, err := sql.Open("sqlite3", h.db)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	db.Exec(`SELECT count(*) FROM targets`)
	if scanned := h.scanStoreFiles(knownSecret, second, "tok3nabcdefgh"); scanned == 0 {
		t.Fatal("nothing scanned")
	}
	for _, p := range []string{h.db, filepath.Join(filepath.Dir(h.db), "master.key")} {
		fi, err := os.Stat(p)
		if err != nil || fi.Mode().Perm() != 0o600 {
			t.Fatalf("%s: %v %v", p, err, fi)
		}
	}
	if fi, _ := os.Stat(filepath.Dir(h.db)); fi.Mode().Perm() != 0o700 {
		t.Fatalf("data folder mode %v", fi.Mode())
	}
}

// TestKilledMidWriteLeavesNoHalfTarget starts many adds and kills each at
// a random moment; afterwards every target has its credential and the
// database passes integrity_check.
func TestKilledMidWriteLeavesNoHalfTarget(t *testing.T) {
	h := newHome(t)
	h.addZapier("seed")
	sf := h.writeFile("kill-secret", knownSecret)
	kills := 0
	for i := 0; i < 30; i++ {
		name := "kill-" + string(rune('a'+i%26)) + string(rune('a'+i/26))
		cmd := exec.Command(bin, "add", "--name", name, "--provider", "zapier_webhook", "--url", zapierURL,
			"--secret-file", sf, "--owner", "o", "--revoke-path", "p", "--confirm-receiver-checks", "--resolve", zapierResolve)
		cmd.Env = h.env
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		// The behaviour under test: the kill lands at a random moment.
		time.Sleep(time.Duration(rand.IntN(120)) * time.Millisecond)
		if cmd.Process.Signal(syscall.SIGKILL) == nil {
			kills++
		}
		cmd.Wait()
	}
	db, err := sql.Open("sqlite3", h.db)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var integrity string
	if err := db.QueryRow(`PRAGMA integrity_check`).Scan(&integrity); err != nil || integrity != "ok" {
		t.Fatalf("integrity_check: %v %q", err, integrity)
	}
	var orphans, targets int
	db.QueryRow(`SELECT count(*) FROM targets t WHERE NOT EXISTS (SELECT 1 FROM credentials c WHERE c.target_id = t.id AND c.expires_at IS NULL)`).Scan(&orphans)
	db.QueryRow(`SELECT count(*) FROM targets`).Scan(&targets)
	if orphans != 0 {
		t.Fatalf("%d targets without a current credential", orphans)
	}
	t.Logf("%d kills, %d targets survived whole", kills, targets)
	var status []map[string]any
	mustJSON(t, h.ok("status", "--json").stdout, &status)
	for _, s := range status {
		if s["ready"] != true {
			t.Fatalf("a surviving target is not ready: %v", s)
		}
	}
}

// TestRefusedAddLeavesNoSecretFile: when the store refuses a target (its
// name is taken), the generated secret's --secret-out file is removed again
// and never announced.
func TestRefusedAddLeavesNoSecretFile(t *testing.T) {
	h := newHome(t)
	h.addZapier("zap")
	out := filepath.Join(h.dir, "new.secret")
	r := h.run("", nil, "add", "--name", "zap", "--provider", "webhook", "--url", "https://receiver.example.com/x",
		"--generate-secret", "--secret-out", out, "--owner", "o", "--revoke-path", "p", "--confirm-receiver-checks",
		"--resolve", "receiver.example.com:443:93.184.216.34")
	if r.code != 3 || !strings.Contains(r.stderr, "generic_webhook_name_taken") || strings.Contains(r.stderr, "written to") {
		t.Fatalf("add of a taken name: %s", r)
	}
	if _, err := os.Stat(out); !os.IsNotExist(err) {
		t.Fatalf("--secret-out file left behind: %v", err)
	}
}
