package wizard

import (
	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"

	"github.com/webriskops/webhook-setup/core"
	"github.com/webriskops/webhook-setup/core/codes"
)

// screen is the kind of screen shown.
type screen int

const (
	screenHome screen = iota
	screenStep
	screenTest
	screenDetails
	screenRotate
	screenDisconnect
	screenDoctor
)

// ending says how the program ended.
type ending int

const (
	endNone ending = iota
	endQuit
	endInterrupt
	endHangup
)

// model is the parent: it owns the flow, the answers, the current screen,
// the problems and notices the screens report, and the frame around them
// (heading, problems, help line).
type model struct {
	env     *env
	open    func() (Store, error)
	version string
	width   int
	height  int

	screen  screen
	step    stepID
	home    *home
	cur     component
	answers *answers
	drafts  drafts
	// returnToReview is set when Review sent the operator to a step: the
	// step then returns to Review.
	returnToReview bool
	// origin is the screen a target action was opened from (home or
	// details), where back returns.
	origin       screen
	originTarget core.Target
	// pendingEdit is the id of the target e was pressed on while an
	// unfinished setup is saved: e again replaces it (edit.go).
	pendingEdit string

	problems []codes.Problem
	// reportSeq is the number of the newest report shown (msgs.go).
	reportSeq uint64
	notice    string
	// noticeFloor is the report number when a key last cleared the
	// notice: notices numbered at or below it came before that key.
	noticeFloor uint64

	// draftKept is set once a draft exists in the store (loaded or saved).
	draftKept bool
	ending    ending
}

// newModel builds the parent on the home screen.
func newModel(e *env, open func() (Store, error), version string) *model {
	m := &model{env: e, open: open, version: version, width: 80, height: 24}
	m.home = newHome(e)
	m.cur = m.home
	m.resize()
	return m
}

// Init draws nothing slow: the store is opened and the first page listed
// by commands that run after the first frame.
func (m *model) Init() tea.Cmd {
	cmds := []tea.Cmd{m.home.Init()}
	if m.env.store == nil && m.open != nil {
		open := m.open
		cmds = append(cmds, func() tea.Msg {
			st, err := open()
			return storeMsg{st: st, err: err}
		})
	}
	return tea.Batch(cmds...)
}

// Update handles msg, then what the screens posted while handling it.
func (m *model) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	cmds := []tea.Cmd{m.update(msg)}
	for n := 0; len(m.env.navQueue) > 0 && n < 100; n++ {
		next := m.env.navQueue[0]
		m.env.navQueue = m.env.navQueue[1:]
		cmds = append(cmds, m.update(next))
	}
	m.env.navQueue = m.env.navQueue[:0]
	m.env.shown = m.problems
	return m, tea.Batch(cmds...)
}

// update handles one message: the program's own (updateFrame), the
// store's answers (updateStore) and moves between screens (updateFlow)
// first, anything else by the current screen.
func (m *model) update(msg tea.Msg) tea.Cmd {
	if cmd, handled := m.updateFrame(msg); handled {
		return cmd
	}
	if cmd, handled := m.updateStore(msg); handled {
		return cmd
	}
	if cmd, handled := m.updateFlow(msg); handled {
		return cmd
	}
	next, cmd := m.cur.Update(msg)
	if c, ok := next.(component); ok {
		m.cur = c
	}
	return cmd
}

