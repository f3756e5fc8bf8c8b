// Package store is the SQLite store of webhook-setup: targets, their
// encrypted signing credentials, wizard drafts, the delivery outbox and the
// audit log, in one database file with a key file beside it.
//
// The database runs in WAL mode with synchronous=NORMAL: a commit appends to
// the WAL without an fsync, which is made at checkpoints, so batches of
// outbox writes do not pay one fsync per row. A power loss may drop the last
// commits but never corrupts the file. Every write is one BEGIN IMMEDIATE
// transaction (the write lock is taken up front, so a transaction never
// fails half way to upgrade its lock), behind a 10 s busy timeout and a
// retry on SQLITE_BUSY, so several processes can share one store.
//
// Key handling is lazy: Open never reads the key file, so commands that
// read only non-secret data (list, status, show, audit, deliveries) work
// when the key file is missing or wrong. The first operation that encrypts
// or decrypts loads the key and checks it against the key check value in
// the meta table before anything is read or written with it; a missing or
// wrong key fails with codes.StoreKey and leaves every stored credential
// untouched. A new key is created only while the database holds nothing
// encrypted (no credential, no draft), so it can never orphan secrets.
// CheckKey verifies the key on demand.
package store

import (
	"context"
	"database/sql"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"time"

	_ "github.com/mattn/go-sqlite3" // registers the "sqlite3" driver

	"github.com/webriskops/webhook-setup/core/codes"
	"github.com/webriskops/webhook-setup/core/delivery"
)

// Store is an open webhook-setup database. It is safe for concurrent use by
// several goroutines, and several processes may open the same file.
type Store struct {
	db      *sql.DB
	path    string
	keyPath string

	mu  sync.Mutex
	key []byte // nil until loadKey succeeds

	now func() time.Time // the clock; tests may replace it

	// writer is this process's turn to write: one slot, taken by withTx.
	// SQLite lets one connection write at a time and makes the others
	// wait in its busy handler, which sleeps 1, 2, 5, 10 … ms between
	// tries: an exporter's recorder waiting that way behind its own
	// queuing batch stalls the workers (their results back up). Waiting
	// here instead hands the turn over as soon as the writer commits.
	// Other processes still meet the busy handler.
	writer chan struct{}

	stmts *stmtCache // the outbox's hot statements, prepared (stmts.go)
}

// The Store is the SQLite outbox of core/delivery.
var _ delivery.Outbox = (*Store)(nil)

// busyTimeout is how long SQLite itself waits for another connection's
// lock before returning SQLITE_BUSY (which retry then handles).
const busyTimeout = 10 * time.Second

// pageCacheKiB bounds each pooled connection's SQLite page cache. It is
// SQLite's own memory, outside the Go heap limit of export and drain, and
// fills as the database grows: at SQLite's default of 2,000 KiB an export
// of 100,000 tickets peaked about 2 MiB higher (up to 39.8 MiB against a
// budget of 40) for the same CPU per delivery (docs/performance.md). Pages
// past it are read again from the operating system's page cache.
const pageCacheKiB = 512

