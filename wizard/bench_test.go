package wizard

import (
	"context"
	"strings"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"
	"github.com/muesli/termenv"
)

// BenchmarkKeystroke is the wizard's own share of a keystroke's latency:
// Update with one key in the Endpoint URL input and the View that Bubble
// Tea renders after it ("x", then backspace, in turn), at 80×24 with one
// saved target on the home screen behind it. The rest of the latency is
// the renderer's frame ticker and the terminal (e2e BenchmarkWizardKeystroke,
// docs/performance.md).
func BenchmarkKeystroke(b *testing.B) {
	m := endpointModel(b)
	keys := []tea.KeyMsg{keyMsg("x"), keyMsg("backspace")}
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		m.Update(keys[i%2])
		_ = m.View()
	}
}

// BenchmarkHomeView draws the home screen with a full page of targets.
func BenchmarkHomeView(b *testing.B) {
	st := newFakeStore()
	for _, n := range []string{"a", "b", "c", "d", "e", "f", "g", "h", "i", "j", "k", "l"} {
		tg := readyTarget("target-" + n)
		if err := st.CreateTarget(context.Background(), &tg, testSecret, "bench"); err != nil {
			b.Fatal(err)
		}
	}
	m := benchModel(st)
	h := m.home
	msg := h.load(0)().(tea.BatchMsg)
	for _, c := range msg {
		if lm, ok := c().(homeLoadedMsg); ok {
			m.Update(lm)
			break
		}
	}
	if !strings.Contains(m.View(), "target-a") {
		b.Fatalf("home does not list the targets:\n%s", m.View())
	}
	b.ReportAllocs()
	for b.Loop() {
		_ = m.View()
	}
}

// benchModel is a model at 80×24 drawing plain text.
func benchModel(st *fakeStore) *model {
	r := lipgloss.NewRenderer(&strings.Builder{})
	r.SetColorProfile(termenv.Ascii)
	r.SetHasDarkBackground(true)
	e := &env{ctx: context.Background(), store: st, now: time.Now, actor: "bench", draftID: "wizard:bench", grace: 24 * time.Hour, st: newStyles(r)}
	m := newModel(e, nil, "bench")
	m.Update(tea.WindowSizeMsg{Width: 80, Height: 24})
	m.Init()
	return m
}

// endpointModel is a model at the Endpoint URL step of a new setup.
func endpointModel(b *testing.B) *model {
	m := benchModel(newFakeStore())
	for _, k := range []string{"n", "enter", "enter"} {
		m.Update(keyMsg(k))
	}
	if m.screen != screenStep || m.step != stepEndpoint {
		b.Fatalf("not at the endpoint step:\n%s", m.View())
	}
	return m
}
