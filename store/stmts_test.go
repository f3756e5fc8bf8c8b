package store

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	sqlite3 "github.com/mattn/go-sqlite3"

	"github.com/webriskops/webhook-setup/core/codes"
	"github.com/webriskops/webhook-setup/core/delivery"
)

// prepareCounter counts statements SQLite compiles on a store's one
// connection, through SQLite's authorizer, which SQLite calls while it
// prepares a statement (once per table and column a statement writes) and
// never while it runs one.
type prepareCounter struct {
	mu sync.Mutex
	n  map[string]int // "INSERT table" or "UPDATE table.column"
}

func (p *prepareCounter) get(key string) int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.n[key]
}

// countPrepares limits s to one pooled connection (so every statement runs
// where the authorizer is) and counts what is prepared on it from now on.
func countPrepares(t *testing.T, s *Store) *prepareCounter {
	t.Helper()
	s.db.SetMaxOpenConns(1)
	p := &prepareCounter{n: map[string]int{}}
	conn, err := s.db.Conn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	err = conn.Raw(func(dc any) error {
		dc.(*sqlite3.SQLiteConn).RegisterAuthorizer(func(op int, a1, a2, _ string) int {
			p.mu.Lock()
			defer p.mu.Unlock()
			switch op {
			case sqlite3.SQLITE_INSERT:
				p.n["INSERT "+a1]++
			case sqlite3.SQLITE_UPDATE:
				p.n["UPDATE "+a1+"."+a2]++
			}
			return sqlite3.SQLITE_OK
		})
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// keyed is n deliveries to target with idempotency keys prefix-0 … .
func keyed(target, prefix string, n int) []delivery.Delivery {
	ds := newDeliveries(target, n)
	for i := range ds {
		ds[i].IdempotencyKey = fmt.Sprintf("%s-%d", prefix, i)
	}
	return ds
}

// delivered is an outcome per delivery: delivered, with a receiver's Date.
func delivered(ds []delivery.Delivery) []delivery.Outcome {
	now := time.Now().UTC()
	outs := make([]delivery.Outcome, len(ds))
	for i, d := range ds {
		outs[i] = delivery.Outcome{Attempt: delivery.Attempt{DeliveryID: d.ID, At: now, HTTPStatus: 200, ServerDate: now},
			Status: delivery.StatusDelivered}
	}
	return outs
}

// A statement of exactly rowsPerStatement rows (and Record's UPDATE) is
// compiled once per Store, however many transactions run it; a partial
// chunk's is compiled in each transaction that needs one, so nothing is
// kept per row count. On one connection, a Store that prepared on the pool
// from inside a transaction would wait for a second connection for ever:
// the deadline says so instead.
func TestHotStatementsPreparedOncePerStore(t *testing.T) {
	s := openTemp(t)
	mustCreate(t, s, "hook")
	p := countPrepares(t, s)
	ctx, cancel := context.WithTimeout(ctx, time.Minute)
	defer cancel()
	const batches, n = 3, 2*rowsPerStatement + 50 // two full chunks and a partial one each
	for b := range batches {
		q, err := s.Enqueue(ctx, keyed("hook", fmt.Sprint("b", b), n))
		if err != nil {
			t.Fatal(err)
		}
		if err := s.Record(ctx, "w", delivered(q)); err != nil {
			t.Fatal(err)
		}
	}
	for key, want := range map[string]int{
		"INSERT deliveries":             1 + batches, // the 100-row one, and each batch's 50-row one
		"INSERT delivery_bodies":        1 + batches,
		"INSERT delivery_attempts":      1 + batches,
		"INSERT response_clock":         1 + batches,
		"UPDATE deliveries.last_reason": 1, // Record's UPDATE, one row at a time
	} {
		if got := p.get(key); got != want {
			t.Errorf("%s compiled %d times, want %d", key, got, want)
		}
	}
	if got := count(t, s.Path(), "delivery_attempts"); got != batches*n {
		t.Errorf("%d attempt rows, want %d", got, batches*n)
	}
}

// Close closes the Store's prepared statements with it; the Store used
// after Close fails with codes.Store and does not panic.
func TestHotStatementsClosedWithStore(t *testing.T) {
	s := openTemp(t)
	mustCreate(t, s, "hook")
	q, err := s.Enqueue(ctx, keyed("hook", "k", rowsPerStatement))
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Record(ctx, "w", delivered(q)); err != nil {
		t.Fatal(err)
	}
	held := s.stmts.stmts
	for k, st := range held {
		if st == nil {
			t.Fatalf("hot statement %d not prepared after a full chunk", k)
		}
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	for k, st := range held {
		if _, err := st.Exec(); err == nil || err.Error() != "sql: statement is closed" {
			t.Errorf("hot statement %d after Close: %v, want sql: statement is closed", k, err)
		}
	}
	_, err = s.Enqueue(ctx, keyed("hook", "after", rowsPerStatement))
	wantCode(t, err, codes.Store)
	wantCode(t, s.Record(ctx, "w", delivered(q[:1])), codes.Store)
}

// A transaction that fails half way rolls back what the hot statements
// wrote in it, and the next transaction uses them as before.
func TestHotStatementsAfterRollback(t *testing.T) {
	s := openTemp(t)
	mustCreate(t, s, "hook")
	q, err := s.Enqueue(ctx, keyed("hook", "k", 2*rowsPerStatement))
	if err != nil {
		t.Fatal(err)
	}
	before := dump(t, s.Path())
	// The first chunk's attempt rows are written, then an unknown delivery
	// fails the batch.
	outs := delivered(q)
	outs[rowsPerStatement+10].Attempt.DeliveryID = "dlv_unknown"
	err = s.Record(ctx, "w", outs)
	if !errors.Is(err, ErrDeliveryNotFound) {
		t.Fatalf("Record with an unknown delivery: %v", err)
	}
	if after := dump(t, s.Path()); after != before {
		t.Fatalf("a failed Record changed the store:\n%s", after)
	}
	if err := s.Record(ctx, "w", delivered(q)); err != nil {
		t.Fatal(err)
	}
	for _, i := range []int{0, rowsPerStatement - 1, rowsPerStatement + 10, 2*rowsPerStatement - 1} {
		atts, err := s.Attempts(ctx, q[i].ID)
		if err != nil || len(atts) != 1 || atts[0].Number != 1 {
			t.Errorf("delivery %d's attempts = %+v %v", i, atts, err)
		}
	}
}

// Another connection changing the schema under prepared statements (a
// newer binary migrating while an export runs) makes SQLite compile them
// again; the Store's next transactions work.
func TestHotStatementsAfterSchemaChange(t *testing.T) {
	s := openTemp(t)
	mustCreate(t, s, "hook")
	q1, err := s.Enqueue(ctx, keyed("hook", "one", rowsPerStatement))
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Record(ctx, "w", delivered(q1)); err != nil {
		t.Fatal(err)
	}
	if _, err := rawDB(t, s.Path()).Exec(`ALTER TABLE deliveries ADD COLUMN later TEXT;
		CREATE INDEX deliveries_later ON deliveries (later)`); err != nil {
		t.Fatal(err)
	}
	// The first batch again (all found queued) and a new one.
	again, err := s.Enqueue(ctx, append(keyed("hook", "one", rowsPerStatement), keyed("hook", "two", rowsPerStatement)...))
	if err != nil {
		t.Fatal(err)
	}
	for i, d := range again[:rowsPerStatement] {
		if d.ID != q1[i].ID || d.Status != delivery.StatusDelivered {
			t.Fatalf("queued again: %+v, want the stored %s", d, q1[i].ID)
		}
	}
	if err := s.Record(ctx, "w", delivered(again[rowsPerStatement:])); err != nil {
		t.Fatal(err)
	}
	if got := count(t, s.Path(), "delivery_attempts"); got != 2*rowsPerStatement {
		t.Errorf("%d attempt rows, want %d", got, 2*rowsPerStatement)
	}
}

// Two Stores on one file, each written by two goroutines at once, share
// nothing but the file: every full-chunk batch lands once.
func TestHotStatementsConcurrentStores(t *testing.T) {
	s1 := openTemp(t)
	mustCreate(t, s1, "hook")
	s2 := reopen(t, s1)
	const perWriter = 3
	var wg sync.WaitGroup
	errs := make(chan error, 4*perWriter)
	for w, s := range []*Store{s1, s1, s2, s2} {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for b := range perWriter {
				q, err := s.Enqueue(ctx, keyed("hook", fmt.Sprintf("w%d-b%d", w, b), rowsPerStatement))
				if err == nil {
					err = s.Record(ctx, fmt.Sprint("w", w), delivered(q))
				}
				if err != nil {
					errs <- err
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	all, err := s1.Deliveries(ctx, "", 0)
	if err != nil || len(all) != 4*perWriter*rowsPerStatement {
		t.Fatalf("%d deliveries, want %d (%v)", len(all), 4*perWriter*rowsPerStatement, err)
	}
	for _, d := range all {
		if d.Status != delivery.StatusDelivered || d.Attempts != 1 {
			t.Fatalf("delivery %+v", d)
		}
	}
}

// A write that fails in a hot statement fails the batch, whole, at either
// size: run as a query, the statement's error comes from its first step.
func TestHotStatementsReportWriteErrors(t *testing.T) {
	s := openTemp(t)
	mustCreate(t, s, "hook")
	q, err := s.Enqueue(ctx, keyed("hook", "k", rowsPerStatement))
	if err != nil {
		t.Fatal(err)
	}
	before := dump(t, s.Path())
	for _, n := range []int{rowsPerStatement, rowsPerStatement / 2} {
		// New keys, but the last one reuses a stored delivery's id.
		ds := keyed("hook", fmt.Sprint("clash", n), n)
		ds[n-1].ID = q[0].ID
		_, err := s.Enqueue(ctx, ds)
		wantCode(t, err, codes.Store)
		var se sqlite3.Error
		if !errors.As(err, &se) || se.Code != sqlite3.ErrConstraint || !strings.Contains(se.Error(), "deliveries.id") {
			t.Errorf("%d rows: %v, want SQLite's constraint failure on deliveries.id", n, err)
		}
		if after := dump(t, s.Path()); after != before {
			t.Fatalf("%d rows: a failed Enqueue changed the store", n)
		}
	}
}
