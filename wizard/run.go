package wizard

import (
	"context"
	"errors"
	"io"
	"os"
	"os/signal"
	"sync/atomic"
	"syscall"
	"time"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"
	"github.com/muesli/termenv"

	"github.com/webriskops/webhook-setup/core/codes"
)

// hangupGrace is how long the program may take to stop after SIGHUP
// before it is killed (writes to a dead terminal can block).
const hangupGrace = 3 * time.Second

// saveGrace is how long Run waits for draft saves still in flight.
const saveGrace = 5 * time.Second

// Run opens the wizard on the terminal in o and returns when the operator
// quits. Ctrl-C returns a codes.Interrupted error (exit 130) once the
// terminal is restored; SIGHUP (a dropped SSH connection) ends it the same
// way. Drafts are saved after every step, so both keep the unfinished
// setup for the next start.
func Run(ctx context.Context, o Options) error {
	o = withDefaults(o)
	if o.Accessible {
		return runAccessible(ctx, o)
	}

	// Draw with the colour profile of the output actually drawn on, plain
	// when colour is off. The background is not queried (see termbg);
	// lipgloss's default renderer already knows what to assume, without
	// asking the terminal again.
	r := lipgloss.NewRenderer(o.Out)
	if !o.Color {
		r.SetColorProfile(termenv.Ascii)
	}
	r.SetHasDarkBackground(lipgloss.HasDarkBackground())
	prev := lipgloss.DefaultRenderer()
	lipgloss.SetDefaultRenderer(r) // bubbles and huh draw with the default one
	defer lipgloss.SetDefaultRenderer(prev)

	e := newEnv(ctx, o, newStyles(r))
	m := newModel(e, o.OpenStore, o.Version)
	p := tea.NewProgram(m,
		tea.WithContext(ctx),
		tea.WithInput(o.In),
		tea.WithOutput(o.Out),
		tea.WithAltScreen(),
		tea.WithFPS(120),
	)

	hup := make(chan os.Signal, 1)
	signal.Notify(hup, syscall.SIGHUP)
	defer signal.Stop(hup)
	stopped := make(chan struct{})
	var hungUp atomic.Bool
	go func() {
		select {
		case <-hup:
			hungUp.Store(true)
			p.Send(hangupMsg{})
			select {
			case <-stopped:
			case <-time.After(hangupGrace):
				p.Kill()
			}
		case <-stopped:
		}
	}()

	_, err := p.Run()
	close(stopped)
	waitSaves(e)
	if o.Store == nil && e.store != nil {
		if c, ok := e.store.(io.Closer); ok {
			_ = c.Close()
		}
	}
	if hungUp.Load() {
		m.ending = endHangup // even when it had to be killed
	}
	return result(ctx, m, err)
}

// result maps how the program ended to Run's error.
func result(ctx context.Context, m *model, err error) error {
	kept := ""
	if m.draftKept {
		kept = "; the unfinished setup is kept as a draft: run webhook-setup again to resume it"
	}
	switch {
	case m.ending == endHangup:
		return codes.Errorf(codes.Interrupted, "the terminal hung up%s", kept)
	case m.ending == endInterrupt:
		return codes.Errorf(codes.Interrupted, "setup interrupted%s", kept)
	case err == nil:
		return nil
	case errors.Is(err, tea.ErrProgramPanic):
		return codes.Errorf(codes.Internal, "the wizard stopped on an internal error%s", kept).Wrap(err)
	case errors.Is(err, tea.ErrProgramKilled) && ctx.Err() != nil, errors.Is(err, tea.ErrInterrupted):
		return codes.Errorf(codes.Interrupted, "interrupted%s", kept)
	}
	return codes.Errorf(codes.Internal, "the wizard stopped: %v", err).Wrap(err)
}

// withDefaults fills what the caller left out.
func withDefaults(o Options) Options {
	if o.In == nil {
		o.In = os.Stdin
	}
	if o.Out == nil {
		o.Out = os.Stdout
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Getenv == nil {
		o.Getenv = os.Getenv
	}
	if o.DraftID == "" {
		o.DraftID = "wizard:" + o.Getenv("USER")
	}
	if o.RotateGrace == 0 {
		o.RotateGrace = 24 * time.Hour
	}
	return o
}

// newEnv builds what the screens share.
func newEnv(ctx context.Context, o Options, st *styles) *env {
	return &env{
		ctx: ctx, store: o.Store, resolver: o.Resolver, sender: o.Sender, doctor: o.Doctor, verifier: o.Verifier,
		now: o.Now, actor: o.Actor, draftID: o.DraftID, grace: o.RotateGrace, st: st,
	}
}

// waitSaves lets draft saves in flight finish, for a bounded time.
func waitSaves(e *env) {
	done := make(chan struct{})
	go func() {
		e.saves.Wait()
		close(done)
	}()
	select {
	case <-done:
	case <-time.After(saveGrace):
	}
}
