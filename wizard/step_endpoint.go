package wizard

import (
	"fmt"
	"strings"
	"time"

	"github.com/charmbracelet/bubbles/key"
	"github.com/charmbracelet/bubbles/spinner"
	"github.com/charmbracelet/bubbles/textinput"
	tea "github.com/charmbracelet/bubbletea"

	"github.com/webriskops/webhook-setup/core"
	"github.com/webriskops/webhook-setup/core/urlsafe"
)

// checkDelay is how long typing must pause before the endpoint is checked
// in the background; enter checks at once.
const checkDelay = 350 * time.Millisecond

// checkKey is what an endpoint verdict depends on: the URL and the policy
// of the deployment mode and private-network approval. A verdict is only
// shown and used for the key it was made for, so late answers to earlier
// input are ignored.
type checkKey struct {
	url     string
	mode    core.Mode
	policy  string
	resolve string // the resolve answer in use (resolve_as.go)
}

func keyFor(t core.Target) checkKey {
	p := core.URLPolicy(t)
	return checkKey{url: t.BaseURL, mode: t.DeploymentMode, policy: fmt.Sprint(p.SelfHosted, p.Allowlist), resolve: strings.Join(t.Resolve, ",")}
}

// endpointCheckedMsg is the answer of one background endpoint check.
type endpointCheckedMsg struct {
	key checkKey
	v   urlsafe.Verdict
}

// debounceMsg fires checkDelay after a change; only the latest counts.
type debounceMsg struct {
	src *endpointStep
	seq int
}

// checkEndpoint runs core.CheckEndpoint for t off the UI loop, with the
// injected resolver and a timeout.
func checkEndpoint(e *env, t core.Target) tea.Cmd {
	k := keyFor(t)
	return func() tea.Msg {
		ctx, cancel := e.cmdCtx(checkTimeout)
		defer cancel()
		return endpointCheckedMsg{key: k, v: core.CheckEndpoint(ctx, t, e.resolver)}
	}
}

// endpointStep is "Endpoint URL": the webhook_url pasted exactly as the
// automation tool gave it, checked in the background (resolved addresses,
// verdict, provider hints) while the operator keeps typing.
type endpointStep struct {
	env   *env
	a     *answers
	input textinput.Model
	spin  spinner.Model
	width int

	seq        int
	checking   bool
	pendingKey checkKey
	verdict    *urlsafe.Verdict
	verdictKey checkKey
	// advance is set by enter while a check runs: continue when it is
	// acceptable.
	advance bool

	// resolving is set while the "resolve as" field (ctrl+r) is open.
	resolving bool
	resolveIn textinput.Model
}

func newEndpointStep(e *env, a *answers) *endpointStep {
	s := &endpointStep{env: e, a: a}
	s.input = newInput(e.st, "URL › ", a.URL)
	s.input.Placeholder = e.st.example(urlExample(a.Provider, a.Mode))
	s.spin = newSpinner(e.st)
	return s
}

// urlExample is the placeholder of the URL field: the shape of URL the
// chosen provider hands out, so the example itself draws no provider hint
// (core.ProviderHints).
func urlExample(p core.ProviderKey, mode core.Mode) string {
	switch p {
	case core.ProviderZapier:
		return "https://hooks.zapier.com/hooks/catch/123456/abcdef/"
	case core.ProviderMake:
		return "https://hook.eu1.make.com/abcdef123456"
	case core.ProviderN8N:
		if mode == core.ModeSelfHosted {
			return "https://n8n.internal.example/webhook/webriskops"
		}
		return "https://yourname.app.n8n.cloud/webhook/webriskops"
	}
	if mode == core.ModeSelfHosted {
		return "https://receiver.internal.example/webriskops"
	}
	return "https://receiver.example.com/webriskops"
}

