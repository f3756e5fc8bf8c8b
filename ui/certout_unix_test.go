//go:build unix

package ui

import (
	"io"
	"os"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	"github.com/webriskops/webhook-setup/core/codes"
)

// TestCertOutNewFileOnly is finding 8 for receive --cert-out: the
// certificate goes to a new 0600 file; a planted link (to a file or to
// nowhere) or an existing file is refused with codes.FileUnsafe and the
// file behind it is untouched.
func TestCertOutNewFileOnly(t *testing.T) {
	old := syscall.Umask(0o022)
	defer syscall.Umask(old)
	dir := t.TempDir()
	app := &App{Out: io.Discard, Err: io.Discard, Now: time.Now}
	certOut := func(path string) error {
		_, err := receiverCert(app, &receiveOptions{selfSigned: true, certOut: path})
		return err
	}

	fresh := filepath.Join(dir, "receiver.pem")
	if err := certOut(fresh); err != nil {
		t.Fatal(err)
	}
	if fi, err := os.Lstat(fresh); err != nil || !fi.Mode().IsRegular() || fi.Mode().Perm() != 0o600 {
		t.Fatalf("--cert-out file: %v %v, want a regular 0600 file", fi.Mode(), err)
	}

	victim := filepath.Join(t.TempDir(), "victim")
	os.WriteFile(victim, []byte("precious"), 0o644)
	linkToFile := filepath.Join(dir, "link.pem")
	os.Symlink(victim, linkToFile)
	linkToNowhere := filepath.Join(dir, "dangling.pem")
	nowhere := filepath.Join(t.TempDir(), "created-through-link")
	os.Symlink(nowhere, linkToNowhere)
	for _, path := range []string{fresh, linkToFile, linkToNowhere} {
		before, _ := os.ReadFile(fresh)
		err := certOut(path)
		if codes.AsError(err).Code != codes.FileUnsafe {
			t.Errorf("--cert-out %s: %v, want %s", filepath.Base(path), err, codes.FileUnsafe)
		}
		if after, _ := os.ReadFile(fresh); string(after) != string(before) {
			t.Errorf("--cert-out %s replaced the existing certificate", filepath.Base(path))
		}
	}
	if data, _ := os.ReadFile(victim); string(data) != "precious" {
		t.Errorf("the file behind the link was overwritten: %q", data)
	}
	if fi, _ := os.Stat(victim); fi.Mode().Perm() != 0o644 {
		t.Errorf("the file behind the link became %v", fi.Mode().Perm())
	}
	if _, err := os.Lstat(nowhere); err == nil {
		t.Error("a file was created through the dangling link")
	}
}
