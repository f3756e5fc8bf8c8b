package delivery_test

import (
	"context"
	"crypto/x509"
	"errors"
	"fmt"
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
	"github.com/webriskops/webhook-setup/core/urlsafe"
	"github.com/webriskops/webhook-setup/store"
)

// rehearsalTo is a delivery.Rehearsal to a receiver on loopback that
// counts how often it was asked for its endpoint.
type rehearsalTo struct {
	url   string
	roots *x509.CertPool
	asked int
}

func (r *rehearsalTo) Endpoint(opts urlsafe.ClientOptions, rate core.RateLimit) (*delivery.Endpoint, error) {
	r.asked++
	return delivery.RehearsalEndpoint(r.url, r.roots, opts, rate)
}

func (rc *receiver) rehearsal() *rehearsalTo {
	return &rehearsalTo{url: rc.srv.URL + "/hooks/" + hookToken, roots: rc.pool()}
}

// flowSettings are short timeouts and the real clock.
func flowSettings() delivery.Settings {
	return delivery.Settings{ConnectTimeout: time.Second, AttemptTimeout: 2 * time.Second, MaxBackoff: 50 * time.Millisecond, Now: time.Now}
}

// privateResolver answers every name with a private address, without DNS.
type privateResolver struct{}

func (privateResolver) LookupNetIP(context.Context, string, string) ([]netip.Addr, error) {
	return []netip.Addr{netip.MustParseAddr("10.0.0.7")}, nil
}

// auditActions lists the actions of s's audit log, newest first.
func auditActions(t *testing.T, s *store.Store) []string {
	t.Helper()
	evs, err := s.Audit(ctx, 100)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, e := range evs {
		if e.Action != "target.create" {
			out = append(out, e.Action+": "+e.Detail)
		}
	}
	return out
}

// TestTestSendRehearsalSignsWithStoredSecretsAndIsAudited: a test send of a
// saved target to a rehearsal receiver reads the stored secret, is verified
// by the receiver, and leaves one audit row; a dry run sends nothing,
// names the edge header to redact and is not audited.
func TestTestSendRehearsalSignsWithStoredSecretsAndIsAudited(t *testing.T) {
	s, tg := openStore(t)
	rc := newReceiver(t, nil)
	res, err := delivery.TestSend(ctx, tg, delivery.TestSendOptions{Settings: flowSettings(), Credentials: s, Edges: s,
		Audit: s, Rehearsal: rc.rehearsal()})
	if err != nil {
		t.Fatal(err)
	}
	if !res.Delivered || !res.Rehearsal || res.Attempts != 1 || res.HTTPStatus != 200 || res.Code != "" || rc.count() != 1 {
		t.Fatalf("result %+v, receiver saw %d", res, rc.count())
	}
	rc.checkValid()
	if got := auditActions(t, s); len(got) != 1 || !strings.HasPrefix(got[0], "target.test_send: rehearsal test delivery to https://127.0.0.1:") {
		t.Fatalf("audit: %q", got)
	}

	dry, err := delivery.TestSend(ctx, tg, delivery.TestSendOptions{Settings: flowSettings(), Secrets: []string{testSecret},
		Edge: &delivery.EdgeHeader{Name: "X-Edge-Key", Value: "edge-value-0123456789"}, DryRun: true, Audit: s})
	if err != nil {
		t.Fatal(err)
	}
	if dry.Request == nil || dry.EdgeHeader != "X-Edge-Key" || dry.Request.Header.Get("X-Edge-Key") != "edge-value-0123456789" ||
		len(dry.Body) == 0 || dry.Attempts != 0 || rc.count() != 1 {
		t.Fatalf("dry run %+v (request %v), receiver saw %d", dry, dry.Request, rc.count())
	}
	if strings.Contains(dry.Endpoint, hookToken) {
		t.Fatalf("the dry run's endpoint shows the token: %s", dry.Endpoint)
	}
	if got := auditActions(t, s); len(got) != 1 {
		t.Fatalf("a dry run was audited: %q", got)
	}
}

// TestTestSendRefusalsAreResults: no secret, an unsafe URL and a private
// address are refused before any attempt, as results with their codes
// and exit codes, not errors.
func TestTestSendRefusalsAreResults(t *testing.T) {
	s, tg := openStore(t)
	for _, c := range []struct {
		name string
		t    core.Target
		opts delivery.TestSendOptions
		code codes.Code
		exit int
	}{
		{"no secret given", tg, delivery.TestSendOptions{}, codes.SecretMissing, codes.ExitBlocked},
		{"http in a dry run", core.Target{Name: "adhoc", BaseURL: "http://hooks.example.com/x"},
			delivery.TestSendOptions{Secrets: []string{testSecret}, DryRun: true}, codes.URLUnsafe, codes.ExitBlocked},
		{"private address", tg, delivery.TestSendOptions{Credentials: s, Resolver: privateResolver{}}, codes.BaseURLBlocked, codes.ExitBlocked},
	} {
		c.opts.Settings, c.opts.Audit = flowSettings(), s
		res, err := delivery.TestSend(ctx, c.t, c.opts)
		if err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		if res.Delivered || res.Code != c.code || res.Attempts != 0 || res.Reason == "" || res.Fix == "" {
			t.Errorf("%s: %+v, want %s", c.name, res, c.code)
		}
		if got := delivery.TestSendExit(res.Delivered, res.Code); codes.Info(got).Exit != c.exit {
			t.Errorf("%s: exits %d, want %d", c.name, codes.Info(got).Exit, c.exit)
		}
	}
	// The refused send to a private address is recorded; the missing
	// secret and the dry run are not.
	if got := auditActions(t, s); len(got) != 1 || !strings.Contains(got[0], "PROVIDER_BASE_URL_BLOCKED after 0 attempt(s)") {
		t.Fatalf("audit: %q", got)
	}
}

