package wizard

import (
	"context"
	"net/netip"
	"strings"
	"testing"

	"github.com/webriskops/webhook-setup/core"
	"github.com/webriskops/webhook-setup/core/codes"
	"github.com/webriskops/webhook-setup/core/signing"
	"github.com/webriskops/webhook-setup/core/urlsafe"
)

// toEndpoint opens the Endpoint URL step in mode (0 cloud, 1 self-hosted).
func toEndpoint(d *driver, provider, mode int) {
	d.t.Helper()
	d.key("n")
	for i := 0; i < provider; i++ {
		d.key("down")
	}
	d.key("enter")
	for i := 0; i < mode; i++ {
		d.key("down")
	}
	d.key("enter")
	d.at(stepEndpoint)
}

func TestProviderStepListsKeysWithDescriptions(t *testing.T) {
	d := newDriver(t, newFakeStore())
	d.key("n")
	d.at(stepProvider)
	for _, p := range core.Providers {
		d.want(string(p.Key))
	}
	d.want("Any customer-owned HTTPS receiver", "Catch Raw Hook")
	d.key("down", "down", "enter")
	if d.m.answers.Provider != core.ProviderZapier {
		t.Fatalf("provider = %q", d.m.answers.Provider)
	}
}

func TestModeStepSaysWhatEachMeansForURLSafety(t *testing.T) {
	d := newDriver(t, newFakeStore())
	d.key("n", "enter")
	d.at(stepMode)
	d.want("cloud", "self-hosted", "webhook-only", "public HTTPS only", "may reach an approved private")
}

func TestEndpointRefusesHTTPWithCodeAndFix(t *testing.T) {
	d := newDriver(t, newFakeStore())
	toEndpoint(d, 0, 0)
	d.typeText("http://hooks.example.com/x")
	if c := d.problemCodes(); len(c) != 1 || c[0] != codes.URLUnsafe {
		t.Fatalf("http:// as typed: problems %v", c)
	}
	d.want("generic_webhook_url_unsafe", "https://", "fix:")
	d.key("enter")
	d.at(stepEndpoint)
}

func TestEndpointRefusesCredentialsAndLocal(t *testing.T) {
	for _, u := range []string{"https://user:pw@hooks.example.com/x", "https://127.0.0.1/x", "https://localhost/x", "https://[::1]/x"} {
		t.Run(u, func(t *testing.T) {
			d := newDriver(t, newFakeStore())
			toEndpoint(d, 0, 0)
			d.paste(u)
			d.key("enter")
			d.at(stepEndpoint)
			if c := d.problemCodes(); len(c) != 1 || c[0] != codes.URLUnsafe {
				t.Fatalf("%s: problems %v\n%s", u, c, d.screen())
			}
		})
	}
}

func TestEndpointTrimsPastedWhitespaceAndSaysSo(t *testing.T) {
	d := newDriver(t, newFakeStore())
	toEndpoint(d, 0, 0)
	d.paste("  https://93.184.216.34/hook\n")
	d.want("Removed 3 characters of surrounding whitespace from the pasted URL")
	if v := d.m.answers.URL; v != "https://93.184.216.34/hook" {
		t.Fatalf("URL = %q", v)
	}
	d.key("enter")
	d.at(stepSecret)
}

func TestEndpointShowsResolvedAddressesAndHints(t *testing.T) {
	d := newDriver(t, newFakeStore())
	toEndpoint(d, 2, 0) // zapier_webhook
	d.paste("https://hooks.zapier.com/hooks/catch/123456/:id/")
	d.send(debounceMsg{src: d.m.cur.(*endpointStep), seq: d.m.cur.(*endpointStep).seq})
	d.want("✓ safe hooks.zapier.com → 3.33.152.147", "hint:", ":id placeholder")
	if d.res.calls == 0 {
		t.Fatal("the resolver was not asked")
	}
}

func TestEndpointRefusesUnresolvableHost(t *testing.T) {
	d := newDriver(t, newFakeStore())
	toEndpoint(d, 0, 0)
	d.paste("https://nowhere.invalid/hook")
	d.key("enter")
	d.at(stepEndpoint)
	if c := d.problemCodes(); len(c) != 1 || c[0] != codes.HostUnresolved {
		t.Fatalf("unresolvable: problems %v\n%s", c, d.screen())
	}
}

