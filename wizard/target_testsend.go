package wizard

import (
	"strings"
	"time"

	"github.com/charmbracelet/bubbles/key"
	"github.com/charmbracelet/bubbles/spinner"
	"github.com/charmbracelet/bubbles/textinput"
	tea "github.com/charmbracelet/bubbletea"

	"github.com/webriskops/webhook-setup/core"
	"github.com/webriskops/webhook-setup/core/codes"
)

// testTimeout bounds one test send.
const testTimeout = 60 * time.Second

// testDoneMsg is the outcome of one test send.
type testDoneMsg struct {
	src *testSend
	res TestResult
	err error
}

type testPhase int

const (
	testChoose testPhase = iota
	testRehearsalForm
	testConfirmLive
	testRunning
	testShown
)

// testSend offers a test send of a saved target: a dry run (the signed
// request is shown), a rehearsal against a local receiver, or a live
// send, and shows the outcome with the code and fix on failure. Without a
// sender it points to the test-send command.
type testSend struct {
	env    *env
	t      core.Target
	phase  testPhase
	list   choiceList
	url    textinput.Model
	ca     textinput.Model
	onCA   bool
	spin   spinner.Model
	res    *TestResult
	pager  pager
	width  int
	height int
}

func newTestSend(e *env, t core.Target) *testSend {
	s := &testSend{env: e, t: t, pager: newPager(e.st)}
	host := endpointHost(t.BaseURL)
	s.list = newChoiceList([]option{
		{value: "dry", label: "Dry run", desc: "Sign a test delivery and show the request; nothing is sent."},
		{value: "rehearsal", label: "Rehearsal", desc: "Send a signed test delivery to a local receiver you run."},
		{value: "live", label: "Live", desc: "Send one signed test delivery to " + clean(host) + "."},
	}, "dry")
	s.url = newInput(e.st, "receiver URL: ", "")
	s.url.Placeholder = e.st.example("https://127.0.0.1:8443/webhook")
	s.ca = newInput(e.st, "CA file: ", "")
	s.ca.Placeholder = e.st.hint("(empty: the system's roots)")
	s.spin = newSpinner(e.st)
	return s
}

func (s *testSend) Init() tea.Cmd { return nil }

// Captures reports whether esc belongs to the screen (closing the
// request, leaving the rehearsal form).
func (s *testSend) Captures() bool {
	return s.pager.open || s.phase == testRehearsalForm || s.phase == testConfirmLive || s.phase == testShown
}

func (s *testSend) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	if s.env.sender == nil {
		return s, nil
	}
	switch msg := msg.(type) {
	case testDoneMsg:
		if msg.src != s {
			return s, nil
		}
		s.phase = testShown
		if msg.err != nil {
			s.res = &TestResult{Summary: "The test send could not be made."}
			return s, report(s, codes.ProblemOf(msg.err))
		}
		s.res = &msg.res
		if msg.res.Request != "" {
			s.pager.show("Signed request (dry run, nothing sent)", msg.res.Request, "webhook-setup test-send "+clean(s.t.Name)+" --dry-run")
		}
		if !msg.res.OK && msg.res.Problem != nil {
			return s, report(s, *msg.res.Problem)
		}
		return s, report(s)
	case spinner.TickMsg:
		return s, spinTick(&s.spin, msg, s.phase == testRunning)
	case tea.KeyMsg:
		return s, s.key(msg)
	}
	var c1, c2 tea.Cmd
	s.url, c1 = s.url.Update(msg)
	s.ca, c2 = s.ca.Update(msg)
	return s, tea.Batch(c1, c2)
}

