package e2e

import (
	"bytes"
	"fmt"
	"io/fs"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"
)

// leakScan collects everything the hygiene tests read and fails on the
// first secret or URL token found where it has no business.
type leakScan struct {
	t       *testing.T
	secrets []string
	bytes   int64
	pieces  int
}

// check scans b (named what). allowToken: the operator asked for the full
// URL here (--reveal-url, export-config --url-files, test-send --out).
// allowSecret: a
// generated secret is being shown, this once.
func (s *leakScan) check(what string, b []byte, allowToken bool, allowSecret ...string) {
	s.t.Helper()
	s.bytes += int64(len(b))
	s.pieces++
	for _, sec := range s.secrets {
		allowed := false
		for _, a := range allowSecret {
			allowed = allowed || a == sec
		}
		if !allowed && bytes.Contains(b, []byte(sec)) {
			s.t.Fatalf("%s holds the secret %.10s…:\n%s", what, sec, clipped(b))
		}
	}
	if !allowToken && bytes.Contains(b, []byte(urlToken)) {
		s.t.Fatalf("%s holds the webhook URL token:\n%s", what, clipped(b))
	}
}

func clipped(b []byte) []byte {
	if len(b) > 4000 {
		return append(b[:4000:4000], "…"...)
	}
	return b
}

// run runs a command and scans both streams.
func (s *leakScan) run(h *home, allowToken bool, env []string, args ...string) result {
	s.t.Helper()
	r := h.run("", env, args...)
	s.check(strings.Join(args, " ")+" (stdout)", []byte(r.stdout), allowToken)
	s.check(strings.Join(args, " ")+" (stderr)", []byte(r.stderr), allowToken)
	return r
}

var generatedRE = regexp.MustCompile(`wrsec_[A-Za-z0-9_-]{43}`)

// generated runs a command that generates a secret and shows it once: the
// secret may appear there, and from then on nowhere else.
func (s *leakScan) generated(h *home, args ...string) string {
	s.t.Helper()
	r := h.ok(args...)
	sec := generatedRE.FindString(r.stdout)
	if sec == "" {
		s.t.Fatalf("%v showed no generated secret:\n%s", args, r)
	}
	s.secrets = append(s.secrets, sec)
	s.check(strings.Join(args, " "), []byte(r.stdout+r.stderr), false, sec)
	return sec
}

