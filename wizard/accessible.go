package wizard

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"
	"syscall"

	"github.com/charmbracelet/huh"
	"github.com/charmbracelet/lipgloss"
	"github.com/charmbracelet/x/term"
	"github.com/muesli/termenv"

	"github.com/webriskops/webhook-setup/core"
	"github.com/webriskops/webhook-setup/core/codes"
)

// errEOF ends the accessible prompts when the terminal closes its input
// (Ctrl-D, a dropped connection).
var errEOF = errors.New("end of input")

// errBack is a step's answer "go to the step before".
var errBack = errors.New("back")

// accessiblePage is how many targets the accessible home lists.
const accessiblePage = 20

// lineReader is the terminal's input as huh's accessible fields read it.
// It remembers end of input (huh's prompts cannot report it) and keeps the
// file descriptor visible, so secrets are read without echo.
type lineReader struct {
	r   io.Reader
	eof bool
	// out is told when a line was read: the terminal echoed it and is at
	// the start of a line.
	out *wordWrapper
}

func (l *lineReader) Read(p []byte) (int, error) {
	n, err := l.r.Read(p)
	if n > 0 && l.out != nil {
		l.out.newLine()
	}
	if errors.Is(err, io.EOF) {
		l.eof = true
	}
	return n, err
}

// Fd is the terminal's descriptor, or an invalid one for other readers.
func (l *lineReader) Fd() uintptr {
	if f, ok := l.r.(interface{ Fd() uintptr }); ok {
		return f.Fd()
	}
	return ^uintptr(0)
}

// lineUI is the wizard as plain prompts (huh's accessible mode): the same
// screens, steps, checks and drafts as the full-screen program, one
// question at a time, for screen readers and dumb terminals. Nothing is
// redrawn; secrets are read without echo.
type lineUI struct {
	ctx context.Context
	e   *env
	w   io.Writer
	r   *lineReader
	// draftKept is set once a draft is in the store, to say so on exit.
	draftKept bool
}

// runAccessible runs the prompts until the operator quits. Ctrl-C,
// SIGTERM and SIGHUP end it at once with the terminal restored (echo
// back on) and the draft of the last completed step kept.
func runAccessible(ctx context.Context, o Options) error {
	r := lipgloss.NewRenderer(o.Out)
	if !o.Color {
		r.SetColorProfile(termenv.Ascii)
	}
	r.SetHasDarkBackground(lipgloss.HasDarkBackground())
	prev := lipgloss.DefaultRenderer()
	lipgloss.SetDefaultRenderer(r) // huh's prompts draw with the default one
	defer lipgloss.SetDefaultRenderer(prev)

	// Prose is word-wrapped at the terminal's width (80 when unknown), so
	// the terminal never breaks a word.
	out := newWordWrapper(o.Out, outWidth(o.Out))
	in := &lineReader{r: o.In, out: out}
	if fd := in.Fd(); term.IsTerminal(fd) {
		if state, err := term.GetState(fd); err == nil {
			defer term.Restore(fd, state) //nolint:errcheck
		}
	}
	ui := &lineUI{ctx: ctx, e: newEnv(ctx, o, newStyles(r)), w: out, r: in}
	ui.printf("webhook-setup › Integration status\n")

	hup := make(chan os.Signal, 1)
	signal.Notify(hup, syscall.SIGHUP)
	defer signal.Stop(hup)
	done := make(chan error, 1)
	go func() { done <- ui.main(o) }()
	var err error
	select {
	case err = <-done:
	case <-ctx.Done():
		err = errInterrupted
	case <-hup:
		err = errEOF
	}
	if o.Store == nil && ui.e.store != nil {
		if c, ok := ui.e.store.(io.Closer); ok {
			// Only when the prompts finished: a prompt still waiting for a
			// line may be about to use it, and the process ends anyway.
			if err == nil {
				_ = c.Close()
			}
		}
	}
	kept := ""
	if ui.draftKept {
		kept = "; the unfinished setup is kept as a draft: run webhook-setup again to resume it"
	}
	switch {
	case err == nil:
		return nil
	case errors.Is(err, errEOF):
		ui.printf("\n")
		return codes.Errorf(codes.Interrupted, "the terminal closed its input%s", kept)
	case errors.Is(err, errInterrupted), errors.Is(err, huh.ErrUserAborted):
		ui.printf("\n")
		return codes.Errorf(codes.Interrupted, "setup interrupted%s", kept)
	}
	return err
}

