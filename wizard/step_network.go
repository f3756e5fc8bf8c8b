package wizard

import (
	"strings"

	"github.com/charmbracelet/bubbles/key"
	"github.com/charmbracelet/bubbles/textinput"
	tea "github.com/charmbracelet/bubbletea"

	"github.com/webriskops/webhook-setup/core"
	"github.com/webriskops/webhook-setup/core/codes"
)

// networkField is the focused part of the Private network step.
type networkField int

const (
	fieldPolicy networkField = iota
	fieldEntry
	fieldAuthorized
)

var (
	keyAddEntry    = key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "add entry"))
	keyRemoveEntry = key.NewBinding(key.WithKeys("ctrl+x"), key.WithHelp("ctrl+x", "remove last entry"))
	keyPolicy      = key.NewBinding(key.WithKeys("left", "right", " "), key.WithHelp("←/→", "deny or allowlist"))
	keyPolicyUp    = key.NewBinding(key.WithKeys("up"), key.WithHelp("↑", "policy"))
)

// networkStep is "Private network" (self-hosted only): the policy, deny or
// allowlist; allowlist entries checked as they are typed; who authorized
// the route; and a plain warning that evidence will be posted there.
type networkStep struct {
	env        *env
	a          *answers
	focus      networkField
	policy     core.NetworkPolicy
	entries    []string
	entry      textinput.Model
	authorized textinput.Model
	width      int
}

func newNetworkStep(e *env, a *answers) *networkStep {
	s := &networkStep{env: e, a: a, policy: a.Policy, entries: append([]string(nil), a.Allowlist...)}
	needs := a.pendingApproval()
	if s.policy == "" {
		// Not chosen yet: open where the endpoint leads, allowlist when
		// its private address needs approval.
		s.policy = core.PolicyDeny
		if needs != nil {
			s.policy = core.PolicyAllowlist
		}
	}
	s.entry = newInput(e.st, "entry: ", "")
	s.entry.Placeholder = e.st.example("10.20.0.0/16 or n8n.internal.example")
	s.authorized = newInput(e.st, strings.ToLower(authorizedByField.title)+": ", authorizedByField.get(a))
	s.authorized.Placeholder = e.st.hint(authorizedByField.placeholder(a.Provider))
	return s
}

func (s *networkStep) Init() tea.Cmd { return s.setFocus(fieldPolicy) }

// setFocus moves the focus to f.
func (s *networkStep) setFocus(f networkField) tea.Cmd {
	if s.policy == core.PolicyDeny && f != fieldPolicy {
		f = fieldPolicy
	}
	s.focus = f
	s.entry.Blur()
	s.authorized.Blur()
	switch f {
	case fieldEntry:
		return s.entry.Focus()
	case fieldAuthorized:
		return s.authorized.Focus()
	}
	return nil
}

// save writes the step's state into the answers. The entries are kept
// while the policy is deny, so switching back to allowlist finds them;
// answers.Target leaves them out of the target then, and nothing with
// policy deny is saved with entries.
func (s *networkStep) save() {
	s.a.Policy = s.policy
	authorizedByField.set(s.a, authorizedByField.sanitize(s.authorized.Value()))
	s.a.Allowlist = append([]string(nil), s.entries...)
}

func (s *networkStep) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	k, ok := msg.(tea.KeyMsg)
	if !ok {
		var c1, c2 tea.Cmd
		s.entry, c1 = s.entry.Update(msg)
		s.authorized, c2 = s.authorized.Update(msg)
		return s, tea.Batch(c1, c2)
	}
	switch s.focus {
	case fieldPolicy:
		return s, s.policyKey(k)
	case fieldEntry:
		return s, s.entryKey(k)
	case fieldAuthorized:
		return s, s.authorizedKey(k)
	}
	return s, nil
}

// policyKey handles a key on the policy line.
func (s *networkStep) policyKey(k tea.KeyMsg) tea.Cmd {
	switch {
	case key.Matches(k, keyPolicy):
		if s.policy == core.PolicyDeny {
			s.policy = core.PolicyAllowlist
		} else {
			s.policy = core.PolicyDeny
		}
		s.save()
		return report(s)
	case key.Matches(k, keyNext), key.Matches(k, keyField):
		if s.policy == core.PolicyDeny {
			if key.Matches(k, keyNext) {
				return s.finish()
			}
			return nil
		}
		return s.setFocus(fieldEntry)
	case k.Type == tea.KeyRunes:
		// Typing on the policy line means an entry: with allowlist
		// the focus moves to the entry field and takes the key; with
		// deny there is no entry field, and the screen says how to
		// get one instead of dropping the key silently.
		if s.policy == core.PolicyDeny {
			return notify(s, "Entries need the allowlist policy: press → to choose it, then type the entry.")
		}
		return tea.Batch(s.setFocus(fieldEntry), s.typeEntry(k))
	}
	return nil
}

// entryKey handles a key on the allowlist entry field: enter adds the
// entry typed (or moves on when it is empty), the remove key drops the
// last one.
func (s *networkStep) entryKey(k tea.KeyMsg) tea.Cmd {
	switch {
	case key.Matches(k, keyNext):
		v := strings.TrimSpace(s.entry.Value())
		if v == "" {
			return s.setFocus(fieldAuthorized)
		}
		if p := core.AllowlistEntryProblem(v); p != nil {
			return report(s, *p)
		}
		if len(s.entries) >= core.MaxAllowlistEntries {
			return report(s, codes.NewProblem(codes.AllowlistInvalid, "private_network.allowlist", "the allowlist is full"))
		}
		s.entries = append(s.entries, v)
		s.entry.Reset()
		s.save()
		return report(s)
	case key.Matches(k, keyRemoveEntry):
		if n := len(s.entries); n > 0 {
			s.entries = s.entries[:n-1]
			s.save()
		}
		return nil
	case k.Type == tea.KeyTab || k.Type == tea.KeyDown:
		return s.setFocus(fieldAuthorized)
	case k.Type == tea.KeyUp:
		return s.setFocus(fieldPolicy)
	}
	return s.typeEntry(k)
}

