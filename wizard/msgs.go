package wizard

import (
	"sync/atomic"
	"time"

	tea "github.com/charmbracelet/bubbletea"

	"github.com/webriskops/webhook-setup/core"
	"github.com/webriskops/webhook-setup/core/codes"
)

// errorMsg carries problems from a screen to the parent, which draws them
// under the screen with their code, reason and fix. Source is the screen
// that reported them: problems of a screen that is no longer shown are
// dropped. An errorMsg without problems or error clears them.
//
// seq orders reports as the screen made them. Bubble Tea runs each
// command in its own goroutine, so the reports of two keys read at once
// (ctrl+u and a paste in one SSH packet) reach the parent in any order;
// the parent keeps the newest report and drops older ones, so what is
// shown always follows the field as it stands.
type errorMsg struct {
	Source   any
	Problems []codes.Problem
	Err      error
	seq      uint64
}

// reportSeq numbers reports when they are made, on the UI loop.
var reportSeq atomic.Uint64

// report returns a command that sends problems (none clears them). It is
// numbered now, when the screen decides, not when the command runs.
func report(source any, ps ...codes.Problem) tea.Cmd {
	msg := errorMsg{Source: source, Problems: ps, seq: reportSeq.Add(1)}
	return func() tea.Msg { return msg }
}

// reportErr returns a command that sends err as the screen's problem.
func reportErr(source any, err error) tea.Cmd {
	msg := errorMsg{Source: source, Err: err, seq: reportSeq.Add(1)}
	return func() tea.Msg { return msg }
}

// notify returns a command that sends a notice from source, numbered
// like a report.
func notify(source any, text string) tea.Cmd {
	msg := noticeMsg{source: source, text: text, seq: reportSeq.Add(1)}
	return func() tea.Msg { return msg }
}

// noticeMsg is a one-line notice the parent shows until the screen
// changes, like "removed surrounding whitespace". A key clears it; a
// notice made before that key and arriving after it is dropped (seq).
type noticeMsg struct {
	source any
	text   string
	seq    uint64
}

// stepDoneMsg says a step's answers are complete: the parent saves the
// draft and moves on.
type stepDoneMsg struct{ step stepID }

// jumpMsg asks the parent to open a step (from Review).
type jumpMsg struct{ step stepID }

// storeMsg delivers the store once it is open.
type storeMsg struct {
	st  Store
	err error
}

// homeLoadedMsg is one page of targets and the draft's state.
type homeLoadedMsg struct {
	targets   []core.Target
	offset    int
	limit     int // the page size it was read with
	total     int
	hasDraft  bool
	draftStep stepID
	draftMode core.Mode
	draftAt   time.Time
	// draftEdit is the name of the target the draft edits ("" for a
	// new target).
	draftEdit string
	err       error
}

// draftLoadedMsg is a draft read back to resume.
type draftLoadedMsg struct {
	answers answers
	step    stepID
	err     error
}

// draftSavedMsg reports a draft save.
type draftSavedMsg struct{ err error }

// savedMsg reports a target saved from Review.
type savedMsg struct{ t core.Target }

// openTargetMsg asks the parent to show an action on a saved target.
type openTargetMsg struct {
	action targetAction
	t      core.Target
}

// targetAction is what the operator wants to do with a saved target.
type targetAction int

const (
	actionDetails targetAction = iota
	actionTest
	actionRotate
	actionDisconnect
	actionEdit
)

// homeMsg asks the parent to go back to Integration status, reloading it,
// with an optional notice.
type homeMsg struct{ notice string }

// resumeMsg asks the parent to resume the unfinished setup.
type resumeMsg struct{}

// newSetupMsg asks the parent to start a new setup (discarding a draft).
type newSetupMsg struct{}

// quitMsg asks the parent to end the program normally.
type quitMsg struct{}

// hangupMsg reports SIGHUP: the SSH connection dropped.
type hangupMsg struct{}

// openDoctorMsg asks the parent to show the Doctor screen.
type openDoctorMsg struct{}
