package store

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/webriskops/webhook-setup/core/codes"
)

// The ownership rules of the store, after OpenSSH's StrictModes: another
// local account must not be able to plant or change the data folder, the
// key file or the database (with its -wal and -shm), because a key it
// planted would seal the operator's secrets with a key it knows.
//
//   - A folder that holds the database or the key must belong to this
//     user (or root) and be writable by nobody else.
//   - Those files must belong to this user (or root) and be writable by
//     nobody else.
//   - Files of ours that others may only read are closed to 0600 (they
//     were made by us; refusing would not undo a read).
//
// Root is trusted as OpenSSH trusts it: it could replace the files anyway.
// Root itself is held to the same rule: a store another user owns is not
// used by root either, since that user could have planted its key.
// Every check runs before anything is created or changed, so a refusal
// leaves the disk as it was.

// checkFolder applies the rules to dir when it exists; a missing folder is
// fine (it will be made 0700 by us).
func checkFolder(dir, role string) error {
	fi, err := os.Stat(dir)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return codes.Errorf(codes.Store, "cannot read the %s %s: %v", role, dir, err).Wrap(err)
	}
	if !fi.IsDir() {
		return codes.Errorf(codes.Store, "the %s %s is not a folder", role, dir)
	}
	if uid, ok := foreignOwner(fi); ok {
		return unsafeErr(fmt.Sprintf("the %s %s belongs to another user (uid %d)", role, dir, uid),
			fmt.Sprintf("Use a folder of your own (--db, %s), or as root give it to this user: chown %d %s", EnvDB, euid(), dir))
	}
	if fi.Mode().Perm()&0o022 != 0 {
		return unsafeErr(fmt.Sprintf("the %s %s is writable by other users (mode %04o): another account could plant a key or database there",
			role, dir, fi.Mode().Perm()), fmt.Sprintf("Close it: chmod 0700 %s (or move the store to a folder only you can write), then check that its files are yours.", dir))
	}
	return nil
}

// checkFile applies the rules to an existing file (following a symbolic
// link to its target); a missing file is fine. It reports whether others
// may read the file, for the caller to close it to 0600.
func checkFile(path, role string) (loose bool, err error) {
	fi, err := os.Stat(path)
	if errors.Is(err, fs.ErrNotExist) {
		return false, nil
	}
	if err != nil {
		return false, codes.Errorf(codes.Store, "cannot read the %s %s: %v", role, path, err).Wrap(err)
	}
	if !fi.Mode().IsRegular() {
		return false, unsafeErr(fmt.Sprintf("the %s %s is not a regular file", role, path),
			"Point the store at a regular file (--db, "+EnvDB+", "+EnvKeyFile+").")
	}
	if uid, ok := foreignOwner(fi); ok {
		return false, unsafeErr(fmt.Sprintf("the %s %s belongs to another user (uid %d), who could have planted it", role, path, uid),
			fmt.Sprintf("Do not use a file another account made. If it is really yours, give it to this user (as root: chown %d %s); otherwise remove it.", euid(), path))
	}
	if fi.Mode().Perm()&0o022 != 0 {
		return false, unsafeErr(fmt.Sprintf("the %s %s is writable by other users (mode %04o), who could have replaced it", role, path, fi.Mode().Perm()),
			fmt.Sprintf("Check that it is the file you made, then close it: chmod 0600 %s", path))
	}
	return fi.Mode().Perm()&0o077 != 0, nil
}

func unsafeErr(reason, fix string) error {
	return codes.Errorf(codes.StoreUnsafe, "%s", reason).WithFix(fix)
}

// checkStorePaths applies the rules to the folders of the database and the
// key, the database with its -wal and -shm, and the key file. It runs
// before Open creates or changes anything.
func checkStorePaths(dbPath, keyPath string) error {
	if err := checkFolder(filepath.Dir(dbPath), "data folder"); err != nil {
		return err
	}
	if kd := filepath.Dir(keyPath); kd != filepath.Dir(dbPath) {
		if err := checkFolder(kd, "key folder"); err != nil {
			return err
		}
	}
	for _, f := range []struct{ path, role string }{
		{dbPath, "database"}, {dbPath + "-wal", "database WAL"}, {dbPath + "-shm", "database shared-memory file"},
	} {
		if _, err := checkFile(f.path, f.role); err != nil {
			return err
		}
	}
	_, err := checkKeyFile(keyPath)
	return err
}

// checkKeyFile applies the rules to the key file. A symbolic link that
// points nowhere is a codes.StoreKey error naming both ends, not a missing
// key (a new key would be written through it otherwise).
func checkKeyFile(path string) (loose bool, err error) {
	if lfi, err := os.Lstat(path); err == nil && lfi.Mode()&fs.ModeSymlink != 0 {
		if _, err := os.Stat(path); errors.Is(err, fs.ErrNotExist) {
			to, _ := os.Readlink(path)
			return false, codes.Errorf(codes.StoreKey, "the key file %s is a symbolic link to %s, which does not exist", path, to).
				WithFix(fmt.Sprintf("Restore the key file the link points to, or remove the link %s (a new key is then made only while nothing is encrypted).", path))
		}
	}
	return checkFile(path, "key file")
}
