package store

import "context"

// CheckpointInBackground copies what the write-ahead log holds into the
// database file now, in a goroutine, instead of when the store closes:
// SQLite's last connection checkpoints the whole log on closing, and the
// process waits for that copy and its two fsyncs (about 10 ms after an
// export of 2,000 tickets: docs/performance.md). Started once an export has
// queued every ticket, it overlaps the sending of the rest, and the close
// copies only what was recorded since. It is PASSIVE: it never waits for
// or blocks readers and writers, and copies what it can; a failure changes
// nothing (the log stays, and the close or the next writer checkpoints
// it). Close waits for it.
func (s *Store) CheckpointInBackground() {
	s.background.Add(1)
	go func() {
		defer s.background.Done()
		_, _ = s.db.ExecContext(context.Background(), "PRAGMA wal_checkpoint(PASSIVE)")
	}()
}
