package wizard

import (
	"fmt"
	"strings"

	"github.com/charmbracelet/bubbles/key"
	"github.com/charmbracelet/bubbles/spinner"
	"github.com/charmbracelet/bubbles/textinput"
	tea "github.com/charmbracelet/bubbletea"

	"github.com/webriskops/webhook-setup/core"
	"github.com/webriskops/webhook-setup/core/codes"
	"github.com/webriskops/webhook-setup/core/urlsafe"
)

var keyJump = key.NewBinding(key.WithKeys("1", "2", "3", "4", "5", "6", "7"), key.WithHelp("1-7", "go to step"))

// jumpHelp is keyJump with the step numbers of the flow in mode.
func jumpHelp(mode core.Mode) key.Binding {
	b := keyJump
	b.SetHelp(fmt.Sprintf("1-%d", len(flow(mode))-1), "go to step")
	return b
}

// saveFailedMsg reports a failed save from Review.
type saveFailedMsg struct{ err error }

// reviewStep is "Review and save": the endpoint host, provider key,
// signing summary, receiver owner, deployment mode, private network and
// the name (editable, defaulted from provider and host). Save is offered
// only when every readiness state is ready or not applicable and the
// endpoint check passes; otherwise it lists what to fix, each with the
// number of the step to go back to.
type reviewStep struct {
	env     *env
	a       *answers
	name    textinput.Model
	editing bool
	spin    spinner.Model

	checking   bool
	pendingKey checkKey
	verdict    *urlsafe.Verdict
	verdictKey checkKey
	saving     bool

	width, height int
}

func newReviewStep(e *env, a *answers) *reviewStep {
	s := &reviewStep{env: e, a: a}
	s.name = newInput(e.st, "› ", a.TargetName()) // the row's label says name
	s.spin = newSpinner(e.st)
	return s
}

// Init runs the endpoint check once more with the final policy (the
// private-network approval may have changed since the Endpoint URL step),
// unless what the core found already stops it.
func (s *reviewStep) Init() tea.Cmd {
	if !s.a.Judge(nil).Pending {
		return nil
	}
	t := s.a.Target()
	s.checking, s.pendingKey = true, keyFor(t)
	return tea.Batch(s.spin.Tick, checkEndpoint(s.env, t))
}

// Captures reports whether the name is being edited (esc cancels it).
func (s *reviewStep) Captures() bool { return s.editing }

// current is the endpoint verdict for the answers as they stand; nil
// while it is still to come.
func (s *reviewStep) current() *urlsafe.Verdict {
	if s.verdict != nil && s.verdictKey == keyFor(s.a.Target()) {
		return s.verdict
	}
	return nil
}

// assessment is the core's judgement of the answers as they stand, with
// the endpoint verdict of the latest check (core.Assess's rule, its
// network half run off the UI loop).
func (s *reviewStep) assessment() core.Assessment {
	return s.a.Judge(s.current())
}

// warnings are what the endpoint check warns of (a URL that does not look
// like the provider's, an n8n test URL, a look-alike host): the latest
// check's warnings, or while there is none the ones that need no network,
// so a hint given at the Endpoint URL step is read again before saving.
func (s *reviewStep) warnings() []string { return reviewWarnings(s.a, s.current()) }

// blockers is everything that keeps the answers from being saved: the
// core's problems and a refused endpoint check.
func (s *reviewStep) blockers() []codes.Problem {
	return s.assessment().Problems
}

// ready reports whether Save may be offered.
func (s *reviewStep) ready() bool {
	return s.assessment().Ready
}

func (s *reviewStep) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	switch msg := msg.(type) {
	case endpointCheckedMsg:
		if msg.key == s.pendingKey {
			s.checking = false
		}
		v := msg.v
		s.verdict, s.verdictKey = &v, msg.key
		return s, nil
	case spinner.TickMsg:
		return s, spinTick(&s.spin, msg, s.checking || s.saving)
	case saveFailedMsg:
		s.saving = false
		p := codes.ProblemOf(msg.err)
		p.Field = "name"
		if p.Code == codes.NameTaken {
			p.Fix = "Press e to choose another name."
		}
		if s.a.editsSaved() {
			p = editFailure(p)
		}
		return s, report(s, p)
	case tea.KeyMsg:
		if s.editing {
			return s, s.updateName(msg)
		}
		if s.saving {
			return s, nil
		}
		switch {
		case key.Matches(msg, keyEditName):
			s.editing = true
			s.name.SetValue(s.a.TargetName())
			s.name.CursorEnd()
			return s, s.name.Focus()
		case key.Matches(msg, keySave):
			return s, s.save()
		case key.Matches(msg, keyJump):
			steps := flow(s.a.Mode)
			n := int(msg.Runes[0] - '0')
			if n >= 1 && n < len(steps) {
				step := steps[n-1]
				return s, s.env.post(jumpMsg{step: step})
			}
		}
		return s, nil
	}
	if s.editing {
		var cmd tea.Cmd
		s.name, cmd = s.name.Update(msg)
		return s, cmd
	}
	return s, nil
}

