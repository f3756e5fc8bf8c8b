package wizard

import (
	"context"
	"io"
	"strings"
	"sync"
	"testing"

	"github.com/charmbracelet/x/ansi"

	"github.com/webriskops/webhook-setup/core"
	"github.com/webriskops/webhook-setup/core/codes"
	"github.com/webriskops/webhook-setup/core/recipes"
)

// lineFeeder hands out one line per Read, as a terminal in line mode
// does, and io.EOF when the script is done.
type lineFeeder struct {
	mu    sync.Mutex
	lines []string
}

func (f *lineFeeder) Read(p []byte) (int, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if len(f.lines) == 0 {
		return 0, io.EOF
	}
	line := f.lines[0] + "\n"
	n := copy(p, line)
	if n < len(line) { // a line longer than p: the rest on the next read, as a pipe gives it
		f.lines[0] = line[n : len(line)-1]
		return n, nil
	}
	f.lines = f.lines[1:]
	return n, nil
}

// safeBuffer collects output written from the prompts' goroutine.
type safeBuffer struct {
	mu sync.Mutex
	b  strings.Builder
}

func (s *safeBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *safeBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

func runScript(t *testing.T, st *fakeStore, lines ...string) (string, error) {
	t.Helper()
	out := &safeBuffer{}
	d := newDriver(t, st) // for its resolver
	err := Run(context.Background(), Options{
		In: &lineFeeder{lines: lines}, Out: out, Store: st, Resolver: d.res,
		Accessible: true, DraftID: "wizard:tester", Actor: "tester",
	})
	return out.String(), err
}

func TestAccessibleCloudSetup(t *testing.T) {
	st := newFakeStore()
	out, err := runScript(t, st,
		"1",                         // New target
		"1",                         // generic_webhook
		"1",                         // cloud
		"http://93.184.216.34/hook", // refused as typed
		"  https://93.184.216.34/hook  ",
		"1", // generate
		"n", // not stored yet: asked again
		"y",
		"1", // confirm the six checks
		"y", "y", "y", "y", "y", "y",
		"ops@example.com",
		"Internal > receivers > hook",
		"1", // save
		"6", // quit
	)
	if err != nil {
		t.Fatalf("Run: %v\n%s", err, out)
	}
	for _, want := range []string{
		"Integration status", "No webhook targets yet",
		"Step 1 · Provider key", "generic_webhook: Any customer-owned",
		"Problem generic_webhook_url_unsafe", "Removed surrounding whitespace from the URL",
		"✓ safe 93.184.216.34", "Shown once. Store this secret in the receiver now:", "The setup waits until the secret is stored",
		"X-WebRiskOps-Signature", "Ready to save", "Saved generic-93-184-216-34",
		"webhook-setup test-send generic-93-184-216-34",
	} {
		if !strings.Contains(out, want) {
			t.Fatalf("output lacks %q:\n%s", want, out)
		}
	}
	tg, ok := st.targets["generic-93-184-216-34"]
	if !ok || !core.Evaluate(tg).Ready {
		t.Fatalf("saved %+v", st.targets)
	}
	if strings.Contains(out, "\x1b") {
		t.Fatal("accessible output without colour has escapes")
	}
}

func TestAccessibleEOFKeepsDraft(t *testing.T) {
	st := newFakeStore()
	out, err := runScript(t, st, "1", "5", "1", "https://hooks.zapier.com/hooks/catch/1/abc/")
	if codes.ExitCode(err) != codes.ExitInterrupted {
		t.Fatalf("end of input: %v\n%s", err, out)
	}
	a, step := st.draftAnswers(t)
	if step != string(stepSecret) || a.Provider != core.ProviderN8N {
		t.Fatalf("draft %q %+v", step, a)
	}
	if !strings.Contains(err.Error(), "draft") {
		t.Fatalf("the error does not mention the draft: %v", err)
	}
}

func TestAccessibleBackAndResume(t *testing.T) {
	st := newFakeStore()
	a := answers{Provider: core.ProviderMake, Mode: core.ModeCloud, URL: "https://93.184.216.34/hook"}
	st.draft = &draftRow{step: string(stepSecret), data: a.Marshal()}
	out, err := runScript(t, st,
		"1", // Resume unfinished setup
		"3", // Back: generate, paste, back
		"",  // the URL is kept on an empty line
	)
	if codes.ExitCode(err) != codes.ExitInterrupted {
		t.Fatalf("Run: %v\n%s", err, out)
	}
	for _, want := range []string{"An unfinished setup is saved", "Step 4 of 7 · Signing secret", "Step 3 of 7 · Endpoint URL", "webhook_url [https://93.184.216.34/hook]"} {
		if !strings.Contains(out, want) {
			t.Fatalf("output lacks %q:\n%s", want, out)
		}
	}
}

func TestAccessibleSelfHostedAllowlist(t *testing.T) {
	st := newFakeStore()
	out, err := runScript(t, st,
		"1", "5", "2", // New, n8n_webhook, self-hosted
		"https://10.20.1.5/webhook/x",
		"1", "y", // generate, stored
		"1", "y", "y", "y", "y", "y", "y",
		"2",           // allowlist
		"127.0.0.0/8", // refused as typed
		"10.20.0.0/16",
		"",
		"CHG-1234",
		"ops@example.com", "Internal > n8n",
		"1", // save
		"6",
	)
	if err != nil {
		t.Fatalf("Run: %v\n%s", err, out)
	}
	for _, want := range []string{"needs private-network approval", "Problem generic_webhook_allowlist_invalid", "Warning: Evidence", "10.20.1.5 → 10.20.1.5 need approval", "Narrowest entry to add: 10.20.1.5/32", "Saved n8n-10-20-1-5"} {
		if !strings.Contains(out, want) {
			t.Fatalf("output lacks %q:\n%s", want, out)
		}
	}
	if tg := st.targets["n8n-10-20-1-5"]; len(tg.PrivateNetwork.Allowlist) == 0 || tg.PrivateNetwork.Allowlist[0] != "10.20.0.0/16" || tg.PrivateNetwork.AuthorizedBy != "CHG-1234" {
		t.Fatalf("saved %+v", tg.PrivateNetwork)
	}
}

// Accessible output is word-wrapped at 80 columns (the width when the
// output is not a terminal): no line is wider, so the terminal never
// breaks a word, and a problem's fix starts a line of its own.
func TestAccessibleProseWrapsAt80WithFixOnItsOwnLine(t *testing.T) {
	st := newFakeStore()
	out := &safeBuffer{}
	d := newDriver(t, st)
	_ = Run(context.Background(), Options{
		In: &echoFeeder{lineFeeder{lines: []string{
			"1", "5", "2", // New, n8n_webhook, self-hosted
			"https://10.20.1.5/webhook/x",
			"1", "y", // generate, stored
			"2", // recipe (printed as it is)
			"1", "y", "y", "y", "y", "y", "y",
			"2",           // allowlist
			"127.0.0.0/8", // refused as typed
		}}, out}, Out: out, Store: st, Resolver: d.res,
		Accessible: true, DraftID: "wizard:tester", Actor: "tester",
	})
	recipe, err := recipes.Render("n8n", recipes.Data{Target: "n8n-10-20-1-5", Host: "10.20.1.5"})
	if err != nil {
		t.Fatal(err)
	}
	text := out.String()
	for _, l := range strings.Split(text, "\n") {
		if ansi.StringWidth(l) > 80 && !strings.Contains(recipe, l) {
			t.Fatalf("a line is %d wide:\n%s\n\nin:\n%s", ansi.StringWidth(l), l, text)
		}
	}
	// The home screen's explanation, the provider descriptions and the
	// problem read in whole words.
	for _, want := range []string{
		"receives signed\nWebRiskOps ticket exports",
		"\n1. generic_webhook: Any customer-owned HTTPS receiver that verifies the\n  WebRiskOps signature.",
		"(is ticket-export.webhook.v1)?\n[y/N] y", // room for the answer
		"\n  Fix: ",
	} {
		if !strings.Contains(text, want) {
			t.Fatalf("output lacks %q:\n%s", want, text)
		}
	}
	i := strings.Index(text, "Problem generic_webhook_allowlist_invalid")
	if i < 0 {
		t.Fatalf("no allowlist problem:\n%s", text)
	}
	problem := text[i:]
	problem = problem[:strings.Index(problem, "Fix:")]
	if !strings.HasSuffix(problem, "\n  ") {
		t.Fatalf("the allowlist problem's fix does not start a line:\n%s", text[i:])
	}
	// The recipe is printed as it is: its long lines are not broken.
	for _, l := range strings.Split(recipe, "\n") {
		if ansi.StringWidth(l) > 80 && !strings.Contains(text, l) {
			t.Fatalf("the recipe line %q is not printed whole:\n%s", l, text)
		}
	}
}

// echoFeeder is lineFeeder that echoes each line to the output, as a
// terminal does.
type echoFeeder struct {
	lineFeeder
	out *safeBuffer
}

func (f *echoFeeder) Read(p []byte) (int, error) {
	n, err := f.lineFeeder.Read(p)
	_, _ = f.out.Write(p[:n])
	return n, err
}