// authorizedKey handles a key on the "authorized by" field.
func (s *networkStep) authorizedKey(k tea.KeyMsg) tea.Cmd {
	switch {
	case key.Matches(k, keyNext):
		return s.finish()
	case k.Type == tea.KeyUp:
		return s.setFocus(fieldEntry)
	}
	before := s.authorized.Value()
	_, cmd := updateInput(&s.authorized, k)
	s.save()
	if s.authorized.Value() != before && s.env.showing("private_network") {
		// Typed after a refusal: keep the errors true, clear them
		// once the approval is complete.
		return tea.Batch(cmd, report(s, s.a.FieldProblems("private_network")...))
	}
	return cmd
}

// typeEntry feeds a key to the entry field and checks the entry as typed:
// the screen says at once when it cannot be allowed, and clears that as
// soon as it can.
func (s *networkStep) typeEntry(k tea.KeyMsg) tea.Cmd {
	_, cmd := updateInput(&s.entry, k)
	if v := strings.TrimSpace(s.entry.Value()); v != "" {
		if p := core.AllowlistEntryProblem(v); p != nil {
			return tea.Batch(cmd, report(s, *p))
		}
	}
	return tea.Batch(cmd, report(s))
}

// finish checks the approval as the core does and completes the step.
func (s *networkStep) finish() tea.Cmd {
	s.save()
	if v := strings.TrimSpace(s.entry.Value()); v != "" && s.policy == core.PolicyAllowlist {
		// An entry typed but not added with enter: add it, or refuse it.
		if p := core.AllowlistEntryProblem(v); p != nil {
			return report(s, *p)
		}
		s.entries = append(s.entries, v)
		s.entry.Reset()
		s.save()
	}
	if ps := s.a.FieldProblems("private_network"); len(ps) > 0 {
		return tea.Batch(report(s, ps...), s.focusFor(ps[0]))
	}
	return tea.Batch(report(s), s.env.post(stepDoneMsg{step: stepNetwork}))
}

// focusFor moves the focus to the field a problem is about.
func (s *networkStep) focusFor(p codes.Problem) tea.Cmd {
	switch p.Field {
	case "private_network.allowlist":
		return s.setFocus(fieldEntry)
	case "private_network.authorized_by":
		return s.setFocus(fieldAuthorized)
	}
	return s.setFocus(fieldPolicy)
}

func (s *networkStep) View() string {
	st := s.env.st
	var b strings.Builder
	b.WriteString(st.warn.Render(wrap(defOf(stepNetwork).intro, s.width)))
	b.WriteString("\n")
	if v := s.a.pendingApproval(); v != nil {
		b.WriteString(approvalView(st, v, s.width) + "\n")
	}
	b.WriteString("\n")
	choices := make([]string, len(policyOptions))
	for i, o := range policyOptions {
		mark := "( ) "
		if string(s.policy) == o.value {
			mark = "(•) "
		}
		choices[i] = mark + o.label
	}
	line := "policy  " + strings.Join(choices, "   ")
	if s.focus == fieldPolicy {
		line = st.selected.Render("› " + line)
	} else {
		line = "  " + line
	}
	b.WriteString(line + "\n")
	if s.policy == core.PolicyDeny {
		b.WriteString(st.dim.Render(wrap("  "+policyOptions[0].label+": "+policyOptions[0].desc, s.width)))
		return b.String()
	}
	b.WriteString(st.dim.Render(wrap("  "+allowlistHint, s.width)) + "\n")
	if len(s.entries) == 0 {
		b.WriteString(st.dim.Render("  no entries yet") + "\n")
	}
	for _, e := range s.entries {
		b.WriteString("  • " + clean(e) + "\n")
	}
	b.WriteString(fieldView(st, s.entry) + "\n")
	b.WriteString(fieldView(st, s.authorized))
	return b.String()
}

func (s *networkStep) SetSize(w, _ int) {
	s.width = w
	s.entry.Width = max(w-len(s.entry.Prompt)-4, 10)
	s.authorized.Width = max(w-len(s.authorized.Prompt)-4, 10)
}

// ShortHelp tells what each key does where the focus is: enter adds an
// entry only when one is typed, and otherwise moves on like tab.
func (s *networkStep) ShortHelp() []key.Binding {
	switch s.focus {
	case fieldEntry:
		keys := []key.Binding{keyEnterField}
		if v := strings.TrimSpace(s.entry.Value()); v != "" {
			// enter adds the entry, or refuses it while it cannot be
			// allowed (the error under it says why).
			ok := core.AllowlistEntryProblem(v) == nil && len(s.entries) < core.MaxAllowlistEntries
			keys = append(when(ok, keyAddEntry), keyField)
		}
		keys = append(keys, keyPolicyUp)
		if len(s.entries) > 0 {
			keys = append(keys, keyRemoveEntry)
		}
		return append(keys, keyBack)
	case fieldAuthorized:
		keys := when(len(s.a.FieldProblems("private_network")) == 0, keyNext)
		return append(keys, keyFieldUp, keyBack)
	}
	if s.policy == core.PolicyAllowlist {
		return []key.Binding{keyPolicy, keyEnterField, keyBack}
	}
	return []key.Binding{keyPolicy, keyNext, keyBack}
}

func (s *networkStep) FullHelp() [][]key.Binding { return [][]key.Binding{s.ShortHelp()} }
