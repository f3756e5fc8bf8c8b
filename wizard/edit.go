package wizard

import (
	"fmt"
	"slices"
	"strings"

	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"

	"github.com/webriskops/webhook-setup/core"
	"github.com/webriskops/webhook-setup/core/codes"
	"github.com/webriskops/webhook-setup/core/urlsafe"
)

// Editing a saved target: `e` on Integration status or on a target's
// details opens Review with the target's saved values. Each row's step
// is one number key away and returns to Review; saving updates that
// target (by id, at the version read) with the same readiness rule as a
// new target, and records a target.update audit event naming the changed
// fields. The signing secret is never read: it stays, and changing it is
// a rotation (r), whose grace period keeps the receiver working while it
// catches up. The edit is kept as the draft like a new setup, so an
// interrupted edit resumes as an edit of the same target; it can never
// create a second one.

// editOf is the saved target an edit started from, as it was read: the
// save updates it by id at this version (a change made meanwhile is
// refused with generic_webhook_target_changed), and what the wizard does
// not ask again (the secret's summary, the edge value's fingerprint, the
// rate limit) comes from it.
type editOf struct {
	Saved core.Target `json:"saved"`
}

// editAnswers are the answers that describe t as saved, for an edit.
func editAnswers(t core.Target) *answers {
	a := &answers{
		Provider:         t.ProviderKey,
		Mode:             t.DeploymentMode,
		URL:              t.BaseURL,
		Owner:            t.ReceiverOwner,
		RevokePath:       t.RevokePath,
		Name:             t.Name,
		StandardWebhooks: t.StandardWebhooks,
		Edit:             &editOf{Saved: t},
	}
	// A saved look-alike host was confirmed when it was saved; a new URL
	// needs a new confirmation.
	a.LookAlikeConfirmed = t.BaseURL
	if t.ReceiverChecksConfirmed {
		a.Checks = slices.Clone(receiverHeaders)
	}
	if t.DeploymentMode == core.ModeSelfHosted {
		a.Policy = t.PrivateNetwork.NormalizedPolicy()
		a.Allowlist = slices.Clone(t.PrivateNetwork.Allowlist)
		a.AuthorizedBy = t.PrivateNetwork.AuthorizedBy
	}
	if t.EdgeAuth != nil {
		a.EdgeHeader = t.EdgeAuth.Header
	}
	if len(t.Resolve) > 0 {
		// Kept while the URL keeps its host and port (answers.resolve).
		a.ResolveAs, a.ResolveFor = slices.Clone(t.Resolve), core.ResolveFor(t)
	}
	return a
}

// editsSaved reports whether the answers edit a saved target.
func (a *answers) editsSaved() bool { return a.Edit != nil }

// keepsSecret reports whether an edit keeps a saved signing secret, which
// it always does when there is one: the secret is changed by rotating it
// (an edit never reads or sets it).
func (a *answers) keepsSecret() bool {
	return a.editsSaved() && a.Secret == "" && a.Edit.Saved.Signing != nil
}

// keepsEdgeValue reports whether an edit keeps the stored edge value: an
// edge header is still set and no new value was given.
func (a *answers) keepsEdgeValue() bool {
	return a.editsSaved() && a.EdgeHeader != "" && a.EdgeValue == "" && a.Edit.Saved.EdgeAuth != nil
}

// applyKept fills what an edit keeps from the saved target into t, built
// from the answers: the rate limit (not asked), the secret's summary and
// the edge value's fingerprint.
func (a *answers) applyKept(t *core.Target) {
	if !a.editsSaved() {
		return
	}
	saved := a.Edit.Saved
	t.RateLimit = saved.RateLimit
	if a.keepsSecret() {
		sig := *saved.Signing
		t.Signing = &sig
	}
	if a.keepsEdgeValue() && t.EdgeAuth != nil {
		t.EdgeAuth.Fingerprint = saved.EdgeAuth.Fingerprint
	}
}

// judgeKept adjusts the core's judgement of an edit for the secret it
// keeps: the core judges the secret it is given, and an edit gives none
// (apply's plan does the same for a target whose file names no secret).
func (a *answers) judgeKept(as *core.Assessment) {
	if !a.keepsSecret() {
		return
	}
	ps := as.Problems[:0:0]
	for _, p := range as.Problems {
		if p.Field != "signing_secret" {
			ps = append(ps, p)
		}
	}
	as.Problems = ps
	as.States.Signing = core.Ready
	as.Ready = as.Verdict != nil && as.Verdict.Safe && len(ps) == 0
}

