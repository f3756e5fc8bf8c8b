package e2e

import (
	"bytes"
	"database/sql"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// The reliability tests (docs/reliability.md) run short in CI and long with
// RELIABILITY_LONG=1 (.ci/reliability-long). RELIABILITY_SEED fixes their
// random choices; RELIABILITY_REPORT names a file their figures are
// appended to.

// longMode reports whether the long reliability run was asked for.
func longMode() bool { return os.Getenv("RELIABILITY_LONG") == "1" }

// scale is short in CI and long in the long run.
func scale(short, long int) int {
	if longMode() {
		return long
	}
	return short
}

// newRand returns the test's random source, seeded from RELIABILITY_SEED
// or the clock, and logs the seed so a failure can be replayed.
func newRand(t *testing.T) *rand.Rand {
	t.Helper()
	seed := uint64(time.Now().UnixNano())
	if s := os.Getenv("RELIABILITY_SEED"); s != "" {
		if n, err := strconv.ParseUint(s, 10, 64); err == nil {
			seed = n
		}
	}
	t.Logf("RELIABILITY_SEED=%d", seed)
	return rand.New(rand.NewPCG(seed, seed>>1|1))
}

// killed is the outcome of startKill: whether SIGKILL ended the process
// (false: it finished first) and its output so far.
type killed struct {
	args           []string
	killed         bool
	code           int
	stdout, stderr string
}

// startKill starts the binary with args, sends SIGKILL after delay unless
// it ended first, and waits for it.
func (h *home) startKill(extraEnv []string, delay time.Duration, args ...string) killed {
	h.t.Helper()
	cmd := exec.Command(bin, args...)
	cmd.Env = append(append([]string{}, h.env...), extraEnv...)
	cmd.Dir = h.dir
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	if err := cmd.Start(); err != nil {
		h.t.Fatal(err)
	}
	done := make(chan struct{})
	go func() {
		select {
		case <-time.After(delay):
			_ = cmd.Process.Signal(syscall.SIGKILL)
		case <-done:
		}
	}()
	_ = cmd.Wait()
	close(done)
	k := killed{args: args, stdout: out.String(), stderr: errb.String(), code: cmd.ProcessState.ExitCode()}
	if ws, ok := cmd.ProcessState.Sys().(syscall.WaitStatus); ok && ws.Signaled() && ws.Signal() == syscall.SIGKILL {
		k.killed = true
	}
	return k
}

// storeInvariants checks what must hold of h's store after any sequence of
// commands, killed or concurrent: the file is intact, every target has
// exactly one current credential, a create event, and a version that
// counts its recorded changes (one for the fields an event names as
// changed, one for a rotation it names: so no change was written without
// its audit event, or half), and every delivery is pending, delivered or failed or
// blocked with a fallback bundle whose payload.json is its body. delivered,
// when not nil, says whether a receiver processed a key: every delivered
// row must have been. It returns the number of deliveries checked.
func (h *home) storeInvariants(db *sql.DB, delivered func(key string) bool) int {
	t := h.t
	t.Helper()
	var integrity string
	if err := db.QueryRow(`PRAGMA integrity_check`).Scan(&integrity); err != nil || integrity != "ok" {
		t.Fatalf("integrity_check: %v %q", err, integrity)
	}
	var fk int
	if err := db.QueryRow(`SELECT count(*) FROM pragma_foreign_key_check`).Scan(&fk); err != nil || fk != 0 {
		t.Fatalf("foreign_key_check: %v, %d violations", err, fk)
	}
	rows, err := db.Query(`SELECT t.name, t.version,
		(SELECT count(*) FROM credentials c WHERE c.target_id = t.id AND c.expires_at IS NULL),
		(SELECT count(*) FROM audit_events a WHERE a.target = t.name AND a.action = 'target.create'),
		(SELECT coalesce(sum(CASE a.action WHEN 'secret.rotate' THEN 1
			ELSE (a.detail LIKE 'changed %') + (a.detail LIKE '%secret rotated%') END), 0)
			FROM audit_events a WHERE a.target = t.name AND a.action IN ('target.update', 'secret.rotate'))
		FROM targets t`)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var name string
		var version, current, created, changes int
		if err := rows.Scan(&name, &version, &current, &created, &changes); err != nil {
			t.Fatal(err)
		}
		if current != 1 {
			t.Fatalf("target %s has %d current credentials", name, current)
		}
		if created != 1 {
			t.Fatalf("target %s has %d create events", name, created)
		}
		if version != 1+changes {
			t.Fatalf("target %s is at version %d after %d recorded changes: a change was written without its event, or the other way round", name, version, changes)
		}
	}
	rows.Close()

	rows, err = db.Query(`SELECT id, idempotency_key, status, attempts, max_attempts, fallback_path,
		(SELECT body FROM delivery_bodies b WHERE b.delivery_id = d.id),
		(SELECT count(*) FROM delivery_attempts a WHERE a.delivery_id = d.id) FROM deliveries d`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	n := 0
	for rows.Next() {
		var id, key, status, fallback string
		var attempts, maxAttempts, recorded int
		var body []byte
		if err := rows.Scan(&id, &key, &status, &attempts, &maxAttempts, &fallback, &body, &recorded); err != nil {
			t.Fatal(err)
		}
		n++
		if body == nil {
			t.Fatalf("delivery %s has no body in delivery_bodies", id)
		}
		if attempts != recorded || attempts > maxAttempts {
			t.Fatalf("delivery %s: %d attempts, %d recorded, at most %d allowed", id, attempts, recorded, maxAttempts)
		}
		switch status {
		case "pending":
		case "delivered":
			if delivered != nil && !delivered(key) {
				t.Fatalf("delivery %s (%s) is delivered, but the receiver never processed it", id, key)
			}
		case "failed", "blocked":
			if fallback == "" {
				t.Fatalf("delivery %s is %s without a fallback bundle", id, status)
			}
			got, err := os.ReadFile(filepath.Join(fallback, "payload.json"))
			if err != nil || !bytes.Equal(got, body) {
				t.Fatalf("delivery %s: the bundle's payload.json is not the body (%v)", id, err)
			}
		default:
			t.Fatalf("delivery %s has status %q", id, status)
		}
	}
	return n
}

// mustNotSay fails when out holds a sign of a store-level failure leaking
// to the user: SQLite's busy errors, a store or internal code, a panic or a
// data race.
func mustNotSay(t *testing.T, what, out string) {
	t.Helper()
	for _, bad := range []string{"database is locked", "SQLITE_BUSY", "busy", "generic_webhook_store_failed",
		"generic_webhook_internal", "panic:", "DATA RACE", "goroutine "} {
		if strings.Contains(out, bad) {
			t.Fatalf("%s says %q:\n%s", what, bad, out)
		}
	}
}

// exec runs the binary like h.run, but reports a failure to start in the
// result instead of failing the test, so goroutines other than the test's
// may call it.
func (h *home) exec(stdin string, extraEnv []string, args ...string) result {
	cmd := exec.Command(bin, args...)
	cmd.Env = append(append([]string{}, h.env...), extraEnv...)
	cmd.Dir = h.dir
	cmd.Stdin = strings.NewReader(stdin)
	r, err := runCmd(cmd)
	if err != nil {
		return result{stderr: err.Error(), code: -1}
	}
	return r
}
