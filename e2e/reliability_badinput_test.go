package e2e

import (
	"context"
	"crypto/sha256"
	"encoding/json"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"
)

// badCase is one bad input to one command.
type badCase struct {
	args []string
	env  []string
	exit int
	code string
	// json: the command takes --json, so the refusal is also checked in
	// that form (on stdout).
	json bool
	// verdict: the refusal is the command's answer, printed on stdout as
	// "code:" and "fix:" fields (check-url), not an error on stderr.
	verdict bool
}

// files returns the path and SHA-256 of every file under dir except the
// database's own (compared by dump instead).
func (h *home) files() map[string][32]byte {
	h.t.Helper()
	out := map[string][32]byte{}
	filepath.WalkDir(h.dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || strings.HasPrefix(p, h.db) {
			return err
		}
		b, _ := os.ReadFile(p)
		out[p] = sha256.Sum256(b)
		return nil
	})
	return out
}

// runWithin runs the binary and fails the test if it takes longer than
// limit (a bad input must be answered at once, not hang or fill memory).
func (h *home) runWithin(limit time.Duration, env []string, args ...string) result {
	h.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), limit)
	defer cancel()
	cmd := exec.CommandContext(ctx, bin, args...)
	cmd.Env = append(append([]string{}, h.env...), env...)
	cmd.Dir = h.dir
	r, err := runCmd(cmd)
	if ctx.Err() != nil {
		h.t.Fatalf("%v did not answer within %s", args, limit)
	}
	if err != nil {
		h.t.Fatal(err)
	}
	return r
}