// edgeProblems is core.CheckEdge of the edge header and value; an edit
// that keeps the stored value checks the header alone.
func (a *answers) edgeProblems() []codes.Problem {
	if a.keepsEdgeValue() {
		if p := core.CheckEdgeHeader(a.EdgeHeader); p != nil {
			return []codes.Problem{*p}
		}
		return nil
	}
	return core.CheckEdge(a.EdgeHeader, a.EdgeValue)
}

// editChanges names the fields the edit changes so far, as the audit
// event will (webhook_url for the URL).
func (a *answers) editChanges() []string {
	if !a.editsSaved() {
		return nil
	}
	var out []string
	for _, f := range core.ChangedFields(a.Edit.Saved, a.Target()) {
		if f == "base_url" {
			f = "webhook_url"
		}
		out = append(out, f)
	}
	if !a.keepsEdgeValue() && a.EdgeValue != "" {
		out = append(out, "edge_auth.value")
	}
	return out
}

// setupTitle is the heading of a setup step: the step count of a new
// target, or the name of the target being edited.
func setupTitle(a *answers, s stepID) (full, short string) {
	if a.editsSaved() {
		return "Edit " + clean(a.Edit.Saved.Name) + " · " + s.Title(), s.Title()
	}
	count, shortCount := stepCount(a.Mode, s)
	return "New target › " + count + " · " + s.Title(), shortCount + " · " + s.Title()
}

// editTarget is what a save sends to the store: the answers' target at
// the saved id and version, with the URL safety decision of Review (v).
func (a *answers) editTarget(v *urlsafe.Verdict, e *env) core.Target {
	t := a.Target()
	saved := a.Edit.Saved
	t.ID, t.Version, t.CreatedAt = saved.ID, saved.Version, saved.CreatedAt
	t.Signing = nil // the store keeps the credential
	if v != nil {
		t.URLCheck = core.URLCheckOf(*v, e.now())
	}
	return t
}

// editSavedMsg reports an edit saved from Review: the target as stored
// and the fields that changed (none: nothing was written).
type editSavedMsg struct {
	t       core.Target
	changed []string
}

// saveEdit updates the edited target as a command, on copies of the
// answers. A target changed since it was read is refused by the store
// (generic_webhook_target_changed) and nothing is written.
func (s *reviewStep) saveEdit() tea.Cmd {
	e := s.env
	t, edgeValue := s.a.editTarget(s.current(), e), s.a.EdgeValue
	return tea.Batch(s.spin.Tick, func() tea.Msg {
		ctx, cancel := e.cmdCtx(storeTimeout)
		defer cancel()
		changed, err := e.store.UpdateTargetWithEdge(ctx, &t, edgeValue, e.actor)
		if err != nil {
			return saveFailedMsg{err}
		}
		_ = e.store.DeleteDraft(ctx, e.draftID)
		return editSavedMsg{t: t, changed: changed}
	})
}

// editSavedNotice is what the details screen says after an edit.
func editSavedNotice(t core.Target, changed []string) string {
	if len(changed) == 0 {
		return "Nothing changed: " + clean(t.Name) + " is as it was saved. The edit is cleared."
	}
	return fmt.Sprintf("Saved %s: changed %s. The edit is cleared.", clean(t.Name), strings.Join(changed, ", "))
}

// editFailure narrows a refused edit's fix to what the wizard offers.
func editFailure(p codes.Problem) codes.Problem {
	switch p.Code {
	case codes.Conflict:
		p.Fix = "Press esc to leave this edit (nothing was saved), then press e on the target again: it opens with the newer version."
	case codes.TargetNotFound:
		p.Fix = "The target was disconnected meanwhile; press esc to leave this edit, then n to set it up again."
	}
	return p
}

// editLoadedMsg is the target to edit as the store has it now.
type editLoadedMsg struct {
	t   core.Target
	err error
}

