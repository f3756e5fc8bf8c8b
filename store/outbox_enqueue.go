package store

import (
	"context"
	"database/sql"
	"strings"
	"time"

	"github.com/webriskops/webhook-setup/core/codes"
	"github.com/webriskops/webhook-setup/core/delivery"
)

// rowsPerStatement bounds the rows of one multi-row statement of the
// outbox: 100 rows of at most 11 values stay far below SQLite's 32,766
// bound variables, and one statement per 100 rows instead of one per row
// saves database/sql and cgo a round trip per row (docs/performance.md).
const rowsPerStatement = 100

// Enqueue stores ds as pending deliveries in one transaction and returns
// them as stored, in order. A delivery is found by TargetID, or by
// TargetName when the ID is empty; the other is filled in. One whose target
// and idempotency key are already queued (earlier, or earlier in ds) is not
// added again: the stored one is returned in its place. Empty ID,
// NextAttemptAt and CreatedAt are filled (new id, now, now).
func (s *Store) Enqueue(ctx context.Context, ds []delivery.Delivery) ([]delivery.Delivery, error) {
	out, _, err := s.enqueue(ctx, ds, "", time.Time{}, 0)
	return out, err
}

// EnqueueClaimed is Enqueue for the runner that sends what it queues
// (export): the first n deliveries it adds are claimed for worker until
// until in the same INSERT, so they need no Claim (a second write of each
// row) before their attempt. claimed[i] is true for exactly those. A
// delivery already queued (earlier, or earlier in ds) is returned as stored
// and never claimed here, whatever its state or holder: whoever sends it
// claims it with Claim as usual. A claim taken here ends like any other:
// Record or Release gives it up, and when its holder dies it lapses at
// until.
func (s *Store) EnqueueClaimed(ctx context.Context, ds []delivery.Delivery, worker string, until time.Time, n int) ([]delivery.Delivery, []bool, error) {
	if n > 0 && (worker == "" || until.IsZero()) {
		return nil, nil, codes.Errorf(codes.Internal, "EnqueueClaimed called without a worker name or claim end")
	}
	return s.enqueue(ctx, ds, worker, until, n)
}

