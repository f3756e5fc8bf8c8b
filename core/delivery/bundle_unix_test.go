//go:build unix

package delivery_test

import (
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/webriskops/webhook-setup/core/codes"
	"github.com/webriskops/webhook-setup/core/delivery"
)

// TestWriteBundlePlantedFolderLink is finding 8: <fallback-dir>/<name>
// is a symbolic link to a folder elsewhere. The writer refuses it with
// codes.FileUnsafe: the folder elsewhere keeps its file and its mode.
func TestWriteBundlePlantedFolderLink(t *testing.T) {
	dir := t.TempDir()
	elsewhere := t.TempDir()
	os.Chmod(elsewhere, 0o755)
	victim := filepath.Join(elsewhere, delivery.BundlePayload)
	os.WriteFile(victim, []byte("precious"), 0o644)
	if err := os.Symlink(elsewhere, filepath.Join(dir, "wro_x")); err != nil {
		t.Fatal(err)
	}
	body, _ := testBody(t, "tgt_1")
	_, err := delivery.WriteBundle(dir, "wro_x", delivery.Bundle{Body: body, At: time.Now()})
	if codes.AsError(err).Code != codes.FileUnsafe {
		t.Fatalf("WriteBundle through a planted link: %v, want %s", err, codes.FileUnsafe)
	}
	if data, _ := os.ReadFile(victim); string(data) != "precious" {
		t.Errorf("the file elsewhere was replaced: %q", data)
	}
	if fi, _ := os.Stat(elsewhere); fi.Mode().Perm() != 0o755 {
		t.Errorf("the folder elsewhere became %v", fi.Mode().Perm())
	}
	if entries, _ := os.ReadDir(elsewhere); len(entries) != 1 {
		t.Errorf("the folder elsewhere holds %d entries, want 1", len(entries))
	}
}

// TestWriteBundlePlantedFileLink: a file name inside the bundle folder is a
// link to a file elsewhere: the link is replaced by a new 0600 file, the
// file elsewhere is untouched. An existing folder is not chmod-ed.
func TestWriteBundlePlantedFileLink(t *testing.T) {
	dir := t.TempDir()
	folder := filepath.Join(dir, "wro_y")
	os.Mkdir(folder, 0o750)
	os.Chmod(folder, 0o750)
	victim := filepath.Join(t.TempDir(), "victim")
	os.WriteFile(victim, []byte("precious"), 0o644)
	if err := os.Symlink(victim, filepath.Join(folder, delivery.BundlePayload)); err != nil {
		t.Fatal(err)
	}
	body, _ := testBody(t, "tgt_1")
	if _, err := delivery.WriteBundle(dir, "wro_y", delivery.Bundle{Body: body, At: time.Now()}); err != nil {
		t.Fatal(err)
	}
	if data, _ := os.ReadFile(victim); string(data) != "precious" {
		t.Errorf("the file behind the link was replaced: %q", data)
	}
	fi, err := os.Lstat(filepath.Join(folder, delivery.BundlePayload))
	if err != nil || !fi.Mode().IsRegular() || fi.Mode().Perm() != 0o600 {
		t.Errorf("payload.json: %v %v, want a regular 0600 file", fi.Mode(), err)
	}
	if fi, _ := os.Stat(folder); fi.Mode().Perm() != 0o750 {
		t.Errorf("an existing folder was chmod-ed to %v", fi.Mode().Perm())
	}
	// A new bundle folder is 0700 whatever the umask.
	path, err := delivery.WriteBundle(dir, "wro_z", delivery.Bundle{Body: body, At: time.Now()})
	if err != nil {
		t.Fatal(err)
	}
	if fi, _ := os.Stat(path); fi.Mode().Perm() != 0o700 {
		t.Errorf("a new bundle folder is %v, want 0700", fi.Mode().Perm())
	}
	// A bundle folder others may write is refused.
	os.Chmod(path, 0o777)
	if _, err := delivery.WriteBundle(dir, "wro_z", delivery.Bundle{Body: body, At: time.Now()}); codes.AsError(err).Code != codes.FileUnsafe {
		t.Errorf("a world-writable bundle folder: %v, want %s", err, codes.FileUnsafe)
	}
}
