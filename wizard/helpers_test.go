package wizard

import (
	"context"
	"net/netip"
	"reflect"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"
	"github.com/charmbracelet/x/ansi"
	"github.com/muesli/termenv"

	"github.com/webriskops/webhook-setup/core"
	"github.com/webriskops/webhook-setup/core/codes"
	"github.com/webriskops/webhook-setup/core/signing"
)

// fakeStore is an in-memory Store that records what the wizard did.
type fakeStore struct {
	mu      sync.Mutex
	targets map[string]core.Target
	secrets map[string]string
	draft   *draftRow
	listed  []int // limits passed to Targets
	failOn  map[string]error
}

type draftRow struct {
	step string
	data []byte
	at   time.Time
}

func newFakeStore() *fakeStore {
	return &fakeStore{targets: map[string]core.Target{}, secrets: map[string]string{}, failOn: map[string]error{}}
}

func (s *fakeStore) fail(op string) error {
	return s.failOn[op]
}

func (s *fakeStore) Targets(_ context.Context, offset, limit int) ([]core.Target, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.listed = append(s.listed, limit)
	names := make([]string, 0, len(s.targets))
	for n := range s.targets {
		names = append(names, n)
	}
	sort.Strings(names)
	var out []core.Target
	for i := offset; i < len(names) && (limit <= 0 || i < offset+limit); i++ {
		out = append(out, s.targets[names[i]])
	}
	return out, s.fail("Targets")
}

func (s *fakeStore) CountTargets(context.Context) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.targets), s.fail("CountTargets")
}

func (s *fakeStore) Target(_ context.Context, name string) (core.Target, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	t, ok := s.targets[name]
	if !ok {
		return t, codes.Errorf(codes.TargetNotFound, "no target %q", name)
	}
	return t, nil
}

func (s *fakeStore) CreateTargetWithEdge(ctx context.Context, t *core.Target, secret, edgeValue, actor string) error {
	if err := s.CreateTarget(ctx, t, secret, actor); err != nil {
		return err
	}
	if t.EdgeAuth != nil {
		s.mu.Lock()
		defer s.mu.Unlock()
		t.EdgeAuth.Fingerprint = signing.Fingerprint(edgeValue)
		s.targets[t.Name] = *t
	}
	return nil
}

func (s *fakeStore) CreateTarget(_ context.Context, t *core.Target, secret, _ string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.fail("CreateTarget"); err != nil {
		return err
	}
	if _, ok := s.targets[t.Name]; ok {
		return codes.Errorf(codes.NameTaken, "a target named %q exists already", t.Name)
	}
	t.Signing = &core.Signing{Algorithm: signing.Algorithm, Fingerprint: signing.Fingerprint(secret), CreatedAt: time.Unix(1700000000, 0)}
	t.Version = 1
	s.targets[t.Name] = *t
	s.secrets[t.Name] = secret
	return nil
}

func (s *fakeStore) RotateSecret(_ context.Context, name, secret string, _ time.Duration, _ string) (core.Target, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	t, ok := s.targets[name]
	if !ok {
		return t, codes.Errorf(codes.TargetNotFound, "no target %q", name)
	}
	t.Signing = &core.Signing{Algorithm: signing.Algorithm, Fingerprint: signing.Fingerprint(secret)}
	s.targets[name] = t
	s.secrets[name] = secret
	return t, nil
}

func (s *fakeStore) DeleteTarget(_ context.Context, name, _ string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.targets[name]; !ok {
		return codes.Errorf(codes.TargetNotFound, "no target %q", name)
	}
	delete(s.targets, name)
	return nil
}

func (s *fakeStore) SaveDraft(_ context.Context, _, step string, data []byte) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.draft = &draftRow{step: step, data: append([]byte(nil), data...), at: time.Unix(1700000000, 0)}
	return s.fail("SaveDraft")
}

func (s *fakeStore) LoadDraft(context.Context, string) (string, []byte, time.Time, bool, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.draft == nil {
		return "", nil, time.Time{}, false, nil
	}
	return s.draft.step, s.draft.data, s.draft.at, true, nil
}

func (s *fakeStore) DeleteDraft(context.Context, string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.draft = nil
	return nil
}

