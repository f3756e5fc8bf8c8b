package wizard

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strconv"
	"strings"
	"syscall"

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

// lineReader is the terminal's input as the prompts read it (through
// lineUI.in). It remembers end of input and keeps the file descriptor
// visible, so hidden answers are read with echo off.
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

// lineUI is the wizard as plain prompts: the same screens, step
// definitions (stepdefs.go), checks and drafts as the full-screen program, one
// question at a time, for screen readers and dumb terminals. Nothing is
// redrawn; secrets are read without echo.
type lineUI struct {
	ctx context.Context
	e   *env
	w   io.Writer
	r   *lineReader
	// in reads r a line at a time; one buffer for every prompt, so no
	// line typed ahead is lost between two of them.
	in *bufio.Reader
	// draftKept is set once a draft is in the store, to say so on exit.
	draftKept bool
	// saved is set once the setup's target is saved: a quit after it
	// (at the test send) has no draft to keep.
	saved bool
	// stopped is set when quit or end of input stopped a setup, its
	// answers kept as a draft.
	stopped bool
	// tty is set when the input is a terminal, in line mode.
	tty bool
	// full is set when the last line read from a terminal filled its
	// line (ttyLineMax): the terminal may have dropped the rest of it.
	full bool
}

// ttyLineMax is the longest line a Linux terminal in line mode hands a
// program (its 4096-byte line buffer, less the line end): the rest of a
// longer paste is dropped before the program sees it, so a refusal can
// only name the size that arrived.
const ttyLineMax = 4095

// fullLineNote says, after a refusal of a line that filled the terminal's
// line, that the text given was longer than the size named.
const fullLineNote = "Note: the terminal passes at most 4095 bytes of a line to these prompts and dropped the rest, so the text given was longer than the size named above. Nothing of it is kept."

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
	lipgloss.SetDefaultRenderer(r) // for anything drawn with the default one
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
	ui := &lineUI{ctx: ctx, e: newEnv(ctx, o, newStyles(r)), w: out, r: in, in: bufio.NewReader(in), tty: term.IsTerminal(in.Fd())}
	ui.printf("webhook-setup › Integration status\n")

	hup := make(chan os.Signal, 1)
	signal.Notify(hup, syscall.SIGHUP)
	defer signal.Stop(hup)
	done := make(chan error, 1)
	go func() {
		err := ui.main(o)
		if errors.Is(err, errQuitClean) {
			err = nil
		}
		done <- err
	}()
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
	case errors.Is(err, errQuit):
		return codes.Errorf(codes.Interrupted, "setup stopped%s", kept)
	case errors.Is(err, errInterrupted):
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

// The words every accessible prompt understands besides its answers, so
// no prompt is a dead end and none needs Ctrl-C: back goes to the step
// before (inside a step, to its previous question), quit keeps the
// unfinished setup as a draft and stops. End of input (Ctrl-D) is quit.
const (
	wordBack = "back"
	wordQuit = "quit"
)

// navHelp is said once when a setup starts or resumes.
const navHelp = "At any prompt, type back for the previous step, or quit to keep the unfinished setup as a draft and stop (Ctrl-D does the same)."

// line reads one line of input, without its line break. A line that is
// only "back" or "quit" is errBack or errQuit, end of input errEOF and a
// cancelled context errInterrupted.
func (ui *lineUI) line() (string, error) {
	if err := ui.ctx.Err(); err != nil {
		return "", errInterrupted
	}
	s, err := ui.in.ReadString('\n')
	if err != nil && (s == "" || !errors.Is(err, io.EOF)) {
		if errors.Is(err, io.EOF) || ui.r.eof {
			return "", errEOF
		}
		return "", err
	}
	s = strings.TrimRight(s, "\r\n")
	ui.full = ui.tty && len(s) >= ttyLineMax
	return s, navWord(s)
}

// navWord is the error a navigation word stands for, nil for other text.
func navWord(s string) error {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case wordBack:
		return errBack
	case wordQuit:
		return errQuit
	}
	return nil
}

// errQuit is the operator's "quit" at a prompt.
var errQuit = errors.New("quit")