// TestReliabilitySecretHygiene runs every command with known secrets (a
// secret file, an environment variable, generated ones, rotations) in its
// human, --json and error forms, the reference receiver's log, a SIGQUIT
// goroutine dump, and then reads every file the tool wrote (the database,
// its WAL and shared memory, the key, bundles, config): no secret and no
// webhook URL token appears anywhere, except the URL where the operator
// asked for it (--reveal-url, the files of export-config --url-files,
// test-send --out) and a
// generated secret in the one output that hands it over. Files that hold
// anything sensitive are 0600 in 0700 folders, also after rotations.
func TestReliabilitySecretHygiene(t *testing.T) {
	h := newHome(t)
	s := &leakScan{t: t, secrets: []string{knownSecret}}
	// Hold the database open, so its WAL keeps every page ever written
	// for the scan at the end.
	h.addZapier("zap")
	db := h.openDB()
	db.Exec(`SELECT count(*) FROM targets`)

	envSecret := "env-provided-secret-0123456789abcdefghij-XYZ"
	rotated := "rotated-secret-value-0123456789abcdefghij-XYZ"
	s.secrets = append(s.secrets, envSecret, rotated)
	env := []string{"WS_SECRET=" + envSecret}
	add := func(name string, extra ...string) []string {
		return append([]string{"add", "--name", name, "--provider", "zapier_webhook", "--url", zapierURL,
			"--owner", "ops", "--revoke-path", "Zapier > Zaps", "--confirm-receiver-checks", "--resolve", zapierResolve}, extra...)
	}
	sf := filepath.Join(h.dir, "secret-zap")

	// Setting up, in every form.
	s.run(h, false, env, add("env-one", "--secret-env", "WS_SECRET")...)
	s.run(h, false, env, add("env-two", "--secret-env", "WS_SECRET", "--json")...)
	s.generated(h, add("gen-one", "--generate-secret")...)
	s.generated(h, add("gen-two", "--generate-secret", "--json")...)
	s.run(h, false, nil, add("gen-three", "--generate-secret", "--secret-out", filepath.Join(h.dir, "out-gen-three.secret"))...)
	s.secrets = append(s.secrets, strings.TrimSpace(readFile(t, filepath.Join(h.dir, "out-gen-three.secret"))))

	// Reading, in every form.
	for _, args := range [][]string{{"list"}, {"list", "--json"}, {"show", "zap"}, {"show", "zap", "--json"}, {"status"},
		{"status", "--json"}, {"audit"}, {"audit", "--json"}, {"codes"}, {"version"}, {"schema"},
		{"config", "show"}, {"config", "show", "--json"}, {"config", "path"},
		{"check-url", zapierURL, "--resolve", zapierResolve}, {"check-url", zapierURL, "--resolve", zapierResolve, "--json"},
		{"check-url", "https://hooks.zapier.com/hooks/catch/1/" + urlToken + "/?k=" + knownSecret}} {
		s.run(h, false, nil, args...)
	}
	s.run(h, true, nil, "show", "zap", "--reveal-url")
	s.run(h, true, nil, "show", "zap", "--json", "--reveal-url")
	// Targets as code: the file names where each URL comes from; only
	// --reveal-url puts the URLs in it, and --url-files in files of their own.
	s.run(h, false, nil, "export-config")
	s.run(h, true, nil, "export-config", "--reveal-url")
	cfgOut := filepath.Join(h.dir, "exported.toml")
	s.run(h, false, nil, "export-config", "--out", cfgOut)
	urlDir := filepath.Join(h.dir, "secrets")
	cfgURLs := filepath.Join(h.dir, "exported-with-urls.toml")
	s.run(h, false, nil, "export-config", "--out", cfgURLs, "--url-files", urlDir)
	s.run(h, false, nil, "config", "init")
	for _, p := range []string{"", "python", "node", "zapier", "make", "n8n", "go"} {
		args := []string{"recipe", "--target", "zap"}
		if p != "" {
			args = append(args, "--provider", p)
		}
		s.run(h, false, nil, args...)
	}

	// Signed requests, dry and real, and their verification.
	s.run(h, false, nil, "test-send", "zap", "--dry-run")
	s.run(h, false, nil, "test-send", "zap", "--dry-run", "--json")
	s.run(h, false, nil, "test-send", "zap", "--curl")
	s.run(h, true, nil, "test-send", "zap", "--dry-run", "--reveal-url")
	reqOut := filepath.Join(h.dir, "req.json")
	s.run(h, false, nil, "test-send", "zap", "--out", reqOut)
	s.run(h, false, nil, "verify", "--request", reqOut, "--target", "zap")
	s.run(h, false, nil, "verify", "--request", reqOut, "--secret-file", sf, "--json")
	wrong := h.writeFile("wrong.secret", "a-wrong-secret-0123456789abcdefghijklmnop\n")
	s.run(h, false, nil, "verify", "--request", reqOut, "--secret-file", wrong)
	s.run(h, false, nil, "verify", "--request", reqOut, "--secret-file", wrong, "--json")
	s.run(h, false, env, "test-send", "--url", zapierURL, "--secret-env", "WS_SECRET", "--dry-run")

	wr := newWire(t, nil)
	rejecting := newWire(t, func(_ int, _ string, w http.ResponseWriter, r *http.Request) bool {
		// A receiver that echoes what it got: headers and all.
		w.WriteHeader(http.StatusBadRequest)
		fmt.Fprintf(w, "%v", r.Header)
		return true
	})
	s.run(h, false, nil, "test-send", "zap", "--to", wr.url(), "--ca-file", wr.caFile)
	s.run(h, false, nil, "test-send", "zap", "--to", wr.url(), "--ca-file", wr.caFile, "--json")
	s.run(h, false, nil, "test-send", "zap", "--to", rejecting.url(), "--ca-file", rejecting.caFile)
	s.run(h, false, nil, "test-send", "zap", "--to", rejecting.url(), "--ca-file", rejecting.caFile, "--json")

	// The reference receiver's log, verifying with the stored secrets.
	cert := filepath.Join(h.dir, "receiver.pem")
	recv, base := h.startReceive("--target", "zap", "--self-signed", "--cert-out", cert)
	recvJSON, baseJSON := h.startReceive("--secret-file", sf, "--self-signed", "--cert-out", cert+"2", "--json")
	s.run(h, false, nil, "test-send", "zap", "--to", base+"/hooks/"+urlToken, "--ca-file", cert)
	s.run(h, false, nil, "test-send", "gen-one", "--to", base+"/x", "--ca-file", cert)
	s.run(h, false, nil, "test-send", "zap", "--to", baseJSON+"/x", "--ca-file", cert+"2")

	// Exports: delivered, failed into bundles, portable, drained, retried.
	tk := h.tickets("hyg.ndjson", 3)
	s.run(h, false, nil, "export", "zap", "--ticket", tk, "--to", wr.url(), "--ca-file", wr.caFile)
	s.run(h, false, nil, "export", "zap", "--ticket", tk, "--to", rejecting.url(), "--ca-file", rejecting.caFile, "--max-attempts", "1", "--json")
	s.run(h, false, nil, "export", "zap", "--ticket", tk, "--portable")
	s.run(h, false, nil, "export", "zap", "--ticket", tk, "--to", wr.url(), "--ca-file", wr.caFile, "--wait", "0")
	s.run(h, false, nil, "deliveries", "drain", "--to", wr.url(), "--ca-file", wr.caFile)
	var list []map[string]any
	mustJSON(t, s.run(h, false, nil, "deliveries", "--json").stdout, &list)
	s.run(h, false, nil, "deliveries")
	for _, d := range list {
		id := d["id"].(string)
		s.run(h, false, nil, "deliveries", "show", id)
		s.run(h, false, nil, "deliveries", "show", id, "--json")
		if d["status"] == "failed" {
			s.run(h, false, nil, "deliveries", "retry", id, "--to", wr.url(), "--ca-file", wr.caFile, "--max-attempts", "1")
		}
	}

	// Targets as code, with secrets and URLs from files and the environment.
	h.writeFile("secrets/zap.secret", knownSecret+"\n")
	applied := h.writeFile("apply.toml", fmt.Sprintf(`[[target]]
name = "as-code"
provider_key = "zapier_webhook"
webhook_url = %q
receiver_owner = "ops"
revoke_path = "Zapier"
receiver_checks_confirmed = true
[target.signing]
secret_env = "WS_SECRET"
`, zapierURL))
	urlEnv := append([]string{"WS_URL=" + zapierURL}, env...)
	fromEnv := h.writeFile("apply-env.toml", strings.Replace(strings.Replace(readFile(t, applied), "as-code", "as-code-env", 1),
		fmt.Sprintf("webhook_url = %q", zapierURL), `webhook_url_env = "WS_URL"`, 1))
	s.run(h, false, env, "apply", "-f", applied, "--resolve", zapierResolve, "--dry-run")
	s.run(h, false, env, "apply", "-f", applied, "--resolve", zapierResolve, "--json")
	s.run(h, false, urlEnv, "apply", "-f", fromEnv, "--resolve", zapierResolve)
	s.run(h, false, urlEnv, "apply", "-f", fromEnv, "--resolve", zapierResolve, "--json")
	s.run(h, false, nil, "apply", "-f", cfgOut, "--resolve", zapierResolve, "--dry-run")
	s.run(h, false, nil, "apply", "-f", cfgURLs, "--resolve", zapierResolve, "--dry-run")
	s.run(h, false, nil, "apply", "-f", cfgURLs, "--resolve", zapierResolve, "--dry-run", "--json")

	// Rotations, shown once or written to a file.
	rf := h.writeFile("rotated.secret", rotated+"\n")
	s.run(h, false, nil, "rotate-secret", "zap", "--secret-file", rf)
	s.run(h, false, nil, "rotate-secret", "zap", "--secret-file", rf, "--json")
	s.generated(h, "rotate-secret", "gen-one", "--generate")
	s.generated(h, "rotate-secret", "gen-two", "--generate", "--json")
	s.run(h, false, nil, "verify", "--request", reqOut, "--target", "zap")

	// Refusals that hold a secret in their input must not repeat it.
	literal := h.writeFile("literal.toml", fmt.Sprintf("[[target]]\nname = \"lit\"\nwebhook_url = %q\n[target.signing]\nsecret = %q\n", zapierURL, knownSecret))
	broken := h.writeFile("broken.toml", fmt.Sprintf("[[target]]\nname = \"lit\"\nsigning_secret = %q oops\n", knownSecret))
	// The secret pasted where the name of its source belongs.
	pasted := h.writeFile("pasted.toml", strings.Replace(readFile(t, applied), `secret_env = "WS_SECRET"`, fmt.Sprintf("secret_env = %q", envSecret), 1))
	pastedFile := h.writeFile("pasted-file.toml", strings.Replace(readFile(t, applied), `secret_env = "WS_SECRET"`, fmt.Sprintf("secret_file = %q", rotated), 1))
	// The URL pasted where the name of its variable or file belongs, a URL
	// file others may read, and an unsafe URL read from a file.
	pastedURLEnv := h.writeFile("pasted-url-env.toml", strings.Replace(readFile(t, fromEnv), `webhook_url_env = "WS_URL"`, fmt.Sprintf("webhook_url_env = %q", zapierURL), 1))
	pastedURLFile := h.writeFile("pasted-url-file.toml", strings.Replace(readFile(t, fromEnv), `webhook_url_env = "WS_URL"`, fmt.Sprintf("webhook_url_file = %q", zapierURL), 1))
	h.writeFile("open.url", zapierURL+"\n")
	if err := os.Chmod(filepath.Join(h.dir, "open.url"), 0o644); err != nil {
		t.Fatal(err)
	}
	openURL := h.writeFile("open-url.toml", strings.Replace(readFile(t, fromEnv), `webhook_url_env = "WS_URL"`, `webhook_url_file = "open.url"`, 1))
	h.writeFile("unsafe.url", "https://127.0.0.1/hooks/catch/1/"+urlToken+"/\n")
	unsafeURL := h.writeFile("unsafe-url.toml", strings.Replace(readFile(t, fromEnv), `webhook_url_env = "WS_URL"`, `webhook_url_file = "unsafe.url"`, 1))
	for _, args := range [][]string{
		{"apply", "-f", literal}, {"apply", "-f", literal, "--json"}, {"apply", "-f", broken}, {"apply", "-f", broken, "--json"},
		add("zap", "--secret-file", sf), add("new-one", "--url", "https://user:"+knownSecret+"@hooks.zapier.com/x", "--secret-file", sf),
		add("new-two", "--url", "https://127.0.0.1/hooks/catch/1/"+urlToken+"/", "--secret-file", sf, "--json"),
		{"check-url", "https://127.0.0.1/?token=" + knownSecret}, {"check-url", "https://127.0.0.1/hooks/catch/1/" + urlToken + "/", "--json"},
		{"show", "nope"}, {"rotate-secret", "zap", "--secret-file", wrong + "-missing"},
		add("new-three", "--secret-env", knownSecret), add("new-four", "--secret-file", knownSecret, "--json"),
		{"rotate-secret", "zap", "--secret-env", rotated}, {"receive", "--listen", "127.0.0.1:0", "--self-signed", "--secret-file", rotated},
		{"apply", "-f", pasted, "--resolve", zapierResolve}, {"apply", "-f", pastedFile, "--resolve", zapierResolve, "--json"},
		{"apply", "-f", pastedURLEnv, "--resolve", zapierResolve}, {"apply", "-f", pastedURLEnv, "--resolve", zapierResolve, "--json"},
		{"apply", "-f", pastedURLFile, "--resolve", zapierResolve}, {"apply", "-f", pastedURLFile, "--resolve", zapierResolve, "--json"},
		{"apply", "-f", openURL, "--resolve", zapierResolve}, {"apply", "-f", openURL, "--resolve", zapierResolve, "--json"},
		{"apply", "-f", unsafeURL}, {"apply", "-f", unsafeURL, "--json"},
		{"export-config", "--out", cfgURLs + ".again", "--url-files", urlDir},
		{"test-send", "--url", "https://127.0.0.1/" + urlToken, "--secret-file", sf},
	} {
		r := s.run(h, false, env, args...)
		if r.code == 0 {
			t.Fatalf("%v succeeded:\n%s", args, r)
		}
	}

	// Crash output: a goroutine dump (SIGQUIT) of processes that hold the
	// secrets in memory.
	for _, p := range []*proc{recv, recvJSON} {
		p.cmd.Process.Signal(syscall.SIGQUIT)
		p.wait(t, 20*time.Second)
		if !strings.Contains(p.stderr.String(), "goroutine ") {
			t.Fatalf("no goroutine dump:\n%s", p.stderr)
		}
		s.check("receive log (stdout)", []byte(p.stdout.String()), false)
		s.check("receive goroutine dump (stderr)", []byte(p.stderr.String()), false)
	}
	stall := make(chan struct{})
	stalled := newWire(t, func(_ int, _ string, _ http.ResponseWriter, r *http.Request) bool {
		close(stall)
		<-r.Context().Done()
		return true
	})
	exp := h.spawn([]string{"GOTRACEBACK=all"}, "export", "zap", "--ticket", h.tickets("one.ndjson", 1), "--to", stalled.url(), "--ca-file", stalled.caFile)
	select {
	case <-stall:
	case <-time.After(20 * time.Second):
		t.Fatalf("the export never reached the receiver:\n%s", exp.stderr)
	}
	exp.cmd.Process.Signal(syscall.SIGQUIT)
	exp.wait(t, 20*time.Second)
	s.check("export goroutine dump", []byte(exp.stdout.String()+exp.stderr.String()), false)

	s.run(h, false, nil, "disconnect", "env-two", "--yes")
	s.run(h, false, nil, "disconnect", "env-one", "--yes", "--json")

	// Every file the tool wrote. The inputs the test wrote itself, the
	// --secret-out file (its purpose) and the files the operator asked to
	// hold the full URL are exempt from what they are for.
	ownInputs := map[string]bool{}
	for _, n := range []string{"secret-zap", "wrong.secret", "rotated.secret", "out-gen-three.secret", "secrets/zap.secret",
		"literal.toml", "broken.toml", "apply.toml", "pasted.toml", "pasted-file.toml",
		"apply-env.toml", "pasted-url-env.toml", "pasted-url-file.toml", "open.url", "open-url.toml", "unsafe.url", "unsafe-url.toml"} {
		ownInputs[filepath.Join(h.dir, n)] = true
	}
	urlFiles := map[string]bool{reqOut: true}
	written, _ := filepath.Glob(filepath.Join(urlDir, "*.url"))
	if len(written) < 5 {
		t.Fatalf("export-config --url-files wrote %v", written)
	}
	for _, p := range written {
		urlFiles[p] = true
		wantMode(t, p, 0o600)
	}
	files := 0
	err := filepath.WalkDir(h.dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || ownInputs[p] {
			return err
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		files++
		s.check(p, b, urlFiles[p])
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	for _, suffix := range []string{"", "-wal", "-shm"} {
		if _, err := os.Stat(h.db + suffix); err != nil {
			t.Fatalf("%s was not scanned: %v", filepath.Base(h.db+suffix), err)
		}
	}

	// Modes: the store, the key and what holds secrets or the URL.
	data := filepath.Dir(h.db)
	wantMode(t, data, 0o700)
	for _, p := range []string{h.db, h.db + "-wal", h.db + "-shm", filepath.Join(data, "master.key"), reqOut, cfgOut, cfgURLs,
		filepath.Join(h.dir, "out-gen-three.secret")} {
		wantMode(t, p, 0o600)
	}
	bundles, _ := filepath.Glob(filepath.Join(data, "fallback", "*"))
	if len(bundles) == 0 {
		t.Fatal("no fallback bundle was written")
	}
	for _, b := range bundles {
		wantMode(t, b, 0o700)
		for _, f := range []string{"payload.json", "ticket.md", "README.txt"} {
			wantMode(t, filepath.Join(b, f), 0o600)
		}
	}
	figure(t, "%d outputs and %d files, %d bytes scanned for %d secrets and the URL token: 0 leaks",
		s.pieces-files, files, s.bytes, len(s.secrets))
}

// umaskRun runs the binary under umask 0 (through sh), as an operator with
// a careless profile would.
func (h *home) umaskRun(args ...string) result {
	h.t.Helper()
	cmd := exec.Command("/bin/sh", append([]string{"-c", `umask 000; exec "$0" "$@"`, bin}, args...)...)
	cmd.Env = h.env
	cmd.Dir = h.dir
	r, err := runCmd(cmd)
	if err != nil {
		h.t.Fatal(err)
	}
	return r
}

// TestReliabilityFileModes: under umask 0, for a database someone created
// with the wrong mode before the first migration, and for a key file
// restored with one, the folder is 0700 and the database, WAL, shared
// memory and key 0600, after adds, rotations and exports alike.
func TestReliabilityFileModes(t *testing.T) {
	check := func(t *testing.T, h *home) {
		t.Helper()
		db := h.openDB() // keep -wal and -shm on disk
		db.Exec(`SELECT 1 FROM targets`)
		wantMode(t, filepath.Dir(h.db), 0o700)
		for _, p := range []string{h.db, h.db + "-wal", h.db + "-shm", filepath.Join(filepath.Dir(h.db), "master.key")} {
			wantMode(t, p, 0o600)
		}
	}
	steps := func(t *testing.T, h *home) {
		sf := h.writeFile("s", knownSecret)
		for _, args := range [][]string{
			{"add", "--name", "m", "--provider", "zapier_webhook", "--url", zapierURL, "--secret-file", sf, "--owner", "o",
				"--revoke-path", "p", "--confirm-receiver-checks", "--resolve", zapierResolve},
			{"rotate-secret", "m", "--generate", "--secret-out", filepath.Join(h.dir, "rotated")},
			{"export", "m", "--ticket", h.tickets("t.ndjson", 1), "--portable"},
		} {
			if r := h.umaskRun(args...); r.code != 0 {
				t.Fatalf("%v: %s", args, r)
			}
			check(t, h)
		}
		wantMode(t, filepath.Join(h.dir, "rotated"), 0o600)
		bundles, _ := filepath.Glob(filepath.Join(filepath.Dir(h.db), "fallback", "*", "payload.json"))
		for _, b := range bundles {
			wantMode(t, b, 0o600)
			wantMode(t, filepath.Dir(b), 0o700)
		}
	}
	t.Run("umask 0", func(t *testing.T) {
		steps(t, newHome(t))
	})
	t.Run("database made before the first migration", func(t *testing.T) {
		h := newHome(t)
		// An empty database file (schema version 0) made by hand with the
		// usual umask: the first command migrates it and must close it.
		if err := os.MkdirAll(filepath.Dir(h.db), 0o700); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(h.db, nil, 0o644); err != nil {
			t.Fatal(err)
		}
		os.Chmod(h.db, 0o644)
		steps(t, h)
		// A key file restored from a backup with a loose mode.
		os.Chmod(filepath.Join(filepath.Dir(h.db), "master.key"), 0o644)
		if r := h.umaskRun("rotate-secret", "m", "--secret-file", filepath.Join(h.dir, "s")); r.code != 0 {
			t.Fatal(r)
		}
		check(t, h)
	})
}

// TestReliabilityManyRotations: rotating more often within one grace than
// a signature header may carry entries (16) leaves every secret valid, but
// deliveries still verify: the newest secrets sign. (Found by the long
// kill loop, whose applies rotate three targets each time.)
func TestReliabilityManyRotations(t *testing.T) {
	h := newHome(t)
	h.addZapier("zap")
	var newest string
	for i := range 20 {
		newest = fmt.Sprintf("rotation-%02d-secret-0123456789abcdefghij-XYZ", i)
		h.ok("rotate-secret", "zap", "--secret-file", h.writeFile(fmt.Sprintf("r%d.secret", i), newest))
	}
	out := filepath.Join(h.dir, "req.json")
	h.ok("test-send", "zap", "--out", out)
	h.ok("verify", "--request", out, "--target", "zap")
	h.ok("verify", "--request", out, "--secret-file", filepath.Join(h.dir, "r19.secret"))
	var req struct{ Headers map[string]string }
	mustJSON(t, readFile(t, out), &req)
	if n := len(strings.Fields(req.Headers["X-WebRiskOps-Signature"])); n != 16 {
		t.Fatalf("%d signature entries, want 16", n)
	}
}