// errInterrupted is Ctrl-C or SIGTERM during the prompts.
var errInterrupted = errors.New("interrupted")

func (ui *lineUI) printf(format string, args ...any) { fmt.Fprintf(ui.w, format, args...) }

// verbatim prints text (a recipe, a signed request) as it is, not
// word-wrapped: it is code, and the terminal's own wrapping of a long
// line keeps a copy of it right.
func (ui *lineUI) verbatim(text string) {
	if ww, ok := ui.w.(*wordWrapper); ok {
		_, _ = io.WriteString(ww.w, text+"\n")
		ww.newLine()
		return
	}
	ui.printf("%s\n", text)
}

// heading prints a screen heading as its own line.
func (ui *lineUI) heading(title string) { ui.printf("\n%s\n", ui.e.st.heading.Render(title)) }

// problems prints problems with their code, reason and fix.
func (ui *lineUI) problems(ps ...codes.Problem) {
	for _, p := range ps {
		ui.printf("Problem %s: %s\n  Fix: %s\n", p.Code, clean(p.Reason), clean(wizardFix(p, true)))
	}
}

// run asks one huh field and turns end of input into errEOF.
func (ui *lineUI) run(f huh.Field) error {
	if err := ui.ctx.Err(); err != nil {
		return errInterrupted
	}
	err := f.RunAccessible(ui.w, ui.r)
	ui.printf("\n")
	if ui.r.eof {
		return errEOF
	}
	return err
}

// choose asks for one of opts (value, label pairs) and returns its value.
func (ui *lineUI) choose(title string, current string, opts ...[2]string) (string, error) {
	value := current
	if value == "" && len(opts) > 0 {
		value = opts[0][0]
	}
	options := make([]huh.Option[string], len(opts))
	found := false
	for i, o := range opts {
		options[i] = huh.NewOption(o[1], o[0])
		found = found || o[0] == value
	}
	if !found {
		value = opts[0][0]
	}
	err := ui.run(huh.NewSelect[string]().Title(title).Options(options...).Value(&value))
	return value, err
}

// ask reads one line of text; current is kept on an empty line.
func (ui *lineUI) ask(title, current string, check func(string) error) (string, error) {
	v := current
	if current != "" {
		title += " [" + clean(current) + "]"
	}
	in := huh.NewInput().Title(title + ":").Value(&v)
	if check != nil {
		in = in.Validate(check)
	}
	err := ui.run(in)
	return strings.TrimSpace(v), err
}

// confirm asks a yes/no question.
func (ui *lineUI) confirm(title string) (bool, error) {
	var yes bool
	err := ui.run(huh.NewConfirm().Title(title).Value(&yes))
	return yes, err
}

