package ui

import (
	"bufio"
	"context"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"runtime/debug"

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

// Endpoint is the rehearsal endpoint, paced at rate (delivery.Rehearsal).
func (f *rehearsalFlags) Endpoint(opts urlsafe.ClientOptions, rate core.RateLimit) (*delivery.Endpoint, error) {
	if err := f.load(); err != nil {
		return nil, err
	}
	return delivery.RehearsalEndpoint(f.to, f.pool, opts, rate)
}

// spec is the rehearsal a flow sends to: nil unless --to was given.
func (f *rehearsalFlags) spec() delivery.Rehearsal {
	if f == nil || !f.given() {
		return nil
	}
	return f
}

// registerWorkers is the --workers flag of export and deliveries drain.
func registerWorkers(fs *pflag.FlagSet, workers *int) {
	fs.IntVar(workers, "workers", delivery.DefaultWorkers, fmt.Sprintf(
		"attempts in flight at once (1 to %d), each over one connection kept to the receiver", delivery.MaxWorkers))
}

// deliverySettings are the delivery settings of this run, for the flows in
// core/delivery.
func (a *App) deliverySettings() delivery.Settings {
	s := delivery.Settings{Now: a.Now}
	if a.Settings != nil {
		s.ConnectTimeout = a.Settings.Duration("delivery.connect_timeout")
		s.AttemptTimeout = a.Settings.Duration("delivery.attempt_timeout")
		s.MaxBackoff = a.Settings.Duration("delivery.max_backoff")
		s.RateLimit = a.Settings.RateLimit()
	}
	return s
}

// endpointFor returns where t's deliveries go (delivery.Settings.EndpointFor).
func (a *App) endpointFor(ctx context.Context, s *store.Store, t core.Target, r urlsafe.Resolver, reh *rehearsalFlags) (*delivery.Endpoint, error) {
	return a.deliverySettings().EndpointFor(ctx, s, t, r, reh.spec())
}

// withRate gives t the delivery.rate_limit setting as its rate limit when
// it has none of its own (delivery.Settings.WithRate).
func (a *App) withRate(t core.Target) core.Target {
	return a.deliverySettings().WithRate(t)
}

// runSetup is what export, deliveries drain and deliveries retry share, as
// the commands parsed it.
type runSetup struct {
	store       *store.Store
	resolver    urlsafe.Resolver
	rehearsal   *rehearsalFlags
	fallbackDir string
	workers     int
	// fixed, when set, is the one endpoint of the run (export).
	fixed *delivery.Endpoint
}

// setup is rs for core/delivery, under settings.
func (rs runSetup) setup(settings delivery.Settings) delivery.RunSetup {
	return delivery.RunSetup{Settings: settings, Store: rs.store, Resolver: rs.resolver, Rehearsal: rs.rehearsal.spec(),
		FallbackDir: rs.fallbackDir, Workers: rs.workers, Fixed: rs.fixed}
}

// withRun runs a run over the outbox (deliveries drain, retry) in the
// store with its setup: the rehearsal receiver and the resolver are checked
// first, so a bad --to or --resolve claims nothing.
func (a *App) withRun(reh *rehearsalFlags, res *resolveFlag, workers int, run func(s *store.Store, setup delivery.RunSetup) error) error {
	if err := reh.load(); err != nil {
		return err
	}
	resolver, err := res.resolver(a)
	if err != nil {
		return err
	}
	fallbackDir := a.Settings.FallbackDir()
	return a.withStore(func(s *store.Store) error {
		return run(s, runSetup{store: s, resolver: resolver, rehearsal: reh, fallbackDir: fallbackDir, workers: workers}.setup(a.deliverySettings()))
	})
}

// approval is the runner's Approval (delivery.RunSetup.Approval); the
// drain's runs ask it through setup's Runner.
func (rs runSetup) approval(ctx context.Context, d delivery.Delivery) (string, error) {
	return rs.setup(delivery.Settings{}).Approval(ctx, d)
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

// runError is the error a run ends with, most serious first
// (delivery.RunError).
func runError(sum delivery.Summary, fallbackDir string) *codes.Error {
	return delivery.RunError(sum, fallbackDir)
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
	fmt.Fprintf(bw, "{\n  \"delivered\": %d,\n  \"failed\": %d,\n  \"blocked\": %d,\n  \"pending\": %d,\n  \"deliveries\": ",
		sum.Delivered, sum.Failed, sum.Blocked, sum.Pending)
	a := newJSONArray(bw, "  ")
	if err := sum.Each(func(r delivery.Report) error { return a.add(r) }); err != nil {
		return err
	}
	a.end()
	bw.WriteString("\n}\n")
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
