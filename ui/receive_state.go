package ui

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/webriskops/webhook-setup/core/codes"
	"github.com/webriskops/webhook-setup/core/signing"
)

// receive --state FILE keeps the replay window (the nonces of accepted
// deliveries, until their timestamps leave the tolerance) across restarts,
// so a delivery captured before a restart cannot be replayed after it. The
// file is a journal: a header line, then one "NONCE EXPIRES" line per
// accepted delivery, appended before the delivery is answered. It is
// rewritten with only the live nonces at start and every
// stateCompactEvery lines. It must be a file of this user that nobody else
// can write (or is created new, 0600); a link is never followed.
const (
	stateHeader       = "webhook-setup receive state v1"
	stateCompactEvery = 65536
	maxStateFile      = 16 << 20
)

// nonceState is the open --state file.
type nonceState struct {
	path  string
	cache *signing.NonceCache
	now   func() time.Time

	mu       sync.Mutex
	f        *os.File
	appended int
}

func stateUnsafe(path, why string) error {
	return codes.Errorf(codes.FileUnsafe, "--state %s %s", path, why).
		WithFix("Name a new file, or a state file of your own that only you can write (chmod 0600); a link is never followed.")
}

// openNonceState opens (or creates, 0600) the state file at path, loads
// its live nonces into cache and compacts it.
func openNonceState(path string, cache *signing.NonceCache, now func() time.Time) (*nonceState, error) {
	f, err := openStateFile(path)
	if err != nil {
		return nil, err
	}
	s := &nonceState{path: path, cache: cache, now: now, f: f}
	if err := s.load(); err != nil {
		f.Close()
		return nil, err
	}
	if err := s.compact(); err != nil {
		s.f.Close()
		return nil, err
	}
	return s, nil
}

// openStateFile opens an existing state file of ours, never through a
// link, or creates a new one.
func openStateFile(path string) (*os.File, error) {
	lfi, err := os.Lstat(path)
	if errors.Is(err, fs.ErrNotExist) {
		f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE|os.O_EXCL|os.O_APPEND, 0o600)
		if errors.Is(err, fs.ErrExist) {
			return nil, stateUnsafe(path, "appeared while it was being created")
		}
		if err != nil {
			return nil, codes.Errorf(codes.Usage, "--state %s: %v", path, unwrapPathError(err)).
				WithFix("Name a file in a folder you can write to.")
		}
		return f, f.Chmod(0o600)
	}
	if err != nil {
		return nil, codes.Errorf(codes.Usage, "--state %s: %v", path, unwrapPathError(err))
	}
	switch {
	case lfi.Mode()&fs.ModeSymlink != 0:
		return nil, stateUnsafe(path, "is a symbolic link")
	case !lfi.Mode().IsRegular():
		return nil, stateUnsafe(path, "is not a regular file")
	case !ownedByMe(lfi):
		return nil, stateUnsafe(path, "belongs to another user")
	case lfi.Mode().Perm()&0o022 != 0:
		return nil, stateUnsafe(path, fmt.Sprintf("is writable by other users (mode %04o)", lfi.Mode().Perm()))
	}
	f, err := os.OpenFile(path, os.O_RDWR|os.O_APPEND|openNoFollow, 0)
	if err != nil {
		return nil, codes.Errorf(codes.Usage, "--state %s: %v", path, unwrapPathError(err))
	}
	if fi, err := f.Stat(); err != nil || !os.SameFile(fi, lfi) {
		f.Close()
		return nil, stateUnsafe(path, "changed while it was being opened")
	}
	return f, nil
}

// load reads the journal into the cache; a file that is not a state file
// is refused untouched.
func (s *nonceState) load() error {
	raw, err := io.ReadAll(io.LimitReader(s.f, maxStateFile+1))
	if err != nil {
		return codes.Errorf(codes.Usage, "--state %s: %v", s.path, err)
	}
	if len(raw) == 0 {
		return nil
	}
	notState := func(why string) error {
		return codes.Errorf(codes.Usage, "--state %s is not a receive state file: %s; it was left as it is", s.path, why).
			WithFix("Name a new file for --state, or the file an earlier receive --state wrote.")
	}
	if len(raw) > maxStateFile {
		return notState(fmt.Sprintf("it is over %d bytes", maxStateFile))
	}
	lines := strings.Split(string(raw), "\n")
	if lines[0] != stateHeader {
		return notState("its first line is not " + strconv.Quote(stateHeader))
	}
	now := s.now()
	for i, l := range lines[1:] {
		nonce, exp, ok := strings.Cut(l, " ")
		n, err := strconv.ParseInt(exp, 10, 64)
		if !ok || err != nil || signing.CheckNonce(nonce) != nil {
			if i == len(lines)-2 { // the last line: empty, or cut short by a crash
				break
			}
			return notState(fmt.Sprintf("line %d is not NONCE EXPIRES", i+2))
		}
		s.cache.Restore(nonce, n, now)
	}
	return nil
}

// record appends one accepted nonce before the delivery is answered.
func (s *nonceState) record(nonce string, expires int64) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, err := fmt.Fprintf(s.f, "%s %d\n", nonce, expires); err != nil {
		return err
	}
	s.appended++
	if s.appended >= stateCompactEvery {
		return s.compactLocked()
	}
	return nil
}

func (s *nonceState) compact() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.compactLocked()
}

// compactLocked rewrites the journal with the live nonces only: a new
// file beside it (O_EXCL, 0600), synced, renamed over it.
func (s *nonceState) compactLocked() error {
	var b strings.Builder
	b.WriteString(stateHeader + "\n")
	for nonce, exp := range s.cache.Live(s.now()) {
		fmt.Fprintf(&b, "%s %d\n", nonce, exp)
	}
	tmp := filepath.Join(filepath.Dir(s.path), "."+filepath.Base(s.path)+".new")
	_ = os.Remove(tmp) // a leftover of a crash; Remove never follows a link
	f, err := os.OpenFile(tmp, os.O_RDWR|os.O_CREATE|os.O_EXCL|os.O_APPEND, 0o600)
	if err == nil {
		_, err = f.WriteString(b.String())
		if err == nil {
			err = f.Sync()
		}
		if err == nil {
			err = os.Rename(tmp, s.path)
		}
		if err != nil {
			f.Close()
			os.Remove(tmp)
		}
	}
	if err != nil {
		return codes.Errorf(codes.Internal, "write --state %s: %v", s.path, unwrapPathError(err))
	}
	s.f.Close()
	s.f, s.appended = f, 0
	return nil
}

func (s *nonceState) Close() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.f.Close()
}