// updateName edits the name: enter checks it with the core's name rule,
// esc keeps the old one.
func (s *reviewStep) updateName(k tea.KeyMsg) tea.Cmd {
	switch {
	case k.Type == tea.KeyEsc:
		s.editing = false
		s.name.Blur()
		return report(s)
	case key.Matches(k, keyNext):
		v := strings.TrimSpace(s.name.Value())
		if p := core.ValidateName(v); p != nil {
			return report(s, *p)
		}
		s.a.Name = v
		s.editing = false
		s.name.Blur()
		return report(s)
	}
	before := s.name.Value()
	_, cmd := updateInput(&s.name, k)
	if s.name.Value() != before && s.env.showing("name") {
		// The error follows the name as it is typed, and goes once the
		// name is acceptable.
		if p := core.ValidateName(strings.TrimSpace(s.name.Value())); p != nil {
			return tea.Batch(cmd, report(s, *p))
		}
		return tea.Batch(cmd, report(s))
	}
	return cmd
}

// save stores the target when it is ready. The store call runs as a
// command on copies, never on the answers Update keeps changing.
func (s *reviewStep) save() tea.Cmd {
	if s.checking {
		return notify(s, "Wait for the endpoint check to finish.")
	}
	if !s.ready() {
		return notify(s, "Fix what is listed before saving; press its number to go to its step.")
	}
	if s.env.store == nil {
		return notify(s, "The store is still opening; try again in a moment.")
	}
	s.saving = true
	if s.a.editsSaved() {
		return s.saveEdit()
	}
	t, secret, edgeValue, e := s.a.Target(), s.a.Secret, s.a.EdgeValue, s.env
	t.Signing = nil // the store fills it from the credential
	if v := s.current(); v != nil {
		// The decision the operator saw, kept with the target and in its
		// create audit event.
		t.URLCheck = core.URLCheckOf(*v, e.now())
	}
	return tea.Batch(s.spin.Tick, func() tea.Msg {
		ctx, cancel := e.cmdCtx(storeTimeout)
		defer cancel()
		if err := e.store.CreateTargetWithEdge(ctx, &t, secret, edgeValue, e.actor); err != nil {
			return saveFailedMsg{err}
		}
		// The target is saved: the unfinished setup is finished.
		_ = e.store.DeleteDraft(ctx, e.draftID)
		return savedMsg{t: t}
	})
}

func (s *reviewStep) View() string {
	st := s.env.st
	t := s.a.Target()
	var b strings.Builder
	lines := []string{
		field(st, "endpoint host", endpointHost(t.BaseURL)),
	}
	if r := resolveRow(t); r != "" {
		lines = append(lines, fieldWrapped(st, "resolve as", r, s.width, 0))
	}
	lines = append(lines,
		field(st, "provider key", string(t.ProviderKey)),
		field(st, "signing", core.SigningSummary(t.Signing)),
		fieldWrapped(st, "receiver owner", t.ReceiverOwner, s.width, 2),
		fieldWrapped(st, "revoke path", t.RevokePath, s.width, 2),
		field(st, "deployment mode", string(t.DeploymentMode)),
		fieldWrapped(st, "private network", networkSummary(t), s.width, 0),
	)
	if x := extrasSummary(t); x != "" {
		lines = append(lines, field(st, "extra headers", x))
	}
	if s.a.editsSaved() {
		editRows(st, s.a, t, lines)
	}
	b.WriteString(strings.Join(lines, "\n") + "\n")
	if s.editing {
		b.WriteString(st.dim.Render(fmt.Sprintf("%-18s", "name")) + " " + s.name.View() + "\n")
	} else {
		b.WriteString(field(st, "name", t.Name) + st.dim.Render("  (e to edit)") + "\n")
	}
	head := b.String()
	// The warnings are drawn in full unless they would take the room the
	// list of what to fix needs in full, or the verdict's line; then they
	// shrink to a note beside the Readiness heading, which takes no line
	// of its own. When even that leaves the list or the verdict cut (60×20
	// with several things to fix), the layout tightens: no blank rows,
	// the states three to a row, each thing to fix on one line, and the
	// summary rows give way from their end, so what blocks the save is
	// always read in full.
	for _, compact := range []bool{false, true} {
		b.Reset()
		if compact {
			b.WriteString(head + "\n" + s.statesView(s.warningsNote()) + "\n\n")
		} else {
			b.WriteString(head + s.warningsView() + "\n" + s.statesView("") + "\n\n")
		}
		room := s.height - strings.Count(b.String(), "\n") - 1
		verdict, full := s.verdictView(room)
		b.WriteString(verdict)
		if (!compact && !full) || (s.height > 0 && strings.Count(b.String(), "\n")+1 > s.height) {
			continue
		}
		return b.String()
	}
	return s.tightView(head)
}

