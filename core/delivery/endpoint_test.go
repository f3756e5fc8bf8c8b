package delivery_test

import (
	"context"
	"net"
	"net/netip"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/webriskops/webhook-setup/core"
	"github.com/webriskops/webhook-setup/core/codes"
	"github.com/webriskops/webhook-setup/core/delivery"
	"github.com/webriskops/webhook-setup/core/payload"
)

type resolverFunc func(ctx context.Context, network, host string) ([]netip.Addr, error)

func (f resolverFunc) LookupNetIP(ctx context.Context, network, host string) ([]netip.Addr, error) {
	return f(ctx, network, host)
}

// TestTargetEndpointChecksTheURL: an address URL safety refuses blocks the
// target (PROVIDER_BASE_URL_BLOCKED); a failed lookup is a retryable
// delivery failure; a public answer gives a pinned, paced endpoint.
func TestTargetEndpointChecksTheURL(t *testing.T) {
	tg := core.Target{Name: "t", ProviderKey: core.ProviderMake, DeploymentMode: core.ModeCloud,
		BaseURL: "https://hook.eu1.make.com/" + hookToken}
	answer := func(a string) resolverFunc {
		return func(context.Context, string, string) ([]netip.Addr, error) {
			return []netip.Addr{netip.MustParseAddr(a)}, nil
		}
	}
	opts := delivery.ClientOptions(0, 0, nil)
	_, err := delivery.TargetEndpoint(ctx, tg, answer("127.0.0.1"), opts)
	if ce := codes.AsError(err); ce.Code != codes.BaseURLBlocked || !strings.Contains(ce.Reason, "127.0.0.1") {
		t.Fatalf("loopback answer: %v", err)
	}
	if res := delivery.ClassifyError(err); res.Retry || res.Status() != delivery.StatusBlocked {
		t.Fatalf("loopback answer classified %+v", res)
	}
	_, err = delivery.TargetEndpoint(ctx, tg, resolverFunc(func(context.Context, string, string) ([]netip.Addr, error) {
		return nil, &net.DNSError{Err: "timeout", IsTimeout: true}
	}), opts)
	// The code check-url and the wizard give for the same failure (was
	// WEBHOOK_DELIVERY_FAILED); an export still retries it.
	if ce := codes.AsError(err); ce.Code != codes.HostUnresolved {
		t.Fatalf("DNS timeout: %v", err)
	}
	ep, err := delivery.TargetEndpoint(ctx, tg, answer("93.184.216.34"), opts)
	if err != nil || ep.Rehearsal || ep.Pacer.Rate() != 5 || strings.Contains(ep.Redacted(), hookToken) {
		t.Fatalf("public answer: %+v %v", ep, err)
	}
}

// TestRehearsalEndpointOnlyLoopback: --to accepts loopback IP literals only.
func TestRehearsalEndpointOnlyLoopback(t *testing.T) {
	for _, to := range []string{"https://example.com/x", "https://10.0.0.1/x", "http://127.0.0.1/x", "https://localhost/x"} {
		if _, err := delivery.RehearsalEndpoint(to, nil, delivery.ClientOptions(0, 0, nil), core.RateLimit{}); err == nil {
			t.Errorf("--to %s accepted", to)
		}
	}
	if ep, err := delivery.RehearsalEndpoint("https://[::1]:8443/hook", nil, delivery.ClientOptions(0, 0, nil), core.RateLimit{}); err != nil || !ep.Rehearsal {
		t.Fatalf("[::1]: %v", err)
	}
}

