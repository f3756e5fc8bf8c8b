package wizard

import (
	"strings"
	"testing"

	"github.com/charmbracelet/lipgloss"
	"github.com/charmbracelet/x/ansi"
	"github.com/muesli/termenv"

	"github.com/webriskops/webhook-setup/core/codes"
	"github.com/webriskops/webhook-setup/core/recipes"
)

// readPager scrolls the open pager p from top to bottom as an operator
// would (pgdown), checks every frame fits w×h, and returns the lines the
// frames showed, in order.
func readPager(t *testing.T, d *driver, p *pager, w, h int) []string {
	t.Helper()
	d.send(keyMsg("up")) // at the top already; a key the pager takes
	var shown []string
	for n := 0; ; n++ {
		if n > 200 {
			t.Fatal("the pager never reaches the bottom")
		}
		checkFits(t, d, w, h, "pager")
		lines := strings.Split(d.screen(), "\n")
		top := -1
		for i, l := range lines {
			if strings.HasPrefix(l, p.title) {
				top = i + 1
				break
			}
		}
		if top < 0 {
			t.Fatalf("the pager's title %q is not on screen:\n%s", p.title, d.screen())
		}
		for i := 0; i < p.vp.Height && top+i < len(lines); i++ {
			at := p.vp.YOffset + i
			for len(shown) <= at {
				shown = append(shown, "")
			}
			shown[at] = strings.TrimRight(lines[top+i], " ")
		}
		if p.vp.AtBottom() {
			return shown[:min(len(shown), p.vp.TotalLineCount())]
		}
		d.key("pgdown")
	}
}

// unwrap joins continuation lines (indent, then "↪ ") to the line they
// continue.
func unwrap(lines []string) []string {
	var out []string
	for _, l := range lines {
		if c, ok := strings.CutPrefix(strings.TrimLeft(l, " "), contMark); ok && len(out) > 0 {
			out[len(out)-1] += c
			continue
		}
		out = append(out, l)
	}
	return out
}

// noSpace is s without spaces: a wrapped line's padding and the space it
// broke at are not content.
func noSpace(s string) string { return strings.ReplaceAll(s, " ", "") }

// The zapier recipe has 21 lines wider than 80 columns. In the pager at
// 80×24 each is wrapped, with its continuation marked, so scrolling down
// shows all of it; the help line says how to get it unwrapped.
func TestRecipePagerWrapsLongLinesAt80(t *testing.T) {
	d := newDriver(t, newFakeStore())
	throughEndpoint(d, 2, 0, "https://hooks.zapier.com/hooks/catch/123456/abcdefg/")
	pasteSecretStep(d)
	d.at(stepReceiver)
	s := d.m.cur.(*receiverStep)
	want := strings.Split(cleanText(s.recipe()), "\n")
	long := 0
	for _, l := range want {
		if ansi.StringWidth(l) > 80 {
			long++
		}
	}
	if long < 10 {
		t.Fatalf("the zapier recipe has %d lines over 80 columns; the test needs long lines", long)
	}
	d.key("v")
	d.want("Verification recipe: zapier", "↪ wrapped; unwrapped: webhook-setup recipe --provider zapier > recipe.txt", "esc close")
	shown := readPager(t, d, &s.pager, 80, 24)
	got := unwrap(shown)
	if len(got) != len(want) {
		t.Fatalf("the pager shows %d recipe lines, the recipe has %d", len(got), len(want))
	}
	for i := range want {
		if noSpace(got[i]) != noSpace(want[i]) {
			t.Fatalf("recipe line %d reads\n%q\nin the pager, want\n%q", i+1, got[i], want[i])
		}
	}
	// The Input Data mapping can be read: the header a field carries is
	// on a continuation line, not cut off.
	if !strings.Contains(strings.Join(shown, "\n"), "↪ (X-WebRiskOps-Idempotency-Key)") {
		t.Fatalf("the mapping's header names are not shown:\n%s", strings.Join(shown, "\n"))
	}
	d.key("esc")
	d.at(stepReceiver)
}

// A recipe whose lines all fit is shown as it is, without the note.
func TestRecipePagerWithoutLongLinesHasNoNote(t *testing.T) {
	d := newDriver(t, newFakeStore())
	throughEndpoint(d, 2, 0, "https://hooks.zapier.com/hooks/catch/123456/abcdefg/")
	pasteSecretStep(d)
	d.send(resize(200, 24))
	s := d.m.cur.(*receiverStep)
	d.key("v")
	d.wantNot("↪")
	// Narrowing the terminal wraps the open recipe to the new width.
	d.send(resize(80, 24))
	d.want("↪ wrapped; unwrapped:")
	readPager(t, d, &s.pager, 80, 24)
}