// verdictView is what follows the states: saving, checking, ready to
// save, or the list of what to fix in room lines where it can be (full
// reports whether that list is drawn with every detail).
func (s *reviewStep) verdictView(room int) (view string, full bool) {
	return s.verdictAt(func() string { return s.fixList(room) })
}

// verdictAt is verdictView with the list of what to fix drawn by list.
func (s *reviewStep) verdictAt(list func() string) (view string, full bool) {
	st := s.env.st
	t := s.a.Target()
	switch {
	case s.saving:
		return s.spin.View() + " saving…", true
	case s.checking:
		return s.spin.View() + " checking the endpoint " + clean(endpointHost(t.BaseURL)) + "…", true
	case s.ready() && s.a.editsSaved():
		return editReadyLine(st, s.a, s.width), true
	case s.ready():
		return st.ok.Render("Ready to save.") + " Press " + st.key.Render("enter") + " to save " + clean(t.Name) + ".", true
	}
	l := list()
	return st.bad.Render("To fix before saving:") + l, l == s.fixList(0)
}

// tightView is Review when the roomy layouts do not fit: the verdict
// (each thing to fix on one line) and the states three to a row come
// first; the summary rows fill what is left and say how many did not
// fit.
func (s *reviewStep) tightView(head string) string {
	verdict, _ := s.verdictAt(func() string { return s.fixListAt(fixCode) })
	tail := s.statesRows(s.warningsNote()) + "\n" + verdict
	rows := strings.Split(strings.TrimSuffix(head, "\n"), "\n")
	left := s.height - (strings.Count(tail, "\n") + 1)
	if s.height > 0 && len(rows) > left {
		cut := len(rows) - max(left-1, 0)
		rows = rows[:max(left-1, 0)]
		if left > 0 {
			rows = append(rows, s.env.st.dim.Render(fmt.Sprintf("… %s more: a taller terminal shows them", plural(cut, "row"))))
		}
	}
	if len(rows) == 0 {
		return tail
	}
	return strings.Join(rows, "\n") + "\n" + tail
}

// warningsView is the warnings, each wrapped under a two-space indent.
func (s *reviewStep) warningsView() string {
	st := s.env.st
	var b strings.Builder
	for _, w := range s.warnings() {
		lines := strings.Split(wrap("! warning: "+clean(w), max(s.width-2, 20)), "\n")
		b.WriteString(st.warn.Render(strings.Join(lines, "\n  ")) + "\n")
	}
	return b.String()
}

// warningsNote is the short form of the warnings: how many, and the step
// that shows them in full ("" when there are none).
func (s *reviewStep) warningsNote() string {
	ws := s.warnings()
	if len(ws) == 0 {
		return ""
	}
	n := position(s.a.Mode, stepEndpoint)
	return s.env.st.warn.Render(fmt.Sprintf("! %s, read at step %d", plural(len(ws), "URL warning"), n))
}

// fixList is what to fix, each with the key of its step, in room lines
// where it can be: in full (code, reason and fix, wrapped), without the
// fixes, or one line each; the step's own checks say the rest.
func (s *reviewStep) fixList(room int) string {
	var out string
	for _, detail := range []int{fixFull, fixReason, fixCode} {
		out = s.fixListAt(detail)
		if room <= 0 || strings.Count(out, "\n") <= room {
			break
		}
	}
	return out
}