func (s *testSend) key(k tea.KeyMsg) tea.Cmd {
	switch s.phase {
	case testChoose:
		if s.list.update(k) {
			return nil
		}
		if !key.Matches(k, keyEnter) {
			return nil
		}
		switch s.list.selected().value {
		case "dry":
			return s.run(dryRunKind())
		case "live":
			// A live send posts to the production hook: it is asked
			// for, so a stray enter never fires one.
			s.phase = testConfirmLive
			return report(s)
		default:
			s.phase, s.onCA = testRehearsalForm, false
			s.ca.Blur()
			return s.url.Focus()
		}
	case testRehearsalForm:
		switch {
		case key.Matches(k, keyBack):
			s.phase = testChoose
			return report(s)
		case k.Type == tea.KeyTab || k.Type == tea.KeyDown || k.Type == tea.KeyUp:
			s.onCA = !s.onCA
			if s.onCA {
				s.url.Blur()
				return s.ca.Focus()
			}
			s.ca.Blur()
			return s.url.Focus()
		case key.Matches(k, keyNext):
			u := strings.TrimSpace(s.url.Value())
			if u == "" {
				// The usage code's own fix names the command's flags; here
				// the field to fill is named instead, and focused.
				p := codes.NewProblem(codes.Usage, "receiver_url", "a rehearsal needs the URL of the local receiver")
				p.Fix = "Type the URL your local receiver listens on in receiver URL, such as https://127.0.0.1:8443/webhook."
				s.onCA = false
				s.ca.Blur()
				return tea.Batch(report(s, p), s.url.Focus())
			}
			return s.run(rehearsalKind(u, strings.TrimSpace(s.ca.Value())))
		}
		in := &s.url
		if s.onCA {
			in = &s.ca
		}
		_, cmd := updateInput(in, k)
		if !s.onCA && strings.TrimSpace(s.url.Value()) != "" && s.env.showing("receiver_url") {
			return tea.Batch(cmd, report(s)) // the URL is there now
		}
		return cmd
	case testConfirmLive:
		if confirmsLive(k.String()) {
			return s.run(liveKind())
		}
		s.openMenu() // n, esc, enter or any other key: nothing is sent
		return report(s)
	case testShown:
		if s.pager.open {
			_, cmd := s.pager.update(k)
			return cmd
		}
		if key.Matches(k, keyBack) || key.Matches(k, keyEnter) {
			s.openMenu()
			return report(s)
		}
	}
	return nil
}

// openMenu shows the test menu again, on Dry run: the last choice is not
// remembered, so "another test" → ↓ → enter cannot reach a live send by
// habit.
func (s *testSend) openMenu() {
	s.phase, s.res = testChoose, nil
	s.list.selectValue("dry")
}

// run starts a test send as a command.
func (s *testSend) run(kind TestKind) tea.Cmd {
	s.phase, s.res = testRunning, nil
	e, t := s.env, s.t
	return tea.Batch(report(s), s.spin.Tick, func() tea.Msg {
		ctx, cancel := e.cmdCtx(testTimeout)
		defer cancel()
		res, err := e.sender.TestSend(ctx, t, kind)
		return testDoneMsg{src: s, res: res, err: err}
	})
}

func (s *testSend) View() string {
	st := s.env.st
	name := clean(s.t.Name)
	if s.env.sender == nil {
		return wrap("Test sends are available with `webhook-setup test-send "+name+"`: a dry run, a rehearsal against a local receiver, or a live send.", s.width) +
			"\n\n" + st.dim.Render("Press esc to go back.")
	}
	var b strings.Builder
	b.WriteString(wrap("Send a test delivery for "+name+" to see the receiver verify it.", s.width) + "\n\n")
	switch s.phase {
	case testChoose:
		b.WriteString(s.list.view(st, s.width))
	case testRehearsalForm:
		b.WriteString(wrap("The local receiver you run (a recipe, or your own code) and, if its certificate is not publicly trusted, the CA file that signed it.", s.width) + "\n\n")
		b.WriteString(fieldView(st, s.url) + "\n" + fieldView(st, s.ca))
	case testConfirmLive:
		b.WriteString(wrap(liveQuestion(s.t), s.width))
	case testRunning:
		b.WriteString(s.spin.View() + " sending…")
	case testShown:
		if s.res != nil {
			mark := st.ok.Render("✓ ")
			if !s.res.OK {
				mark = st.bad.Render("✗ ")
			}
			b.WriteString(mark + wrap(clean(s.res.Summary), s.width-2))
		}
		if s.pager.open {
			b.WriteString("\n\n" + s.pager.view(st))
		}
	}
	return b.String()
}

func (s *testSend) SetSize(w, h int) {
	s.width, s.height = w, h
	s.pager.setSize(w, max(h-4, 3))
	s.url.Width = max(w-len(s.url.Prompt)-4, 10)
	s.ca.Width = max(w-len(s.ca.Prompt)-4, 10)
}

func (s *testSend) ShortHelp() []key.Binding {
	if s.env.sender == nil {
		return []key.Binding{keyHome}
	}
	switch s.phase {
	case testRehearsalForm:
		send := key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "send"))
		return append(when(strings.TrimSpace(s.url.Value()) != "", send), keyField, keyBack)
	case testShown:
		if s.pager.open {
			return s.pager.help()
		}
		return []key.Binding{key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "another test")), keyBack}
	case testRunning:
		return []key.Binding{keyBack}
	case testConfirmLive:
		return []key.Binding{keyLiveYes, keyLiveNo}
	}
	return []key.Binding{keyUp, keyEnter, keyBack}
}

func (s *testSend) FullHelp() [][]key.Binding { return [][]key.Binding{s.ShortHelp()} }
