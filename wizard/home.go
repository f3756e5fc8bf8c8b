package wizard

import (
	"fmt"
	"strings"
	"time"

	"github.com/charmbracelet/bubbles/key"
	"github.com/charmbracelet/bubbles/spinner"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/x/ansi"

	"github.com/webriskops/webhook-setup/core"
	"github.com/webriskops/webhook-setup/core/codes"
)

// home is "Integration status": every saved target with its six readiness
// states at a glance and its blocked codes, one page at a time (the page
// fits the terminal; nothing loads more than a page, and no secret is
// read to draw it).
type home struct {
	env  *env
	spin spinner.Model

	loading bool
	loaded  bool
	targets []core.Target
	offset  int
	total   int
	cursor  int

	hasDraft  bool
	draftStep stepID
	draftMode core.Mode
	draftAt   time.Time
	draftEdit string // the target the draft edits, "" for a new one
	// confirmNew is set by n while a draft exists: n again starts over.
	confirmNew bool
	// stale is set when the page size changed after the page loaded.
	stale bool

	width, height int
}

func newHome(e *env) *home {
	return &home{env: e, spin: newSpinner(e.st), height: 24 - 4}
}

func (h *home) Init() tea.Cmd {
	if h.env.store == nil {
		h.loading = true
		return h.spin.Tick
	}
	return h.load(h.offset)
}

// pageSize is how many targets fit: the rows left once the rest of the
// screen is drawn (reserved), at least three.
func (h *home) pageSize() int { return max(h.room()-h.reserved(), 3) }

// room is the lines the home screen has: the height it was given, less
// the help line's extra lines (at 80 columns it takes two).
func (h *home) room() int {
	// The help of a full page (ShortHelp with every key it may offer), so
	// the page size does not change with what the page holds.
	keys := []key.Binding{keyNew}
	if h.hasDraft {
		keys = append(keys, keyResume)
	}
	keys = append(keys, keyOpen, keyEdit, keyTest, keyRotate, keyDisconnect, keyUp)
	if h.env.doctor != nil {
		keys = append(keys, keyDoctor)
	}
	keys = append(keys, keyPageUp, keyQuit)
	return h.height - strings.Count(helpLines(h.env.st, keys, h.width), "\n")
}

// legend explains the STATES column.
const legend = "STATES: provider_key endpoint signing replay_protection private_network revoke_path (✓ ready, ✗ blocked, · not applicable)"

// reserved is the lines of the home screen that are not target rows: the
// draft line and its gap, the count and its gap, the column heads, the
// legend and the selected target's line. No rows are kept empty for the
// selected target's blocked codes: on a full page they take the legend's
// rows (see View), so a page of ready targets fills the screen.
func (h *home) reserved() int {
	n := 2 + 1 + h.legendLines() + 1
	if h.hasDraft {
		n += 1 + strings.Count(h.draftText(), "\n") + 1
	}
	return n
}

// legendLines is the rows the legend takes at the current width.
func (h *home) legendLines() int { return strings.Count(wrap(legend, h.width), "\n") + 1 }

// draftText is the resume offer (resumeText) wrapped to leave room for
// " (press c)" on its last line: at 60 columns a line cut to the width
// lost when the draft was saved.
func (h *home) draftText() string {
	what := resumeText(h.draftEdit, h.draftStep, h.draftMode, h.draftAt, h.env.now())
	return wrap("▶ "+what, max(h.width-len(" (press c)"), 20))
}

// load reads one page of targets and the draft's state as a command.
func (h *home) load(offset int) tea.Cmd {
	h.loading = true
	e, limit := h.env, h.pageSize()
	if e.store == nil {
		return h.spin.Tick
	}
	return tea.Batch(h.spin.Tick, func() tea.Msg {
		ctx, cancel := e.cmdCtx(storeTimeout)
		defer cancel()
		msg := homeLoadedMsg{offset: offset, limit: limit}
		if msg.total, msg.err = e.store.CountTargets(ctx); msg.err != nil {
			return msg
		}
		if offset >= msg.total && msg.total > 0 {
			offset = (msg.total - 1) / limit * limit
			msg.offset = offset
		}
		if msg.targets, msg.err = e.store.Targets(ctx, offset, limit); msg.err != nil {
			return msg
		}
		if msg.hasDraft, msg.err = e.store.HasDraft(ctx, e.draftID); msg.err != nil || !msg.hasDraft {
			return msg
		}
		step, data, at, ok, err := e.store.LoadDraft(ctx, e.draftID)
		if err == nil && ok {
			msg.draftStep, msg.draftAt = stepID(step), at
			if a, err := unmarshalAnswers(data); err == nil {
				msg.draftMode = a.Mode // for "Step N of M"
			}
			msg.draftEdit = draftEditName(data)
		}
		return msg
	})
}