func (s *fakeStore) HasDraft(context.Context, string) (bool, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.draft != nil, nil
}

// draftAnswers decodes the saved draft.
func (s *fakeStore) draftAnswers(t *testing.T) (answers, string) {
	t.Helper()
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.draft == nil {
		t.Fatal("no draft saved")
	}
	a, err := unmarshalAnswers(s.draft.data)
	if err != nil {
		t.Fatal(err)
	}
	return a, s.draft.step
}

// fakeResolver answers from a fixed table and counts lookups.
type fakeResolver struct {
	mu      sync.Mutex
	answers map[string][]netip.Addr
	calls   int
}

func (r *fakeResolver) LookupNetIP(_ context.Context, _, host string) ([]netip.Addr, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.calls++
	if a, ok := r.answers[host]; ok {
		return a, nil
	}
	return nil, &netErr{host}
}

type netErr struct{ host string }

func (e *netErr) Error() string   { return "no such host " + e.host }
func (e *netErr) Timeout() bool   { return false }
func (e *netErr) Temporary() bool { return false }

// fakeSender records test sends and answers with res.
type fakeSender struct {
	mu    sync.Mutex
	kinds []TestKind
	res   TestResult
	err   error
}

func (f *fakeSender) TestSend(_ context.Context, _ core.Target, kind TestKind) (TestResult, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.kinds = append(f.kinds, kind)
	return f.res, f.err
}

// driver feeds messages to a model as the Bubble Tea loop would: it runs
// the commands a message returns and feeds their messages back, until
// nothing is left. Commands that do not answer within cmdWait (spinner
// ticks, cursor blinks, the typing pause) are dropped, so tests stay fast
// and deterministic; debounced checks are reached with enter.
type driver struct {
	t     *testing.T
	m     *model
	st    *fakeStore
	res   *fakeResolver
	quit  bool
	trace []string
}

const cmdWait = 60 * time.Millisecond

func newDriver(t *testing.T, st *fakeStore, opts ...func(*env)) *driver {
	t.Helper()
	r := lipgloss.NewRenderer(&strings.Builder{})
	r.SetColorProfile(termenv.Ascii)
	r.SetHasDarkBackground(true)
	res := &fakeResolver{answers: map[string][]netip.Addr{
		"hooks.zapier.com": {netip.MustParseAddr("3.33.152.147")},
		"n8n.internal":     {netip.MustParseAddr("10.20.1.5")},
		"intranet.example": {netip.MustParseAddr("127.0.0.1")},
	}}
	e := &env{ctx: context.Background(), store: st, resolver: res, now: time.Now, actor: "tester", draftID: "wizard:tester", grace: 24 * time.Hour, st: newStyles(r)}
	if st == nil {
		e.store = nil
	}
	for _, o := range opts {
		o(e)
	}
	d := &driver{t: t, m: newModel(e, nil, "test"), st: st, res: res}
	d.send(tea.WindowSizeMsg{Width: 80, Height: 24})
	d.run(d.m.Init())
	return d
}

// send feeds msg and everything it leads to.
func (d *driver) send(msg tea.Msg) {
	d.t.Helper()
	queue := []tea.Msg{msg}
	for n := 0; len(queue) > 0; n++ {
		if n > 500 {
			d.t.Fatalf("messages do not settle: %v", d.trace[max(len(d.trace)-10, 0):])
		}
		msg := queue[0]
		queue = queue[1:]
		switch m := msg.(type) {
		case tea.QuitMsg:
			d.quit = true
			continue
		case tea.BatchMsg:
			queue = append(queue, d.exec(m...)...)
			continue
		}
		d.trace = append(d.trace, reflect.TypeOf(msg).String())
		_, cmd := d.m.Update(msg)
		queue = append(queue, d.exec(cmd)...)
	}
}

// run executes cmd and feeds what it returns.
func (d *driver) run(cmd tea.Cmd) {
	for _, msg := range d.exec(cmd) {
		d.send(msg)
	}
}