// updateFrame handles what concerns the whole program rather than a
// screen: the terminal's size, the keys every screen shares, the ways out,
// and what a screen reports. A key none of these takes goes on to the
// screen (handled false).
func (m *model) updateFrame(msg tea.Msg) (cmd tea.Cmd, handled bool) {
	switch msg := msg.(type) {
	case tea.WindowSizeMsg:
		m.width, m.height = msg.Width, msg.Height
		m.resize()
		if m.screen == screenHome {
			return m.home.refresh(), true
		}
		return nil, true
	case tea.KeyMsg:
		if key.Matches(msg, keyCtrlC) {
			m.ending = endInterrupt
			return tea.Quit, true
		}
		if c, ok := m.cur.(capturer); !(ok && c.Captures()) && key.Matches(msg, keyBack) {
			return m.back(), true
		}
		if msg.Type != tea.KeyRunes || !msg.Paste {
			m.notice = ""
			m.noticeFloor = reportSeq.Load() // notices made before this key are stale
		}
	case hangupMsg:
		m.ending = endHangup
		return tea.Quit, true
	case quitMsg:
		m.ending = endQuit
		return tea.Quit, true
	case errorMsg:
		// Only the newest report counts: an older one that arrives
		// late describes text that is no longer in the field.
		if msg.Source == m.cur && msg.seq > m.reportSeq {
			m.reportSeq = msg.seq
			m.problems = msg.Problems
			if msg.Err != nil {
				m.problems = append(m.problems, codes.ProblemOf(msg.Err))
			}
		}
		return nil, true
	case noticeMsg:
		if msg.source == m.cur && msg.seq > m.noticeFloor {
			m.notice = msg.text
		}
		return nil, true
	}
	return nil, false
}

// updateStore handles the store's answers: opened, the home list loaded,
// a draft asked for, loaded or saved.
func (m *model) updateStore(msg tea.Msg) (cmd tea.Cmd, handled bool) {
	switch msg := msg.(type) {
	case storeMsg:
		if msg.err != nil {
			m.problems = []codes.Problem{codes.ProblemOf(msg.err)}
			m.home.loading = false
			return nil, true
		}
		m.env.store = msg.st
		cmds := []tea.Cmd{m.home.load(m.home.offset)}
		if m.screen == screenStep && m.answers != nil {
			// Steps completed before the store opened: save them now.
			cmds = append(cmds, m.drafts.save(m.env, m.step, m.answers.Marshal()))
		}
		return tea.Batch(cmds...), true
	case keepDraftMsg:
		if m.screen == screenStep && m.answers != nil {
			return m.drafts.save(m.env, m.step, m.answers.Marshal()), true
		}
		return nil, true
	case homeLoadedMsg:
		_, cmd := m.home.Update(msg)
		if msg.err != nil {
			m.problems = []codes.Problem{codes.ProblemOf(msg.err)}
		}
		m.draftKept = m.draftKept || msg.hasDraft
		return cmd, true
	case resumeMsg:
		return loadDraft(m.env), true
	case draftLoadedMsg:
		if msg.err != nil {
			m.problems = []codes.Problem{codes.ProblemOf(msg.err)}
			return nil, true
		}
		a := msg.answers
		m.answers = &a
		m.draftKept = true
		step := msg.step
		if position(a.Mode, step) == 0 {
			step = stepProvider
		}
		m.returnToReview = false
		return m.openStep(step), true
	case draftSavedMsg:
		if msg.err != nil {
			m.notice = "The draft could not be saved: " + clean(codes.AsError(msg.err).Reason)
		} else {
			m.draftKept = true
		}
		return nil, true
	}
	return nil, false
}

// updateFlow handles moves between screens: a step done, a jump back to a
// step, a new setup, a saved target, a target or doctor opened, home.
func (m *model) updateFlow(msg tea.Msg) (cmd tea.Cmd, handled bool) {
	switch msg := msg.(type) {
	case stepDoneMsg:
		return m.stepDone(msg.step), true
	case jumpMsg:
		m.returnToReview = true
		return m.openStep(msg.step), true
	case newSetupMsg:
		m.answers = &answers{}
		m.returnToReview = false
		return tea.Batch(m.drafts.remove(m.env), m.openStep(stepProvider)), true
	case editLoadedMsg:
		return m.openEdit(msg), true
	case editSavedMsg:
		return m.editSaved(msg), true
	case savedMsg:
		m.answers, m.returnToReview, m.draftKept = nil, false, false
		m.openTarget(openTargetMsg{action: actionTest, t: msg.t}, screenHome)
		m.notice = "Saved " + clean(msg.t.Name) + ". The unfinished setup is cleared." + whsecHint(msg.t) + nextSteps(msg.t)
		return m.cur.Init(), true
	case openTargetMsg:
		if msg.action == actionEdit {
			return m.startEdit(msg.t), true
		}
		origin := screenHome
		if m.screen == screenDetails {
			origin = screenDetails
		}
		m.openTarget(msg, origin)
		return m.cur.Init(), true
	case openDoctorMsg:
		m.show(screenDoctor, newDoctorScreen(m.env))
		return m.cur.Init(), true
	case homeMsg:
		cmd := m.goHome()
		m.notice = msg.notice
		return cmd, true
	}
	return nil, false
}

