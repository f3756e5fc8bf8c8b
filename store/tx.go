package store

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"errors"
	"math/big"
	"strings"
	"sync/atomic"
	"time"

	sqlite3 "github.com/mattn/go-sqlite3"

	"github.com/webriskops/webhook-setup/core/codes"
)

// retryFor bounds how long retry keeps trying after SQLITE_BUSY on top of
// SQLite's own busy timeout.
const retryFor = 30 * time.Second

// withTx runs fn in one write transaction (BEGIN IMMEDIATE, from the DSN's
// _txlock), in this process's turn to write (Store.writer), and commits it; any error rolls everything back. The whole
// transaction is retried when SQLite reports the database busy, so fn must
// not change anything outside the transaction before it returns.
func (s *Store) withTx(ctx context.Context, fn func(tx *sql.Tx) error) error {
	select {
	case s.writer <- struct{}{}:
	case <-ctx.Done():
		return ctx.Err()
	}
	defer func() { <-s.writer }()
	return s.retry(ctx, func() error {
		tx, err := s.db.BeginTx(ctx, nil)
		if err != nil {
			return err
		}
		if err := fn(tx); err != nil {
			_ = tx.Rollback()
			return err
		}
		return tx.Commit()
	})
}

// retry runs fn until it succeeds, fails with something other than
// SQLITE_BUSY or SQLITE_LOCKED, or retryFor has passed; busy_timeout makes
// SQLite wait first, so this only catches what the busy handler does not
// (a busy snapshot, a lock taken while opening, a very long writer). The
// error it returns is a *codes.Error (codes.Store unless fn gave its own).
func (s *Store) retry(ctx context.Context, fn func() error) error {
	deadline := time.Now().Add(retryFor)
	delay := 5 * time.Millisecond
	for {
		err := fn()
		if err == nil {
			return nil
		}
		if !isBusy(err) || time.Now().After(deadline) {
			return s.storeErr(err)
		}
		jitter, _ := rand.Int(rand.Reader, big.NewInt(int64(delay)))
		t := time.NewTimer(delay + time.Duration(jitter.Int64()))
		select {
		case <-ctx.Done():
			t.Stop()
			return ctx.Err()
		case <-t.C:
		}
		delay = min(delay*2, 250*time.Millisecond)
	}
}

// isBusy reports whether err is SQLite saying another connection holds a
// lock.
func isBusy(err error) bool {
	var se sqlite3.Error
	if errors.As(err, &se) {
		return se.Code == sqlite3.ErrBusy || se.Code == sqlite3.ErrLocked
	}
	return false
}

// isUniqueOn reports whether err is a UNIQUE constraint failure on column
// ("table.column", as SQLite names it in the message).
func isUniqueOn(err error, column string) bool {
	var se sqlite3.Error
	return errors.As(err, &se) && se.ExtendedCode == sqlite3.ErrConstraintUnique && strings.Contains(se.Error(), column)
}

// storeErr turns a low-level error into the codes.Store error users see;
// *codes.Error and context errors pass through. SQLite's messages name
// tables and constraints, never bound values, so they hold no secret.
func (s *Store) storeErr(err error) error {
	if err == nil {
		return nil
	}
	var ce *codes.Error
	if errors.As(err, &ce) || errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return err
	}
	return codes.Errorf(codes.Store, "the store %s failed: %v", s.path, err).Wrap(err)
}

// newID returns prefix and 16 random hex characters.
func newID(prefix string) string {
	var b [8]byte
	if _, err := rand.Read(b[:]); err != nil {
		panic("store: read random bytes: " + err.Error()) // crypto/rand does not fail on supported systems
	}
	return prefix + hex.EncodeToString(b[:])
}

// newSeqID returns prefix, 12 hex characters of the Unix time in
// milliseconds, 4 of a counter of this process and 12 random ones: unique
// as newID, and in the order they were made (within a process; across
// processes to the millisecond). The outbox keys three B-trees by delivery
// id (the rows' id index, the bodies, the attempts); random ids scatter
// every batch of inserts over all their pages, and each page touched is a
// 4 KiB write to the WAL at commit. Ids in order land together on the last
// pages. docs/performance.md has the figures.
func newSeqID(prefix string, now time.Time) string {
	var b [14]byte
	ms := uint64(now.UnixMilli())
	for i := 5; i >= 0; i-- {
		b[i] = byte(ms)
		ms >>= 8
	}
	seq := idSeq.Add(1)
	b[6], b[7] = byte(seq>>8), byte(seq)
	if _, err := rand.Read(b[8:]); err != nil {
		panic("store: read random bytes: " + err.Error()) // crypto/rand does not fail on supported systems
	}
	return prefix + hex.EncodeToString(b[:])
}

// idSeq orders the ids newSeqID makes within one millisecond.
var idSeq atomic.Uint32

// ns is t as stored: Unix nanoseconds.
func ns(t time.Time) int64 { return t.UnixNano() }

// fromNS is a stored time, in UTC.
func fromNS(n int64) time.Time { return time.Unix(0, n).UTC() }

// nullNS is a nullable stored time; NULL reads as the zero time.
func nullNS(n sql.NullInt64) time.Time {
	if !n.Valid {
		return time.Time{}
	}
	return fromNS(n.Int64)
}

// limitArg is a LIMIT value: limit<=0 means no limit (-1 in SQLite).
func limitArg(limit int) int {
	if limit <= 0 {
		return -1
	}
	return limit
}