// spool is n checked tickets.
func spool(t *testing.T, n int) *payload.TicketSpool {
	t.Helper()
	var b strings.Builder
	for i := range n {
		tk := ticket(i)
		fmt.Fprintf(&b, `{"title":%q,"description":%q,"severity":%q,"kind":%q,"finding_id":%q}`+"\n",
			tk.Title, tk.Description, tk.Severity, tk.Kind, tk.FindingID)
	}
	in, err := payload.SpoolTickets(strings.NewReader(b.String()))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { in.Close() })
	return in
}

func noResolver() (urlsafe.Resolver, error) { return privateResolver{}, nil }

// TestExportRehearsalSendsEveryTicketOnce: an export to a rehearsal
// receiver queues and sends every ticket once, reports the plan first and
// every outcome, and is audited; exporting again with Wait 0 queues new
// rehearsal deliveries (salted keys) and sends nothing.
func TestExportRehearsalSendsEveryTicketOnce(t *testing.T) {
	s, tg := openStore(t)
	rc := newReceiver(t, nil)
	var plans []delivery.ExportPlan
	outcomes := 0
	res, err := delivery.Export(ctx, delivery.ExportOptions{Settings: flowSettings(), Store: s, Target: tg,
		Tickets: spool(t, 40), Count: 40, Rehearsal: rc.rehearsal(), Resolver: noResolver, MaxAttempts: 3,
		Wait: time.Minute, FallbackDir: t.TempDir(), Workers: 4,
		OnStart:   func(p delivery.ExportPlan) { plans = append(plans, p) },
		OnOutcome: func(delivery.Delivery, delivery.Outcome) { outcomes++ }})
	if err != nil {
		t.Fatal(err)
	}
	defer res.Close()
	if res.Err != nil || !res.QueuedAll || res.Delivered != 40 || res.Pending+res.Failed+res.Blocked != 0 || outcomes != 40 {
		t.Fatalf("summary %+v, %d outcomes", res, outcomes)
	}
	if len(plans) != 1 || !plans[0].Rehearsal || plans[0].Estimate.Count != 40 || plans[0].Endpoint != res.Endpoint {
		t.Fatalf("plans %+v", plans)
	}
	if rc.count() != 40 {
		t.Fatalf("receiver saw %d requests, want 40", rc.count())
	}
	rc.checkValid()

	queued, err := delivery.Export(ctx, delivery.ExportOptions{Settings: flowSettings(), Store: s, Target: tg,
		Tickets: spool(t, 5), Count: 5, Rehearsal: rc.rehearsal(), Resolver: noResolver, MaxAttempts: 3,
		OnStart: func(p delivery.ExportPlan) { t.Error("a Wait 0 export announced a run") }})
	if err != nil {
		t.Fatal(err)
	}
	defer queued.Close()
	if queued.Pending != 5 || queued.Total() != 5 || rc.count() != 40 {
		t.Fatalf("wait 0: %+v, receiver saw %d", queued, rc.count())
	}
	got := auditActions(t, s)
	if len(got) != 2 || !strings.HasPrefix(got[1], "export.rehearsal: 40 ticket(s) to https://127.0.0.1:") ||
		!strings.HasSuffix(got[0], "0 delivered, 0 failed, 0 blocked, 5 pending") {
		t.Fatalf("audit: %q", got)
	}
}

// TestExportRefusesBeforeQueuing: a target that is not ready is refused
// before the resolver is asked, an unsafe endpoint names --portable, and
// neither queues anything or writes an audit row.
func TestExportRefusesBeforeQueuing(t *testing.T) {
	s, tg := openStore(t)
	notReady := tg
	notReady.RevokePath = ""
	_, err := delivery.Export(ctx, delivery.ExportOptions{Settings: flowSettings(), Store: s, Target: notReady,
		Tickets: spool(t, 1), Count: 1, MaxAttempts: 3, Wait: time.Minute,
		Resolver: func() (urlsafe.Resolver, error) { return nil, errors.New("the resolver was asked") }})
	if ce := codes.AsError(err); err == nil || strings.Contains(err.Error(), "resolver was asked") || ce.Code == "" {
		t.Fatalf("not ready: %v", err)
	}
	_, err = delivery.Export(ctx, delivery.ExportOptions{Settings: flowSettings(), Store: s, Target: tg,
		Tickets: spool(t, 1), Count: 1, MaxAttempts: 3, Wait: time.Minute, Resolver: noResolver})
	if ce := codes.AsError(err); ce.Code != codes.BaseURLBlocked || !strings.Contains(ce.Fix, "export --portable") {
		t.Fatalf("private address: %v (%+v)", err, ce)
	}
	if n, _, err := s.Pending(ctx, time.Now()); err != nil || n != 0 {
		t.Fatalf("pending after refusals: %d, %v", n, err)
	}
	if got := auditActions(t, s); len(got) != 0 {
		t.Fatalf("audit: %q", got)
	}
}

