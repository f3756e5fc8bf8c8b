//go:build unix

package store

import (
	"os"
	"path/filepath"
	"syscall"
	"testing"
)

// TestFileModes opens a store under umask 0: the folders it creates are
// 0700 and the database, -wal, -shm and key files 0600 anyway.
func TestFileModes(t *testing.T) {
	old := syscall.Umask(0)
	defer syscall.Umask(old)
	base := t.TempDir()
	db := filepath.Join(base, "xdg", "webhook-setup", "webhook-setup.db")
	s, err := Open(db, "")
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	mustCreate(t, s, "x")
	for _, dir := range []string{filepath.Join(base, "xdg"), filepath.Join(base, "xdg", "webhook-setup")} {
		fi, err := os.Stat(dir)
		if err != nil || fi.Mode().Perm() != 0o700 {
			t.Errorf("%s: %v %v, want 0700", dir, fi.Mode(), err)
		}
	}
	for _, f := range []string{db, db + "-wal", db + "-shm", s.KeyFile()} {
		fi, err := os.Stat(f)
		if err != nil {
			t.Errorf("%s: %v", f, err)
			continue
		}
		if fi.Mode().Perm() != 0o600 {
			t.Errorf("%s: mode %v, want 0600", f, fi.Mode().Perm())
		}
	}
}

// TestLooseModesAreClosed: a database file made with a loose mode before
// the first migration, and a key file restored with one, are set to 0600
// when the store opens them and loads the key.
func TestLooseModesAreClosed(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "webhook-setup.db")
	if err := os.WriteFile(db, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	os.Chmod(db, 0o644)
	s, err := Open(db, "")
	if err != nil {
		t.Fatal(err)
	}
	mustCreate(t, s, "x")
	s.Close()
	if err := os.Chmod(s.KeyFile(), 0o644); err != nil {
		t.Fatal(err)
	}
	if s, err = Open(db, ""); err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if err := s.CheckKey(ctx); err != nil {
		t.Fatal(err)
	}
	for _, f := range []string{db, s.KeyFile()} {
		if fi, err := os.Stat(f); err != nil || fi.Mode().Perm() != 0o600 {
			t.Errorf("%s: mode %v (%v), want 0600", f, fi.Mode().Perm(), err)
		}
	}
}
