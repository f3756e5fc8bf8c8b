package store

import (
	"context"
	"database/sql"
	"time"

	"github.com/webriskops/webhook-setup/core/codes"
	"github.com/webriskops/webhook-setup/core/delivery"
)

// Record stores the outcomes of finished attempts in one transaction and
// releases worker's claims on them. Each outcome adds an attempt row
// numbered by the store (attempts so far + 1; Attempt.Number is ignored)
// and sets the delivery's status, last code and reason, next attempt time
// (when given) and fallback path (when given). When another worker has
// claimed the delivery since (worker's lease ran out), the attempt is still
// recorded, since it happened, but the status is left to the new holder.
// An unknown delivery id or status fails the whole batch.
func (s *Store) Record(ctx context.Context, worker string, outcomes []delivery.Outcome) error {
	if err := checkOutcomes(outcomes); err != nil {
		return err
	}
	hot := []hotStmt{stmtRecordOutcome}
	if len(outcomes) >= rowsPerStatement {
		hot = append(hot, stmtInsertAttempts, stmtResponseClock)
	}
	if err := s.retry(ctx, func() error { return s.stmts.prepare(ctx, hot...) }); err != nil {
		return err
	}
	now := s.now()
	return s.withTx(ctx, func(tx *sql.Tx) error {
		ctx := stmtCtx(ctx)
		upd, err := s.stmts.inTx(ctx, tx, stmtRecordOutcome)
		if err != nil {
			return err
		}
		var count *sql.Stmt // the attempt alone, prepared when first needed
		defer func() {
			if count != nil {
				count.Close()
			}
		}()
		atts := attemptRows{now: now, stmts: s.stmts}
		for _, o := range outcomes {
			a := o.Attempt
			// A second outcome of one delivery in the batch numbers its
			// attempt after the first one's row is written.
			if atts.has(a.DeliveryID) {
				if err := atts.flush(ctx, tx); err != nil {
					return err
				}
			}
			hasNext := !o.NextAttemptAt.IsZero()
			var next int64
			if hasNext {
				next = ns(o.NextAttemptAt)
			}
			res, err := upd.ExecContext(ctx, string(o.Status), a.Code, a.Reason, hasNext, next,
				o.FallbackPath, o.FallbackPath, ns(now), a.DeliveryID, worker)
			if err != nil {
				return err
			}
			if n, err := res.RowsAffected(); err != nil {
				return err
			} else if n == 0 {
				// Unknown, or claimed by another worker since: count the
				// attempt and leave the status to the holder.
				if err := countAttempt(ctx, tx, &count, now, a.DeliveryID); err != nil {
					return err
				}
			}
			if err := atts.add(ctx, tx, a); err != nil {
				return err
			}
		}
		if err := atts.flush(ctx, tx); err != nil {
			return err
		}
		return s.recordResponseClock(ctx, tx, outcomes) // doctor's clock skew (doctorfacts.go)
	})
}

// recordOutcomeSQL folds one outcome into its delivery, when worker holds
// the claim or nobody does. Exec, not RETURNING: a query's rows cost
// database/sql a goroutine and SQLite a temporary table per outcome; the
// attempt rows read the new count themselves (attemptRows).
const recordOutcomeSQL = `UPDATE deliveries SET attempts = attempts + 1, status = ?, last_code = ?, last_reason = ?,
	next_attempt_at = CASE WHEN ? THEN ? ELSE next_attempt_at END,
	fallback_path = CASE WHEN ? <> '' THEN ? ELSE fallback_path END,
	claimed_by = NULL, claim_until = NULL, updated_at = ?
	WHERE id = ? AND (claimed_by IS NULL OR claimed_by = ?)`

// attemptRows collects the attempt rows of Record and writes them with one
// INSERT per rowsPerStatement (a statement per attempt cost database/sql
// and cgo a round trip each: docs/performance.md). Each row is numbered
// with its delivery's attempts as counted by the UPDATE before it, so it
// must be written before another outcome of the same delivery is applied.
type attemptRows struct {
	now   time.Time
	stmts *stmtCache
	args  []any
	ids   map[string]struct{}
}

func (r *attemptRows) has(id string) bool {
	_, ok := r.ids[id]
	return ok
}

func (r *attemptRows) add(ctx context.Context, tx *sql.Tx, a delivery.Attempt) error {
	at := a.At
	if at.IsZero() {
		at = r.now
	}
	if r.ids == nil {
		r.ids = make(map[string]struct{}, rowsPerStatement)
		r.args = make([]any, 0, 6*rowsPerStatement)
	}
	r.ids[a.DeliveryID] = struct{}{}
	r.args = append(r.args, a.DeliveryID, ns(at), a.HTTPStatus, a.Code, a.Reason, int64(a.Duration))
	if len(r.ids) == rowsPerStatement {
		return r.flush(ctx, tx)
	}
	return nil
}

func (r *attemptRows) flush(ctx context.Context, tx *sql.Tx) error {
	if len(r.ids) == 0 {
		return nil
	}
	err := r.stmts.exec(ctx, tx, stmtInsertAttempts, len(r.ids), r.args...)
	clear(r.ids)
	r.args = r.args[:0]
	return err
}

// insertAttemptsSQL writes n attempt rows (6 values each), each numbered
// with its delivery's attempts as counted so far.
func insertAttemptsSQL(n int) string {
	return `INSERT INTO delivery_attempts (delivery_id, number, at, http_status, code, reason, duration_ns)
		SELECT deliveries.id, deliveries.attempts, a.column2, a.column3, a.column4, a.column5, a.column6
		FROM (VALUES ` + valueRows(n, 6) + `) AS a JOIN deliveries ON deliveries.id = a.column1`
}

// checkOutcomes refuses a batch with an outcome of unknown status before
// anything is written.
func checkOutcomes(outcomes []delivery.Outcome) error {
	for _, o := range outcomes {
		switch o.Status {
		case delivery.StatusPending, delivery.StatusDelivered, delivery.StatusFailed, delivery.StatusBlocked:
		default:
			return codes.Errorf(codes.Internal, "outcome of delivery %s has unknown status %q", o.Attempt.DeliveryID, o.Status)
		}
	}
	return nil
}

// countAttempt counts an attempt of delivery id without touching its
// status, preparing *count on first use; an unknown id fails.
func countAttempt(ctx context.Context, tx *sql.Tx, count **sql.Stmt, now time.Time, id string) error {
	if *count == nil {
		stmt, err := tx.PrepareContext(ctx, `UPDATE deliveries SET attempts = attempts + 1, updated_at = ?
			WHERE id = ?`)
		if err != nil {
			return err
		}
		*count = stmt
	}
	res, err := (*count).ExecContext(ctx, ns(now), id)
	if err != nil {
		return err
	}
	if n, err := res.RowsAffected(); err != nil {
		return err
	} else if n == 0 {
		return deliveryNotFound(id)
	}
	return nil
}