// startEdit reads t again (the list or details may be older than the
// store) and then opens Review with its saved values. An unfinished setup
// saved as the draft is replaced, so e asks again first, as n does.
func (m *model) startEdit(t core.Target) tea.Cmd {
	if m.home.hasDraft && m.pendingEdit != t.ID {
		m.pendingEdit = t.ID
		m.notice = "An unfinished setup is saved: press c on Integration status to resume it, or e again to edit " + clean(t.Name) + " (the unfinished setup is replaced)."
		return nil
	}
	m.pendingEdit = ""
	e, name := m.env, t.Name
	if e.store == nil {
		return nil
	}
	return func() tea.Msg {
		ctx, cancel := e.cmdCtx(storeTimeout)
		defer cancel()
		cur, err := e.store.Target(ctx, name)
		return editLoadedMsg{t: cur, err: err}
	}
}

// openEdit opens Review with the values of the target read for an edit,
// unless the operator has left the screen e was pressed on meanwhile.
func (m *model) openEdit(msg editLoadedMsg) tea.Cmd {
	if m.screen != screenHome && m.screen != screenDetails {
		return nil
	}
	if msg.err != nil {
		m.problems = []codes.Problem{codes.ProblemOf(msg.err)}
		return nil
	}
	m.answers = editAnswers(msg.t)
	m.returnToReview = false
	// No notice: Review's last line says what to do, and at 60×20 the
	// rows are all taken.
	return tea.Batch(m.drafts.save(m.env, stepReview, m.answers.Marshal()), m.openStep(stepReview))
}

// leaveEdit ends an edit without saving: the draft goes, and the target's
// details (as saved) come back.
func (m *model) leaveEdit() tea.Cmd {
	saved := m.answers.Edit.Saved
	m.answers, m.returnToReview = nil, false
	m.openTarget(openTargetMsg{action: actionDetails, t: saved}, screenHome)
	m.notice = "Nothing was saved; the edit of " + clean(saved.Name) + " is discarded."
	return m.drafts.remove(m.env)
}

// editSaved shows the saved target's details with what changed.
func (m *model) editSaved(msg editSavedMsg) tea.Cmd {
	m.answers, m.returnToReview, m.draftKept = nil, false, false
	m.openTarget(openTargetMsg{action: actionDetails, t: msg.t}, screenHome)
	m.notice = editSavedNotice(msg.t, msg.changed)
	return m.cur.Init()
}

// keyLeaveEdit is esc on an edit's Review: it leaves without saving.
var keyLeaveEdit = key.NewBinding(key.WithKeys("esc", "shift+tab"), key.WithHelp("esc", "leave unsaved"))

// editRows adjusts Review's rows for an edit, in place: the URL redacted
// as in the target's details (a new hook on the same host must be told
// apart) and the secret as kept, never revealed. Both front ends' Review
// lists start with the endpoint, the provider key and the signing rows.
func editRows(st *styles, a *answers, t core.Target, lines []string) {
	// Found by their text, not their place: rows such as "resolve as"
	// come and go.
	host := field(st, "endpoint host", endpointHost(t.BaseURL))
	signing := field(st, "signing", core.SigningSummary(t.Signing))
	for i, l := range lines {
		switch {
		case l == host:
			lines[i] = field(st, "webhook_url", urlsafe.Redact(t.BaseURL))
		case l == signing && a.keepsSecret():
			lines[i] = field(st, "signing", "kept (fingerprint "+t.Signing.Fingerprint+")")
		}
	}
}

// editReadyLine is Review's last line for an edit that may be saved: what
// the save changes, or that nothing has changed yet.
func editReadyLine(st *styles, a *answers, width int) string {
	changed := a.editChanges()
	if len(changed) == 0 {
		return wrap("Nothing changed yet: go to a row's step to change it.", width)
	}
	line := "Ready to save: changes " + strings.Join(changed, ", ") + ". Press enter to save."
	return st.ok.Render(wrap(line, width))
}

// draftEditName is the name of the target a stored draft edits, "" for a
// draft of a new target (or one that does not decode: resuming says why).
func draftEditName(data []byte) string {
	a, err := unmarshalAnswers(data)
	if err != nil {
		return ""
	}
	return a.editName()
}

// editName is the name of the saved target these answers edit, "" for a
// new target.
func (a *answers) editName() string {
	if !a.editsSaved() {
		return ""
	}
	return a.Edit.Saved.Name
}
