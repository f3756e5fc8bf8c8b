//go:build unix

package store

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/webriskops/webhook-setup/core/codes"
)

// nobodyUID is the account the tests give planted files to.
const nobodyUID = 65534

// needRoot skips a test that must give files to another user.
func needRoot(t *testing.T) {
	t.Helper()
	if os.Geteuid() != 0 {
		t.Skip("giving a file to another user needs root; run as root to check the ownership rules for other users' files")
	}
}

// snapshot records the names, modes, owners and contents under dir, so a
// test can show that a refusal changed nothing on disk.
func snapshot(t *testing.T, dir string) string {
	t.Helper()
	var b strings.Builder
	filepath.Walk(dir, func(p string, fi os.FileInfo, err error) error {
		if err != nil {
			t.Fatal(err)
		}
		st := fi.Sys().(*syscall.Stat_t)
		fmt.Fprintf(&b, "%s %v uid %d ", p, fi.Mode(), st.Uid)
		if fi.Mode().IsRegular() {
			data, _ := os.ReadFile(p)
			b.Write(data)
		}
		b.WriteString("\n")
		return nil
	})
	return b.String()
}

// TestPlantedKeyRefused is finding 2: another account plants master.key
// (a key it knows, 0644) and an empty database; the store refuses both and
// changes nothing.
func TestPlantedKeyRefused(t *testing.T) {
	needRoot(t)
	dir := filepath.Join(t.TempDir(), "data")
	os.Mkdir(dir, 0o700)
	db := filepath.Join(dir, "webhook-setup.db")
	key := filepath.Join(dir, "master.key")
	if err := os.WriteFile(key, []byte("QUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUE=\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	os.Chown(key, nobodyUID, nobodyUID)

	// The key alone: Open refuses before it creates the database.
	before := snapshot(t, dir)
	_, err := Open(db, "")
	wantCode(t, err, codes.StoreUnsafe)
	if !strings.Contains(err.Error(), key) {
		t.Errorf("the refusal does not name the key file: %v", err)
	}
	if after := snapshot(t, dir); after != before {
		t.Errorf("the refusal changed the disk:\n%s\nthen\n%s", before, after)
	}

	// A planted empty database too: refused by its owner.
	os.Remove(key)
	os.WriteFile(db, nil, 0o644)
	os.Chown(db, nobodyUID, nobodyUID)
	before = snapshot(t, dir)
	_, err = Open(db, "")
	wantCode(t, err, codes.StoreUnsafe)
	if after := snapshot(t, dir); after != before {
		t.Errorf("the refusal changed the disk:\n%s\nthen\n%s", before, after)
	}
}

// TestKeyPlantedAfterOpen: a key that appears (another user's) after the
// store was opened is refused when it is loaded, before anything is sealed.
func TestKeyPlantedAfterOpen(t *testing.T) {
	needRoot(t)
	s := openTemp(t)
	os.WriteFile(s.KeyFile(), []byte("QUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUE=\n"), 0o600)
	os.Chown(s.KeyFile(), nobodyUID, nobodyUID)
	tg := sampleTarget("x")
	err := s.CreateTarget(ctx, &tg, newSecret(), "tester")
	wantCode(t, err, codes.StoreUnsafe)
	if n := count(t, s.Path(), "targets"); n != 0 {
		t.Errorf("%d targets saved under a planted key", n)
	}
}

// TestWritableFolderRefused: a data folder others may write is refused
// before anything is created in it, whoever owns it.
func TestWritableFolderRefused(t *testing.T) {
	for _, mode := range []os.FileMode{0o777, 0o770, 0o1777} {
		dir := filepath.Join(t.TempDir(), "data")
		os.Mkdir(dir, 0o700)
		os.Chmod(dir, mode)
		_, err := Open(filepath.Join(dir, "webhook-setup.db"), "")
		wantCode(t, err, codes.StoreUnsafe)
		if !strings.Contains(err.Error(), dir) || !strings.Contains(codes.AsError(err).Fix, "chmod 0700 "+dir) {
			t.Errorf("mode %v: the refusal does not name the folder and the fix: %v / %s", mode, err, codes.AsError(err).Fix)
		}
		if entries, _ := os.ReadDir(dir); len(entries) != 0 {
			t.Errorf("mode %v: the refusal left %d files", mode, len(entries))
		}
		fi, _ := os.Stat(dir)
		if fi.Mode()&(os.ModePerm|os.ModeSticky) != mode&(os.ModePerm|os.ModeSticky) {
			t.Errorf("mode %v: the folder became %v", mode, fi.Mode())
		}
	}
}

// TestForeignFolderRefused: a data folder of another user is refused even
// when it is private to that user (root runs the tool on it here).
func TestForeignFolderRefused(t *testing.T) {
	needRoot(t)
	dir := filepath.Join(t.TempDir(), "data")
	os.Mkdir(dir, 0o700)
	os.Chown(dir, nobodyUID, nobodyUID)
	_, err := Open(filepath.Join(dir, "webhook-setup.db"), "")
	wantCode(t, err, codes.StoreUnsafe)
	if entries, _ := os.ReadDir(dir); len(entries) != 0 {
		t.Errorf("the refusal left %d files", len(entries))
	}
}

// TestWritableFilesRefused: a key or database of ours that others may
// write is refused (they could have replaced it); one they may only read
// is closed to 0600 (TestLooseModesAreClosed).
func TestWritableFilesRefused(t *testing.T) {
	s := openTemp(t)
	mustCreate(t, s, "x")
	s.Close()
	for _, f := range []string{s.KeyFile(), s.Path()} {
		os.Chmod(f, 0o666)
		s2, err := Open(s.Path(), "")
		if err == nil {
			err = s2.CheckKey(ctx)
			s2.Close()
		}
		wantCode(t, err, codes.StoreUnsafe)
		if fi, _ := os.Stat(f); fi.Mode().Perm() != 0o666 {
			t.Errorf("%s: the refusal changed its mode to %v", f, fi.Mode().Perm())
		}
		os.Chmod(f, 0o600)
	}
}

// TestSymlinkedDatabase is finding 7: the database is a symbolic link to
// a file elsewhere; SQLite's -wal and -shm live beside the real file, and
// those end 0600 (under a permissive umask), with nothing beside the link.
func TestSymlinkedDatabase(t *testing.T) {
	old := syscall.Umask(0o022)
	defer syscall.Umask(old)
	realDir := filepath.Join(t.TempDir(), "real")
	linkDir := filepath.Join(t.TempDir(), "link")
	os.Mkdir(realDir, 0o700)
	os.Mkdir(linkDir, 0o700)
	realDB := filepath.Join(realDir, "webhook-setup.db")
	os.WriteFile(realDB, nil, 0o644)
	link := filepath.Join(linkDir, "webhook-setup.db")
	if err := os.Symlink(realDB, link); err != nil {
		t.Fatal(err)
	}
	s, err := Open(link, "")
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	mustCreate(t, s, "x")
	if s.Path() != realDB {
		t.Errorf("Path() = %s, want the real file %s", s.Path(), realDB)
	}
	for _, f := range []string{realDB, realDB + "-wal", realDB + "-shm"} {
		fi, err := os.Stat(f)
		if err != nil {
			t.Errorf("%s: %v", f, err)
			continue
		}
		if fi.Mode().Perm() != 0o600 {
			t.Errorf("%s: mode %v, want 0600", f, fi.Mode().Perm())
		}
	}
	for _, f := range []string{link + "-wal", link + "-shm"} {
		if _, err := os.Lstat(f); err == nil {
			t.Errorf("%s exists beside the link", f)
		}
	}
	// A link that points nowhere is refused, and nothing is made there.
	dangling := filepath.Join(linkDir, "gone.db")
	os.Symlink(filepath.Join(realDir, "missing", "x.db"), dangling)
	_, err = Open(dangling, "")
	wantCode(t, err, codes.Store)
	if _, err := os.Stat(filepath.Join(realDir, "missing")); err == nil {
		t.Error("a folder was made where the dangling link points")
	}
}

// TestDanglingKeySymlink: a master.key that is a symbolic link to a
// missing file is a clear StoreKey error naming the link, not an internal
// error, and no key is written through the link.
func TestDanglingKeySymlink(t *testing.T) {
	s := openTemp(t)
	target := filepath.Join(t.TempDir(), "vault", "master.key")
	os.Remove(s.KeyFile())
	if err := os.Symlink(target, s.KeyFile()); err != nil {
		t.Fatal(err)
	}
	tg := sampleTarget("x")
	err := s.CreateTarget(ctx, &tg, newSecret(), "tester")
	wantCode(t, err, codes.StoreKey)
	if !strings.Contains(err.Error(), "symbolic link") || !strings.Contains(err.Error(), target) {
		t.Errorf("the error does not say what the link is: %v", err)
	}
	if _, err := os.Stat(target); err == nil {
		t.Error("a key was written through the dangling link")
	}
}
