package ui

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/webriskops/webhook-setup/core"
	"github.com/webriskops/webhook-setup/core/codes"
)

// TestWriteURLFiles: new 0600 files, paths relative to the target file,
// never over an existing file or through a symbolic link, and a refusal
// leaves nothing behind.
func TestWriteURLFiles(t *testing.T) {
	dir := t.TempDir()
	targets := []core.Target{{Name: "a", BaseURL: "https://a.example/tokA"}, {Name: "b", BaseURL: "https://b.example/tokB"}}
	w, err := writeURLFiles(filepath.Join(dir, "urls"), filepath.Join(dir, "conf", "targets.toml"), targets)
	if err != nil {
		t.Fatal(err)
	}
	if w.rel["a"] != "../urls/a.url" || w.rel["b"] != "../urls/b.url" {
		t.Errorf("rel = %v", w.rel)
	}
	for _, tg := range targets {
		p := filepath.Join(dir, "urls", tg.Name+".url")
		b, err := os.ReadFile(p)
		fi, _ := os.Stat(p)
		if err != nil || string(b) != tg.BaseURL+"\n" || fi.Mode().Perm() != 0o600 {
			t.Errorf("%s: %q %v %v", p, b, err, fi.Mode())
		}
	}

	// A link where b's file would go: refused, and a's file is not
	// written either.
	victim := filepath.Join(dir, "victim")
	os.WriteFile(victim, []byte("keep"), 0o600)
	links := filepath.Join(dir, "links")
	os.Mkdir(links, 0o700)
	os.Symlink(victim, filepath.Join(links, "b.url"))
	if _, err := writeURLFiles(links, filepath.Join(dir, "t.toml"), targets); codes.AsError(err).Code != codes.Usage {
		t.Fatalf("link in place: %v", err)
	}
	if b, _ := os.ReadFile(victim); string(b) != "keep" {
		t.Fatal("the link was followed")
	}
	if _, err := os.Lstat(filepath.Join(links, "a.url")); err == nil {
		t.Fatal("a refusal left a URL file behind")
	}
	// The folder itself a link: refused.
	os.Symlink(filepath.Join(dir, "urls"), filepath.Join(dir, "urls-link"))
	_, err = writeURLFiles(filepath.Join(dir, "urls-link"), filepath.Join(dir, "t.toml"), []core.Target{{Name: "c", BaseURL: "https://c.example/x"}})
	if e := codes.AsError(err); e.Code != codes.Usage || !strings.Contains(e.Reason, "symbolic link") {
		t.Fatalf("folder link: %v", err)
	}
	if _, err := os.Lstat(filepath.Join(dir, "urls", "c.url")); err == nil {
		t.Fatal("written through the folder link")
	}
}

// TestReadCredentialFile: one trailing newline trimmed; a file its group
// or others may read or write is refused, naming the mode.
func TestReadCredentialFile(t *testing.T) {
	p := filepath.Join(t.TempDir(), "c")
	os.WriteFile(p, []byte("value\r\n"), 0o600)
	if v, err := readCredentialFile(p, 64); err != nil || v != "value" {
		t.Fatalf("%q %v", v, err)
	}
	for _, mode := range []os.FileMode{0o640, 0o604, 0o620, 0o602} {
		os.Chmod(p, mode)
		v, err := readCredentialFile(p, 64)
		if err == nil || v != "" {
			t.Fatalf("mode %04o read: %q", mode, v)
		}
		pr := credentialFileProblem(err, "secret file", p, codes.SecretMissing, "")
		if pr.Code != codes.FileExposed || !strings.Contains(pr.Reason, fmt.Sprintf("(mode %04o)", mode)) {
			t.Errorf("mode %04o: %+v", mode, pr)
		}
	}
	os.Chmod(p, 0o400)
	if _, err := readCredentialFile(p, 3); err == nil {
		t.Fatal("a file over the limit was read")
	}
}