// TestReliabilityBadInputEveryCommand gives every command bad input:
// missing and extra arguments, unknown names and ids, malformed flags and
// values, unreadable, huge (/dev/zero) and malformed files, conflicting
// options. Each is answered at once with a non-zero exit, its code and a
// fix (on stderr, or as JSON on stdout with --json), and leaves the
// database and every other file exactly as they were.
func TestReliabilityBadInputEveryCommand(t *testing.T) {
	h := newHome(t)
	h.addZapier("zap")
	sf := filepath.Join(h.dir, "secret-zap")
	weak := h.writeFile("weak.secret", "short\n")
	wr := newWire(t, nil)
	tk := h.tickets("one.ndjson", 1)
	var queued exportJSON
	mustJSON(t, h.ok("export", "zap", "--ticket", tk, "--to", wr.url(), "--ca-file", wr.caFile, "--wait", "0", "--json").stdout, &queued)
	pending := item(t, queued.Deliveries, 0, "export --wait 0 deliveries").ID
	reqOut := filepath.Join(h.dir, "req.json")
	h.ok("test-send", "zap", "--out", reqOut)
	existing := h.writeFile("existing.txt", "keep me\n")
	badTickets := h.writeFile("bad.ndjson", `{"title":"B","description":"","severity":"urgent","kind":"finding","finding_id":"f2"}`+"\n")
	notJSON := h.writeFile("not.json", "{nope")
	notPEM := h.writeFile("not.pem", "not a certificate\n")
	syntax := h.writeFile("syntax.toml", "[[target]\nname = \n")
	literal := h.writeFile("literal.toml", "[[target]]\nname = \"lit\"\n[target.signing]\nsecret = \"hunter2hunter2hunter2hunter2hunter2\"\n")
	unknownKey := h.writeFile("unknown.toml", "[[target]]\nname = \"x\"\nbase_url = \"https://x.example/\"\n")
	empty := h.writeFile("empty.toml", "# nothing\n")
	unsafe := h.writeFile("unsafe.toml", fmt.Sprintf(`[[target]]
name = "unsafe"
provider_key = "webhook"
webhook_url = "https://127.0.0.1/hook"
receiver_owner = "o"
revoke_path = "p"
receiver_checks_confirmed = true
[target.signing]
secret_file = %q
`, sf))
	badConfig := h.writeFile("bad-config.toml", "[delivery]\nmax_attempts = \"eight\"\n")
	cfgInit := filepath.Join(h.dir, "config", "webhook-setup", "config.toml")
	h.ok("config", "init")

	const (
		usage    = "generic_webhook_usage"
		notFound = "generic_webhook_target_not_found"
		missing  = "generic_webhook_secret_missing"
		payload  = "WEBHOOK_PAYLOAD_INVALID"
		config   = "generic_webhook_config_invalid"
		unsafeC  = "generic_webhook_url_unsafe"
	)
	to := []string{"--to", wr.url(), "--ca-file", wr.caFile}
	cases := []badCase{
		{args: []string{"frobnicate"}, exit: 2, code: usage},
		{args: []string{"--bogus"}, exit: 2, code: usage},
		{args: []string{"list", "extra"}, exit: 2, code: usage, json: true},
		{args: []string{"list", "--bogus"}, exit: 2, code: usage, json: true},
		{args: []string{"list"}, env: []string{"WEBHOOK_SETUP_CONFIG=" + badConfig}, exit: 2, code: config, json: true},
		{args: []string{"show"}, exit: 2, code: usage, json: true},
		{args: []string{"show", "nope"}, exit: 2, code: notFound, json: true},
		{args: []string{"show", "zap", "zap"}, exit: 2, code: usage, json: true},
		{args: []string{"status", "extra"}, exit: 2, code: usage, json: true},
		{args: []string{"check-url"}, exit: 2, code: usage, json: true},
		{args: []string{"check-url", "https://a.example/", "https://b.example/"}, exit: 2, code: usage, json: true},
		{args: []string{"check-url", "https://a.example/", "--resolve", "a.example:443"}, exit: 2, code: usage, json: true},
		{args: []string{"check-url", "https://a.example/", "--resolve", "a.example:443:not-an-ip"}, exit: 2, code: usage, json: true},
		{args: []string{"check-url", "https://a.example/", "--mode", "on-prem"}, exit: 2, code: usage, json: true},
		{args: []string{"check-url", "https://a.example/", "--mode", "self-hosted", "--private-network-policy", "allowlist",
			"--allow", "127.0.0.0/8", "--authorized-by", "x"}, exit: 3, code: "generic_webhook_allowlist_invalid", json: true},
		{args: []string{"check-url", "http://a.example/"}, exit: 3, code: unsafeC, verdict: true},
		{args: []string{"test-send"}, exit: 2, code: usage, json: true},
		{args: []string{"test-send", "nope", "--dry-run"}, exit: 2, code: notFound, json: true},
		{args: []string{"test-send", "zap", "--url", zapierURL}, exit: 2, code: usage, json: true},
		{args: []string{"test-send", "zap", "--secret-file", sf}, exit: 2, code: usage, json: true},
		{args: []string{"test-send", "--url", zapierURL}, exit: 3, code: missing, json: true},
		{args: []string{"test-send", "--url", zapierURL, "--secret-file", weak}, exit: 3, code: "generic_webhook_secret_weak", json: true},
		{args: []string{"test-send", "--url", zapierURL, "--secret-file", sf, "--provider", "slack"}, exit: 2, code: usage, json: true},
		{args: []string{"test-send", "zap", "--to", "https://10.0.0.1/x", "--ca-file", wr.caFile}, exit: 3, code: unsafeC, json: true},
		{args: []string{"test-send", "zap", "--to", "http://127.0.0.1:9/x"}, exit: 2, code: usage, json: true},
		{args: []string{"test-send", "zap", "--ca-file", wr.caFile}, exit: 2, code: usage, json: true},
		{args: []string{"test-send", "zap", "--to", wr.url(), "--ca-file", h.dir + "/nope.pem"}, exit: 2, code: usage, json: true},
		{args: []string{"test-send", "zap", "--to", wr.url(), "--ca-file", notPEM}, exit: 2, code: usage, json: true},
		{args: []string{"test-send", "zap", "--to", wr.url(), "--ca-file", "/dev/zero"}, exit: 2, code: usage, json: true},
		{args: []string{"test-send", "zap", "--wait", "soon"}, exit: 2, code: usage, json: true},
		{args: []string{"test-send", "zap", "--out", existing}, exit: 2, code: usage, json: true},
		{args: []string{"add", "--name", "two", "--provider", "generic_webhook", "--url", "https://a.example/x", "--webhook-url", "https://b.example/x", "--generate-secret", "--owner", "o", "--revoke-path", "r", "--confirm-receiver-checks"}, exit: 2, code: usage, json: true},
		{args: []string{"export", "zap"}, exit: 2, code: usage, json: true},
		{args: []string{"export", "nope", "--ticket", tk}, exit: 2, code: notFound, json: true},
		{args: append([]string{"export", "zap", "--ticket", h.dir + "/nope.ndjson"}, to...), exit: 2, code: usage, json: true},
		{args: append([]string{"export", "zap", "--ticket", "/dev/zero"}, to...), exit: 2, code: payload, json: true},
		{args: append([]string{"export", "zap", "--ticket", notJSON}, to...), exit: 2, code: payload, json: true},
		{args: append([]string{"export", "zap", "--ticket", badTickets}, to...), exit: 2, code: payload, json: true},
		{args: append([]string{"export", "zap", "--ticket", tk, "--workers", "0"}, to...), exit: 2, code: usage, json: true},
		{args: append([]string{"export", "zap", "--ticket", tk, "--max-attempts", "0"}, to...), exit: 2, code: config, json: true},
		{args: append([]string{"export", "zap", "--ticket", tk, "--portable"}, to...), exit: 2, code: usage, json: true},
		{args: append([]string{"export", "zap", "--ticket", tk, "--idempotency-key", "two words"}, to...), exit: 2, code: usage, json: true},
		{args: []string{"export", "zap", "--ticket", tk, "--portable", "--idempotency-key", strings.Repeat("k", 129)}, exit: 2, code: usage, json: true},
		{args: append([]string{"export", "zap", "--ticket", tk}, to...), env: []string{"WEBHOOK_SETUP_WAIT=forever"}, exit: 2, code: config, json: true},
		{args: []string{"deliveries", "--status", "lost"}, exit: 2, code: usage, json: true},
		{args: []string{"deliveries", "show", "dlv_nope"}, exit: 2, code: usage, json: true},
		{args: []string{"deliveries", "show"}, exit: 2, code: usage, json: true},
		{args: append([]string{"deliveries", "retry", "dlv_nope"}, to...), exit: 2, code: usage, json: true},
		{args: append([]string{"deliveries", "retry", pending}, to...), exit: 2, code: usage, json: true},
		{args: append([]string{"deliveries", "drain", "--workers", "0"}, to...), exit: 2, code: usage, json: true},
		{args: []string{"deliveries", "drain", "--to", "http://127.0.0.1:9/x", "--ca-file", wr.caFile}, exit: 2, code: usage, json: true},
		{args: []string{"deliveries", "drain", "--to", "https://10.0.0.1/x"}, exit: 3, code: unsafeC, json: true},
		{args: []string{"receive", "--self-signed", "--secret-file", sf}, exit: 2, code: usage, json: true},
		{args: []string{"receive", "--listen", "0.0.0.0:0", "--self-signed", "--secret-file", sf}, exit: 2, code: usage, json: true},
		{args: []string{"receive", "--listen", "nowhere", "--self-signed", "--secret-file", sf}, exit: 2, code: usage, json: true},
		{args: []string{"receive", "--listen", "127.0.0.1:0", "--self-signed"}, exit: 2, code: usage, json: true},
		{args: []string{"receive", "--listen", "127.0.0.1:0", "--self-signed", "--secret-file", sf, "--target", "zap"}, exit: 2, code: usage, json: true},
		{args: []string{"receive", "--listen", "127.0.0.1:0", "--self-signed", "--target", "nope"}, exit: 2, code: notFound, json: true},
		{args: []string{"receive", "--listen", "127.0.0.1:0", "--self-signed", "--secret-file", h.dir + "/nope"}, exit: 3, code: missing, json: true},
		{args: []string{"receive", "--listen", "127.0.0.1:0", "--self-signed", "--secret-file", sf, "--tolerance", "0s"}, exit: 2, code: usage, json: true},
		{args: []string{"receive", "--listen", "127.0.0.1:0", "--secret-file", sf, "--tls-cert", notPEM, "--tls-key", notPEM}, exit: 2, code: usage, json: true},
		{args: []string{"receive", "--listen", "127.0.0.1:0", "--secret-file", sf, "--tls-cert", "/dev/zero", "--tls-key", "/dev/zero"}, exit: 2, code: usage, json: true},
		{args: []string{"receive", "--listen", "127.0.0.1:0", "--secret-file", sf, "--tls-cert", notPEM, "--tls-key", notPEM, "--cert-out", h.dir + "/c.pem"}, exit: 2, code: usage, json: true},
		{args: []string{"verify", "--secret-file", sf}, exit: 2, code: usage, json: true},
		{args: []string{"verify", "--request", h.dir + "/nope.json", "--secret-file", sf}, exit: 2, code: usage, json: true},
		{args: []string{"verify", "--request", "/dev/zero", "--secret-file", sf}, exit: 2, code: usage, json: true},
		{args: []string{"verify", "--request", notJSON, "--secret-file", sf}, exit: 2, code: usage, json: true},
		{args: []string{"verify", "--request", reqOut}, exit: 2, code: usage, json: true},
		{args: []string{"verify", "--request", reqOut, "--target", "nope"}, exit: 2, code: notFound, json: true},
		{args: []string{"verify", "--request", reqOut, "--secret-file", sf, "--now", "yesterday"}, exit: 2, code: usage, json: true},
		{args: []string{"recipe", "--provider", "cobol"}, exit: 2, code: usage},
		{args: []string{"recipe", "--target", "nope"}, exit: 2, code: notFound},
		{args: []string{"schema", "extra"}, exit: 2, code: usage},
		{args: []string{"codes", "extra"}, exit: 2, code: usage, json: true},
		{args: []string{"version", "extra"}, exit: 2, code: usage},
		{args: []string{"audit", "--limit", "lots"}, exit: 2, code: usage, json: true},
		{args: []string{"rotate-secret"}, exit: 2, code: usage, json: true},
		{args: []string{"rotate-secret", "nope", "--generate"}, exit: 2, code: notFound, json: true},
		{args: []string{"rotate-secret", "zap"}, exit: 3, code: missing, json: true},
		{args: []string{"rotate-secret", "zap", "--secret-file", weak}, exit: 3, code: "generic_webhook_secret_weak", json: true},
		{args: []string{"rotate-secret", "zap", "--secret-file", "/dev/zero"}, exit: 3, code: missing, json: true},
		{args: []string{"rotate-secret", "zap", "--generate", "--grace", "-1h"}, exit: 2, code: usage, json: true},
		{args: []string{"rotate-secret", "zap", "--generate", "--grace", "800h"}, exit: 2, code: usage, json: true},
		{args: []string{"rotate-secret", "zap", "--generate", "--secret-out", existing}, exit: 2, code: usage, json: true},
		{args: []string{"rotate-secret", "zap", "--generate", "--secret-out", existing + "/new.secret"}, exit: 2, code: usage, json: true},
		{args: []string{"add", "--name", "x", "--provider", "webhook", "--url", "https://93.184.216.34/", "--generate-secret",
			"--secret-out", existing + "/new.secret", "--owner", "o", "--revoke-path", "p", "--confirm-receiver-checks"}, exit: 2, code: usage, json: true},
		{args: []string{"rotate-secret", "zap", "--generate", "--secret-file", sf}, exit: 2, code: usage, json: true},
		{args: []string{"disconnect"}, exit: 2, code: usage, json: true},
		{args: []string{"disconnect", "nope", "--yes"}, exit: 2, code: notFound, json: true},
		{args: []string{"disconnect", "zap"}, exit: 2, code: usage, json: true},
		{args: []string{"apply"}, exit: 2, code: usage, json: true},
		{args: []string{"apply", "-f", h.dir + "/nope.toml"}, exit: 2, code: config, json: true},
		{args: []string{"apply", "-f", "/dev/zero"}, exit: 2, code: config, json: true},
		{args: []string{"apply", "-f", syntax}, exit: 2, code: config, json: true},
		{args: []string{"apply", "-f", literal}, exit: 2, code: config, json: true},
		{args: []string{"apply", "-f", unknownKey}, exit: 2, code: config, json: true},
		{args: []string{"apply", "-f", empty, "--prune"}, exit: 2, code: usage, json: true},
		{args: []string{"apply", "-f", unsafe}, exit: 3, code: unsafeC, json: true},
		{args: []string{"export-config", "--out", existing}, exit: 2, code: usage},
		{args: []string{"export-config", "--out", existing + "/x.toml"}, exit: 2, code: usage},
		{args: []string{"export-config", "extra"}, exit: 2, code: usage},
		{args: []string{"export-config", "--url-files", h.dir + "/urls"}, exit: 2, code: usage},
		{args: []string{"export-config", "--out", h.dir + "/new.toml", "--url-files", h.dir + "/urls", "--reveal-url"}, exit: 2, code: usage},
		{args: []string{"export-config", "--out", h.dir + "/new.toml", "--url-files", existing}, exit: 2, code: usage},
		{args: []string{"config", "bogus"}, exit: 2, code: usage},
		{args: []string{"deliveries", "bogus"}, exit: 2, code: usage, json: true},
		{args: []string{"config", "show", "--bogus"}, exit: 2, code: usage, json: true},
		{args: []string{"config", "init"}, exit: 2, code: usage},
		{args: []string{"config", "show", "--config", badConfig}, exit: 2, code: config, json: true},
		{args: []string{"config", "show", "--config", "/dev/zero"}, exit: 2, code: config, json: true},
		{args: []string{"add", "--name", "x", "--provider", "webhook", "--url", "https://a.example/", "--secret-file", "/dev/zero",
			"--owner", "o", "--revoke-path", "p", "--confirm-receiver-checks"}, exit: 3, code: missing, json: true},
	}

	before, beforeFiles := h.dump(), h.files()
	commands := map[string]bool{}
	for _, c := range cases {
		name := strings.Join(c.args, " ")
		t.Run(name, func(t *testing.T) {
			h := *h
			h.t = t
			commands[c.args[0]] = true
			r := h.runWithin(20*time.Second, c.env, c.args...)
			if r.code != c.exit {
				t.Fatalf("exit %d, want %d\n%s", r.code, c.exit, r)
			}
			stream := r.stderr
			if c.verdict {
				stream = r.stdout
				if !strings.Contains(stream, c.code) || !strings.Contains(stream, "fix:") {
					t.Fatalf("no code %s and fix:\n%s", c.code, r)
				}
			} else if !strings.Contains(stream, "error: "+c.code+": ") || !strings.Contains(stream, "\nfix: ") {
				t.Fatalf("stderr lacks error: %s and fix:\n%s", c.code, r)
			}
			if c.json {
				r := h.runWithin(20*time.Second, c.env, append(c.args, "--json")...)
				var e struct {
					Error struct{ Code, Reason, Fix string }
				}
				if err := json.Unmarshal([]byte(r.stdout), &e); err != nil || e.Error.Code != c.code || e.Error.Fix == "" || r.code != c.exit {
					t.Fatalf("--json: %v\n%s", err, r)
				}
			}
			if after := h.dump(); after != before {
				t.Fatalf("the database changed:\nbefore %s\nafter %s", before, after)
			}
			if afterFiles := h.files(); !sameFiles(beforeFiles, afterFiles) {
				t.Fatalf("files changed: %s", diffFiles(beforeFiles, afterFiles))
			}
		})
	}
	if _, err := os.Stat(cfgInit); err != nil {
		t.Fatal(err)
	}
	figure(t, "%d bad inputs to %d commands: each a non-zero exit, its code and a fix, nothing changed on disk", len(cases), len(commands))
}

func sameFiles(a, b map[string][32]byte) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if b[k] != v {
			return false
		}
	}
	return true
}

func diffFiles(a, b map[string][32]byte) string {
	var out []string
	for k, v := range b {
		if w, ok := a[k]; !ok {
			out = append(out, "new "+k)
		} else if w != v {
			out = append(out, "changed "+k)
		}
	}
	for k := range a {
		if _, ok := b[k]; !ok {
			out = append(out, "removed "+k)
		}
	}
	sort.Strings(out)
	return strings.Join(out, ", ")
}
