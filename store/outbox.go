package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/webriskops/webhook-setup/core/codes"
	"github.com/webriskops/webhook-setup/core/delivery"
)

// ErrDeliveryNotFound is wrapped by the error for an unknown delivery id.
var ErrDeliveryNotFound = errors.New("delivery not found")

// deliveryColumns are the columns scanDelivery reads, from deliveries (in
// a SELECT or a RETURNING clause): the body comes from delivery_bodies,
// where it is written once when the delivery is queued (migration 2).
const deliveryColumns = `id, target_id, target_name, idempotency_key,
	COALESCE((SELECT body FROM delivery_bodies WHERE delivery_id = deliveries.id), x''), status, attempts, max_attempts,
	last_code, last_reason, next_attempt_at, fallback_path, created_at, updated_at`

// insertColumns are the columns of a new deliveries row.
const insertColumns = `id, target_id, target_name, idempotency_key, status, attempts, max_attempts,
	last_code, last_reason, next_attempt_at, fallback_path, created_at, updated_at`

func scanDelivery(row scanner) (delivery.Delivery, error) {
	var (
		d                      delivery.Delivery
		targetID               sql.NullString
		status                 string
		next, created, updated int64
	)
	err := row.Scan(&d.ID, &targetID, &d.TargetName, &d.IdempotencyKey, &d.Body, &status, &d.Attempts, &d.MaxAttempts,
		&d.LastCode, &d.LastReason, &next, &d.FallbackPath, &created, &updated)
	if err != nil {
		return d, err
	}
	d.TargetID = targetID.String
	d.Status = delivery.Status(status)
	d.NextAttemptAt, d.CreatedAt, d.UpdatedAt = fromNS(next), fromNS(created), fromNS(updated)
	return d, nil
}

// pendingDue selects pending deliveries in a way SQLite matches to the
// partial index deliveries_pending (migration 3): its condition, literally.
// Beside it, +target_id keeps SQLite from walking deliveries_idempotency
// (every delivery ever queued) instead.
const pendingDue = `status = 'pending'`

// seqScanner scans a leading rowid column into seq and the rest as usual.
type seqScanner struct {
	row scanner
	seq *int64
}

func (s seqScanner) Scan(dest ...any) error {
	return s.row.Scan(append([]any{s.seq}, dest...)...)
}

func deliveryNotFound(id string) error {
	return codes.Errorf(codes.Usage, "no delivery has id %q", id).
		WithFix("Run webhook-setup deliveries to list delivery ids.").Wrap(ErrDeliveryNotFound)
}

// stmtCtx is the context of the per-row statements inside the outbox's
// transactions. go-sqlite3 runs a statement whose context can be cancelled
// on a goroutine of its own, so that it can interrupt it: a goroutine and
// two context switches per row, as much as the row's own work. Inside a
// write transaction nothing is left to wait for (BEGIN IMMEDIATE took the
// lock, waiting with ctx), and a cancelled ctx still ends the transaction:
// database/sql watches the context the transaction began with and rolls it
// back, so the next statement fails. docs/performance.md has the figures.
func stmtCtx(ctx context.Context) context.Context { return context.WithoutCancel(ctx) }

// resolveTarget fills the missing one of d's target id and name from the
// targets table (caching per batch); an unknown target is an error.
func resolveTarget(ctx context.Context, tx *sql.Tx, d *delivery.Delivery, names, ids map[string]string) error {
	if d.TargetID != "" {
		name, ok := names[d.TargetID]
		if !ok {
			err := tx.QueryRowContext(ctx, `SELECT name FROM targets WHERE id = ?`, d.TargetID).Scan(&name)
			if errors.Is(err, sql.ErrNoRows) {
				return codes.Errorf(codes.TargetNotFound, "no saved target has id %q", d.TargetID)
			}
			if err != nil {
				return err
			}
			names[d.TargetID] = name
		}
		if d.TargetName == "" {
			d.TargetName = name
		}
		return nil
	}
	id, ok := ids[d.TargetName]
	if !ok {
		err := tx.QueryRowContext(ctx, `SELECT id FROM targets WHERE name = ?`, d.TargetName).Scan(&id)
		if errors.Is(err, sql.ErrNoRows) {
			return codes.Errorf(codes.TargetNotFound, "no saved target is named %q", d.TargetName)
		}
		if err != nil {
			return err
		}
		ids[d.TargetName] = id
	}
	d.TargetID = id
	return nil
}

