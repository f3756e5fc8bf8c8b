package store

import (
	"database/sql"
	"path/filepath"
	"testing"
	"time"

	"github.com/webriskops/webhook-setup/core/delivery"
)

// TestMigrateBodiesOut: a database of schema version 1, with bodies in the
// deliveries rows, opens at the current version with every body moved to
// delivery_bodies, and its deliveries still read, claim, record, requeue
// and cascade as before.
func TestMigrateBodiesOut(t *testing.T) {
	path := filepath.Join(t.TempDir(), "data", "webhook-setup.db")
	s := func() *Store { // a fresh store, then back to version 1
		s, err := Open(path, "")
		if err != nil {
			t.Fatal(err)
		}
		return s
	}()
	tg, _ := mustCreate(t, s, "hook")
	s.Close()
	db := rawDB(t, path)
	now := time.Now().UnixNano()
	for _, q := range []string{
		`DROP TABLE delivery_bodies`,
		`DROP TABLE target_headers`, // migration 3
		`ALTER TABLE deliveries ADD COLUMN body BLOB NOT NULL DEFAULT x''`,
		`ALTER TABLE audit_events DROP COLUMN prev_hash`, // migration 4
		`ALTER TABLE audit_events DROP COLUMN hash`,
		`DROP TABLE target_addresses`,
		`DROP TABLE response_clock`, `ALTER TABLE credentials DROP COLUMN verified_at`, `ALTER TABLE credentials DROP COLUMN verified_via`,
		`PRAGMA user_version = 1`,
	} {
		if _, err := db.Exec(q); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	// A failed delivery with an attempt, a pending one, and one whose
	// target was disconnected.
	for i, row := range []struct {
		id, target, status string
		attempts           int
	}{{"dlv_failed", tg.ID, "failed", 1}, {"dlv_pending", tg.ID, "pending", 0}, {"dlv_orphan", "", "failed", 1}} {
		var target any = row.target
		if row.target == "" {
			target = nil
		}
		if _, err := db.Exec(`INSERT INTO deliveries (id, target_id, target_name, idempotency_key, body, status, attempts,
			max_attempts, next_attempt_at, created_at, updated_at) VALUES (?, ?, 'hook', ?, ?, ?, ?, 3, ?, ?, ?)`,
			row.id, target, row.id+"-key", []byte(`{"body":"`+row.id+`"}`), row.status, row.attempts, now, now+int64(i), now); err != nil {
			t.Fatal(err)
		}
		if row.attempts > 0 {
			if _, err := db.Exec(`INSERT INTO delivery_attempts (delivery_id, number, at, http_status, code) VALUES (?, 1, ?, 500, 'X')`, row.id, now); err != nil {
				t.Fatal(err)
			}
		}
	}
	db.Close()

	s2 := reopen(t, s)
	var v int
	rawDB(t, path).QueryRow(`PRAGMA user_version`).Scan(&v)
	if v != SchemaVersion {
		t.Fatalf("user_version = %d after Open, want %d", v, SchemaVersion)
	}
	var bodyCols int
	rawDB(t, path).QueryRow(`SELECT count(*) FROM pragma_table_info('deliveries') WHERE name = 'body'`).Scan(&bodyCols)
	if bodyCols != 0 {
		t.Error("deliveries still has its body column")
	}
	for _, id := range []string{"dlv_failed", "dlv_pending", "dlv_orphan"} {
		d, err := s2.Delivery(ctx, id)
		if err != nil || string(d.Body) != `{"body":"`+id+`"}` {
			t.Errorf("Get(%s) = %q, %v", id, d.Body, err)
		}
	}
	if as, err := s2.Attempts(ctx, "dlv_failed"); err != nil || len(as) != 1 {
		t.Errorf("attempts of dlv_failed: %v, %v", as, err)
	}
	list, err := s2.Deliveries(ctx, "", 0)
	if err != nil || len(list) != 3 || string(list[0].Body) != `{"body":"dlv_orphan"}` {
		t.Fatalf("List = %+v, %v", list, err)
	}
	// The pending one is claimed with its body and recorded.
	got, err := s2.Claim(ctx, "w", 0, time.Now(), time.Minute)
	if err != nil || len(got) != 1 || got[0].ID != "dlv_pending" || string(got[0].Body) != `{"body":"dlv_pending"}` {
		t.Fatalf("Claim = %+v, %v", got, err)
	}
	if err := s2.Record(ctx, "w", []delivery.Outcome{{Attempt: delivery.Attempt{DeliveryID: "dlv_pending"}, Status: delivery.StatusDelivered}}); err != nil {
		t.Fatal(err)
	}
	// The failed one is requeued with its body; new deliveries keep theirs.
	if d, err := s2.Requeue(ctx, "dlv_failed", 2, time.Now()); err != nil || string(d.Body) != `{"body":"dlv_failed"}` || d.Attempts != 1 {
		t.Fatalf("Requeue = %+v, %v", d, err)
	}
	added, err := s2.Enqueue(ctx, newDeliveries("hook", 1))
	if err != nil {
		t.Fatal(err)
	}
	if len(added) != 1 {
		t.Fatalf("Enqueue of 1 returned %d deliveries", len(added))
	}
	if d, err := s2.Delivery(ctx, added[0].ID); err != nil || string(d.Body) != `{"finding":0}` {
		t.Fatalf("new delivery = %q, %v", d.Body, err)
	}
	// Deleting a delivery deletes its body.
	fk, err := sql.Open("sqlite3", path+"?_busy_timeout=10000&_foreign_keys=on")
	if err != nil {
		t.Fatal(err)
	}
	defer fk.Close()
	if _, err := fk.Exec(`DELETE FROM deliveries WHERE id = 'dlv_orphan'`); err != nil {
		t.Fatal(err)
	}
	if n := count(t, path, "delivery_bodies"); n != 3 {
		t.Errorf("%d bodies after deleting one of 4 deliveries", n)
	}
}
