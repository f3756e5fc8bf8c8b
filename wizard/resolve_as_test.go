package wizard

import (
	"slices"
	"strings"
	"testing"

	"github.com/webriskops/webhook-setup/core"
	"github.com/webriskops/webhook-setup/core/codes"
)

// offlineURL's host is not in the test resolver: it does not resolve, as
// every host name on a machine without DNS.
const offlineURL = "https://hooks.offline.example/hooks/catch/1/abcdef/"

// toUnresolved walks a cloud generic setup to the Endpoint step with
// offlineURL, refused as unresolved.
func toUnresolved(d *driver) {
	d.t.Helper()
	d.key("n", "enter", "enter")
	d.at(stepEndpoint)
	d.paste(offlineURL)
	d.key("enter")
	d.at(stepEndpoint)
	if cs := d.problemCodes(); !slices.Equal(cs, []codes.Code{codes.HostUnresolved}) {
		d.t.Fatalf("problems %v, want %s:\n%s", cs, codes.HostUnresolved, d.screen())
	}
}

func clearField(d *driver) {
	for range 60 {
		d.key("backspace")
	}
}

func TestResolveAsCompletesAnOfflineHost(t *testing.T) {
	st := newFakeStore()
	d := newDriver(t, st)
	toUnresolved(d)
	d.want("ctrl+r resolve as")
	d.wantFlat("press ctrl+r (resolve as)")

	d.key("ctrl+r")
	d.wantFlat("Resolve hooks.offline.example:443 as", "enter use these addresses", "esc cancel")
	d.paste("nonsense")
	d.key("enter")
	d.wantFlat(string(codes.ResolveInvalid), `"nonsense" is not an IP address`)
	clearField(d)

	// Loopback and metadata answers are refused as DNS answers would be.
	for _, bad := range []string{"127.0.0.1", "169.254.169.254"} {
		d.paste(bad)
		d.key("enter")
		d.wantFlat(string(codes.URLUnsafe), "hooks.offline.example resolves to "+bad, "never allowed")
		d.key("enter") // enter does not continue past a refusal
		d.at(stepEndpoint)
		d.key("ctrl+r")
		d.want("Addresses › " + bad)
		clearField(d)
	}
	// esc closes the field and changes nothing; the step does not go back.
	d.key("esc")
	d.at(stepEndpoint)
	d.wantFlat("resolve as hooks.offline.example:443 → 169.254.169.254")
	// The answer and its URL are in the draft at once, before the step ends.
	if a, err := unmarshalAnswers(st.draft.data); err != nil || st.draft.step != string(stepEndpoint) ||
		a.URL != offlineURL || !slices.Equal(a.ResolveAs, []string{"169.254.169.254"}) {
		t.Fatalf("draft at %s: %+v, %v", st.draft.step, a, err)
	}

	d.key("ctrl+r")
	clearField(d)
	d.paste("3.33.152.147, 2600:1f18::1")
	d.key("enter")
	d.wantFlat("✓ safe hooks.offline.example → 3.33.152.147, 2600:1f18::1",
		"resolve as hooks.offline.example:443 → 3.33.152.147, 2600:1f18::1 (instead of DNS)")
	d.key("enter")
	d.at(stepSecret)
	// Kept in the draft, for a resume.
	if a, err := unmarshalAnswers(st.draft.data); err != nil || !slices.Equal(a.ResolveAs, []string{"3.33.152.147", "2600:1f18::1"}) ||
		a.ResolveFor != "hooks.offline.example:443" {
		t.Fatalf("draft answers %+v, %v", a, err)
	}
	pasteSecretStep(d)
	tickAll(d)
	fillOwner(d)
	d.at(stepReview)
	d.want("resolve as         3.33.152.147, 2600:1f18::1 (instead of DNS)", "Ready to save")
	d.key("enter")
	var saved core.Target
	for _, tg := range st.targets {
		saved = tg
	}
	if !slices.Equal(saved.Resolve, []string{"3.33.152.147", "2600:1f18::1"}) || saved.URLCheck == nil ||
		!slices.Equal(saved.URLCheck.Addresses, []string{"3.33.152.147", "2600:1f18::1"}) {
		t.Fatalf("saved %+v (url check %+v)", saved, saved.URLCheck)
	}
	d.key("esc") // home
	d.key("enter")
	d.wantFlat("url check safe, hooks.offline.example → 3.33.152.147 2600:1f18::1",
		"UTC; addresses from resolve as, not DNS")
}