// Open opens (creating when missing) the database at dbPath, applies the
// pending migrations in one transaction and returns the store. An empty
// dbPath means DefaultDBPath(); an empty keyPath means KeyPath(dbPath).
// Folders it creates get mode 0700 and a new database file 0600, whatever
// the umask; an existing database file is set to 0600 when it is not.
// Before anything is created or changed, the ownership rules
// (ownership.go) refuse a data folder, database or key file that another
// user owns or may write, with codes.StoreUnsafe. A database path that is
// a symbolic link is resolved first, so Path, -wal and -shm are the real
// files.
func Open(dbPath, keyPath string) (*Store, error) {
	if dbPath == "" {
		dbPath = DefaultDBPath()
	}
	abs, err := filepath.Abs(dbPath)
	if err != nil {
		return nil, codes.Errorf(codes.Store, "cannot resolve the database path %s: %v", dbPath, err).Wrap(err)
	}
	if strings.ContainsRune(abs, '?') {
		return nil, codes.Errorf(codes.Store, "the database path %s contains '?', which SQLite cannot open", abs).
			WithFix("Choose a database path without '?' (--db or " + EnvDB + ").")
	}
	if keyPath == "" {
		keyPath = KeyPath(abs)
	}
	// SQLite puts -wal and -shm beside the file a symbolic link points to:
	// work on that file, so the modes set below land on the real ones.
	if abs, err = resolveDB(abs); err != nil {
		return nil, err
	}
	if err := checkStorePaths(abs, keyPath); err != nil {
		return nil, err
	}
	if err := mkdirPrivate(filepath.Dir(abs)); err != nil {
		return nil, codes.Errorf(codes.Store, "cannot create the folder of the database %s: %v", abs, err).Wrap(err)
	}
	if err := createPrivate(abs); err != nil {
		return nil, codes.Errorf(codes.Store, "cannot create the database %s: %v", abs, err).Wrap(err)
	}
	// _cache_size is in KiB when negative (pageCacheKiB).
	dsn := abs + "?_busy_timeout=" + strconv.Itoa(int(busyTimeout/time.Millisecond)) +
		"&_foreign_keys=on&_journal_mode=WAL&_synchronous=NORMAL&_txlock=immediate&_secure_delete=on" +
		"&_cache_size=-" + strconv.Itoa(pageCacheKiB)
	db, err := sql.Open("sqlite3", dsn)
	if err != nil {
		return nil, codes.Errorf(codes.Store, "cannot open the database %s: %v", abs, err).Wrap(err)
	}
	// A bounded pool: goroutines beyond it wait in database/sql instead of
	// spinning in SQLite's busy handler.
	db.SetMaxOpenConns(8)
	db.SetMaxIdleConns(8)
	s := &Store{db: db, path: abs, keyPath: keyPath, now: func() time.Time { return time.Now().UTC() },
		writer: make(chan struct{}, 1), stmts: newStmtCache(db)}
	if err := s.migrate(context.Background()); err != nil {
		db.Close()
		return nil, err
	}
	// A database file made before (by hand, restored from a backup) may be
	// readable by others: close it to 0600.
	tighten(abs)
	// SQLite gives -wal and -shm the database file's mode; chmod them too
	// so a permissive umask at their creation cannot leave them readable.
	for _, suffix := range []string{"-wal", "-shm"} {
		if err := os.Chmod(abs+suffix, 0o600); err != nil && !errors.Is(err, fs.ErrNotExist) {
			db.Close()
			return nil, codes.Errorf(codes.Store, "cannot set the mode of %s: %v", abs+suffix, err).Wrap(err)
		}
	}
	return s, nil
}

// Close closes the prepared statements and the database, and forgets the
// key.
func (s *Store) Close() error {
	s.mu.Lock()
	clear(s.key)
	s.key = nil
	s.mu.Unlock()
	return errors.Join(s.stmts.close(), s.db.Close())
}

// Path is the absolute path of the database file.
func (s *Store) Path() string { return s.path }

// KeyFile is the path of the key file this store uses.
func (s *Store) KeyFile() string { return s.keyPath }

// resolveDB follows a symbolic link at the database path to the file it
// names. A link that points nowhere is refused: creating the database
// through it would put it wherever the link says.
func resolveDB(abs string) (string, error) {
	fi, err := os.Lstat(abs)
	if err != nil || fi.Mode()&fs.ModeSymlink == 0 {
		return abs, nil
	}
	real, err := filepath.EvalSymlinks(abs)
	if err != nil {
		to, _ := os.Readlink(abs)
		return "", codes.Errorf(codes.Store, "the database path %s is a symbolic link to %s, which cannot be followed: %v", abs, to, unwrapPath(err)).
			WithFix("Restore the database the link points to, or remove the link " + abs + " (a new database is then made there).")
	}
	return real, nil
}

// unwrapPath drops the path from a *fs.PathError, whose message repeats it.
func unwrapPath(err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}

// tighten sets a file that others may read to mode 0600, as far as it can
// (a read-only file system leaves it as it is). checkFile has refused files
// of other users and files others may write before this runs.
func tighten(path string) {
	if fi, err := os.Stat(path); err == nil && fi.Mode().Perm()&0o077 != 0 {
		_ = os.Chmod(path, 0o600)
	}
}

// mkdirPrivate creates dir and its missing parents with mode 0700, chmod-ed
// after creation so the umask does not matter.
func mkdirPrivate(dir string) error {
	if fi, err := os.Stat(dir); err == nil {
		if !fi.IsDir() {
			return &fs.PathError{Op: "mkdir", Path: dir, Err: errors.New("exists and is not a folder")}
		}
		return nil
	}
	if parent := filepath.Dir(dir); parent != dir {
		if err := mkdirPrivate(parent); err != nil {
			return err
		}
	}
	if err := os.Mkdir(dir, 0o700); err != nil && !errors.Is(err, fs.ErrExist) {
		return err
	} else if err == nil {
		return os.Chmod(dir, 0o700)
	}
	return nil
}

// createPrivate creates an empty file with mode 0600 when it does not exist
// yet, so the database is never readable by others, not even briefly.
func createPrivate(path string) error {
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE|os.O_EXCL, 0o600)
	if errors.Is(err, fs.ErrExist) {
		return nil
	}
	if err != nil {
		return err
	}
	if err := f.Chmod(0o600); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}
