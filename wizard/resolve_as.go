package wizard

import (
	"slices"
	"strings"

	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"

	"github.com/webriskops/webhook-setup/core"
	"github.com/webriskops/webhook-setup/core/codes"
	"github.com/webriskops/webhook-setup/core/urlsafe"
)

// "Resolve as" (ctrl+r in the Endpoint URL step): on a machine without
// DNS, the operator gives the addresses the URL's host has, as curl's
// --resolve does for one host and port. The answer is kept in the draft,
// judged by the same endpoint check as DNS answers (core.CheckEndpoint
// reads core.Target.Resolve) and saved with the target.

// keyResolveAs opens the field; a control key, since letters go to the URL.
var (
	keyResolveAs     = key.NewBinding(key.WithKeys("ctrl+r"), key.WithHelp("ctrl+r", "resolve as"))
	keyResolveSave   = key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "use these addresses"))
	keyResolveCancel = key.NewBinding(key.WithKeys("esc"), key.WithHelp("esc", "cancel"))
)

// resolve gives t the operator's resolve answer when it was given for t's
// URL's host and port; an answer for another host or port does not follow
// the URL (core.DropStaleResolve's rule) and is dropped at save.
func (a *answers) resolve(t *core.Target) {
	if len(a.ResolveAs) > 0 && a.ResolveFor != "" && a.ResolveFor == core.ResolveFor(*t) {
		t.Resolve = slices.Clone(a.ResolveAs)
	}
}

// setResolve keeps addrs as the resolve answer for the URL as it stands;
// none removes it.
func (a *answers) setResolve(addrs []string) {
	a.ResolveAs, a.ResolveFor = nil, ""
	if len(addrs) > 0 {
		a.ResolveAs = addrs
		a.ResolveFor = core.ResolveFor(a.Target())
	}
}

// keepDraftMsg asks the parent to save the answers as they stand as the
// draft at the current step, before the step completes.
type keepDraftMsg struct{}

// offersResolve reports whether the Endpoint step offers ctrl+r: the URL
// has a host name and either it does not resolve or an answer is in use
// (to change or remove it).
func (s *endpointStep) offersResolve() bool {
	v, ok := s.current()
	if !ok {
		return resolveOffered(s.a, nil)
	}
	return resolveOffered(s.a, &v)
}

// resolveOffered is the rule of both front ends: a URL with a host name
// whose check v (nil: none yet) found it unresolved, or an answer in use.
func resolveOffered(a *answers, v *urlsafe.Verdict) bool {
	// The cheap tests first: the help line asks on every frame.
	if len(a.ResolveAs) == 0 && (v == nil || v.Code != string(codes.HostUnresolved)) {
		return false
	}
	if _, _, ok := urlsafe.HostPort(a.URL); !ok {
		return false
	}
	return len(a.Target().Resolve) > 0 || v != nil && v.Code == string(codes.HostUnresolved)
}

// openResolve opens the addresses field, filled with the answer in use.
func (s *endpointStep) openResolve() tea.Cmd {
	s.resolving = true
	s.resolveIn = newInput(s.env.st, resolvePrompt, strings.Join(s.a.Target().Resolve, ", "))
	s.resolveIn.Placeholder = s.env.st.example("3.33.152.147, 2600:1f18::1")
	s.resolveIn.Width = resolveInputWidth(s.width)
	s.input.Blur()
	return tea.Batch(s.resolveIn.Focus(), report(s))
}

// closeResolve goes back to the URL field, showing the verdict's problem
// again when there is one (esc: the answer did not change).
func (s *endpointStep) closeResolve() tea.Cmd {
	s.resolving = false
	s.resolveIn.Blur()
	if v, ok := s.current(); ok && !acceptable(v, s.a.Mode) {
		return tea.Batch(s.input.Focus(), report(s, *core.VerdictProblem(v)))
	}
	return tea.Batch(s.input.Focus(), report(s))
}

// updateResolve is a key in the addresses field: enter keeps the answer
// (blank removes it) and checks the endpoint with it, esc leaves it as it
// was.
func (s *endpointStep) updateResolve(k tea.KeyMsg) tea.Cmd {
	switch {
	case k.Type == tea.KeyEsc:
		return s.closeResolve()
	case key.Matches(k, keyNext):
		addrs, p := core.ParseResolve(s.resolveIn.Value())
		if p != nil {
			return report(s, *p)
		}
		s.a.setResolve(addrs)
		s.advance = false
		// Kept at once, with the URL it is for: an operator without DNS
		// must not lose both to a dropped session before the step ends.
		s.env.post(keepDraftMsg{})
		// No report here: the check's answer reports (or clears) the
		// problems, and a clearing report sent beside it could land after
		// it. The answer itself shows under the URL.
		s.resolving = false
		s.resolveIn.Blur()
		cmds := []tea.Cmd{s.input.Focus(), s.startCheck()}
		if len(addrs) == 0 {
			cmds = append(cmds, notify(s, "Removed the resolve answer: the host resolves through DNS."))
		}
		return tea.Batch(cmds...)
	}
	_, cmd := updateInput(&s.resolveIn, k)
	return cmd
}

// resolveView is the addresses field with what it is for, or the answer
// in use under the URL.
func (s *endpointStep) resolveView() string {
	st := s.env.st
	if s.resolving {
		hostPort := core.ResolveFor(s.a.Target())
		return wrap("Resolve "+clean(hostPort)+" as (IP addresses, commas or spaces between them; blank: use DNS):", s.width) +
			"\n" + s.resolveIn.View() + "\n" +
			st.dim.Render(wrap("Judged like DNS answers: local, metadata and reserved addresses are refused; a private one needs approval (self-hosted).", s.width)) + "\n\n"
	}
	if line := core.ResolveLine(s.a.Target()); line != "" {
		return st.dim.Render(wrap("resolve as "+clean(line), s.width)) + "\n"
	}
	return ""
}

// resolveRow is the Review's "resolve as" value: the addresses t's host is
// taken to have ("" without an answer; the endpoint host is the row above).
func resolveRow(t core.Target) string {
	if len(t.Resolve) == 0 {
		return ""
	}
	return strings.Join(t.Resolve, ", ") + " (instead of DNS)"
}

// resolveNote is what the target details add to the "url checked" row of
// a target with a resolve override: the addresses of the row above came
// from it (the details have no row to spare at 80×24).
func resolveNote(t core.Target) string {
	if len(t.Resolve) == 0 {
		return ""
	}
	return "; addresses from resolve as, not DNS"
}

// resolvePrompt is the Addresses field's prompt.
const resolvePrompt = "Addresses › "

// resolveInputWidth is the Addresses field's width at terminal width w,
// measured from its own prompt: the URL field's width, under this longer
// prompt, drew the line past the edge, where it was cut with a "…" that
// made the addresses look cut.
func resolveInputWidth(w int) int { return max(w-len(resolvePrompt)-2, 10) }