// show makes c the current screen and clears what the last one reported.
func (m *model) show(s screen, c component) {
	m.screen, m.cur = s, c
	m.problems, m.notice, m.pendingEdit = nil, "", ""
	m.resize()
}

// openStep shows step s with the answers as they stand.
func (m *model) openStep(s stepID) tea.Cmd {
	if m.answers == nil {
		m.answers = &answers{}
	}
	m.step = s
	m.show(screenStep, m.newStep(s))
	return m.cur.Init()
}

// newStep builds the screen of step s; screens read the answers, so going
// back never loses them.
func (m *model) newStep(s stepID) component {
	e, a := m.env, m.answers
	switch s {
	case stepMode:
		return newModeStep(e, a)
	case stepEndpoint:
		return newEndpointStep(e, a)
	case stepSecret:
		if a.editsSaved() {
			return newKeptSecretStep(e, a)
		}
		return newSecretStep(e, a)
	case stepReceiver:
		return newReceiverStep(e, a)
	case stepNetwork:
		return newNetworkStep(e, a)
	case stepOwner:
		return newOwnerStep(e, a)
	case stepReview:
		return newReviewStep(e, a)
	}
	return newProviderStep(e, a)
}

// stepDone saves the draft and moves on: to the next step, or back to
// Review when Review sent the operator here.
func (m *model) stepDone(s stepID) tea.Cmd {
	if s != m.step || m.screen != screenStep {
		return nil
	}
	next := nextStep(m.answers.Mode, s)
	if m.returnToReview || m.answers.editsSaved() {
		// An edit changes one step at a time and comes back to Review.
		next = stepReview
		if s == stepMode && m.answers.Mode == core.ModeSelfHosted && m.answers.Policy == "" {
			// Newly self-hosted: the Private network step has not been seen.
			next = stepNetwork
		}
	}
	if next == "" {
		next = stepReview
	}
	if next == stepReview {
		m.returnToReview = false
	}
	return tea.Batch(m.drafts.save(m.env, next, m.answers.Marshal()), m.openStep(next))
}

// back goes to the screen before: the previous step (answers kept), home
// from the first step, or where a target action was opened from.
func (m *model) back() tea.Cmd {
	switch m.screen {
	case screenHome:
		return nil
	case screenStep:
		m.returnToReview = false
		if m.answers.editsSaved() {
			// An edit's steps are reached from Review: back is Review,
			// and back from Review leaves the edit unsaved.
			if m.step == stepReview {
				return m.leaveEdit()
			}
			return m.openStep(stepReview)
		}
		if prev := prevStep(m.answers.Mode, m.step); prev != "" {
			return m.openStep(prev)
		}
		return m.goHome()
	case screenRotate, screenDisconnect, screenTest:
		if m.origin == screenDetails {
			t := m.originTarget
			if r, ok := m.cur.(*rotate); ok && r.done {
				t = r.t
			}
			m.openTarget(openTargetMsg{action: actionDetails, t: t}, screenHome)
			return nil
		}
	}
	return m.goHome()
}

// goHome shows Integration status and reloads it.
func (m *model) goHome() tea.Cmd {
	m.show(screenHome, m.home)
	return m.home.load(m.home.offset)
}

// openTarget shows an action on a saved target.
func (m *model) openTarget(msg openTargetMsg, origin screen) {
	m.origin, m.originTarget = origin, msg.t
	switch msg.action {
	case actionTest:
		m.show(screenTest, newTestSend(m.env, msg.t))
	case actionRotate:
		m.show(screenRotate, newRotate(m.env, msg.t))
	case actionDisconnect:
		m.show(screenDisconnect, newDisconnect(m.env, msg.t))
	default:
		m.show(screenDetails, newDetails(m.env, msg.t))
	}
}