// main is the accessible Integration status loop.
func (ui *lineUI) main(o Options) error {
	if ui.e.store == nil && o.OpenStore != nil {
		st, err := o.OpenStore()
		if err != nil {
			return err
		}
		ui.e.store = st
	}
	if ui.e.store == nil {
		return codes.Errorf(codes.Internal, "the wizard was started without a store")
	}
	first := true
	for {
		if !first {
			ui.heading("webhook-setup › Integration status")
		}
		first = false
		hasDraft, targets, err := ui.status()
		if err != nil {
			return err
		}
		opts := [][2]string{}
		if hasDraft {
			opts = append(opts, [2]string{"resume", "Resume unfinished setup"})
		}
		opts = append(opts, [2]string{"new", "New target"})
		if len(targets) > 0 {
			opts = append(opts,
				[2]string{"open", "Open a target"},
				[2]string{"test", "Test send"},
				[2]string{"rotate", "Rotate secret"},
				[2]string{"disconnect", "Disconnect"})
		}
		opts = append(opts, [2]string{"quit", "Quit"})
		action, err := ui.choose("What next?", "", opts...)
		if err != nil {
			return err
		}
		switch action {
		case "quit":
			return nil
		case "new":
			if hasDraft {
				ok, err := ui.confirm("An unfinished setup is saved. Start over and replace it?")
				if err != nil {
					return err
				}
				if !ok {
					continue
				}
			}
			if err := ui.setup(&answers{}, stepProvider); err != nil {
				return err
			}
		case "resume":
			a, step, err := ui.loadDraft()
			if err != nil {
				return err
			}
			if err := ui.setup(&a, step); err != nil {
				return err
			}
		default:
			if err := ui.targetAction(action); err != nil {
				return err
			}
		}
	}
}

// status prints the saved targets (a page of them) with their readiness
// and blocked codes, and whether a draft is saved.
func (ui *lineUI) status() (hasDraft bool, targets []core.Target, err error) {
	ctx, cancel := ui.e.cmdCtx(storeTimeout)
	defer cancel()
	st := ui.e.store
	total, err := st.CountTargets(ctx)
	if err != nil {
		return false, nil, err
	}
	if targets, err = st.Targets(ctx, 0, accessiblePage); err != nil {
		return false, nil, err
	}
	if hasDraft, err = st.HasDraft(ctx, ui.e.draftID); err != nil {
		return false, nil, err
	}
	if total == 0 {
		ui.printf("No webhook targets yet. A webhook target is an HTTPS endpoint the customer owns (a Zapier, Make or n8n hook, or an internal receiver) that receives signed WebRiskOps ticket exports. Choose New target to set one up.\n")
	} else {
		ui.printf("%d saved target(s).\n", total)
	}
	for _, t := range targets {
		r := core.Evaluate(t)
		state := "ready"
		if !r.Ready {
			blocked := make([]string, len(r.Blocked))
			for i, p := range r.Blocked {
				blocked[i] = string(p.Code)
			}
			state = "blocked: " + strings.Join(blocked, ", ")
		}
		ui.printf("- %s, %s, %s, %s\n", clean(t.Name), t.ProviderKey, t.DeploymentMode, state)
	}
	if total > len(targets) {
		ui.printf("%d more: webhook-setup list shows them all.\n", total-len(targets))
	}
	if hasDraft {
		ui.draftKept = true
		ui.printf("An unfinished setup is saved.\n")
	}
	return hasDraft, targets, nil
}

// loadDraft reads the unfinished setup back.
func (ui *lineUI) loadDraft() (answers, stepID, error) {
	ctx, cancel := ui.e.cmdCtx(storeTimeout)
	defer cancel()
	step, data, _, ok, err := ui.e.store.LoadDraft(ctx, ui.e.draftID)
	if err != nil || !ok {
		return answers{}, stepProvider, err
	}
	a, err := unmarshalAnswers(data)
	if err != nil {
		return answers{}, stepProvider, err
	}
	s := stepID(step)
	if position(a.Mode, s) == 0 {
		s = stepProvider
	}
	return a, s, nil
}

// saveDraft stores the answers as the draft at step.
func (ui *lineUI) saveDraft(a *answers, step stepID) {
	ctx, cancel := ui.e.cmdCtx(storeTimeout)
	defer cancel()
	if err := ui.e.store.SaveDraft(ctx, ui.e.draftID, string(step), a.Marshal()); err != nil {
		ui.printf("The draft could not be saved: %s\n", clean(codes.AsError(err).Reason))
		return
	}
	ui.draftKept = true
}