// softWrap loses nothing: a wrapped line and its continuations, joined,
// are the line again, for every recipe and for a signed request.
func TestSoftWrapKeepsEveryCharacter(t *testing.T) {
	r := lipgloss.NewRenderer(&strings.Builder{})
	r.SetColorProfile(termenv.Ascii)
	st := newStyles(r)
	texts := map[string]string{
		"request": "POST https://hooks.zapier.com/hooks/catch/123456/…\nX-WebRiskOps-Signature: v1=" + strings.Repeat("9a6f", 16) + "\n\n" +
			`{"schema":"ticket-export.webhook.v1","event":"ticket_export.requested","test":true,"ticket":{"id":"T-1","title":"` + strings.Repeat("x", 150) + `"}}`,
	}
	for _, name := range recipes.Names {
		text, err := recipes.Render(name, recipes.Data{Target: "a-target", Host: "hooks.example.com", Fingerprint: "sha256:0123"})
		if err != nil {
			t.Fatal(err)
		}
		texts[name] = cleanText(text)
	}
	for name, text := range texts {
		for _, w := range []int{80, 60, 40} {
			out, _ := softWrap(text, w, st)
			lines := strings.Split(out, "\n")
			for _, l := range lines {
				if lw := ansi.StringWidth(l); lw > w {
					t.Fatalf("%s at %d: a line is %d wide: %q", name, w, lw, l)
				}
			}
			// Continuations are marked; joined (indent and mark
			// removed) they give back every line exactly.
			var joined []string
			for _, l := range lines {
				if c, ok := strings.CutPrefix(strings.TrimLeft(l, " "), contMark); ok {
					if len(joined) == 0 {
						t.Fatalf("%s at %d: the first line is a continuation: %q", name, w, l)
					}
					joined[len(joined)-1] += c
					continue
				}
				joined = append(joined, l)
			}
			if got := strings.Join(joined, "\n"); got != text {
				t.Fatalf("%s at %d: wrapping changed the text", name, w)
			}
		}
	}
}

// The dry run's signed request: the signature header and the JSON body
// are wrapped, not cut at column 80.
func TestDryRunRequestWrapsAt80(t *testing.T) {
	st := newFakeStore()
	st.targets["zap-tickets"] = readyTarget("zap-tickets")
	sig := "v1=" + strings.Repeat("9a6f", 15) + "d755a"
	body := `{"schema":"ticket-export.webhook.v1","event":"ticket_export.requested","test":true,"ticket":{"id":"T-1","severity":"info","title":"Sample ticket for a test delivery"}}`
	req := "POST https://hooks.zapier.com/hooks/catch/123456/…\nX-WebRiskOps-Timestamp: 1700000000\nX-WebRiskOps-Signature: " + sig + "\n\n" + body
	sender := &fakeSender{res: TestResult{OK: true, Summary: "Signed a test request for hooks.zapier.com; nothing was sent.", Request: req}}
	d := newDriver(t, st, func(e *env) { e.sender = sender })
	d.key("t", "enter")
	d.want("Signed request", "↪ wrapped; unwrapped: webhook-setup test-send zap-tickets --dry-run")
	s := d.m.cur.(*testSend)
	got := unwrap(readPager(t, d, &s.pager, 80, 24))
	want := strings.Split(req, "\n")
	if len(got) != len(want) {
		t.Fatalf("the pager shows %d request lines, want %d:\n%s", len(got), len(want), strings.Join(got, "\n"))
	}
	for i := range want {
		if noSpace(got[i]) != noSpace(want[i]) {
			t.Fatalf("request line %d reads\n%q\nwant\n%q", i+1, got[i], want[i])
		}
	}
	d.want(sig[len(sig)-20:])
}

// A live test send that fails shows the whole reason, wrapped under an
// indent, and the fix below it: nothing is cut at column 80.
func TestLiveFailureReasonWrapsUnderIndent(t *testing.T) {
	st := newFakeStore()
	st.targets["zap-tickets"] = readyTarget("zap-tickets")
	reason := `connection failed: tls: failed to verify certificate: x509: certificate signed by unknown authority (possibly because of "crypto/rsa: verification error" while trying to verify candidate authority certificate "webhook-setup receive")`
	sender := &fakeSender{res: TestResult{OK: false, Summary: "Not delivered to hooks.zapier.com after 3 attempt(s).",
		Problem: &codes.Problem{Code: codes.DeliveryFailed, Reason: reason, Fix: codes.DeliveryFailed.Fix()}}}
	d := newDriver(t, st, func(e *env) { e.sender = sender })
	d.key("t", "down", "down", "enter", "y")
	checkFits(t, d, 80, 24, "live failure")
	lines := strings.Split(d.screen(), "\n")
	start := -1
	for i, l := range lines {
		if strings.HasPrefix(l, "✗ "+string(codes.DeliveryFailed)+":") {
			start = i
		}
	}
	if start < 0 {
		t.Fatalf("no problem line:\n%s", d.screen())
	}
	var reasonText []string
	i := start + 1
	reasonText = append(reasonText, strings.TrimPrefix(lines[start], "✗ "+string(codes.DeliveryFailed)+": "))
	for ; i < len(lines) && !strings.HasPrefix(lines[i], "  fix:"); i++ {
		if !strings.HasPrefix(lines[i], "  ") || strings.HasPrefix(lines[i], "   ") {
			t.Fatalf("reason line %q does not go on under a two-space indent:\n%s", lines[i], d.screen())
		}
		reasonText = append(reasonText, strings.TrimSpace(lines[i]))
	}
	if got := strings.Join(reasonText, " "); got != reason {
		t.Fatalf("the reason reads\n%q\nwant\n%q", got, reason)
	}
	if i == len(lines) {
		t.Fatalf("the fix is not shown:\n%s", d.screen())
	}
}