// Claim takes up to n (n<=0: all) pending deliveries due at now, whose
// target still exists and that nobody holds (or whose claim ended), for
// worker until now+lease, in one UPDATE ... RETURNING statement: two
// claimers, in one process or several, never get the same delivery. ids,
// when given, limits the claim to those deliveries. The result is ordered
// by due time.
func (s *Store) Claim(ctx context.Context, worker string, n int, now time.Time, lease time.Duration, ids ...string) ([]delivery.Delivery, error) {
	if worker == "" {
		return nil, codes.Errorf(codes.Internal, "Claim called without a worker name")
	}
	if lease <= 0 {
		return nil, codes.Errorf(codes.Internal, "Claim called with lease %s; it must be positive", lease)
	}
	// With ids, look the rows up by id: the due index would scan every
	// pending row for each claim, quadratic over a large export. The unary
	// plus keeps SQLite from choosing it.
	due := pendingDue + ` AND target_id IS NOT NULL AND next_attempt_at <= ?`
	if len(ids) > 0 {
		due = `+status = 'pending' AND target_id IS NOT NULL AND +next_attempt_at <= ?`
	}
	query := `UPDATE deliveries SET claimed_by = ?, claim_until = ?
		WHERE id IN (SELECT id FROM deliveries
			WHERE ` + due + `
			AND (claim_until IS NULL OR claim_until <= ?)`
	args := []any{worker, ns(now.Add(lease)), ns(now), ns(now)}
	if len(ids) > 0 {
		query += ` AND id IN (?` + strings.Repeat(", ?", len(ids)-1) + `)`
		for _, id := range ids {
			args = append(args, id)
		}
	}
	query += ` ORDER BY next_attempt_at, created_at, rowid LIMIT ?) RETURNING rowid, ` + deliveryColumns
	args = append(args, limitArg(n))
	type claimed struct {
		seq int64
		d   delivery.Delivery
	}
	var got []claimed
	err := s.withTx(ctx, func(tx *sql.Tx) error {
		ctx := stmtCtx(ctx)
		got = got[:0]
		rows, err := tx.QueryContext(ctx, query, args...)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var c claimed
			var err error
			c.d, err = scanDelivery(seqScanner{rows, &c.seq})
			if err != nil {
				return err
			}
			got = append(got, c)
		}
		return rows.Err()
	})
	if err != nil {
		return nil, err
	}
	// RETURNING gives no order; hand them out due first, then in the order
	// they were queued.
	sort.Slice(got, func(i, j int) bool {
		a, b := got[i].d, got[j].d
		if !a.NextAttemptAt.Equal(b.NextAttemptAt) {
			return a.NextAttemptAt.Before(b.NextAttemptAt)
		}
		if !a.CreatedAt.Equal(b.CreatedAt) {
			return a.CreatedAt.Before(b.CreatedAt)
		}
		return got[i].seq < got[j].seq
	})
	out := make([]delivery.Delivery, len(got))
	for i, c := range got {
		out[i] = c.d
	}
	return out, nil
}

// Delivery returns the delivery with id; an unknown id is a codes.Usage
// error wrapping ErrDeliveryNotFound.
func (s *Store) Delivery(ctx context.Context, id string) (delivery.Delivery, error) {
	var d delivery.Delivery
	err := s.retry(ctx, func() error {
		var err error
		d, err = scanDelivery(s.db.QueryRowContext(ctx, `SELECT `+deliveryColumns+` FROM deliveries WHERE id = ?`, id))
		if errors.Is(err, sql.ErrNoRows) {
			return deliveryNotFound(id)
		}
		return err
	})
	return d, err
}

// Deliveries returns deliveries newest first, at most limit (limit<=0:
// all); a non-empty status keeps only deliveries in it.
func (s *Store) Deliveries(ctx context.Context, status delivery.Status, limit int) ([]delivery.Delivery, error) {
	query := `SELECT ` + deliveryColumns + ` FROM deliveries`
	var args []any
	if status != "" {
		query += ` WHERE status = ?`
		args = append(args, string(status))
	}
	query += ` ORDER BY created_at DESC, rowid DESC LIMIT ?`
	args = append(args, limitArg(limit))
	var out []delivery.Delivery
	err := s.retry(ctx, func() error {
		out = out[:0]
		rows, err := s.db.QueryContext(ctx, query, args...)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			d, err := scanDelivery(rows)
			if err != nil {
				return err
			}
			out = append(out, d)
		}
		return rows.Err()
	})
	return out, err
}

// Attempts returns the attempts of the delivery with id, in order; an
// unknown id is an error.
func (s *Store) Attempts(ctx context.Context, id string) ([]delivery.Attempt, error) {
	if _, err := s.Delivery(ctx, id); err != nil {
		return nil, err
	}
	var out []delivery.Attempt
	err := s.retry(ctx, func() error {
		out = out[:0]
		rows, err := s.db.QueryContext(ctx, `SELECT delivery_id, number, at, http_status, code, reason, duration_ns
			FROM delivery_attempts WHERE delivery_id = ? ORDER BY number`, id)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var a delivery.Attempt
			var at, dur int64
			if err := rows.Scan(&a.DeliveryID, &a.Number, &at, &a.HTTPStatus, &a.Code, &a.Reason, &dur); err != nil {
				return err
			}
			a.At, a.Duration = fromNS(at), time.Duration(dur)
			out = append(out, a)
		}
		return rows.Err()
	})
	return out, err
}