// enqueue is Enqueue and EnqueueClaimed: it claims the first n deliveries
// it adds for worker until until. In one transaction it looks up which
// deliveries are queued already (one query per rowsPerStatement), then
// writes the new rows and their bodies with multi-row INSERTs.
func (s *Store) enqueue(ctx context.Context, ds []delivery.Delivery, worker string, until time.Time, n int) ([]delivery.Delivery, []bool, error) {
	if err := checkNewDeliveries(ds); err != nil {
		return nil, nil, err
	}
	if len(ds) >= rowsPerStatement {
		if err := s.retry(ctx, func() error {
			return s.stmts.prepare(ctx, stmtQueuedAlready, stmtInsertDeliveries, stmtInsertBodies)
		}); err != nil {
			return nil, nil, err
		}
	}
	now := s.now()
	var out []delivery.Delivery
	var claimed []bool
	err := s.withTx(ctx, func(tx *sql.Tx) error {
		ctx := stmtCtx(ctx)
		out, claimed = make([]delivery.Delivery, len(ds)), make([]bool, len(ds))
		names, ids := map[string]string{}, map[string]string{}
		for i, d := range ds {
			if err := resolveTarget(ctx, tx, &d, names, ids); err != nil {
				return err
			}
			out[i] = d
		}
		stored, err := s.queuedAlready(ctx, tx, out)
		if err != nil {
			return err
		}
		var added []int // indexes into out of the rows to insert
		first := make(map[targetKey]int, len(out))
		for i, d := range out {
			k := targetKey{d.TargetID, d.IdempotencyKey}
			if st, ok := stored[k]; ok {
				out[i] = st
				continue
			}
			if j, ok := first[k]; ok {
				out[i] = out[j] // earlier in ds: one delivery
				continue
			}
			first[k] = i
			out[i] = newDelivery(d, now)
			claimed[i] = len(added) < n
			added = append(added, i)
		}
		for lo := 0; lo < len(added); lo += rowsPerStatement {
			chunk := added[lo:min(lo+rowsPerStatement, len(added))]
			if err := s.insertDeliveries(ctx, tx, out, claimed, chunk, worker, until, now); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return nil, nil, err
	}
	return out, claimed, nil
}

// checkNewDeliveries refuses deliveries the outbox cannot hold.
func checkNewDeliveries(ds []delivery.Delivery) error {
	for i, d := range ds {
		switch {
		case d.TargetID == "" && d.TargetName == "":
			return codes.Errorf(codes.Internal, "delivery %d has neither target id nor target name", i)
		case d.IdempotencyKey == "":
			return codes.Errorf(codes.Internal, "delivery %d has no idempotency key", i)
		case d.MaxAttempts < 1:
			return codes.Errorf(codes.Internal, "delivery %d allows %d attempts; it needs at least 1", i, d.MaxAttempts)
		}
	}
	return nil
}

// targetKey is what makes a delivery unique in the outbox.
type targetKey struct{ target, key string }

// newDelivery is d as a new row stores it: empty ID, NextAttemptAt and
// CreatedAt filled (a new id in time order, now, now), pending, at the
// precision the store keeps.
func newDelivery(d delivery.Delivery, now time.Time) delivery.Delivery {
	if d.ID == "" {
		d.ID = newSeqID("dlv_", now)
	}
	if d.NextAttemptAt.IsZero() {
		d.NextAttemptAt = now
	}
	if d.CreatedAt.IsZero() {
		d.CreatedAt = now
	}
	if d.Body == nil {
		d.Body = []byte{}
	}
	return delivery.Delivery{ID: d.ID, TargetID: d.TargetID, TargetName: d.TargetName,
		IdempotencyKey: d.IdempotencyKey, Body: d.Body, Status: delivery.StatusPending, MaxAttempts: d.MaxAttempts,
		NextAttemptAt: fromNS(ns(d.NextAttemptAt)), CreatedAt: fromNS(ns(d.CreatedAt)), UpdatedAt: fromNS(ns(now))}
}

// queuedAlready returns the stored deliveries among ds (by target and
// idempotency key), one query per rowsPerStatement deliveries.
func (s *Store) queuedAlready(ctx context.Context, tx *sql.Tx, ds []delivery.Delivery) (map[targetKey]delivery.Delivery, error) {
	found := map[targetKey]delivery.Delivery{}
	for lo := 0; lo < len(ds); lo += rowsPerStatement {
		chunk := ds[lo:min(lo+rowsPerStatement, len(ds))]
		args := make([]any, 0, 2*len(chunk))
		for _, d := range chunk {
			args = append(args, d.TargetID, d.IdempotencyKey)
		}
		rows, err := s.stmts.query(ctx, tx, stmtQueuedAlready, len(chunk), args...)
		if err != nil {
			return nil, err
		}
		for rows.Next() {
			d, err := scanDelivery(rows)
			if err != nil {
				rows.Close()
				return nil, err
			}
			found[targetKey{d.TargetID, d.IdempotencyKey}] = d
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, err
		}
	}
	return found, nil
}

// queuedAlreadySQL looks up n (target id, idempotency key) pairs. A join,
// not a row-value IN: SQLite scans the whole table for that.
func queuedAlreadySQL(n int) string {
	return `SELECT ` + deliveryColumns + ` FROM (VALUES ` + valueRows(n, 2) + `) AS k
			JOIN deliveries ON deliveries.target_id = k.column1 AND deliveries.idempotency_key = k.column2`
}

// insertDeliveries writes the rows out[i] for i in idx, and their bodies,
// with one INSERT each; claimed[i] claims out[i] for worker until until.
func (s *Store) insertDeliveries(ctx context.Context, tx *sql.Tx, out []delivery.Delivery, claimed []bool, idx []int, worker string, until time.Time, now time.Time) error {
	rows := make([]any, 0, 11*len(idx))
	bodies := make([]any, 0, 2*len(idx))
	for _, i := range idx {
		d := out[i]
		var holder sql.NullString
		var holdUntil sql.NullInt64
		if claimed[i] {
			holder = sql.NullString{String: worker, Valid: true}
			holdUntil = sql.NullInt64{Int64: ns(until), Valid: true}
		}
		rows = append(rows, d.ID, d.TargetID, d.TargetName, d.IdempotencyKey, string(delivery.StatusPending),
			d.MaxAttempts, ns(d.NextAttemptAt), ns(d.CreatedAt), ns(now), holder, holdUntil)
		bodies = append(bodies, d.ID, d.Body)
	}
	// Nothing here is queued yet (queuedAlready, in this transaction), so
	// a conflict would be a bug: let it fail the batch.
	if err := s.stmts.exec(ctx, tx, stmtInsertDeliveries, len(idx), rows...); err != nil {
		return err
	}
	err := s.stmts.exec(ctx, tx, stmtInsertBodies, len(idx), bodies...)
	return err
}

// insertDeliveriesSQL inserts n new rows of deliveries (11 values each).
func insertDeliveriesSQL(n int) string {
	return `INSERT INTO deliveries (id, target_id, target_name, idempotency_key, status,
		max_attempts, next_attempt_at, created_at, updated_at, claimed_by, claim_until) VALUES ` + valueRows(n, 11)
}

// insertBodiesSQL inserts the bodies of n new deliveries.
func insertBodiesSQL(n int) string {
	return `INSERT INTO delivery_bodies (delivery_id, body) VALUES ` + valueRows(n, 2)
}

// valueRows is the VALUES list of n rows of cols placeholders each:
// "(?, ?), (?, ?)".
func valueRows(n, cols int) string {
	row := "(?" + strings.Repeat(", ?", cols-1) + ")"
	return row + strings.Repeat(", "+row, n-1)
}
