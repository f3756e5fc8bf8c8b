package e2e

import (
	"fmt"
	"net/http"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"
)

// concurrentOp is one command an operator runs, and what it may answer
// besides exit 0.
type concurrentOp struct {
	kind string
	args []string
	// allowed are the codes (exit 3) a lost race may give: a name taken by
	// the other operator, a target changed since it was read.
	allowed []string
	res     result
	at      time.Duration
}

// TestReliabilityConcurrentOperators runs several operators at once on one
// store, as people sharing a box over SSH do: each adds targets (some names
// wanted by two of them), applies target files that rewrite the same three
// targets, rotates the same target's secret, queues exports and drains the
// outbox. Nobody sees SQLite's busy errors or a store failure; a lost race
// is a clear code (name taken, target changed) that wrote nothing; no
// update is lost (every change that was reported made it, with its audit
// event, and the versions count them); and no delivery is sent twice,
// though several drains and exports claim from one outbox.
func TestReliabilityConcurrentOperators(t *testing.T) {
	if testing.Short() {
		t.Skip("concurrent processes")
	}
	rng := newRand(t)
	h := newHome(t)
	h.addZapier("zap", "--rate-limit", "1000/1s")
	h.addZapier("rot")
	h.ok("apply", "-f", h.applyGeneration(0), "--resolve", zapierResolve)
	wr := newWire(t, func(int, string, http.ResponseWriter, *http.Request) bool {
		time.Sleep(2 * time.Millisecond) // a slow receiver, so operators overlap
		return false
	})
	sf := h.writeFile("op-secret", knownSecret)

	operators, perOperator := scale(4, 8), scale(14, 80)
	plans := make([][]*concurrentOp, operators)
	gen, tickets := 0, 0
	for o := range plans {
		for i := 0; i < perOperator; i++ {
			var op *concurrentOp
			switch p := rng.IntN(100); {
			case p < 12:
				op = &concurrentOp{kind: "add", args: []string{"add", "--name", fmt.Sprintf("op%d-%03d", o, i)}}
			case p < 22:
				op = &concurrentOp{kind: "add-contested", args: []string{"add", "--name", fmt.Sprintf("contested-%d", rng.IntN(4))},
					allowed: []string{"generic_webhook_name_taken"}}
			case p < 40:
				gen++
				op = &concurrentOp{kind: "apply", args: []string{"apply", "-f", h.applyGeneration(gen), "--resolve", zapierResolve, "--json"},
					allowed: []string{"generic_webhook_target_changed"}}
			case p < 55:
				op = &concurrentOp{kind: "rotate-secret", args: []string{"rotate-secret", "rot", "--generate", "--secret-out",
					fmt.Sprintf("%s/rot-%d-%d.secret", h.dir, o, i), "--grace", "1h", "--json"}}
			case p < 72:
				tickets++
				wait := "0"
				if rng.IntN(2) == 0 {
					wait = "30s"
				}
				op = &concurrentOp{kind: "export", args: []string{"export", "zap", "--ticket", h.tickets(fmt.Sprintf("ctk/%d.ndjson", tickets), 1+rng.IntN(8)),
					"--to", wr.url(), "--ca-file", wr.caFile, "--wait", wait}}
			case p < 88:
				op = &concurrentOp{kind: "drain", args: []string{"deliveries", "drain", "--to", wr.url(), "--ca-file", wr.caFile, "--wait", "30s"}}
			default:
				reads := [][]string{{"status", "--json"}, {"list"}, {"deliveries", "--json"}, {"audit", "--limit", "20"}, {"show", "rot", "--json"}}
				op = &concurrentOp{kind: "read", args: reads[rng.IntN(len(reads))]}
			}
			if op.kind == "add" || op.kind == "add-contested" {
				op.args = append(op.args, "--provider", "zapier_webhook", "--url", zapierURL, "--secret-file", sf,
					"--owner", fmt.Sprintf("operator %d", o), "--revoke-path", "p", "--confirm-receiver-checks", "--resolve", zapierResolve)
			}
			plans[o] = append(plans[o], op)
		}
	}

	began := time.Now()
	var wg sync.WaitGroup
	for o, plan := range plans {
		wg.Add(1)
		go func() {
			defer wg.Done()
			env := []string{fmt.Sprintf("SSH_CLIENT=198.51.100.%d 50000 22", o+1)}
			for _, op := range plan {
				op.res = h.exec("", env, op.args...)
				op.at = time.Since(began)
			}
		}()
	}
	wg.Wait()
	elapsed := time.Since(began)

	fingerprint := regexp.MustCompile(`sha256:[0-9a-f]{12}`)
	var rotations []string
	counts := map[string]int{}
	lost := map[string]int{}
	appUpdates := 0
	for _, plan := range plans {
		for _, op := range plan {
			what := strings.Join(op.args, " ")
			mustNotSay(t, what, op.res.stdout+op.res.stderr)
			counts[op.kind]++
			if op.res.code != 0 {
				ok := false
				for _, code := range op.allowed {
					if op.res.code == 3 && strings.Contains(op.res.stdout+op.res.stderr, code) {
						ok, lost[code] = true, lost[code]+1
					}
				}
				if !ok {
					t.Fatalf("%s: %s", what, op.res)
				}
				continue
			}
			switch op.kind {
			case "rotate-secret":
				var v struct{ Signing struct{ Fingerprint string } }
				mustJSON(t, op.res.stdout, &v)
				rotations = append(rotations, v.Signing.Fingerprint)
			case "apply":
				var v struct {
					Applied bool
					Plan    []struct{ Action, Name string }
				}
				mustJSON(t, op.res.stdout, &v)
				for _, p := range v.Plan {
					if p.Name == "app-a" && p.Action == "update" {
						appUpdates++
					}
				}
			}
		}
	}

	// Drain what the --wait 0 exports left, then check everything.
	h.ok("deliveries", "drain", "--to", wr.url(), "--ca-file", wr.caFile, "--wait", "60s")
	db := h.openDB()
	processed := func(key string) bool {
		wr.mu.Lock()
		defer wr.mu.Unlock()
		return wr.processed[key] > 0
	}
	n := h.storeInvariants(db, processed)
	appsAgree(t, h)

	// No lost rotation: each reported rotation has its event, and the
	// current secret is the last one recorded.
	rows, err := db.Query(`SELECT detail FROM audit_events WHERE target = 'rot' AND action = 'secret.rotate' ORDER BY id`)
	if err != nil {
		t.Fatal(err)
	}
	var recorded []string
	for rows.Next() {
		var d string
		rows.Scan(&d)
		fps := fingerprint.FindAllString(d, -1)
		recorded = append(recorded, item(t, fps, -1, "fingerprints in secret.rotate detail "+d))
	}
	rows.Close()
	if len(recorded) != len(rotations) {
		t.Fatalf("%d rotations reported, %d recorded", len(rotations), len(recorded))
	}
	seen := map[string]bool{}
	for _, fp := range recorded {
		seen[fp] = true
	}
	for _, fp := range rotations {
		if !seen[fp] {
			t.Fatalf("rotation to %s was reported but not recorded", fp)
		}
	}
	if len(recorded) > 0 {
		if cur := h.shown("rot")["signing"].(map[string]any)["fingerprint"]; cur != recorded[len(recorded)-1] {
			t.Fatalf("rot signs with %v, but the last recorded rotation made %s", cur, recorded[len(recorded)-1])
		}
	}
	// No lost apply: every apply that reported updating app-a wrote it.
	var events int
	db.QueryRow(`SELECT count(*) FROM audit_events WHERE target = 'app-a' AND action = 'target.update'`).Scan(&events)
	if events != appUpdates {
		t.Fatalf("%d applies reported updating app-a, %d updates recorded", appUpdates, events)
	}
	// Each contested name went to exactly one operator.
	var contested int
	db.QueryRow(`SELECT count(*) FROM targets WHERE name LIKE 'contested-%'`).Scan(&contested)
	if want := counts["add-contested"] - lost["generic_webhook_name_taken"]; contested != want {
		t.Fatalf("%d contested targets saved, %d adds succeeded", contested, want)
	}
	// Nothing sent twice: the receiver never failed, so every key arrived
	// exactly once, however many drains claimed at the same time.
	var queued, delivered int
	db.QueryRow(`SELECT count(*), count(*) FILTER (WHERE status = 'delivered') FROM deliveries`).Scan(&queued, &delivered)
	wr.check()
	wr.mu.Lock()
	for k, c := range wr.perKey {
		if c != 1 {
			t.Fatalf("key %s was sent %d times", k, c)
		}
	}
	keys := len(wr.perKey)
	wr.mu.Unlock()
	if delivered != queued || keys != queued {
		t.Fatalf("%d queued, %d delivered, %d keys received", queued, delivered, keys)
	}
	actors := map[string]bool{}
	var audit []map[string]any
	mustJSON(t, h.ok("audit", "--json", "--limit", "0").stdout, &audit)
	for _, e := range audit {
		actors[e["actor"].(string)] = true
	}
	if len(actors) < 2 {
		t.Fatalf("the audit log names %d actors: %v", len(actors), actors)
	}

	total := 0
	var parts []string
	for _, k := range []string{"add", "add-contested", "apply", "rotate-secret", "export", "drain", "read"} {
		total += counts[k]
		parts = append(parts, fmt.Sprintf("%s %d", k, counts[k]))
	}
	figure(t, "%d operators ran %d commands at once in %s (%s); lost races: %d name taken, %d target changed; 0 busy errors; %d deliveries each sent once",
		operators, total, elapsed.Round(100*time.Millisecond), strings.Join(parts, ", "),
		lost["generic_webhook_name_taken"], lost["generic_webhook_target_changed"], n)
}