// selected is the target under the cursor, if any.
func (h *home) selected() (core.Target, bool) {
	if h.cursor < 0 || h.cursor >= len(h.targets) {
		return core.Target{}, false
	}
	return h.targets[h.cursor], true
}

func (h *home) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	switch msg := msg.(type) {
	case homeLoadedMsg:
		h.loading = false
		if msg.err != nil {
			return h, reportErr(h, msg.err)
		}
		h.loaded = true
		h.targets, h.offset, h.total = msg.targets, msg.offset, msg.total
		h.hasDraft, h.draftStep, h.draftMode, h.draftAt, h.draftEdit = msg.hasDraft, msg.draftStep, msg.draftMode, msg.draftAt, msg.draftEdit
		h.cursor = min(h.cursor, max(len(h.targets)-1, 0))
		if msg.limit != h.pageSize() {
			// A draft appeared or went: its line changes the page size.
			return h, h.load(h.offset)
		}
		return h, nil
	case spinner.TickMsg:
		return h, spinTick(&h.spin, msg, h.loading)
	case tea.KeyMsg:
		return h, h.key(msg)
	}
	return h, nil
}

func (h *home) key(k tea.KeyMsg) tea.Cmd {
	if !key.Matches(k, keyNew) {
		h.confirmNew = false
	}
	switch {
	case key.Matches(k, keyQuit):
		return h.env.post(quitMsg{})
	case key.Matches(k, keyNew):
		if h.hasDraft && !h.confirmNew {
			h.confirmNew = true
			return notify(h, "An unfinished setup is saved: press c to resume it, or n again to start over (it is replaced).")
		}
		h.confirmNew = false
		return h.env.post(newSetupMsg{})
	case key.Matches(k, keyResume):
		if h.hasDraft {
			return h.env.post(resumeMsg{})
		}
	case key.Matches(k, keyUp):
		if h.cursor > 0 {
			h.cursor--
		} else if h.offset > 0 {
			h.cursor = h.pageSize() - 1
			return h.load(max(h.offset-h.pageSize(), 0))
		}
	case key.Matches(k, keyDown):
		if h.cursor < len(h.targets)-1 {
			h.cursor++
		} else if h.offset+len(h.targets) < h.total {
			h.cursor = 0
			return h.load(h.offset + h.pageSize())
		}
	case key.Matches(k, keyPageDown):
		if h.offset+len(h.targets) < h.total {
			return h.load(h.offset + h.pageSize())
		}
	case key.Matches(k, keyPageUp):
		if h.offset > 0 {
			return h.load(max(h.offset-h.pageSize(), 0))
		}
	case key.Matches(k, keyOpen):
		if len(h.targets) == 0 && h.hasDraft {
			return h.env.post(resumeMsg{})
		}
		if len(h.targets) == 0 && h.loaded {
			return h.env.post(newSetupMsg{})
		}
		return h.open(actionDetails)
	case key.Matches(k, keyEdit):
		return h.open(actionEdit)
	case key.Matches(k, keyTest):
		return h.open(actionTest)
	case key.Matches(k, keyRotate):
		return h.open(actionRotate)
	case key.Matches(k, keyDisconnect):
		return h.open(actionDisconnect)
	case key.Matches(k, keyDoctor):
		if h.env.doctor != nil {
			return h.env.post(openDoctorMsg{})
		}
		return notify(h, "Run webhook-setup doctor for the health report.")
	}
	return nil
}

// open asks the parent to act on the selected target.
func (h *home) open(a targetAction) tea.Cmd {
	t, ok := h.selected()
	if !ok {
		return nil
	}
	return h.env.post(openTargetMsg{action: a, t: t})
}