// TestDrainAndRetryRehearsals: a rehearsal drain counts and sends the
// pending rehearsal exports; a plain retry of a rehearsal export is
// refused with its fix, and a rehearsal retry of a delivered one is
// refused by the outbox.
func TestDrainAndRetryRehearsals(t *testing.T) {
	s, tg := openStore(t)
	rc := newReceiver(t, nil)
	ds := enqueue(t, s, tg, 6, 3)
	setup := delivery.RunSetup{Settings: flowSettings(), Store: s, Rehearsal: rc.rehearsal(), FallbackDir: t.TempDir(), Workers: 2}
	counted, started := -1, 0
	res, err := delivery.Drain(ctx, delivery.DrainOptions{Setup: setup, Store: s, Wait: time.Minute,
		Counted: func(n int) { counted = n }, Started: func() { started++ }})
	if err != nil {
		t.Fatal(err)
	}
	defer res.Close()
	if res.Err != nil || res.Delivered != 6 || counted != 6 || started != 1 || rc.count() != 6 {
		t.Fatalf("drain %+v counted %d started %d, receiver saw %d", res, counted, started, rc.count())
	}
	again, err := delivery.Drain(ctx, delivery.DrainOptions{Setup: setup, Store: s, Wait: time.Minute,
		Counted: func(n int) { counted = n }, Started: func() { started++ }})
	if err != nil || again.Total() != 0 || counted != 0 || started != 1 {
		t.Fatalf("second drain: %+v, %v, counted %d, started %d", again, err, counted, started)
	}
	plain := setup
	plain.Rehearsal = nil
	_, err = delivery.Retry(ctx, delivery.RetryOptions{Setup: plain, ID: ds[0].ID, MaxAttempts: 3, Wait: time.Minute})
	if ce := codes.AsError(err); ce.Code != codes.Usage || !strings.Contains(ce.Reason, "retry it with --to and --ca-file") {
		t.Fatalf("plain retry of a rehearsal: %v", err)
	}
	if _, err := delivery.Retry(ctx, delivery.RetryOptions{Setup: setup, ID: ds[0].ID, MaxAttempts: 3, Wait: time.Minute}); err == nil {
		t.Fatal("a delivered export was queued again")
	}
	if rc.count() != 6 {
		t.Fatalf("receiver saw %d requests, want 6", rc.count())
	}
}

// TestExportPortableWritesBundlesOnly: a portable export writes one bundle
// per ticket under its idempotency key (the override for one ticket),
// queues nothing, sends nothing and is audited.
func TestExportPortableWritesBundlesOnly(t *testing.T) {
	s, tg := openStore(t)
	dir := t.TempDir()
	out, err := delivery.ExportPortable(ctx, delivery.ExportOptions{Settings: flowSettings(), Store: s, Target: tg,
		Tickets: spool(t, 3), Count: 3, FallbackDir: dir})
	if err != nil {
		t.Fatal(err)
	}
	if len(out) != 3 {
		t.Fatalf("bundles %+v", out)
	}
	for i, b := range out {
		if want := delivery.ExportKey(tg.ID, ticket(i), ""); b.IdempotencyKey != want {
			t.Errorf("bundle %d key %s, want %s", i, b.IdempotencyKey, want)
		}
		if b.FallbackPath != filepath.Join(dir, b.IdempotencyKey) {
			t.Errorf("bundle %d in %s", i, b.FallbackPath)
		}
		readme, err := os.ReadFile(filepath.Join(b.FallbackPath, delivery.BundleReadme))
		if err != nil || !strings.Contains(string(readme), "exported with --portable") || strings.Contains(string(readme), hookToken) {
			t.Fatalf("bundle %d README (%v):\n%s", i, err, readme)
		}
	}
	one, err := delivery.ExportPortable(ctx, delivery.ExportOptions{Settings: flowSettings(), Store: s, Target: tg,
		Tickets: spool(t, 1), Count: 1, Key: "operator-key-1", FallbackDir: dir})
	if err != nil || len(one) != 1 || one[0].IdempotencyKey != "operator-key-1" {
		t.Fatalf("override: %+v, %v", one, err)
	}
	if n, _, err := s.Pending(ctx, time.Now()); err != nil || n != 0 {
		t.Fatalf("pending after portable exports: %d, %v", n, err)
	}
	if got := auditActions(t, s); len(got) != 2 || !strings.HasPrefix(got[1], "export.portable: 3 ticket(s) written to fallback bundles in ") {
		t.Fatalf("audit: %q", got)
	}
}
