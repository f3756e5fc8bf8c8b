package store

import (
	"context"
	"database/sql"
	"errors"
	"sync"
)

// The outbox's hot statements are kept prepared, once per Store, at the one
// size they run at most: rowsPerStatement rows (the single-row UPDATE of
// Record: one row). Every transaction of Enqueue and Record used to prepare
// its statements anew, and a 100-row statement has 200 to 1,100
// placeholders to parse and compile: sqlite3_prepare_v2 took 5 µs of the
// exporter's CPU per delivery (6% of it) in profiles of 12 exports of
// 2,000 tickets, 1.3 µs with these kept (docs/performance.md). A statement
// of any other size (a batch's last, partial chunk) is prepared for its
// transaction as before.
//
// Bounded on purpose: hotStmtCount statements, about 250 KB of SQLite's
// memory on each pooled connection that runs them (an export uses two;
// Open's SetMaxOpenConns bounds them), plus each one's argument buffer
// (exec), as large as the largest batch it bound. The driver's own cache
// (_stmt_cache_size=32) kept every statement text each connection ran,
// every partial size included, and raised the peak RSS of an export of
// 100,000 tickets from 37.4 to 43.3 MiB, past its 40 MiB budget; these
// raise it by 2 to 2.5 MiB. Kept statements also hold slots of SQLite's
// per-connection lookaside memory, so the other work on the connection
// allocates more often from the heap: the reason not to keep more.

// hotStmt names one of the outbox's hot statements.
type hotStmt int

const (
	stmtQueuedAlready    hotStmt = iota // Enqueue: which of 100 keys are queued already
	stmtInsertDeliveries                // Enqueue: 100 new rows of deliveries
	stmtInsertBodies                    // Enqueue: their 100 bodies
	stmtRecordOutcome                   // Record: one outcome folded into its delivery
	stmtInsertAttempts                  // Record: 100 attempt rows
	stmtResponseClock                   // Record: the receivers' Date headers of 100 outcomes
	hotStmtCount
)

// hotStmts are the hot statements: the row count they are kept prepared
// for, and their text for any row count (each defined beside its use).
var hotStmts = [hotStmtCount]struct {
	rows  int
	query func(rows int) string
}{
	stmtQueuedAlready:    {rowsPerStatement, queuedAlreadySQL},
	stmtInsertDeliveries: {rowsPerStatement, insertDeliveriesSQL},
	stmtInsertBodies:     {rowsPerStatement, insertBodiesSQL},
	stmtRecordOutcome:    {1, func(int) string { return recordOutcomeSQL }},
	stmtInsertAttempts:   {rowsPerStatement, insertAttemptsSQL},
	stmtResponseClock:    {rowsPerStatement, responseClockSQL},
}

// stmtCache holds the Store's prepared hot statements, each prepared on
// first need (commands that never write the outbox prepare nothing) and
// closed with the Store.
type stmtCache struct {
	db     *sql.DB
	mu     sync.Mutex
	closed bool
	stmts  [hotStmtCount]*sql.Stmt
}

func newStmtCache(db *sql.DB) *stmtCache { return &stmtCache{db: db} }

// errStmtsClosed is what a hot statement fails with after Store.Close.
var errStmtsClosed = errors.New("the store is closed")

// prepare prepares those of ks not prepared yet. Call it before the
// transaction that uses them begins: preparing on the pool from inside a
// transaction would take a second connection, and wait for one while the
// transaction holds its own.
func (c *stmtCache) prepare(ctx context.Context, ks ...hotStmt) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.closed {
		return errStmtsClosed
	}
	for _, k := range ks {
		if c.stmts[k] != nil {
			continue
		}
		st, err := c.db.PrepareContext(ctx, hotStmts[k].query(hotStmts[k].rows))
		if err != nil {
			return err
		}
		c.stmts[k] = st
	}
	return nil
}

// inTx returns statement k at its hot size for use in tx: the Store's
// prepared one when prepare made it, else one prepared for tx alone.
// database/sql's Tx.StmtContext reuses the driver statement when it is
// already prepared on tx's connection (it looks the connection up in the
// Stmt's per-connection list: Tx.StmtContext in database/sql/sql.go, Go
// 1.26), and otherwise prepares it there once and keeps it for the next
// transaction on that connection. Either way the returned *sql.Stmt
// belongs to tx, and Commit or Rollback closes it; the Store's statement
// stays prepared.
func (c *stmtCache) inTx(ctx context.Context, tx *sql.Tx, k hotStmt) (*sql.Stmt, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.closed {
		return nil, errStmtsClosed
	}
	if c.stmts[k] == nil {
		return tx.PrepareContext(ctx, hotStmts[k].query(hotStmts[k].rows))
	}
	return tx.StmtContext(ctx, c.stmts[k]), nil
}

// exec runs statement k, which returns no rows, for rows rows with args in
// tx: the prepared one at its hot size, a statement prepared for this call
// at any other. It runs it as a query: go-sqlite3 binds a query's
// arguments in one cgo call, from a buffer of the statement's own that
// SQLite reads in place, where an Exec binds them one cgo call each and
// SQLite copies every string and blob (1,100 values for 100 new rows of
// deliveries). The query's first step, which go-sqlite3 takes at once,
// runs the whole statement and returns its error. (database/sql watches a
// query's rows with a goroutine when the transaction can be cancelled:
// one per 100 rows here, not per row.)
func (c *stmtCache) exec(ctx context.Context, tx *sql.Tx, k hotStmt, rows int, args ...any) error {
	rs, err := c.query(ctx, tx, k, rows, args...)
	if err != nil {
		return err
	}
	if err := rs.Close(); err != nil {
		return err
	}
	return rs.Err()
}

// query runs statement k, which returns rows, as exec does.
func (c *stmtCache) query(ctx context.Context, tx *sql.Tx, k hotStmt, rows int, args ...any) (*sql.Rows, error) {
	if rows != hotStmts[k].rows {
		return tx.QueryContext(ctx, hotStmts[k].query(rows), args...)
	}
	st, err := c.inTx(ctx, tx, k)
	if err != nil {
		return nil, err
	}
	return st.QueryContext(ctx, args...)
}

// close closes the prepared statements; later uses fail with
// errStmtsClosed. database/sql finalizes a statement still in use by an
// open transaction when that transaction ends.
func (c *stmtCache) close() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.closed = true
	var errs []error
	for k, st := range c.stmts {
		if st != nil {
			errs = append(errs, st.Close())
			c.stmts[k] = nil
		}
	}
	return errors.Join(errs...)
}