func (h *home) View() string {
	st := h.env.st
	var b strings.Builder
	if h.hasDraft {
		lines := strings.Split(h.draftText(), "\n")
		for i, l := range lines {
			lines[i] = st.warn.Render(l) // line by line: a block would be padded
		}
		b.WriteString(strings.Join(lines, "\n") + st.dim.Render(" (press ") + st.key.Render("c") + st.dim.Render(")") + "\n\n")
	}
	switch {
	case !h.loaded && h.loading:
		b.WriteString(h.spin.View() + " loading saved targets…")
		return b.String()
	case !h.loaded:
		b.WriteString(st.dim.Render("Saved targets could not be listed."))
		return b.String()
	case h.total == 0:
		return b.String() + h.emptyView()
	}
	fmt.Fprintf(&b, "%d saved target", h.total)
	if h.total != 1 {
		b.WriteString("s")
	}
	if h.total > len(h.targets) {
		fmt.Fprintf(&b, ", %d–%d shown", h.offset+1, h.offset+len(h.targets))
	}
	if h.loading {
		b.WriteString(" " + h.spin.View())
	}
	b.WriteString("\n\n")
	nameW := h.nameWidth()
	head := fmt.Sprintf("  %-*s %-16s %-12s %-6s", nameW, "NAME", "PROVIDER", "MODE", "STATES")
	if h.width <= 0 || len(head)+len(" BLOCKED") <= h.width {
		head += " BLOCKED"
	}
	b.WriteString(st.dim.Render(head) + "\n")
	for i, t := range h.targets {
		row := h.targetRow(t, nameW)
		if i == h.cursor {
			b.WriteString(st.selected.Render("›") + " " + row + "\n")
		} else {
			b.WriteString("  " + row + "\n")
		}
	}
	t, ok := h.selected()
	if !ok {
		b.WriteString(st.dim.Render(wrap(legend, h.width)))
		return b.String()
	}
	r := core.Evaluate(t)
	sel := h.selectedLine(t, r.Ready)
	// The rows under the list: the legend, the selected target's line
	// and its blocked codes. When the codes (or a wrapped name) need the
	// legend's rows (a full page), they take them, from its end: what
	// blocks the target comes first.
	left := h.room() - strings.Count(b.String(), "\n") - (strings.Count(sel, "\n") + 1) // b ends in a line break
	codeLines := max(left, 2)
	if rows := min(left-min(len(r.Blocked), 2), h.legendLines()); rows > 0 {
		// The legend, or as much of it as the page leaves.
		b.WriteString(st.dim.Render(fit(wrap(legend, h.width), 0, rows)) + "\n")
		codeLines = max(left-rows, 2)
	}
	b.WriteString(sel)
	for _, l := range h.blockedLines(r.Blocked, t.DeploymentMode, codeLines) {
		b.WriteString("\n" + l)
	}
	return b.String()
}

// emptyView is the home screen of a store without targets: what a target
// is, and the key that sets one up (or resumes the draft).
func (h *home) emptyView() string {
	st := h.env.st
	var b strings.Builder
	b.WriteString(wrap("No webhook targets yet.", h.width) + "\n\n")
	b.WriteString(wrap("A webhook target is an HTTPS endpoint the customer owns (a Zapier, Make or n8n hook, or an internal receiver) that receives WebRiskOps ticket exports, each delivery signed with HMAC-SHA256. Setup records the endpoint, the provider key, the signing secret, the URL safety decision and the revoke path before anything is sent.", h.width) + "\n\n")
	if h.hasDraft {
		// enter resumes the draft here, as the home screen's keys do.
		b.WriteString(wrap("Press "+st.key.Render("c")+" (or enter) to resume the unfinished setup, or "+st.key.Render("n")+" to start a new one.", h.width))
	} else {
		b.WriteString("Press " + st.key.Render("n") + " (or enter) to set one up.")
	}
	return b.String()
}

// targetRow is t's row in the list, without the cursor: name, provider,
// mode, state glyphs, and its blocked codes in what is left of the line
// (the selected target's codes are listed in full, with their fixes,
// under the list).
func (h *home) targetRow(t core.Target, nameW int) string {
	r := core.Evaluate(t)
	codes := make([]string, 0, len(r.Blocked))
	for _, p := range r.Blocked {
		codes = append(codes, string(p.Code))
	}
	name := truncate(clean(t.Name), nameW)
	row := fmt.Sprintf("%-*s %-16s %-12s ", nameW, name, truncate(clean(string(t.ProviderKey)), 16), truncate(clean(string(t.DeploymentMode)), 12))
	row += statesGlyphs(h.env.st, r.States)
	if rest := h.width - 2 - ansi.StringWidth(ansi.Strip(row)) - 1; h.width <= 0 || rest > 1 {
		row += " " + truncate(strings.Join(codes, ", "), rest)
	}
	return row
}