// TestStoredSecretsFollowRotation: during a grace both secrets sign, newest
// first; after it only the new one.
func TestStoredSecretsFollowRotation(t *testing.T) {
	s, tg := openStore(t)
	const next = "wrsec_delivery-tests-next-secret-0123456789abcdef"
	if _, err := s.RotateSecret(ctx, tg.Name, next, time.Hour, "test"); err != nil {
		t.Fatal(err)
	}
	secrets := delivery.StoredSecrets(s, tg.ID)
	got, err := secrets(ctx, time.Now())
	if err != nil || len(got) != 2 || got[0] != next || got[1] != testSecret {
		t.Fatalf("during grace: %v %v", len(got), err)
	}
	got, _ = secrets(ctx, time.Now().Add(2*time.Hour))
	if len(got) != 1 || got[0] != next {
		t.Fatalf("after grace: %d secrets", len(got))
	}
}

// TestExportKeys: real exports use the documented default key; rehearsals
// get their own, stable within one rehearsal.
func TestExportKeys(t *testing.T) {
	tk := ticket(1)
	if got, want := delivery.ExportKey("tgt_1", tk, ""), payload.DefaultIdempotencyKey("tgt_1", tk.Kind, tk.FindingID); got != want {
		t.Fatalf("real key %s, want %s", got, want)
	}
	a, b := delivery.ExportKey("tgt_1", tk, "run1"), delivery.ExportKey("tgt_1", tk, "run2")
	if !delivery.IsRehearsal(a) || a == b || a != delivery.ExportKey("tgt_1", tk, "run1") || delivery.IsRehearsal(delivery.ExportKey("tgt_1", tk, "")) {
		t.Fatalf("rehearsal keys %s %s", a, b)
	}
	if _, err := payload.Build(payload.TargetRef{ID: "tgt_1", Name: "t"}, "webhook", tk, a, false, time.Now()); err != nil {
		t.Fatalf("a rehearsal key is not a valid idempotency key: %v", err)
	}
}

// TestWriteBundle: names that are not ids are refused; writing again
// replaces the files; a portable bundle explains itself.
func TestWriteBundle(t *testing.T) {
	dir := t.TempDir()
	body, _ := testBody(t, "tgt_1")
	for _, bad := range []string{"", "..", "../x", "a/b", ".hidden"} {
		if _, err := delivery.WriteBundle(dir, bad, delivery.Bundle{Body: body}); err == nil {
			t.Errorf("name %q accepted", bad)
		}
	}
	b := delivery.Bundle{Target: "tickets", Endpoint: "https://hooks.example.com/hook…", IdempotencyKey: "wro_x", Body: body, At: time.Now()}
	path, err := delivery.WriteBundle(dir, "wro_x", b)
	if err != nil {
		t.Fatal(err)
	}
	b.Body = append([]byte{}, body...)
	if _, err := delivery.WriteBundle(dir, "wro_x", b); err != nil {
		t.Fatal(err)
	}
	readme, _ := os.ReadFile(filepath.Join(path, delivery.BundleReadme))
	if !strings.Contains(string(readme), "not sent (--portable)") || !strings.Contains(string(readme), "webhook-setup export tickets") {
		t.Fatalf("portable README:\n%s", readme)
	}
	entries, _ := os.ReadDir(path)
	if len(entries) != 3 {
		t.Fatalf("bundle holds %d files", len(entries))
	}
	md, _ := os.ReadFile(filepath.Join(path, delivery.BundleTicket))
	if !strings.Contains(string(md), "test delivery") {
		t.Fatalf("ticket.md:\n%s", md)
	}
}

// TestPacerReserveRespectsDeadline: a start that would fall after the
// deadline is not booked.
func TestPacerReserveRespectsDeadline(t *testing.T) {
	p := delivery.NewPacer(10)
	if w, ok := p.Reserve(time.Time{}); !ok || w != 0 {
		t.Fatalf("first reserve: %v %v", w, ok)
	}
	if _, ok := p.Reserve(time.Now().Add(10 * time.Millisecond)); ok {
		t.Fatal("a start 100ms out was booked before a 10ms deadline")
	}
	if w, ok := p.Reserve(time.Now().Add(time.Second)); !ok || w < 50*time.Millisecond {
		t.Fatalf("the refused reserve took the slot: %v %v", w, ok)
	}
}
