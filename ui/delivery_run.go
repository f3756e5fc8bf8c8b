package ui

import (
	"bufio"
	"bytes"
	"context"
	"crypto/x509"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"runtime/debug"
	"strconv"

	"github.com/spf13/pflag"

	"github.com/webriskops/webhook-setup/core"
	"github.com/webriskops/webhook-setup/core/codes"
	"github.com/webriskops/webhook-setup/core/delivery"
	"github.com/webriskops/webhook-setup/core/urlsafe"
	"github.com/webriskops/webhook-setup/store"
)

// rehearsalFlags are --to and --ca-file: send to a receiver on this machine
// instead of the target's endpoint, leaving the target unchanged.
type rehearsalFlags struct {
	to, caFile string
	pool       *x509.CertPool
}

func (f *rehearsalFlags) register(fs *pflag.FlagSet) {
	fs.StringVar(&f.to, "to", "", "rehearse against a receiver on this machine instead: https://127.0.0.1:PORT/PATH or https://[::1]:PORT/PATH (loopback only; the target is not changed)")
	fs.StringVar(&f.caFile, "ca-file", "", "with --to: trust this PEM certificate, e.g. the --cert-out file of receive --self-signed")
}

func (f *rehearsalFlags) given() bool { return f.to != "" }

// load checks the pair, reads the CA file once and checks --to, so a bad
// rehearsal address is refused before any delivery is claimed (a drain or
// retry would otherwise spend their attempts on it).
func (f *rehearsalFlags) load() error {
	if f.caFile != "" && f.to == "" {
		return codes.Errorf(codes.Usage, "--ca-file only goes with --to")
	}
	if f.to == "" || f.pool != nil {
		return nil
	}
	if _, _, err := urlsafe.NewRehearsalClient(f.to, nil, urlsafe.ClientOptions{}); err != nil {
		return err
	}
	if f.caFile == "" {
		return nil
	}
	pool, err := loadCAFile(f.caFile)
	f.pool = pool
	return err
}

// endpoint is the rehearsal endpoint, paced at rate.
func (f *rehearsalFlags) endpoint(app *App, rate core.RateLimit) (*delivery.Endpoint, error) {
	if err := f.load(); err != nil {
		return nil, err
	}
	return delivery.RehearsalEndpoint(f.to, f.pool, app.clientOptions(nil), rate)
}

// clientOptions are the delivery timeouts from the settings.
func (a *App) clientOptions(roots *x509.CertPool) urlsafe.ClientOptions {
	return delivery.ClientOptions(a.Settings.Duration("delivery.connect_timeout"),
		a.Settings.Duration("delivery.attempt_timeout"), roots)
}

// sender makes attempts with the configured attempt timeout.
func (a *App) sender() *delivery.Sender {
	return &delivery.Sender{AttemptTimeout: a.Settings.Duration("delivery.attempt_timeout"), Now: a.Now}
}

// endpointFor returns where t's deliveries go: the rehearsal receiver when
// --to is given, otherwise t's endpoint after a fresh URL safety check.
// Either way the target's stored secrets sign, and the pace is t's rate
// limit, else delivery.rate_limit, else its provider's default.
func (a *App) endpointFor(ctx context.Context, s *store.Store, t core.Target, r urlsafe.Resolver, reh *rehearsalFlags) (*delivery.Endpoint, error) {
	t = a.withRate(t)
	var ep *delivery.Endpoint
	var err error
	if reh != nil && reh.given() {
		ep, err = reh.endpoint(a, t.EffectiveRate())
	} else {
		ep, err = delivery.TargetEndpoint(ctx, t, r, a.clientOptions(nil))
	}
	if err != nil {
		return nil, err
	}
	ep.Secrets = delivery.StoredSecrets(s, t.ID)
	withHeaders(ep, s, t)
	sharePace(ep, s, t)
	return ep, nil
}

// sharePace makes ep's pacer book its starts in the store when t's provider
// needs the pace to hold across processes (core.Provider.SharedPace: the
// Zapier recipe), so an export, a cron drain and a test send to one target
// together keep its pace. Other providers pace per process.
func sharePace(ep *delivery.Endpoint, book delivery.PaceBook, t core.Target) {
	if sharesPace(t) && book != nil {
		ep.Pacer.Share(book, t.ID)
	}
}

// sharesPace reports whether t's provider needs its pace across processes.
func sharesPace(t core.Target) bool {
	p, ok := core.LookupProvider(t.ProviderKey)
	return ok && p.SharedPace
}

// withRate gives t the delivery.rate_limit setting as its rate limit when
// it has none of its own; a target's own limit (add --rate-limit, apply
// rate_limit) always wins.
func (a *App) withRate(t core.Target) core.Target {
	if t.RateLimit.IsZero() && a.Settings != nil {
		t.RateLimit = a.Settings.RateLimit()
	}
	return t
}

