package wizard

import (
	"bytes"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/x/exp/teatest"

	"github.com/webriskops/webhook-setup/core"
)

// TestProgramLoopCloudSetup runs the parent model in a real Bubble Tea
// program (teatest): commands run concurrently as they do in the binary,
// so ordering between keys and command results is the real one.
func TestProgramLoopCloudSetup(t *testing.T) {
	st := newFakeStore()
	d := newDriver(t, st) // for its env
	m := newModel(d.m.env, nil, "test")
	tm := teatest.NewTestModel(t, m, teatest.WithInitialTermSize(80, 24))
	wait := func(s string) {
		t.Helper()
		teatest.WaitFor(t, tm.Output(), func(b []byte) bool { return bytes.Contains(b, []byte(s)) },
			teatest.WithDuration(5*time.Second), teatest.WithCheckInterval(5*time.Millisecond))
	}
	key := func(k string) { tm.Send(keyMsg(k)) }
	paste := func(s string) { tm.Send(tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune(s), Paste: true}) }

	wait("Integration status")
	key("n")
	wait("Provider key")
	key("enter")
	wait("Deployment mode")
	key("enter")
	wait("Endpoint URL")
	paste("https://93.184.216.34/hook")
	key("enter") // continues when the background check answers
	wait("Signing secret")
	key("down")
	key("enter")
	paste(testSecret)
	key("enter") // typed ahead of the next screen's first frame
	for range receiverHeaders {
		key("space")
		key("down")
	}
	key("enter")
	wait("Receiver owner")
	paste("ops@example.com")
	key("enter")
	paste("Internal > hook")
	key("enter")
	wait("Ready to save")
	key("enter")
	wait("Saved generic-93-184-216-34")
	key("esc")
	wait("1 saved target")
	key("q")
	tm.WaitFinished(t, teatest.WithFinalTimeout(5*time.Second))

	st.mu.Lock()
	defer st.mu.Unlock()
	tg, ok := st.targets["generic-93-184-216-34"]
	if !ok || !core.Evaluate(tg).Ready || tg.RevokePath != "Internal > hook" {
		t.Fatalf("saved %+v", st.targets)
	}
	if m.ending != endQuit {
		t.Fatalf("ending %d", m.ending)
	}
}
