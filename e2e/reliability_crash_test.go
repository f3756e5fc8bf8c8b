package e2e

import (
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// crashEnv keeps killed sends short: a dead process's claim lasts two
// attempt timeouts, and the final drain waits for it.
var crashEnv = []string{"WEBHOOK_SETUP_ATTEMPT_TIMEOUT=2s", "WEBHOOK_SETUP_MAX_BACKOFF=1s"}

// applyGeneration writes the target file of generation gen: app-a, app-b
// and app-c, all with owner "gen-N" and the secret of that generation, so
// a half-applied file would show as targets that disagree.
func (h *home) applyGeneration(gen int) string {
	h.t.Helper()
	h.writeFile(fmt.Sprintf("gens/gen-%d.secret", gen), fmt.Sprintf("generation-%04d-secret-0123456789abcdefXYZ\n", gen))
	var b strings.Builder
	for _, name := range []string{"app-a", "app-b", "app-c"} {
		fmt.Fprintf(&b, `[[target]]
name = %q
provider_key = "zapier_webhook"
deployment_mode = "cloud"
webhook_url = %q
receiver_owner = "gen-%d"
revoke_path = "Zapier > Zaps > %s"
receiver_checks_confirmed = true

[target.signing]
secret_file = "gen-%d.secret"

`, name, zapierURL, gen, name, gen)
	}
	return h.writeFile(fmt.Sprintf("gens/gen-%d.toml", gen), b.String())
}

// appsAgree fails unless app-a, app-b and app-c have one owner and one
// current secret: every apply wrote all three or none.
func appsAgree(t *testing.T, h *home) {
	t.Helper()
	db := h.openDB()
	var owners, fps int
	err := db.QueryRow(`SELECT count(DISTINCT t.receiver_owner), count(DISTINCT c.fingerprint) FROM targets t
		JOIN credentials c ON c.target_id = t.id AND c.expires_at IS NULL WHERE t.name IN ('app-a', 'app-b', 'app-c')`).Scan(&owners, &fps)
	if err != nil || owners != 1 || fps != 1 {
		t.Fatalf("app-a, -b and -c disagree (%d owners, %d secrets, %v): an apply was half written", owners, fps, err)
	}
}

// crashWire is a rehearsal receiver for the crash and concurrency tests:
// it refuses about 1 key in 8 for good (422, so the delivery ends failed
// with a bundle), answers 503 with Retry-After to another 1 in 16, and
// takes a few milliseconds per request so kills land mid-send.
func crashWire(t *testing.T) *wire {
	return newWire(t, func(_ int, key string, w http.ResponseWriter, _ *http.Request) bool {
		time.Sleep(3 * time.Millisecond) // a slow receiver: kills land mid-send
		switch key[len(key)-1] {
		case '0', '1':
			w.WriteHeader(http.StatusUnprocessableEntity)
			return true
		case '2':
			w.Header().Set("Retry-After", "1")
			w.WriteHeader(http.StatusServiceUnavailable)
			return true
		}
		return false
	})
}

// TestReliabilityKillAnywhere starts add, apply, rotate-secret, export and
// deliveries drain processes one after another and kills each with SIGKILL
// at a random moment of its run. After every kill the store must pass
// integrity_check, every target must have exactly one current credential
// and a version equal to its recorded changes, the three targets every
// apply writes must agree, and every export must be pending, delivered
// (and processed by the receiver) or in a fallback bundle. At the end a
// drain delivers everything still pending, each key processed once.
func TestReliabilityKillAnywhere(t *testing.T) {
	if testing.Short() {
		t.Skip("kill loop")
	}
	rng := newRand(t)
	h := newHome(t)
	h.addZapier("zap", "--rate-limit", "1000/1s")
	h.addZapier("rot")
	h.ok("apply", "-f", h.applyGeneration(0), "--resolve", zapierResolve)
	wr := crashWire(t)
	db := h.openDB()
	processed := func(key string) bool {
		wr.mu.Lock()
		defer wr.mu.Unlock()
		return wr.processed[key] > 0
	}
	sf := h.writeFile("kill-secret", knownSecret)

	type opStats struct{ runs, kills int }
	stats := map[string]*opStats{}
	// avg is the running mean of each operation's uninterrupted run time;
	// kills are spread over 0.1 to 1 times it, so most land while the
	// process works (the slower runs finish first).
	avg := map[string]time.Duration{}
	iterations := scale(60, 1000)
	gen, added, rotated, tickets := 0, 0, 0, 0
	for i := 0; i < iterations; i++ {
		var op string
		var args []string
		switch p := rng.IntN(100); {
		case p < 20:
			op = "add"
			added++
			args = []string{"add", "--name", fmt.Sprintf("kill-%03d", added), "--provider", "zapier_webhook", "--url", zapierURL,
				"--secret-file", sf, "--owner", "o", "--revoke-path", "p", "--confirm-receiver-checks", "--resolve", zapierResolve}
		case p < 45:
			op = "apply"
			gen++
			args = []string{"apply", "-f", h.applyGeneration(gen), "--resolve", zapierResolve}
		case p < 65:
			op = "rotate-secret"
			rotated++
			args = []string{"rotate-secret", "rot", "--secret-file",
				h.writeFile(fmt.Sprintf("rot/%d.secret", rotated), fmt.Sprintf("rotation-%04d-secret-0123456789abcdefXYZ", rotated))}
			if rng.IntN(4) == 0 {
				args = []string{"rotate-secret", "rot", "--generate", "--grace", "1h"}
			}
		case p < 90:
			op = "export"
			tickets++
			args = []string{"export", "zap", "--ticket", h.tickets(fmt.Sprintf("tk/%d.ndjson", tickets), 1+rng.IntN(6)),
				"--to", wr.url(), "--ca-file", wr.caFile, "--max-attempts", "3", "--wait", "3s"}
		default:
			op = "drain"
			args = []string{"deliveries", "drain", "--to", wr.url(), "--ca-file", wr.caFile, "--wait", "3s"}
		}
		if stats[op] == nil {
			stats[op] = &opStats{}
			avg[op] = 80 * time.Millisecond
			if op == "export" || op == "drain" {
				avg[op] = 600 * time.Millisecond
			}
		}
		delay := time.Duration(float64(avg[op]) * (0.1 + 0.9*rng.Float64()))
		began := time.Now()
		k := h.startKill(crashEnv, delay, args...)
		stats[op].runs++
		if k.killed {
			stats[op].kills++
		} else {
			avg[op] = (avg[op]*3 + time.Since(began)) / 4
			mustNotSay(t, strings.Join(args, " "), k.stdout+k.stderr)
		}
		h.storeInvariants(db, processed)
		appsAgree(t, h)
	}

	// Nothing is lost: a drain sends whatever the kills left pending (after
	// their claims expire), and the receiver did every key's work once.
	r := h.run("", crashEnv, "deliveries", "drain", "--to", wr.url(), "--ca-file", wr.caFile, "--wait", "60s", "--json")
	if r.code != 0 && r.code != 4 {
		t.Fatalf("final drain: %s", r)
	}
	var left int
	db.QueryRow(`SELECT count(*) FROM deliveries WHERE status = 'pending'`).Scan(&left)
	if left != 0 {
		t.Fatalf("%d deliveries still pending after the final drain:\n%s", left, r)
	}
	n := h.storeInvariants(db, processed)
	wr.check()
	wr.mu.Lock()
	for key, c := range wr.processed {
		if c != 1 {
			t.Fatalf("key %s processed %d times", key, c)
		}
	}
	wr.mu.Unlock()
	// Every surviving target still signs: its credential and URL decrypt.
	var names []string
	for _, tg := range h.listed() {
		names = append(names, tg["name"].(string))
	}
	for _, name := range names {
		out := filepath.Join(h.dir, "req-"+name+".json")
		h.ok("test-send", name, "--out", out)
		h.ok("verify", "--request", out, "--target", name)
		os.Remove(out)
	}

	kills, runs := 0, 0
	var parts []string
	for _, op := range []string{"add", "apply", "rotate-secret", "export", "drain"} {
		if s := stats[op]; s != nil {
			kills += s.kills
			runs += s.runs
			parts = append(parts, fmt.Sprintf("%s %d/%d", op, s.kills, s.runs))
		}
	}
	figure(t, "%d processes, %d killed with SIGKILL (%s); %d invariant checks passed; %d targets and %d deliveries intact, %d keys each processed once",
		runs, kills, strings.Join(parts, ", "), iterations+1, len(names), n, len(wr.processed))
	if kills < iterations/3 {
		t.Fatalf("only %d of %d processes were killed: the loop is not testing crashes", kills, iterations)
	}
}