// runSetup is what export, deliveries drain and deliveries retry share.
type runSetup struct {
	store       *store.Store
	resolver    urlsafe.Resolver
	rehearsal   *rehearsalFlags
	fallbackDir string
	workers     int
	// fixed, when set, is the one endpoint of the run (export).
	fixed *delivery.Endpoint
}

// approval is the runner's Approval: the stored version of d's target
// (every change to it, its URL or private-network approval included,
// bumps the version). A target removed or replaced since is an error, so
// the run drops its endpoint and the next attempt is refused by Endpoint.
// A fixed endpoint (export) never changes.
func (rs runSetup) approval(ctx context.Context, d delivery.Delivery) (string, error) {
	if rs.fixed != nil {
		return "", nil
	}
	t, err := rs.store.Target(ctx, d.TargetName)
	if err != nil {
		return "", err
	}
	return t.ID + "@" + strconv.FormatInt(t.Version, 10), nil
}

// newRunner builds the runner of one command run.
func (a *App) newRunner(rs runSetup) *delivery.Runner {
	return &delivery.Runner{
		Outbox:     rs.store,
		Sender:     a.sender(),
		Workers:    rs.workers,
		MaxBackoff: a.Settings.Duration("delivery.max_backoff"),
		Rehearsal:  rs.rehearsal != nil && rs.rehearsal.given() || rs.fixed != nil && rs.fixed.Rehearsal,
		Approval: func(ctx context.Context, d delivery.Delivery) (string, error) {
			return rs.approval(ctx, d)
		},
		Endpoint: func(ctx context.Context, d delivery.Delivery) (*delivery.Endpoint, error) {
			if rs.fixed != nil {
				return rs.fixed, nil
			}
			t, err := rs.store.Target(ctx, d.TargetName)
			if err == nil && t.ID != d.TargetID {
				err = codes.Errorf(codes.TargetNotFound, "the target %q of this delivery was replaced by another of the same name", d.TargetName)
			}
			if err != nil {
				return nil, err
			}
			return a.endpointFor(ctx, rs.store, t, rs.resolver, rs.rehearsal)
		},
		Fallback: a.bundleWriter(rs.fallbackDir),
	}
}

// bundleWriter writes the fallback bundle of a delivery that ended failed
// or blocked into dir/<delivery id>/.
func (a *App) bundleWriter(dir string) func(delivery.Delivery, delivery.Result, *delivery.Endpoint) (string, error) {
	return func(d delivery.Delivery, r delivery.Result, ep *delivery.Endpoint) (string, error) {
		shown := ""
		if ep != nil {
			shown = ep.Redacted()
		}
		return delivery.WriteBundle(dir, d.ID, delivery.Bundle{
			DeliveryID: d.ID, Target: d.TargetName, Endpoint: shown, IdempotencyKey: d.IdempotencyKey,
			Status: r.Status(), Attempts: d.Attempts + 1, Code: r.Code, Reason: r.Reason, Fix: r.Fix(),
			Body: d.Body, At: a.Now(),
		})
	}
}

// writeRunText prints a run's totals and every delivery that did not get
// through (at most 20, then a pointer to deliveries).
func writeRunText(w io.Writer, sum delivery.Summary) error {
	fmt.Fprintf(w, "delivered %d, failed %d, blocked %d, pending %d\n", sum.Delivered, sum.Failed, sum.Blocked, sum.Pending)
	if sum.Failed+sum.Blocked == 0 {
		return nil
	}
	shown := 0
	errShown := errors.New("shown")
	err := sum.Each(func(r delivery.Report) error {
		if r.Status == delivery.StatusDelivered || r.Status == delivery.StatusPending {
			return nil
		}
		if shown == 20 {
			fmt.Fprintln(w, "  … run webhook-setup deliveries --status failed (or blocked) for the rest")
			return errShown
		}
		shown++
		field(w, "  "+string(r.Status), fmt.Sprintf("%s %s after %d attempt(s): %s; bundle %s",
			r.ID, r.IdempotencyKey, r.Attempts, r.LastCode, r.FallbackPath))
		return nil
	})
	if errors.Is(err, errShown) {
		return nil
	}
	return err
}