func TestEndpointPrivateAddress(t *testing.T) {
	t.Run("cloud refuses", func(t *testing.T) {
		d := newDriver(t, newFakeStore())
		toEndpoint(d, 0, 0)
		d.paste("https://10.20.1.5/hook")
		d.key("enter")
		d.at(stepEndpoint)
		d.want("✗ refused", "generic_webhook_url_unsafe", "self-hosted targets can reach")
	})
	t.Run("self-hosted needs approval", func(t *testing.T) {
		d := newDriver(t, newFakeStore())
		toEndpoint(d, 4, 1)
		d.paste("https://n8n.internal/webhook/x")
		d.send(debounceMsg{src: d.m.cur.(*endpointStep), seq: d.m.cur.(*endpointStep).seq})
		d.want("needs private-network approval", "10.20.1.5", "Private network step")
		d.wantNot("✗ refused")
		if len(d.m.problems) != 0 {
			t.Fatalf("a private address in self-hosted mode is shown as a refusal: %v", d.problemCodes())
		}
		d.key("enter")
		d.at(stepSecret)
	})
}

func TestEndpointIgnoresStaleResults(t *testing.T) {
	d := newDriver(t, newFakeStore())
	toEndpoint(d, 0, 0)
	d.paste("https://93.184.216.34/hook")
	s := d.m.cur.(*endpointStep)
	old := keyFor(core.Target{BaseURL: "https://203.0.113.9/old", DeploymentMode: core.ModeCloud})
	d.send(endpointCheckedMsg{key: old, v: urlsafe.Verdict{Code: string(codes.URLUnsafe), Reason: "stale"}})
	if len(d.m.problems) != 0 || s.verdict != nil && strings.Contains(s.verdict.Reason, "stale") {
		t.Fatalf("a result for another URL was used: %v", d.m.problems)
	}
}

func TestEndpointEnterWaitsForCheck(t *testing.T) {
	st := newFakeStore()
	slow := make(chan struct{})
	d := newDriver(t, st, func(e *env) { e.resolver = blockingResolver{slow} })
	toEndpoint(d, 0, 0)
	d.paste("https://hooks.zapier.com/hooks/catch/1/abc/")
	d.key("enter") // the check blocks: the step waits, input still works
	d.at(stepEndpoint)
	d.want("checking hooks.zapier.com", "continues when the check passes")
	d.typeText("x") // typing goes on while the check runs
	if !strings.HasSuffix(d.m.answers.URL, "abc/x") {
		t.Fatalf("typing during a check: URL = %q", d.m.answers.URL)
	}
	close(slow)
}

// blockingResolver answers only when its channel is closed.
type blockingResolver struct{ wait chan struct{} }

func (b blockingResolver) LookupNetIP(ctx context.Context, _, _ string) ([]netip.Addr, error) {
	select {
	case <-b.wait:
	case <-ctx.Done():
	}
	return []netip.Addr{netip.MustParseAddr("3.33.152.147")}, nil
}

func TestSecretStep(t *testing.T) {
	t.Run("weak secret shows code", func(t *testing.T) {
		d := newDriver(t, newFakeStore())
		throughEndpoint(d, 0, 0, "https://93.184.216.34/hook")
		d.key("down", "enter")
		d.paste("short")
		if c := d.problemCodes(); len(c) != 1 || c[0] != codes.SecretWeak {
			t.Fatalf("weak paste: problems %v", c)
		}
		d.want("generic_webhook_secret_weak", "fix:")
		d.key("enter")
		d.at(stepSecret)
	})
	t.Run("empty secret is missing", func(t *testing.T) {
		d := newDriver(t, newFakeStore())
		throughEndpoint(d, 0, 0, "https://93.184.216.34/hook")
		d.key("down", "enter", "enter")
		if c := d.problemCodes(); len(c) != 1 || c[0] != codes.SecretMissing {
			t.Fatalf("empty: problems %v", c)
		}
	})
	t.Run("pasted secret is masked and trimmed", func(t *testing.T) {
		d := newDriver(t, newFakeStore())
		throughEndpoint(d, 0, 0, "https://93.184.216.34/hook")
		d.key("down", "enter")
		d.paste(testSecret + "\n")
		d.wantNot(testSecret)
		d.want("HMAC-SHA256 "+signing.Fingerprint(testSecret), "Removed 1 character of surrounding whitespace from the pasted secret")
		d.key("enter")
		d.at(stepReceiver)
		if d.m.answers.Secret != testSecret {
			t.Fatal("pasted secret not kept trimmed")
		}
	})
	t.Run("generated secret needs confirmation", func(t *testing.T) {
		d := newDriver(t, newFakeStore())
		throughEndpoint(d, 0, 0, "https://93.184.216.34/hook")
		d.key("enter")
		gen := d.m.answers.Secret
		if !strings.HasPrefix(gen, signing.GeneratedPrefix) {
			t.Fatalf("generated secret %q", gen)
		}
		d.want(gen, "Shown once", "Press y once it is stored", "HMAC-SHA256 "+signing.Fingerprint(gen))
		d.key("enter")
		d.at(stepSecret)
		d.want("the setup does not go on")
		d.key("esc") // asks before the shown secret is thrown away
		d.at(stepSecret)
		d.want(gen, "Discard this secret?")
		d.key("n") // kept, same secret
		d.want(gen, "Press y once it is stored")
		d.wantNot("Discard this secret?")
		d.key("esc", "esc") // esc on the question keeps it too
		d.want(gen)
		d.wantNot("Discard this secret?")
		d.key("esc", "y") // discarded: back to the choice, not to the previous step
		d.at(stepSecret)
		d.wantNot(gen)
		if d.m.answers.Secret != "" || d.m.answers.SecretGenerated {
			t.Fatalf("discarded secret still in the answers: generated %v", d.m.answers.SecretGenerated)
		}
		d.key("enter", "y")
		d.at(stepReceiver)
		if !d.m.answers.SecretStored || !d.m.answers.SecretGenerated {
			t.Fatalf("answers after confirmation: %+v", d.m.answers)
		}
		d.key("esc")
		d.at(stepSecret)
		d.wantNot(d.m.answers.Secret) // shown once: not again
	})
}