func (s *endpointStep) Init() tea.Cmd {
	cmds := []tea.Cmd{s.input.Focus()}
	if s.a.URL != "" {
		cmds = append(cmds, s.changed())
	}
	return tea.Batch(cmds...)
}

// key is the check key of the URL as it stands.
func (s *endpointStep) key() checkKey { return keyFor(s.a.Target()) }

// current returns the verdict for the URL as it stands, if there is one.
func (s *endpointStep) current() (urlsafe.Verdict, bool) {
	if s.verdict != nil && s.verdictKey == s.key() {
		return *s.verdict, true
	}
	return urlsafe.Verdict{}, false
}

// startCheck begins a background check of the URL as it stands.
func (s *endpointStep) startCheck() tea.Cmd {
	k := s.key()
	if s.checking && s.pendingKey == k {
		return nil
	}
	s.checking, s.pendingKey = true, k
	return tea.Batch(s.spin.Tick, checkEndpoint(s.env, s.a.Target()))
}

// changed reacts to a new value: the parse check at once (no network),
// the full check after a pause in typing.
func (s *endpointStep) changed() tea.Cmd {
	s.a.URL = s.input.Value()
	s.seq++
	s.advance = false
	if s.a.URL == "" {
		s.checking = false
		return report(s)
	}
	if _, _, p := urlsafe.Parse(s.a.URL); p != nil {
		s.checking = false
		return report(s, *p)
	}
	seq := s.seq
	return tea.Batch(report(s), tea.Tick(checkDelay, func(time.Time) tea.Msg { return debounceMsg{src: s, seq: seq} }))
}

func (s *endpointStep) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	switch msg := msg.(type) {
	case tea.KeyMsg:
		if s.resolving {
			return s, s.updateResolve(msg)
		}
		if key.Matches(msg, keyResolveAs) && s.offersResolve() {
			return s, s.openResolve()
		}
		if key.Matches(msg, keyNext) {
			return s, s.submit()
		}
		if key.Matches(msg, keyLookAlike) && core.LookAlikeProblem(s.a.Target()) != nil {
			s.a.LookAlikeConfirmed = s.a.URL
			return s, tea.Batch(notify(s, "Confirmed: the look-alike host is the receiver's. It stays marked in the target list."), s.submit())
		}
		before := s.input.Value()
		trimmed, cmd := updateInput(&s.input, msg)
		if s.input.Value() == before {
			return s, cmd
		}
		cmds := []tea.Cmd{cmd, s.changed()}
		if trimmed > 0 {
			cmds = append(cmds, notify(s, fmt.Sprintf("Removed %s of surrounding whitespace from the pasted URL.", plural(trimmed, "character"))))
		}
		return s, tea.Batch(cmds...)
	case debounceMsg:
		if msg.src == s && msg.seq == s.seq {
			return s, s.startCheck()
		}
	case endpointCheckedMsg:
		if msg.key == s.pendingKey {
			s.checking = false
		}
		if msg.key != s.key() {
			return s, nil // an answer to earlier input
		}
		v := msg.v
		s.verdict, s.verdictKey = &v, msg.key
		if !acceptable(v, s.a.Mode) {
			s.advance = false
			return s, report(s, *core.VerdictProblem(v))
		}
		if s.advance {
			s.advance = false
			if p := core.LookAlikeProblem(s.a.Target()); p != nil {
				return s, report(s, *p)
			}
			s.a.noteVerdict(v)
			return s, tea.Batch(report(s), s.env.post(stepDoneMsg{step: stepEndpoint}))
		}
		return s, report(s)
	case spinner.TickMsg:
		return s, spinTick(&s.spin, msg, s.checking)
	default:
		var cmd tea.Cmd
		s.input, cmd = s.input.Update(msg)
		return s, cmd
	}
	return s, nil
}

