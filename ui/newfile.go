package ui

import (
	"errors"
	"io/fs"
	"os"

	"github.com/webriskops/webhook-setup/core/codes"
)

// writeFreshFile writes data to a file that must not exist yet, mode 0600
// whatever the umask. O_CREATE|O_EXCL never opens an existing file and
// never follows a symbolic link (POSIX: a link at the name fails with
// EEXIST), so a planted link cannot make it write elsewhere. flag names the
// option in messages.
func writeFreshFile(flag, path string, data []byte) error {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if errors.Is(err, fs.ErrExist) {
		return codes.Errorf(codes.FileUnsafe, "%s %s exists already (a file or a link); it is never overwritten or followed", flag, path).
			WithFix("Name a new file, or remove the old one first; nothing was changed.")
	}
	if err != nil {
		return codes.Errorf(codes.Usage, "%s %s: %v", flag, path, unwrapPathError(err)).
			WithFix("Name a new file in a folder you can write to; nothing was changed.")
	}
	err = f.Chmod(0o600)
	if err == nil {
		_, err = f.Write(data)
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		_ = os.Remove(path)
		return codes.Errorf(codes.Internal, "write %s %s: %v", flag, path, err)
	}
	return nil
}