// fixListAt is what to fix with the detail given, each entry after a
// line break.
func (s *reviewStep) fixListAt(detail int) string {
	steps := flow(s.a.Mode)
	v := s.current()
	var b strings.Builder
	for _, p := range s.blockers() {
		step := stepForProblem(p, v)
		n := position(s.a.Mode, step)
		label := fmt.Sprintf("%d → %s", n, step.Title())
		if step == stepReview || n == 0 || n == len(steps) {
			label = "e → name"
		}
		b.WriteString("\n" + s.fixItem(label, p, detail))
	}
	return b.String()
}

// How much of a problem fixItem shows.
const (
	fixFull   = iota // code, reason and fix
	fixReason        // code and reason
	fixCode          // the code alone
)

// fixItem is one entry of the list of what to fix: the step key, the code
// and, as detail says, the reason and the fix, wrapped under a four-space
// indent rather than cut at the terminal's edge.
func (s *reviewStep) fixItem(label string, p codes.Problem, detail int) string {
	st := s.env.st
	head := label + " " + string(p.Code)
	if detail == fixCode {
		return st.key.Render(label) + " " + st.code.Render(string(p.Code))
	}
	w := max(s.width-4, 20)
	lines := strings.Split(wrap(head+" "+clean(p.Reason), w), "\n")
	if rest, ok := strings.CutPrefix(lines[0], head); ok {
		lines[0] = st.key.Render(label) + " " + st.code.Render(string(p.Code)) + rest
	}
	if detail == fixFull {
		for _, l := range strings.Split(wrap("fix: "+clean(wizardFix(p, false)), w), "\n") {
			lines = append(lines, st.dim.Render(l))
		}
	}
	return strings.Join(lines, "\n    ")
}

// statesView is the six readiness states, three to a column, with note
// beside the heading.
func (s *reviewStep) statesView(note string) string {
	st := s.env.st
	states := s.assessment().States
	names := core.StateNames
	var b strings.Builder
	b.WriteString(st.heading.Render("Readiness"))
	if note != "" {
		b.WriteString("   " + note)
	}
	half := (len(names) + 1) / 2
	for i := 0; i < half; i++ {
		left := stateGlyph(st, states.Get(names[i])) + " " + fmt.Sprintf("%-20s", names[i])
		b.WriteString("\n  " + left)
		if j := i + half; j < len(names) {
			b.WriteString(stateGlyph(st, states.Get(names[j])) + " " + names[j])
		}
	}
	return b.String()
}

// statesRows is the six readiness states three to a row, in the order
// of core.StateNames, with note beside the heading: one row shorter than
// statesView, for Review's tight layout.
func (s *reviewStep) statesRows(note string) string {
	st := s.env.st
	states := s.assessment().States
	names := core.StateNames
	const perRow = 3
	widths := make([]int, perRow)
	for i, n := range names {
		widths[i%perRow] = max(widths[i%perRow], len(n))
	}
	var b strings.Builder
	b.WriteString(st.heading.Render("Readiness"))
	if note != "" {
		b.WriteString("   " + note)
	}
	for i, n := range names {
		if i%perRow == 0 {
			b.WriteString("\n ")
		}
		cell := stateGlyph(st, states.Get(n)) + " " + n
		if i%perRow < perRow-1 && i < len(names)-1 {
			cell += strings.Repeat(" ", widths[i%perRow]-len(n)+1)
		}
		b.WriteString(" " + cell)
	}
	return b.String()
}

func (s *reviewStep) SetSize(w, h int) {
	s.width, s.height = w, h
	s.name.Width = max(w-30, 10)
}

func (s *reviewStep) ShortHelp() []key.Binding {
	if s.editing {
		valid := core.ValidateName(strings.TrimSpace(s.name.Value())) == nil
		return append(when(valid, keyNext), key.NewBinding(key.WithKeys("esc"), key.WithHelp("esc", "cancel")))
	}
	back := keyBack
	if s.a.editsSaved() {
		back = keyLeaveEdit
	}
	if s.ready() {
		return []key.Binding{keySave, keyEditName, jumpHelp(s.a.Mode), back}
	}
	return []key.Binding{jumpHelp(s.a.Mode), keyEditName, back}
}

func (s *reviewStep) FullHelp() [][]key.Binding { return [][]key.Binding{s.ShortHelp()} }
