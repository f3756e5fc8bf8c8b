package store

import (
	"context"
	"database/sql"
	"errors"
	"time"
)

// BookPace reserves the next start of a delivery to targetID for every
// process that shares this database: the first instant at or after
// earliest that is at least spacing after the start booked before it. It
// returns that start and books it, in one BEGIN IMMEDIATE transaction, so
// two processes (an export and a cron drain, two exports, a test send)
// never get starts closer than spacing. When deadline is not zero and the
// start would fall after it, nothing is booked and ok is false.
//
// The times are this machine's wall clock, which every process on it
// shares; a clock stepped backwards only makes the next start later.
func (s *Store) BookPace(ctx context.Context, targetID string, earliest time.Time, spacing time.Duration, deadline time.Time) (start time.Time, ok bool, err error) {
	err = s.withTx(ctx, func(tx *sql.Tx) error {
		start, ok = earliest, true
		var next int64
		switch err := tx.QueryRowContext(ctx, `SELECT next_start_ns FROM target_pace WHERE target_id = ?`, targetID).Scan(&next); {
		case errors.Is(err, sql.ErrNoRows):
		case err != nil:
			return err
		default:
			if booked := time.Unix(0, next); booked.After(start) {
				start = booked
			}
		}
		if !deadline.IsZero() && start.After(deadline) {
			ok = false
			return nil
		}
		_, err := tx.ExecContext(ctx, `INSERT INTO target_pace (target_id, next_start_ns) VALUES (?, ?)
ON CONFLICT (target_id) DO UPDATE SET next_start_ns = excluded.next_start_ns`, targetID, start.Add(spacing).UnixNano())
		return err
	})
	return start, ok, err
}