// blockedLines draws the selected target's blocked codes in rows at
// most: each code with its fix (savedTargetFix), wrapped while rows are
// left over, so at 60 columns the step to edit is not cut off behind a
// long code; one row per code (cut at the edge) when rows are short, and
// "and N more" when even that does not fit.
func (h *home) blockedLines(blocked []codes.Problem, mode core.Mode, rows int) []string {
	st := h.env.st
	var out []string
	if len(blocked) > rows {
		for _, p := range blocked[:rows-1] {
			out = append(out, "  "+st.bad.Render(string(p.Code))+" "+clean(savedTargetFix(p, mode)))
		}
		return append(out, "  "+st.dim.Render(fmt.Sprintf("and %d more: press enter for details", len(blocked)-rows+1)))
	}
	// Every code has its row; the rows left over go round the codes one
	// at a time, so each fix shows its step before any shows its end.
	w := max(h.width-4, 0) // two columns of indent, two of the continuation's
	wrapped := make([][]string, len(blocked))
	take := make([]int, len(blocked))
	for i, p := range blocked {
		wrapped[i] = strings.Split(wrap(string(p.Code)+" "+clean(savedTargetFix(p, mode)), w), "\n")
		take[i] = 1
	}
	for spare, grew := rows-len(blocked), true; spare > 0 && grew; {
		grew = false
		for i := range blocked {
			if spare > 0 && take[i] < len(wrapped[i]) {
				take[i]++
				spare--
				grew = true
			}
		}
	}
	for i, p := range blocked {
		lines := wrapped[i][:take[i]]
		if take[i] < len(wrapped[i]) {
			lines[take[i]-1] += " …"
		}
		code := string(p.Code)
		if rest, ok := strings.CutPrefix(lines[0], code); ok {
			lines[0] = st.bad.Render(code) + rest
		}
		out = append(out, "  "+lines[0])
		for _, l := range lines[1:] {
			out = append(out, "    "+l)
		}
	}
	return out
}

// selectedLine names the selected target whole (the NAME column may have
// cut it) with its host: a name wider than the terminal goes on over as
// many lines as it takes, and the host wraps after it.
func (h *home) selectedLine(t core.Target, ready bool) string {
	st := h.env.st
	name := clean(t.Name)
	var lines []string
	for h.width > 0 && ansi.StringWidth(name) > h.width {
		cut := ansi.Truncate(name, h.width, "")
		lines = append(lines, st.heading.Render(cut))
		name = strings.TrimPrefix(name, cut)
	}
	last := st.heading.Render(name) + " " + clean(endpointHost(t.BaseURL))
	if ready {
		last += " " + st.ok.Render("ready")
	}
	return strings.Join(append(lines, wrap(last, h.width)), "\n")
}

// homeFixedColumns is the width of a target row without its name and its
// codes: the cursor, PROVIDER, MODE, STATES and the spaces between.
const homeFixedColumns = 2 + 1 + 16 + 1 + 12 + 1 + 6

// nameWidth is the NAME column: as wide as the longest name on the page
// (whole names are what the operator types in commands), at least the
// heading's 12, at most what leaves PROVIDER, MODE and STATES on the line.
// A longer name is cut with "…" there and read whole on the selected
// target's line under the list.
func (h *home) nameWidth() int {
	w := 12
	for _, t := range h.targets {
		w = max(w, ansi.StringWidth(clean(t.Name)))
	}
	if h.width > 0 {
		w = min(w, max(h.width-homeFixedColumns, 12))
	}
	return w
}

// SetSize sets the room; a new page size marks the page for reloading.
func (h *home) SetSize(w, height int) {
	old := h.pageSize()
	h.width, h.height = w, height
	if h.pageSize() != old {
		h.stale = true
	}
}

// refresh reloads the page when the page size changed since it loaded.
func (h *home) refresh() tea.Cmd {
	if !h.stale || !h.loaded || h.env.store == nil {
		return nil
	}
	h.stale = false
	return h.load(h.offset)
}

func (h *home) ShortHelp() []key.Binding {
	keys := []key.Binding{keyNew}
	if h.hasDraft {
		keys = append(keys, keyResume)
	}
	if len(h.targets) > 0 {
		keys = append(keys, keyOpen, keyEdit, keyTest, keyRotate, keyDisconnect)
	}
	if len(h.targets) > 1 {
		keys = append(keys, keyUp)
	}
	if h.env.doctor != nil {
		keys = append(keys, keyDoctor)
	}
	if h.total > len(h.targets) {
		keys = append(keys, keyPageUp)
	}
	return append(keys, keyQuit)
}

func (h *home) FullHelp() [][]key.Binding { return [][]key.Binding{h.ShortHelp()} }

// ago says how long before now t was, roughly, as people say it.
func ago(now, t time.Time) string {
	d := now.Sub(t)
	switch {
	case d < time.Minute:
		return "just now"
	case d < time.Hour:
		return fmt.Sprintf("%d min ago", int(d/time.Minute))
	case d < 48*time.Hour:
		return fmt.Sprintf("%d h ago", int(d/time.Hour))
	}
	return t.Local().Format("2006-01-02 15:04")
}
