package e2e

import (
	"database/sql"
	"net/http"
	"testing"
	"time"

	"github.com/webriskops/webhook-setup/store"
)

// TestOutboxOfTheOldSchemaDrains: a store whose outbox has the schema of
// version 5 (before the due index held pending deliveries only), with
// queued deliveries and failed ones that have an attempt each, is opened
// by this binary at the current version; deliveries lists it as before,
// drain sends every queued one once, and retry sends a failed one with its
// attempt numbers going on.
func TestOutboxOfTheOldSchemaDrains(t *testing.T) {
	h := newHome(t)
	h.addZapier("zap", "--rate-limit", "1000/1s")
	wr := newWire(t, func(int, string, http.ResponseWriter, *http.Request) bool { return false })
	tk := h.tickets("six.ndjson", 6)
	h.ok("export", "zap", "--ticket", tk, "--to", wr.url(), "--ca-file", wr.caFile, "--wait", "0")

	// Back to version 5: two of the six failed after one attempt, and the
	// due index is the old one, over every status.
	db, err := sql.Open("sqlite3", "file:"+h.db+"?_busy_timeout=10000")
	if err != nil {
		t.Fatal(err)
	}
	var failed []string
	rows, err := db.Query(`SELECT id FROM deliveries ORDER BY rowid LIMIT 2`)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var id string
		rows.Scan(&id)
		failed = append(failed, id)
	}
	rows.Close()
	now := time.Now().UnixNano()
	for _, id := range failed {
		mustExec(t, db, `UPDATE deliveries SET status = 'failed', attempts = 1, last_code = 'WEBHOOK_DELIVERY_FAILED',
			last_reason = 'gave up after 1 attempts', updated_at = ? WHERE id = ?`, now, id)
		mustExec(t, db, `INSERT INTO delivery_attempts (delivery_id, number, at, http_status, code, reason, duration_ns)
			VALUES (?, 1, ?, 503, 'WEBHOOK_DELIVERY_FAILED', 'the receiver answered 503', 1000)`, id, now)
	}
	mustExec(t, db, `DROP INDEX deliveries_pending`)
	mustExec(t, db, `CREATE INDEX deliveries_due ON deliveries(status, next_attempt_at)`)
	mustExec(t, db, `PRAGMA user_version = 5`) // the version before migration 6 (the pending-only due index)
	db.Close()

	var pending, all []map[string]any
	mustJSON(t, h.ok("deliveries", "--json", "--status", "pending").stdout, &pending)
	mustJSON(t, h.ok("deliveries", "--json").stdout, &all)
	if len(pending) != 4 || len(all) != 6 {
		t.Fatalf("after the migration: %d pending of %d, want 4 of 6", len(pending), len(all))
	}
	db, err = sql.Open("sqlite3", "file:"+h.db+"?mode=ro")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var version, oldIndex int
	db.QueryRow(`PRAGMA user_version`).Scan(&version)
	db.QueryRow(`SELECT count(*) FROM sqlite_master WHERE name = 'deliveries_due'`).Scan(&oldIndex)
	if version != store.SchemaVersion || oldIndex != 0 {
		t.Fatalf("user_version %d, old due index present: %v", version, oldIndex == 1)
	}

	var out exportJSON
	r := h.run("", nil, "deliveries", "drain", "--to", wr.url(), "--ca-file", wr.caFile, "--wait", "30s", "--json")
	mustJSON(t, r.stdout, &out)
	if r.code != 0 || out.Delivered != 4 || out.Pending != 0 {
		t.Fatalf("drain: %s", r)
	}
	for _, id := range failed {
		r := h.run("", nil, "deliveries", "retry", id, "--to", wr.url(), "--ca-file", wr.caFile, "--json")
		mustJSON(t, r.stdout, &out)
		if r.code != 0 || out.Delivered != 1 || out.Deliveries[0].Attempts != 2 {
			t.Fatalf("retry %s: %s", id, r)
		}
	}
	wr.check()
	if len(wr.processed) != 6 {
		t.Fatalf("%d keys processed, want 6", len(wr.processed))
	}
	for k, n := range wr.processed {
		if n != 1 {
			t.Fatalf("key %s processed %d times", k, n)
		}
	}
	var show struct {
		Attempts []struct {
			Number int `json:"number"`
		} `json:"attempt_list"`
	}
	mustJSON(t, h.ok("deliveries", "show", failed[0], "--json").stdout, &show)
	if len(show.Attempts) != 2 || show.Attempts[0].Number != 1 || show.Attempts[1].Number != 2 {
		t.Fatalf("attempts of %s after the retry: %+v", failed[0], show.Attempts)
	}
}

func mustExec(t *testing.T, db *sql.DB, q string, args ...any) {
	t.Helper()
	if _, err := db.Exec(q, args...); err != nil {
		t.Fatalf("%s: %v", q, err)
	}
}