// exec runs cmds at once and returns, in order, the messages of those
// that answer within cmdWait; commands still running then are dropped.
func (d *driver) exec(cmds ...tea.Cmd) []tea.Msg {
	chans := make([]chan tea.Msg, len(cmds))
	for i, c := range cmds {
		if c == nil {
			continue
		}
		ch := make(chan tea.Msg, 1)
		chans[i] = ch
		go func() { ch <- c() }()
	}
	deadline := time.After(cmdWait)
	var out []tea.Msg
	for _, ch := range chans {
		if ch == nil {
			continue
		}
		if deadline == nil {
			select {
			case msg := <-ch:
				if msg != nil {
					out = append(out, msg)
				}
			default:
			}
			continue
		}
		select {
		case msg := <-ch:
			if msg != nil {
				out = append(out, msg)
			}
		case <-deadline:
			deadline = nil // collect only what is ready from here on
		}
	}
	return out
}

// key sends keys: named keys ("enter", "esc", "shift+tab", "up", "down",
// "tab", "space", "ctrl+c", "backspace", "ctrl+x") or literal text.
func (d *driver) key(keys ...string) {
	d.t.Helper()
	for _, k := range keys {
		d.send(keyMsg(k))
	}
}

// paste sends text as a bracketed paste.
func (d *driver) paste(s string) {
	d.t.Helper()
	d.send(tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune(s), Paste: true})
}

func keyMsg(k string) tea.KeyMsg {
	switch k {
	case "enter":
		return tea.KeyMsg{Type: tea.KeyEnter}
	case "esc":
		return tea.KeyMsg{Type: tea.KeyEsc}
	case "shift+tab":
		return tea.KeyMsg{Type: tea.KeyShiftTab}
	case "tab":
		return tea.KeyMsg{Type: tea.KeyTab}
	case "up":
		return tea.KeyMsg{Type: tea.KeyUp}
	case "down":
		return tea.KeyMsg{Type: tea.KeyDown}
	case "left":
		return tea.KeyMsg{Type: tea.KeyLeft}
	case "right":
		return tea.KeyMsg{Type: tea.KeyRight}
	case "space":
		return tea.KeyMsg{Type: tea.KeySpace, Runes: []rune{' '}}
	case "ctrl+c":
		return tea.KeyMsg{Type: tea.KeyCtrlC}
	case "ctrl+x":
		return tea.KeyMsg{Type: tea.KeyCtrlX}
	case "ctrl+s":
		return tea.KeyMsg{Type: tea.KeyCtrlS}
	case "ctrl+y":
		return tea.KeyMsg{Type: tea.KeyCtrlY}
	case "ctrl+r":
		return tea.KeyMsg{Type: tea.KeyCtrlR}
	case "backspace":
		return tea.KeyMsg{Type: tea.KeyBackspace}
	case "pgdown":
		return tea.KeyMsg{Type: tea.KeyPgDown}
	}
	return tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune(k)}
}

// screen is the current frame without styling.
func (d *driver) screen() string { return ansi.Strip(d.m.View()) }

// want fails unless the frame shows every one of parts.
func (d *driver) want(parts ...string) {
	d.t.Helper()
	s := d.screen()
	for _, p := range parts {
		if !strings.Contains(s, p) {
			d.t.Fatalf("screen lacks %q:\n%s", p, s)
		}
	}
}

// wantNot fails if the frame shows any of parts.
func (d *driver) wantNot(parts ...string) {
	d.t.Helper()
	s := d.screen()
	for _, p := range parts {
		if strings.Contains(s, p) {
			d.t.Fatalf("screen shows %q:\n%s", p, s)
		}
	}
}

// at fails unless the current step is s.
func (d *driver) at(s stepID) {
	d.t.Helper()
	if d.m.screen != screenStep || d.m.step != s {
		d.t.Fatalf("at screen %d step %q, want step %q:\n%s", d.m.screen, d.m.step, s, d.screen())
	}
}

// typeText types s one key at a time.
func (d *driver) typeText(s string) {
	d.t.Helper()
	for _, r := range s {
		d.send(tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune{r}})
	}
}

// problemCodes lists the codes the parent shows.
func (d *driver) problemCodes() []codes.Code {
	var out []codes.Code
	for _, p := range d.m.problems {
		out = append(out, p.Code)
	}
	return out
}

// resize is a terminal resize message.
func resize(w, h int) tea.WindowSizeMsg { return tea.WindowSizeMsg{Width: w, Height: h} }