// Requeue makes a failed or blocked delivery pending again, due at now,
// with maxAttempts more attempts than it has used (attempt numbers go on,
// so the history stays whole), and records "delivery.retry" in the audit
// log. A pending or delivered delivery, or one whose target was
// disconnected, is refused.
func (s *Store) Requeue(ctx context.Context, id string, maxAttempts int, now time.Time) (delivery.Delivery, error) {
	if maxAttempts < 1 {
		return delivery.Delivery{}, codes.Errorf(codes.Usage, "a retry needs at least 1 attempt, not %d", maxAttempts).
			WithFix("Give a positive number of attempts.")
	}
	var d delivery.Delivery
	err := s.withTx(ctx, func(tx *sql.Tx) error {
		cur, err := scanDelivery(tx.QueryRowContext(ctx, `SELECT `+deliveryColumns+` FROM deliveries WHERE id = ?`, id))
		if errors.Is(err, sql.ErrNoRows) {
			return deliveryNotFound(id)
		}
		if err != nil {
			return err
		}
		if cur.Status != delivery.StatusFailed && cur.Status != delivery.StatusBlocked {
			return codes.Errorf(codes.Usage, "delivery %s is %s; only failed or blocked deliveries can be retried", id, cur.Status).
				WithFix("Run webhook-setup deliveries to see which deliveries failed.")
		}
		if cur.TargetID == "" {
			return codes.Errorf(codes.TargetNotFound, "the target %q of delivery %s was disconnected", cur.TargetName, id).
				WithFix("Set the target up again and export the finding again; this delivery stays as history.")
		}
		d, err = scanDelivery(tx.QueryRowContext(ctx, `UPDATE deliveries SET status = ?, max_attempts = attempts + ?,
			next_attempt_at = ?, claimed_by = NULL, claim_until = NULL, updated_at = ?
			WHERE id = ? RETURNING `+deliveryColumns,
			string(delivery.StatusPending), maxAttempts, ns(now), ns(s.now()), id))
		if err != nil {
			return err
		}
		return insertAudit(ctx, tx, s.now(), "", "delivery.retry", cur.TargetName,
			fmt.Sprintf("delivery %s was %s after %d attempt(s); %d more allowed", id, cur.Status, cur.Attempts, maxAttempts))
	})
	return d, err
}

// Pending counts the pending deliveries that can still be sent (their
// target exists) and says when the earliest of them may next be claimed:
// its next attempt time or the end of its current claim, whichever is later.
// next is zero when n is 0.
func (s *Store) Pending(ctx context.Context, now time.Time) (n int, next time.Time, err error) {
	err = s.retry(ctx, func() error {
		var at sql.NullInt64
		err := s.db.QueryRowContext(ctx, `SELECT count(*), MIN(MAX(next_attempt_at, COALESCE(claim_until, 0)))
			FROM deliveries WHERE `+pendingDue+` AND +target_id IS NOT NULL`).Scan(&n, &at)
		next = nullNS(at)
		return err
	})
	return n, next, err
}

// Release gives up worker's claims on the deliveries with ids without
// recording an attempt, so another claimer may take them at once. Claims
// held by another worker are left alone.
func (s *Store) Release(ctx context.Context, worker string, ids []string) error {
	if len(ids) == 0 {
		return nil
	}
	return s.withTx(ctx, func(tx *sql.Tx) error {
		st, err := tx.PrepareContext(ctx, `UPDATE deliveries SET claimed_by = NULL, claim_until = NULL
			WHERE id = ? AND claimed_by = ?`)
		if err != nil {
			return err
		}
		defer st.Close()
		for _, id := range ids {
			if _, err := st.ExecContext(ctx, id, worker); err != nil {
				return err
			}
		}
		return nil
	})
}

// PendingKeys returns the id and idempotency key of every pending delivery
// whose target exists, oldest first, without reading their bodies: enough
// to pick deliveries out of a large queue in little memory. (+created_at:
// SQLite sorts the queue rather than walk the whole history in order.)
func (s *Store) PendingKeys(ctx context.Context) (ids, keys []string, err error) {
	err = s.retry(ctx, func() error {
		ids, keys = ids[:0], keys[:0]
		rows, err := s.db.QueryContext(ctx, `SELECT id, idempotency_key FROM deliveries
			WHERE `+pendingDue+` AND +target_id IS NOT NULL ORDER BY +created_at, rowid`)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var id, key string
			if err := rows.Scan(&id, &key); err != nil {
				return err
			}
			ids, keys = append(ids, id), append(keys, key)
		}
		return rows.Err()
	})
	return ids, keys, err
}