func TestReceiverStep(t *testing.T) {
	d := newDriver(t, newFakeStore())
	throughEndpoint(d, 2, 0, "https://hooks.zapier.com/hooks/catch/123456/abcdefg/")
	pasteSecretStep(d)
	d.at(stepReceiver)
	for _, h := range receiverHeaders {
		d.want(h)
	}
	for i := 0; i < 5; i++ {
		d.key("space", "down")
	}
	d.key("enter")
	if c := d.problemCodes(); len(c) != 1 || c[0] != codes.ReceiverChecks {
		t.Fatalf("five checks: problems %v", c)
	}
	d.key("v")
	d.want("Verification recipe: zapier")
	d.key("esc") // closes the recipe, stays on the step
	d.at(stepReceiver)
	d.wantNot("Verification recipe: zapier")
	d.key("space", "enter")
	d.at(stepOwner)
}

func TestNetworkStepProblems(t *testing.T) {
	d := newDriver(t, newFakeStore())
	throughEndpoint(d, 4, 1, "https://10.20.1.5/webhook/x")
	pasteSecretStep(d)
	tickAll(d)
	d.at(stepNetwork)
	d.key("enter", "enter") // opens on allowlist; no entry, on to authorized by
	d.key("enter")
	got := map[codes.Code]bool{}
	for _, c := range d.problemCodes() {
		got[c] = true
	}
	if !got[codes.AllowlistInvalid] || !got[codes.AuthorizedByNeeded] {
		t.Fatalf("empty allowlist: problems %v", d.problemCodes())
	}
	// The focus went to the first problem's field, the allowlist entry.
	for _, e := range []string{"0.0.0.0/0", "8.8.8.0/24", "169.254.0.0/16"} {
		d.paste(e)
		if c := d.problemCodes(); len(c) != 1 || c[0] != codes.AllowlistInvalid {
			t.Fatalf("entry %s: problems %v", e, c)
		}
		for range e {
			d.key("backspace")
		}
	}
	d.paste("*.n8n.internal")
	d.key("enter")
	d.paste("10.20.0.0/16")
	d.key("enter")
	d.want("• *.n8n.internal", "• 10.20.0.0/16")
	d.key("ctrl+x")
	d.wantNot("• 10.20.0.0/16")
}

func TestDenyPolicyInSelfHostedKeepsEndpointRefused(t *testing.T) {
	d := newDriver(t, newFakeStore())
	toReviewSelfHostedDeny(d)
	d.want("To fix before saving", "6 → Private network", "generic_webhook_url_unsafe")
	d.wantNot("Ready to save")
}

func TestOwnerStepProblems(t *testing.T) {
	d := newDriver(t, newFakeStore())
	throughEndpoint(d, 0, 0, "https://93.184.216.34/hook")
	pasteSecretStep(d)
	tickAll(d)
	d.at(stepOwner)
	d.key("enter")
	if c := d.problemCodes(); len(c) != 1 || c[0] != codes.OwnerMissing {
		t.Fatalf("no owner: problems %v\n%s", c, d.screen())
	}
	d.paste("ops@example.com")
	d.key("enter", "enter")
	if c := d.problemCodes(); len(c) != 1 || c[0] != codes.RevokePathMissing {
		t.Fatalf("no revoke path: problems %v\n%s", c, d.screen())
	}
	d.paste(strings.Repeat("x", 520))
	d.key("enter")
	if c := d.problemCodes(); len(c) != 1 || c[0] != codes.TextTooLong {
		t.Fatalf("long revoke path: problems %v", c)
	}
	d.at(stepOwner)
}
