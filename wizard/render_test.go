package wizard

import (
	"strings"
	"testing"

	"github.com/charmbracelet/lipgloss"
	"github.com/charmbracelet/x/ansi"
	"github.com/muesli/termenv"

	"github.com/webriskops/webhook-setup/core"
	"github.com/webriskops/webhook-setup/core/codes"
)

// checkFits fails when the frame is wider or taller than the terminal.
func checkFits(t *testing.T, d *driver, w, h int, where string) {
	t.Helper()
	lines := strings.Split(d.m.View(), "\n")
	if len(lines) > h {
		t.Fatalf("%s at %d×%d: %d lines\n%s", where, w, h, len(lines), d.screen())
	}
	for _, l := range lines {
		if lw := ansi.StringWidth(l); lw > w {
			t.Fatalf("%s at %d×%d: a line is %d wide: %q", where, w, h, lw, ansi.Strip(l))
		}
	}
	last := ansi.Strip(lines[len(lines)-1])
	if h >= 12 && !strings.Contains(last, "esc") && !strings.Contains(last, "quit") {
		t.Fatalf("%s at %d×%d: the help line is not at the bottom: %q", where, w, h, last)
	}
}

// everyScreen walks through all screens, calling check on each.
func everyScreen(t *testing.T, d *driver, check func(where string)) {
	check("home")
	throughEndpoint(d, 4, 1, "https://10.20.1.5/webhook/"+strings.Repeat("long", 30))
	check("secret")
	d.key("enter")
	check("secret shown")
	d.key("y")
	check("receiver")
	d.key("v")
	check("recipe")
	d.key("esc", "enter")
	check("receiver problem")
	tickAll(d)
	d.key("enter") // the step opens on allowlist: the endpoint needs approval
	d.paste("127.0.0.0/8")
	check("network problem")
	for range "127.0.0.0/8" {
		d.key("backspace")
	}
	d.paste("10.20.0.0/16")
	d.key("enter", "enter")
	d.paste("Dana")
	check("network")
	d.key("enter")
	check("owner")
	d.key("enter")
	check("owner problem")
	fillOwner(d)
	check("review")
	d.key("7")
	d.at(stepOwner)
	d.key("esc")
	d.at(stepNetwork)
	d.key("esc", "esc", "esc", "esc", "esc", "esc")
	check("home again")
}

func TestEveryScreenFitsTheTerminal(t *testing.T) {
	for _, size := range [][2]int{{80, 24}, {60, 20}, {120, 40}, {40, 14}} {
		w, h := size[0], size[1]
		st := newFakeStore()
		st.targets["zap-tickets"] = readyTarget("zap-tickets")
		d := newDriver(t, st)
		d.send(resize(w, h))
		everyScreen(t, d, func(where string) { checkFits(t, d, w, h, where) })
	}
}

func TestResizeMidStep(t *testing.T) {
	d := newDriver(t, newFakeStore())
	toEndpoint(d, 0, 0)
	d.paste("https://93.184.216.34/hook")
	for _, size := range [][2]int{{120, 40}, {50, 16}, {80, 24}} {
		d.send(resize(size[0], size[1]))
		checkFits(t, d, size[0], size[1], "endpoint")
		d.want("Endpoint URL")
	}
	d.key("enter")
	d.at(stepSecret)
}

func TestNoColourDrawsPlainText(t *testing.T) {
	d := newDriver(t, newFakeStore())
	toEndpoint(d, 0, 0)
	d.typeText("http://x")
	if strings.Contains(d.m.View(), "\x1b") {
		t.Fatalf("plain profile draws escapes: %q", d.m.View())
	}
}

func TestColourProfileComesFromRenderer(t *testing.T) {
	r := lipgloss.NewRenderer(&strings.Builder{})
	r.SetColorProfile(termenv.TrueColor)
	r.SetHasDarkBackground(true)
	d := newDriver(t, newFakeStore(), func(e *env) { e.st = newStyles(r) })
	d.m.home.env.st = d.m.env.st
	d.key("n")
	if !strings.Contains(d.m.View(), "\x1b[") {
		t.Fatal("a colour profile draws no colour")
	}
}

func TestWrap(t *testing.T) {
	got := wrap("Tick X-WebRiskOps-Idempotency-Key and X-WebRiskOps-Signature now", 30)
	for _, l := range strings.Split(got, "\n") {
		if ansi.StringWidth(l) > 30 {
			t.Fatalf("line too wide: %q", l)
		}
	}
	if !strings.Contains(got, "X-WebRiskOps-Idempotency-Key") || !strings.Contains(got, "X-WebRiskOps-Signature") {
		t.Fatalf("header names broken at hyphens:\n%s", got)
	}
	if got := wrap("  indented text that wraps around", 16); !strings.Contains(got, "\n") || !strings.HasPrefix(strings.Split(got, "\n")[1], "  ") {
		t.Fatalf("indent lost:\n%s", got)
	}
	long := wrap(strings.Repeat("x", 50), 20)
	if n := strings.Count(long, "\n"); n != 2 {
		t.Fatalf("a long word is cut in %d lines:\n%s", n+1, long)
	}
}

func TestProblemLinesSanitise(t *testing.T) {
	st := newStyles(plainRenderer())
	out := problemLines(st, []codes.Problem{{Code: codes.URLUnsafe, Reason: "host \x1b]8;;x\x07 bad\u202e", Fix: "fix \x1b[2J it"}}, 80)
	for _, bad := range []string{"\x1b]8", "\x07", "\u202e", "\x1b[2J"} {
		if strings.Contains(out, bad) {
			t.Fatalf("problem drawn with raw %q", bad)
		}
	}
	if !strings.Contains(out, "generic_webhook_url_unsafe:") || !strings.Contains(out, "fix:") {
		t.Fatalf("problem lines = %q", out)
	}
}

func TestSanitisedInputs(t *testing.T) {
	d := newDriver(t, newFakeStore())
	toEndpoint(d, 0, 0)
	d.paste("https://93.184.216.34/\u202ehook\u200b")
	if strings.ContainsAny(d.m.answers.URL, "\u202e\u200b") {
		t.Fatalf("format characters reached the answer: %q", d.m.answers.URL)
	}
}

func TestDetailsSanitiseOwnerText(t *testing.T) {
	st := newFakeStore()
	tg := readyTarget("zap-tickets")
	tg.ReceiverOwner = "Mallory\x1b[8m hidden"
	tg.RevokePath = "line\nbreak"
	st.targets[tg.Name] = tg
	d := newDriver(t, st)
	d.key("enter")
	d.want(`Mallory\x1b[8m hidden`, `line\x0abreak`)
	d.key("d")
	d.want(`line\x0abreak`)
	if strings.Contains(d.m.View(), "\x1b[8m") {
		t.Fatal("revoke checklist drawn unsanitised")
	}
	_ = core.RevokeChecklist
}

func plainRenderer() *lipgloss.Renderer {
	r := lipgloss.NewRenderer(&strings.Builder{})
	r.SetColorProfile(termenv.Ascii)
	return r
}
