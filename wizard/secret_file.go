package wizard

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/webriskops/webhook-setup/core/codes"
)

// secretFileName is the file f writes a generated secret to, in the
// folder the wizard was started from unless env.secretDir says otherwise.
const secretFileName = "webriskops-signing-secret.txt"

// writeSecretFile writes secret to a NEW file named secretFileName in dir
// ("" is the current folder), mode 0600 whatever the umask, and returns its
// absolute path. O_CREATE|O_EXCL never opens an existing file and never
// follows a link at the name, so a planted link cannot redirect it; an
// existing file is refused with codes.FileUnsafe and left as it is.
func writeSecretFile(dir, secret string) (string, error) {
	if dir == "" {
		dir = "."
	}
	path, err := filepath.Abs(filepath.Join(dir, secretFileName))
	if err != nil {
		return "", codes.Errorf(codes.Internal, "the current folder: %v", err)
	}
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if errors.Is(err, fs.ErrExist) {
		return "", codes.Errorf(codes.FileUnsafe, "%s exists already (a file or a link); it is never overwritten or followed", path).
			WithFix("Move or remove that file (it may hold an earlier secret), then press f again; or copy the secret from the screen.")
	}
	if err != nil {
		return "", codes.Errorf(codes.FileUnsafe, "cannot create %s: %v", path, errors.Unwrap(err)).
			WithFix("Start the wizard from a folder you can write to, or copy the secret from the screen.")
	}
	err = f.Chmod(0o600)
	if err == nil {
		_, err = f.Write([]byte(secret + "\n"))
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		_ = os.Remove(path)
		return "", codes.Errorf(codes.Internal, "write %s: %v", path, err)
	}
	return path, nil
}
