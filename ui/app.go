// Package ui is how people meet webhook-setup: the cobra commands, their
// output (text, tables, JSON, errors) and the entry into the wizard.
package ui

import (
	"context"
	"fmt"
	"io"
	"net"
	"os"
	"time"

	"github.com/mattn/go-isatty"

	"github.com/webriskops/webhook-setup/core"
	"github.com/webriskops/webhook-setup/core/signing"
	"github.com/webriskops/webhook-setup/core/urlsafe"
	"github.com/webriskops/webhook-setup/store"
)

// App carries what every command needs: streams, settings and the way to
// open the store. Tests build one with their own streams and paths.
type App struct {
	In     io.Reader
	Out    io.Writer
	Err    io.Writer
	Getenv func(string) string
	Now    func() time.Time
	// Resolver answers DNS lookups for URL checks; --resolve overlays it.
	Resolver urlsafe.Resolver
	// Version is printed by `version` and sent in the User-Agent; Build
	// holds it with the commit, Go version and build time.
	Version string
	Build   BuildInfo

	Settings *Settings
	prepared bool
}

// NewApp returns the App of a real process that knows only its version
// (profiling and benchmark harnesses).
func NewApp(version string) *App { return NewAppBuild(BuildInfo{Version: version}) }

// NewAppBuild returns the App of a real process built as b says (ldflags
// in a release; see ReadBuild).
func NewAppBuild(b BuildInfo) *App {
	signing.UserAgent = "webhook-setup/" + b.Version
	return &App{
		In: os.Stdin, Out: os.Stdout, Err: os.Stderr,
		Getenv:   os.Getenv,
		Now:      time.Now,
		Resolver: net.DefaultResolver,
		Version:  b.Version,
		Build:    b,
	}
}

// CanPrompt reports whether both stdin and stdout are terminals, the
// condition for asking questions or opening the wizard.
func (a *App) CanPrompt() bool {
	return isTerminal(a.In) && isTerminal(a.Out)
}

func isTerminal(v any) bool {
	f, ok := v.(*os.File)
	return ok && (isatty.IsTerminal(f.Fd()) || isatty.IsCygwinTerminal(f.Fd()))
}

// OpenStore opens the store at the configured paths.
func (a *App) OpenStore() (*store.Store, error) {
	return store.Open(a.Settings.DBPath(), a.Settings.KeyFile())
}

// withStore opens the store, runs fn and closes it.
func (a *App) withStore(fn func(*store.Store) error) error {
	s, err := a.OpenStore()
	if err != nil {
		return err
	}
	defer s.Close()
	return fn(s)
}

// allTargets reads every saved target (no secrets), ordered by name.
func (a *App) allTargets(ctx context.Context) ([]core.Target, error) {
	var targets []core.Target
	err := a.withStore(func(s *store.Store) (err error) {
		targets, err = s.Targets(ctx, 0, 0)
		return err
	})
	return targets, err
}

// printf writes human output to stdout.
func (a *App) printf(format string, args ...any) {
	fmt.Fprintf(a.Out, format, args...)
}