// runError is the error a run ends with, most serious first: a delivery
// blocked by safety (exit 3), a signature the receiver rejected (exit 5),
// a delivery that failed (exit 4), deliveries still queued when the wait
// ended (exit 75, generic_webhook_delivery_queued: nothing failed, drain
// finishes them). nil when everything was delivered.
func runError(sum delivery.Summary, fallbackDir string) *codes.Error {
	var blocked, signature *delivery.Report
	if sum.Failed+sum.Blocked > 0 {
		_ = sum.Each(func(r delivery.Report) error {
			switch {
			case r.Status == delivery.StatusBlocked && blocked == nil:
				blocked = &r
			case r.Status == delivery.StatusFailed && r.LastCode == string(codes.SignatureInvalid) && signature == nil:
				signature = &r
			}
			return nil
		})
	}
	total := sum.Total()
	bundles := fmt.Sprintf("fallback bundles are in %s", fallbackDir)
	switch {
	case blocked != nil:
		code := codes.Code(blocked.LastCode)
		if codes.Info(code).Exit != codes.ExitBlocked {
			code = codes.BaseURLBlocked
		}
		return codes.Errorf(code, "%d of %d deliveries blocked (first: %s); %s", sum.Blocked, total, blocked.ID, bundles).
			WithFix(code.Fix() + " Then run webhook-setup deliveries retry ID.")
	case signature != nil:
		return codes.Errorf(codes.SignatureInvalid, "the receiver rejected the signature of %d of %d deliveries (first: %s); %s",
			sum.Failed, total, signature.ID, bundles)
	case sum.Failed > 0:
		return codes.Errorf(codes.DeliveryFailed, "%d of %d deliveries failed; %s", sum.Failed, total, bundles).
			WithFix("Read README.txt in each bundle; fix the cause, then run webhook-setup deliveries retry ID.")
	case sum.Pending > 0:
		return codes.Errorf(codes.DeliveryQueued, "%d of %d deliveries still queued; run deliveries drain", sum.Pending, total)
	}
	return nil
}

// finishRun prints a run's summary (JSON or text) and returns its error,
// printed once: with --json the summary is the whole output. runErr is the
// run's own failure: an interrupt (the summary is still printed) or a local
// failure such as the store (only the error is printed).
func finishRun(app *App, sum delivery.Summary, fallbackDir string, jsonOut bool, runErr error) error {
	defer sum.Close()
	interrupted := runErr != nil && errors.Is(runErr, context.Canceled)
	if runErr != nil && !interrupted {
		return runErr
	}
	var err error
	if jsonOut {
		err = writeSummaryJSON(app.Out, sum)
	} else {
		err = writeRunText(app.Out, sum)
	}
	if err != nil {
		return codes.Errorf(codes.Internal, "read back the run's reports: %v", err)
	}
	if interrupted {
		if jsonOut {
			return &silentError{code: codes.Interrupted}
		}
		return codes.Errorf(codes.Interrupted, "interrupted; %d deliveries stay queued", sum.Pending).
			WithFix("Run webhook-setup deliveries drain to finish them; nothing was lost or sent twice.")
	}
	if e := runError(sum, fallbackDir); e != nil {
		if jsonOut {
			return &silentError{code: e.Code}
		}
		return e
	}
	return nil
}

// writeSummaryJSON prints a run's summary as writeJSON would, one delivery
// at a time from the run's spooled reports: an export of 100,000 tickets is
// never in memory whole.
func writeSummaryJSON(w io.Writer, sum delivery.Summary) error {
	bw := bufio.NewWriter(w)
	fmt.Fprintf(bw, "{\n  \"delivered\": %d,\n  \"failed\": %d,\n  \"blocked\": %d,\n  \"pending\": %d,\n  \"deliveries\": [",
		sum.Delivered, sum.Failed, sum.Blocked, sum.Pending)
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetIndent("    ", "  ")
	enc.SetEscapeHTML(false)
	i := 0
	err := sum.Each(func(r delivery.Report) error {
		buf.Reset()
		if err := enc.Encode(r); err != nil {
			return err
		}
		if i > 0 {
			bw.WriteByte(',')
		}
		i++
		bw.WriteString("\n    ")
		_, err := bw.Write(escapeInvisible(bytes.TrimSuffix(buf.Bytes(), []byte("\n"))))
		return err
	})
	if err != nil {
		return err
	}
	if i > 0 {
		bw.WriteString("\n  ")
	}
	bw.WriteString("]\n}\n")
	return bw.Flush()
}

// memoryLimit is the soft heap limit of export and drain: the Go runtime
// collects harder as the heap nears it. A run's own state is small (about
// 40 bytes a delivery, the rest spooled: delivery.Reports), so a run over
// 100,000 tickets peaks under 40 MiB of RSS, of which about 18 MiB is the
// binary itself (docs/performance.md). GOMEMLIMIT overrides it.
const memoryLimit = 20 << 20

// gcPercent is export's and drain's GOGC under memoryLimit. A run's live
// heap is small (a few MiB) while every delivery allocates tens of KiB
// (the ticket, its body, the request): at the default 100 the collector
// ran every few hundred deliveries. The limit bounds the heap anyway, so
// the collector can wait for it (docs/performance.md).
const gcPercent = 400

// boundMemory sets the soft heap limit unless GOMEMLIMIT is set, and then
// the collector's pace unless GOGC is set.
func boundMemory(app *App) {
	if app.Getenv("GOMEMLIMIT") == "" {
		debug.SetMemoryLimit(memoryLimit)
		if app.Getenv("GOGC") == "" {
			debug.SetGCPercent(gcPercent)
		}
	}
}
