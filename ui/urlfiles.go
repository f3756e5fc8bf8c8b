package ui

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"syscall"

	"github.com/webriskops/webhook-setup/core"
	"github.com/webriskops/webhook-setup/core/codes"
)

// writtenURLFiles are the URL files export-config --url-files wrote.
type writtenURLFiles struct {
	// rel maps a target's name to its file, relative to the target file's
	// folder with forward slashes, as webhook_url_file names it.
	rel     map[string]string
	paths   []string
	madeDir string // the folder, when export-config created it
}

// remove deletes what was written, for a command that fails after it.
func (w *writtenURLFiles) remove() {
	if w == nil {
		return
	}
	for _, p := range w.paths {
		_ = os.Remove(p)
	}
	if w.madeDir != "" {
		_ = os.Remove(w.madeDir)
	}
}

// writeURLFiles writes each target's full webhook URL to a new file
// dir/NAME.url (mode 0600, folder 0700 when it is created), for a target
// file written to out. A URL file is never written over an existing file
// nor through a symbolic link (dir itself may not be one either): every
// path is checked before the first is written, files are created with
// O_EXCL|O_NOFOLLOW, and on any failure what was written is removed, so a
// refusal changes nothing.
func writeURLFiles(dir, out string, targets []core.Target) (*writtenURLFiles, error) {
	usage := func(format string, args ...any) error {
		return codes.Errorf(codes.Usage, "--url-files "+format, args...).
			WithFix("Name a new folder, or one without files named after the targets; existing files are never replaced.")
	}
	w := &writtenURLFiles{rel: map[string]string{}}
	switch fi, err := os.Lstat(dir); {
	case err == nil && fi.Mode()&fs.ModeSymlink != 0:
		return nil, usage("%s is a symbolic link; URL files are not written through links", dir)
	case err == nil && !fi.IsDir():
		return nil, usage("%s exists and is not a folder", dir)
	case err != nil && !errors.Is(err, fs.ErrNotExist):
		return nil, usage("%s: %v", dir, unwrapPathError(err))
	case err != nil:
		w.madeDir = dir
	}
	outDir, err := filepath.Abs(filepath.Dir(out))
	if err != nil {
		return nil, codes.Errorf(codes.Internal, "resolve --out: %v", err)
	}
	absDir, err := filepath.Abs(dir)
	if err != nil {
		return nil, codes.Errorf(codes.Internal, "resolve --url-files: %v", err)
	}
	for _, t := range targets {
		p := filepath.Join(dir, t.Name+".url")
		if _, err := os.Lstat(p); err == nil {
			return nil, usage("%s exists already", p)
		}
		rel, err := filepath.Rel(outDir, filepath.Join(absDir, t.Name+".url"))
		if err != nil {
			return nil, codes.Errorf(codes.Internal, "relate %s to --out: %v", p, err)
		}
		w.rel[t.Name] = filepath.ToSlash(rel)
	}
	if w.madeDir != "" {
		if err := os.MkdirAll(dir, 0o700); err != nil {
			return nil, usage("cannot create %s: %v", dir, unwrapPathError(err))
		}
	}
	for _, t := range targets {
		p := filepath.Join(dir, t.Name+".url")
		if err := writeURLFile(p, t.BaseURL); err != nil {
			w.remove()
			if errors.Is(err, fs.ErrExist) || errors.Is(err, syscall.ELOOP) {
				return nil, usage("%s exists already", p)
			}
			return nil, usage("cannot write %s: %v", p, unwrapPathError(err))
		}
		w.paths = append(w.paths, p)
	}
	return w, nil
}

// writeURLFile writes url and a newline to the new file p, 0600.
func writeURLFile(p, url string) error {
	f, err := os.OpenFile(p, os.O_WRONLY|os.O_CREATE|os.O_EXCL|syscall.O_NOFOLLOW, 0o600)
	if err != nil {
		return err
	}
	_, err = fmt.Fprintln(f, url)
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		_ = os.Remove(p)
	}
	return err
}