// submit is enter: trim, then continue when the check allows it, or run
// the check and continue when it answers.
func (s *endpointStep) submit() tea.Cmd {
	v := strings.TrimSpace(s.input.Value())
	var cmds []tea.Cmd
	if v != s.input.Value() {
		s.input.SetValue(v)
		s.input.CursorEnd()
		cmds = append(cmds, s.changed(), notify(s, "Removed surrounding whitespace from the URL."))
	}
	if v == "" {
		ps := s.a.FieldProblems("webhook_url")
		return tea.Batch(append(cmds, report(s, ps...))...)
	}
	if _, _, p := urlsafe.Parse(v); p != nil {
		return tea.Batch(append(cmds, report(s, *p))...)
	}
	if verdict, ok := s.current(); ok {
		if acceptable(verdict, s.a.Mode) {
			if p := core.LookAlikeProblem(s.a.Target()); p != nil {
				return tea.Batch(append(cmds, report(s, *p))...)
			}
			s.a.noteVerdict(verdict)
			return tea.Batch(append(cmds, s.env.post(stepDoneMsg{step: stepEndpoint}))...)
		}
		return tea.Batch(append(cmds, report(s, *core.VerdictProblem(verdict)))...)
	}
	s.advance = true
	return tea.Batch(append(cmds, s.startCheck())...)
}

func (s *endpointStep) View() string {
	st := s.env.st
	var b strings.Builder
	b.WriteString(wrap(endpointIntro, s.width))
	b.WriteString("\n" + st.dim.Render(wrap(modeRule(s.a.Mode), s.width)))
	b.WriteString("\n\n" + s.input.View() + "\n")
	b.WriteString(s.resolveView() + "\n")
	if s.resolving {
		return b.String()
	}
	if verdict, ok := s.current(); ok && !s.checking {
		b.WriteString(verdictView(st, verdict, s.a.Mode == core.ModeSelfHosted, s.width))
	} else if s.checking {
		host := endpointHost(s.a.URL)
		b.WriteString(s.spin.View() + " checking " + clean(host) + "…")
		if s.advance {
			b.WriteString(st.dim.Render(" (continues when the check passes)"))
		}
	}
	return b.String()
}

// modeRule says what URL safety allows in mode.
func modeRule(mode core.Mode) string {
	if mode == core.ModeSelfHosted {
		return "self-hosted: public HTTPS, or a private address once it is approved in the Private network step."
	}
	return string(mode) + ": public HTTPS only; local, private and reserved addresses are refused."
}

func (s *endpointStep) SetSize(w, _ int) {
	s.width = w
	s.input.Width = max(w-len(s.input.Prompt)-2, 10)
	s.resolveIn.Width = resolveInputWidth(w)
}

// Captures reports whether esc belongs to the step: it closes the
// "resolve as" field rather than going back.
func (s *endpointStep) Captures() bool { return s.resolving }

func (s *endpointStep) ShortHelp() []key.Binding {
	if s.resolving {
		return []key.Binding{keyResolveSave, keyResolveCancel}
	}
	keys := when(s.enterContinues(), keyNext)
	if s.offersResolve() {
		keys = append(keys, keyResolveAs)
	}
	if core.LookAlikeProblem(s.a.Target()) != nil {
		keys = append(keys, keyLookAlike)
	}
	return append(keys, keyBack)
}

// enterContinues reports whether enter can move on from the URL as it
// stands: it parses, and its check either has not answered yet (enter
// waits for it) or allows it, with a look-alike host confirmed.
func (s *endpointStep) enterContinues() bool {
	v := strings.TrimSpace(s.input.Value())
	if v == "" {
		return false
	}
	if _, _, p := urlsafe.Parse(v); p != nil {
		return false
	}
	verdict, ok := s.current()
	if !ok || s.checking {
		return true
	}
	return acceptable(verdict, s.a.Mode) && core.LookAlikeProblem(s.a.Target()) == nil
}

func (s *endpointStep) FullHelp() [][]key.Binding { return [][]key.Binding{s.ShortHelp()} }