// choose asks for one of opts (value, label pairs) and returns its value;
// an empty line keeps current (the first option when current is none of
// them). The answer is the option's number or its value.
func (ui *lineUI) choose(title string, current string, opts ...[2]string) (string, error) {
	def := 0
	for i, o := range opts {
		if o[0] == current {
			def = i
		}
	}
	ui.printf("%s\n", title)
	for i, o := range opts {
		ui.printf("%d. %s\n", i+1, o[1])
	}
	for {
		ui.printf("Enter a number between 1 and %d: ", len(opts))
		v, err := ui.line()
		if err != nil {
			return "", err
		}
		v = strings.TrimSpace(v)
		if v == "" {
			return opts[def][0], nil
		}
		if n, err := strconv.Atoi(v); err == nil && n >= 1 && n <= len(opts) {
			return opts[n-1][0], nil
		}
		for _, o := range opts {
			if strings.EqualFold(v, o[0]) {
				return o[0], nil
			}
		}
		ui.printf("Invalid: must be a number between 1 and %d (or back, or quit)\n", len(opts))
	}
}

// ask reads one line of text, cleaned by sanitizeText and trimmed as the
// full-screen inputs store it; current is kept on an empty line. check,
// when set, sees the cleaned line before trimming; its refusal is printed
// and the question asked again.
func (ui *lineUI) ask(title, current string, check func(string) error) (string, error) {
	prompt := title
	if current != "" {
		prompt += " [" + clean(current) + "]"
	}
	for {
		ui.printf("%s: ", prompt)
		v, err := ui.line()
		if err != nil {
			return "", err
		}
		v = sanitizeText(v) // what a full-screen input keeps of the same text
		if strings.TrimSpace(v) == "" {
			v = current // an empty line keeps the current answer
		}
		if check != nil {
			if err := check(v); err != nil {
				ui.printf("%s\n", err)
				if ui.full {
					ui.printf("%s\n", fullLineNote)
				}
				continue
			}
		}
		return strings.TrimSpace(v), nil
	}
}

// askField asks a field of a step definition: its title, description and
// (while the field is empty, as the full-screen placeholder) its example
// for the provider; its text cleaned by the field's sanitiser, refused by
// the field's check (the core's rules) until the core accepts it.
func (ui *lineUI) askField(a *answers, f fieldDef) (string, error) {
	about := strings.TrimSuffix(strings.ToLower(f.desc[:1])+f.desc[1:], ".")
	if f.placeholder != nil && !f.hint && f.get(a) == "" {
		about += "; e.g. " + f.placeholder(a.Provider)
	}
	return ui.ask(f.title+" ("+about+")", f.get(a), func(v string) error {
		if ps := f.check(a, v); len(ps) > 0 {
			return problemErr(&ps[0])
		}
		return nil
	})
}

// confirm asks a yes/no question: y, Y, yes; n, N, no or an empty line
// for no.
func (ui *lineUI) confirm(title string) (bool, error) {
	for {
		ui.printf("%s [y/N] ", title)
		v, err := ui.line()
		if err != nil {
			return false, err
		}
		switch strings.ToLower(strings.TrimSpace(v)) {
		case "y", "yes":
			return true, nil
		case "", "n", "no":
			return false, nil
		}
		ui.printf("Invalid: answer y or n (or back, or quit)\n")
	}
}