// The answer is for the host and port it was given for: another URL does
// not take it along.
func TestResolveAsDoesNotFollowANewHost(t *testing.T) {
	d := newDriver(t, newFakeStore())
	toUnresolved(d)
	d.key("ctrl+r")
	d.paste("3.33.152.147")
	d.key("enter")
	d.want("✓ safe")
	clearField(d)
	d.paste(strings.Replace(offlineURL, "hooks.offline.example", "other.offline.example", 1))
	d.key("enter")
	d.at(stepEndpoint)
	d.wantNot("3.33.152.147")
	if cs := d.problemCodes(); !slices.Equal(cs, []codes.Code{codes.HostUnresolved}) {
		t.Fatalf("problems %v, want %s", cs, codes.HostUnresolved)
	}
}

// A URL whose host resolves, or is an address, offers no ctrl+r.
func TestResolveAsOnlyWhenUnresolved(t *testing.T) {
	d := newDriver(t, newFakeStore())
	d.key("n", "enter", "enter")
	d.paste("https://93.184.216.34/hook")
	d.key("ctrl+r")
	d.wantNot("ctrl+r resolve as", "Addresses ›")
}

// A resumed draft keeps the answer: Review judges the endpoint with it.
func TestResolveAsSurvivesAResume(t *testing.T) {
	d, _ := resumeAtReview(t, answers{Provider: core.ProviderGeneric, Mode: core.ModeCloud, URL: offlineURL,
		ResolveAs: []string{"3.33.152.147"}, ResolveFor: "hooks.offline.example:443",
		Secret: testSecret, SecretStored: true, Checks: receiverHeaders, Owner: "ops", RevokePath: "portal"})
	d.want("resolve as         3.33.152.147 (instead of DNS)", "Ready to save")
}

// Accessible mode offers the same answer after an unresolved host, judged
// the same way; blank at the addresses prompt goes back to the URL.
func TestAccessibleResolveAs(t *testing.T) {
	st := newFakeStore()
	out, err := runScript(t, st,
		"1", "1", "1", // New target, generic_webhook, cloud
		offlineURL,
		"2", "", // resolve as, then blank: the URL again
		"",          // keep the URL
		"2", "back", // the same with "back"
		"",
		"2", "169.254.169.254", // refused as never allowed
		"2", "3.33.152.147",
		"1", "y", // generate, stored
		"1", "y", "y", "y", "y", "y", "y",
		"ops@example.com",
		"Internal > receivers > hook",
		"1", // save
		"6", // quit
	)
	if err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	flat := strings.Join(strings.Fields(out), " ")
	for _, want := range []string{
		string(codes.HostUnresolved), "Resolve hooks.offline.example:443 as addresses you give",
		"hooks.offline.example resolves to 169.254.169.254",
		"Resolve as hooks.offline.example:443 → 3.33.152.147 (instead of DNS).",
		"resolve as 3.33.152.147 (instead of DNS)",
	} {
		if !strings.Contains(flat, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
	var saved core.Target
	for _, tg := range st.targets {
		saved = tg
	}
	if !slices.Equal(saved.Resolve, []string{"3.33.152.147"}) {
		t.Fatalf("saved %+v", saved)
	}
}

// The Addresses field fits the line at 80 and 60 columns: it took the URL
// field's width under a longer prompt, so with addresses typed the line
// ran past the edge and was cut with a stray "…" (the addresses looked
// cut).
func TestResolveAsFieldFitsTheLine(t *testing.T) {
	for _, w := range []int{80, 60} {
		d := newDriver(t, newFakeStore())
		d.send(resize(w, 24))
		toUnresolved(d)
		d.key("ctrl+r")
		d.paste("3.33.152.147")
		d.want("Addresses › 3.33.152.147")
		for _, l := range strings.Split(d.screen(), "\n") {
			if strings.Contains(l, "Addresses ›") && strings.HasSuffix(strings.TrimSpace(l), "…") {
				t.Fatalf("at %d columns the Addresses line is cut: %q", w, l)
			}
		}
	}
}
