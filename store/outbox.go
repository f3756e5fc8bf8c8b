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
// it adds for worker until until.
func (s *Store) enqueue(ctx context.Context, ds []delivery.Delivery, worker string, until time.Time, n int) ([]delivery.Delivery, []bool, error) {
	for i, d := range ds {
		switch {
		case d.TargetID == "" && d.TargetName == "":
			return nil, nil, codes.Errorf(codes.Internal, "delivery %d has neither target id nor target name", i)
		case d.IdempotencyKey == "":
			return nil, nil, codes.Errorf(codes.Internal, "delivery %d has no idempotency key", i)
		case d.MaxAttempts < 1:
			return nil, nil, codes.Errorf(codes.Internal, "delivery %d allows %d attempts; it needs at least 1", i, d.MaxAttempts)
		}
	}
	now := s.now()
	var out []delivery.Delivery
	var claimed []bool
	err := s.withTx(ctx, func(tx *sql.Tx) error {
		ctx := stmtCtx(ctx)
		out, claimed = make([]delivery.Delivery, 0, len(ds)), make([]bool, 0, len(ds))
		left := n // claims still to take
		ins, err := tx.PrepareContext(ctx, `INSERT INTO deliveries (`+insertColumns+`, claimed_by, claim_until)
			VALUES (?, ?, ?, ?, ?, 0, ?, '', '', ?, '', ?, ?, ?, ?)
			ON CONFLICT (target_id, idempotency_key) DO NOTHING`)
		if err != nil {
			return err
		}
		defer ins.Close()
		insBody, err := tx.PrepareContext(ctx, `INSERT INTO delivery_bodies (delivery_id, body) VALUES (?, ?)`)
		if err != nil {
			return err
		}
		defer insBody.Close()
		var get *sql.Stmt // prepared at the first duplicate
		defer func() {
			if get != nil {
				get.Close()
			}
		}()
		names := map[string]string{} // target id → name
		ids := map[string]string{}   // target name → id
		for _, d := range ds {
			if err := resolveTarget(ctx, tx, &d, names, ids); err != nil {
				return err
			}
			if d.ID == "" {
				d.ID = newID("dlv_")
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
			var holder sql.NullString
			var holdUntil sql.NullInt64
			if left > 0 {
				holder = sql.NullString{String: worker, Valid: true}
				holdUntil = sql.NullInt64{Int64: ns(until), Valid: true}
			}
			res, err := ins.ExecContext(ctx, d.ID, d.TargetID, d.TargetName, d.IdempotencyKey,
				string(delivery.StatusPending), d.MaxAttempts, ns(d.NextAttemptAt), ns(d.CreatedAt), ns(now), holder, holdUntil)
			if err != nil {
				return err
			}
			if added, err := res.RowsAffected(); err != nil {
				return err
			} else if added == 1 {
				if _, err := insBody.ExecContext(ctx, d.ID, d.Body); err != nil {
					return err
				}
				// Stored as given: no need to read it back.
				out = append(out, delivery.Delivery{ID: d.ID, TargetID: d.TargetID, TargetName: d.TargetName,
					IdempotencyKey: d.IdempotencyKey, Body: d.Body, Status: delivery.StatusPending, MaxAttempts: d.MaxAttempts,
					NextAttemptAt: fromNS(ns(d.NextAttemptAt)), CreatedAt: fromNS(ns(d.CreatedAt)), UpdatedAt: fromNS(ns(now))})
				claimed = append(claimed, left > 0)
				left--
				continue
			}
			// Already queued (earlier, or earlier in ds): the stored one
			// stands in for it.
			if get == nil {
				if get, err = tx.PrepareContext(ctx, `SELECT `+deliveryColumns+` FROM deliveries WHERE target_id = ? AND idempotency_key = ?`); err != nil {
					return err
				}
			}
			stored, err := scanDelivery(get.QueryRowContext(ctx, d.TargetID, d.IdempotencyKey))
			if err != nil {
				return err
			}
			out, claimed = append(out, stored), append(claimed, false)
		}
		return nil
	})
	if err != nil {
		return nil, nil, err
	}
	return out, claimed, nil
}

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
	due := `status = ? AND target_id IS NOT NULL AND next_attempt_at <= ?`
	if len(ids) > 0 {
		due = `+status = ? AND target_id IS NOT NULL AND +next_attempt_at <= ?`
	}
	query := `UPDATE deliveries SET claimed_by = ?, claim_until = ?
		WHERE id IN (SELECT id FROM deliveries
			WHERE ` + due + `
			AND (claim_until IS NULL OR claim_until <= ?)`
	args := []any{worker, ns(now.Add(lease)), string(delivery.StatusPending), ns(now), ns(now)}
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

// Record stores the outcomes of finished attempts in one transaction and
// releases worker's claims on them. Each outcome adds an attempt row
// numbered by the store (attempts so far + 1; Attempt.Number is ignored)
// and sets the delivery's status, last code and reason, next attempt time
// (when given) and fallback path (when given). When another worker has
// claimed the delivery since (worker's lease ran out), the attempt is still
// recorded, since it happened, but the status is left to the new holder.
// An unknown delivery id or status fails the whole batch.
func (s *Store) Record(ctx context.Context, worker string, outcomes []delivery.Outcome) error {
	for _, o := range outcomes {
		switch o.Status {
		case delivery.StatusPending, delivery.StatusDelivered, delivery.StatusFailed, delivery.StatusBlocked:
		default:
			return codes.Errorf(codes.Internal, "outcome of delivery %s has unknown status %q", o.Attempt.DeliveryID, o.Status)
		}
	}
	now := s.now()
	return s.withTx(ctx, func(tx *sql.Tx) error {
		ctx := stmtCtx(ctx)
		// The outcome, when worker holds the claim or nobody does. Exec,
		// not RETURNING: a query's rows cost database/sql a goroutine and
		// SQLite a temporary table per outcome; the attempt row reads the
		// new count itself.
		upd, err := tx.PrepareContext(ctx, `UPDATE deliveries SET attempts = attempts + 1, status = ?, last_code = ?, last_reason = ?,
			next_attempt_at = CASE WHEN ? THEN ? ELSE next_attempt_at END,
			fallback_path = CASE WHEN ? <> '' THEN ? ELSE fallback_path END,
			claimed_by = NULL, claim_until = NULL, updated_at = ?
			WHERE id = ? AND (claimed_by IS NULL OR claimed_by = ?)`)
		if err != nil {
			return err
		}
		defer upd.Close()
		att, err := tx.PrepareContext(ctx, `INSERT INTO delivery_attempts
			(delivery_id, number, at, http_status, code, reason, duration_ns)
			SELECT id, attempts, ?, ?, ?, ?, ? FROM deliveries WHERE id = ?`)
		if err != nil {
			return err
		}
		defer att.Close()
		var count *sql.Stmt // the attempt alone, prepared when first needed
		defer func() {
			if count != nil {
				count.Close()
			}
		}()
		for _, o := range outcomes {
			a := o.Attempt
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
				if count == nil {
					if count, err = tx.PrepareContext(ctx, `UPDATE deliveries SET attempts = attempts + 1, updated_at = ?
						WHERE id = ?`); err != nil {
						return err
					}
				}
				res, err := count.ExecContext(ctx, ns(now), a.DeliveryID)
				if err != nil {
					return err
				}
				if n, err := res.RowsAffected(); err != nil {
					return err
				} else if n == 0 {
					return deliveryNotFound(a.DeliveryID)
				}
			}
			at := a.At
			if at.IsZero() {
				at = now
			}
			if _, err := att.ExecContext(ctx, ns(at), a.HTTPStatus, a.Code, a.Reason, int64(a.Duration), a.DeliveryID); err != nil {
				return err
			}
		}
		return recordResponseClock(ctx, tx, outcomes) // doctor's clock skew (doctorfacts.go)
	})
}

// Get returns the delivery with id; an unknown id is a codes.Usage error
// wrapping ErrDeliveryNotFound.
func (s *Store) Get(ctx context.Context, id string) (delivery.Delivery, error) {
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

// List returns deliveries newest first, at most limit (limit<=0: all);
// a non-empty status keeps only deliveries in it.
func (s *Store) List(ctx context.Context, status delivery.Status, limit int) ([]delivery.Delivery, error) {
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
	if _, err := s.Get(ctx, id); err != nil {
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
			FROM deliveries WHERE status = ? AND target_id IS NOT NULL`, string(delivery.StatusPending)).Scan(&n, &at)
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
// to pick deliveries out of a large queue in little memory.
func (s *Store) PendingKeys(ctx context.Context) (ids, keys []string, err error) {
	err = s.retry(ctx, func() error {
		ids, keys = ids[:0], keys[:0]
		rows, err := s.db.QueryContext(ctx, `SELECT id, idempotency_key FROM deliveries
			WHERE status = ? AND target_id IS NOT NULL ORDER BY created_at, rowid`, string(delivery.StatusPending))
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