// askHidden reads a line without echo (a secret, an edge value): echo is
// turned off around an ordinary line read, so back, quit and end of input
// (Ctrl-D) work as at every prompt. Not a terminal (tests, pipes): a plain
// line.
func (ui *lineUI) askHidden(title string) (string, error) {
	ui.printf("%s ", title)
	fd := ui.r.Fd()
	if !term.IsTerminal(fd) {
		return ui.line()
	}
	restore, err := echoOff(fd)
	if err != nil {
		// No termios here: x/term's reader (Ctrl-D is not seen there).
		if err := ui.ctx.Err(); err != nil {
			return "", errInterrupted
		}
		b, err := term.ReadPassword(fd)
		ui.printf("\n")
		if err != nil {
			return "", err
		}
		return string(b), navWord(string(b))
	}
	v, err := ui.line()
	restore()
	ui.printf("\n") // the typed line break was not echoed either
	return v, err
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
		resume, targets, err := ui.status()
		if err != nil {
			return err
		}
		hasDraft := resume != ""
		action, err := ui.choose("What next?", "", homeChoices(resume, len(targets) > 0)...)
		switch {
		case errors.Is(err, errBack):
			continue // nothing before Integration status
		case errors.Is(err, errQuit):
			return nil // as Quit
		case err != nil:
			return err
		}
		switch action {
		case "quit":
			return nil
		case "new":
			if hasDraft {
				ok, err := ui.confirm("An unfinished setup is saved. Start over and replace it?")
				if errors.Is(err, errBack) {
					continue
				}
				if err != nil {
					return err
				}
				if !ok {
					continue
				}
			}
			if err := ui.ended(ui.setup(&answers{}, stepProvider)); err != nil {
				return err
			}
		case "resume":
			a, step, err := ui.loadDraft()
			if err != nil {
				return err
			}
			if err := ui.ended(ui.setup(&a, step)); err != nil {
				return err
			}
		default:
			if err := ui.ended(ui.targetAction(action)); err != nil {
				return err
			}
		}
	}
}

// homeChoices are the choices of Integration status: resume (when a
// draft is saved, resume is its offer), new, the target actions (when there
// are targets), quit, and edit last.
func homeChoices(resume string, targets bool) [][2]string {
	opts := [][2]string{}
	if resume != "" {
		opts = append(opts, [2]string{"resume", resume})
	}
	opts = append(opts, [2]string{"new", "New target"})
	if targets {
		opts = append(opts,
			[2]string{"open", "Open a target"},
			[2]string{"test", "Test send"},
			[2]string{"rotate", "Rotate secret"},
			[2]string{"disconnect", "Disconnect"})
	}
	opts = append(opts, [2]string{"quit", "Quit"})
	if targets {
		// Last, so the numbers of the choices before it stay as
		// operators learned them.
		opts = append(opts, [2]string{"edit", "Edit a target"})
	}
	return opts
}

// ended is what an action's error means for the Integration status loop:
// back returns to it (nil); quit with no setup stopped by it (a test send
// after saving, a target action) ends the program as Quit does
// (errQuitClean); anything else ends it with that error.
func (ui *lineUI) ended(err error) error {
	switch {
	case errors.Is(err, errBack):
		return nil
	case errors.Is(err, errQuit) && !ui.stopped:
		return errQuitClean
	}
	return err
}

// errQuitClean is quit with nothing left unfinished: the program ends as
// with Quit.
var errQuitClean = errors.New("quit")

// status prints the saved targets (a page of them) with their readiness
// and blocked codes, and whether a draft is saved; resume is the draft's
// resumeText, as the full-screen home shows it ("" when there is none).
func (ui *lineUI) status() (resume string, targets []core.Target, err error) {
	ctx, cancel := ui.e.cmdCtx(storeTimeout)
	defer cancel()
	st := ui.e.store
	total, err := st.CountTargets(ctx)
	if err != nil {
		return "", nil, err
	}
	if targets, err = st.Targets(ctx, 0, accessiblePage); err != nil {
		return "", nil, err
	}
	hasDraft, err := st.HasDraft(ctx, ui.e.draftID)
	if err != nil {
		return "", nil, err
	}
	if total == 0 {
		ui.printf("No webhook targets yet. A webhook target is an HTTPS endpoint the customer owns (a Zapier, Make or n8n hook, or an internal receiver) that receives signed WebRiskOps ticket exports. Choose New target to set one up.\n")
	} else {
		ui.printf("%s.\n", plural(total, "saved target")) // as Integration status counts them
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
		resume = "Resume unfinished setup"
		if step, data, at, ok, err := st.LoadDraft(ctx, ui.e.draftID); err == nil && ok {
			a, _ := unmarshalAnswers(data)
			resume = resumeText(draftEditName(data), stepID(step), a.Mode, at, ui.e.now())
		}
		ui.printf("An unfinished setup is saved.\n")
	}
	return resume, targets, nil
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
