package ui

import (
	"context"
	"errors"
	"fmt"
	"os"
	"time"

	"github.com/spf13/cobra"

	"github.com/webriskops/webhook-setup/core"
	"github.com/webriskops/webhook-setup/core/codes"
	"github.com/webriskops/webhook-setup/core/delivery"
	"github.com/webriskops/webhook-setup/core/payload"
	"github.com/webriskops/webhook-setup/core/urlsafe"
	"github.com/webriskops/webhook-setup/store"
)

type ticketExportOptions struct {
	name        string
	ticket      string
	maxAttempts int
	wait        time.Duration
	fallbackDir string
	portable    bool
	workers     int
	key         string
	rehearsal   rehearsalFlags
	resolve     resolveFlag
	json        bool
	progress    progressFlags
}

// NewCmdExport builds `export NAME --ticket FILE|-`: queue tickets in the
// durable outbox, then send them with retries for up to --wait. runF, when
// not nil, gets the parsed options instead of ticketExportRun (tests).
func NewCmdExport(app *App, runF func(*ticketExportOptions) error) *cobra.Command {
	opts := &ticketExportOptions{}
	cmd := &cobra.Command{
		Use:   "export NAME --ticket FILE|- [--max-attempts 8] [--wait 60s] [--fallback-dir DIR] [--portable]",
		Short: "Export tickets to a target: queued durably, signed, retried, with a portable fallback",
		Long: `export queues each ticket in the outbox (SQLite) before it is sent, and sends
each batch as soon as it is queued, signed, with retries for up to --wait.
Delivery is at least once, deduplicated by the idempotency key: a crash or
Ctrl-C never loses a queued export or creates it twice, webhook-setup
deliveries drain finishes what is left, and exporting the same file again
queues whatever an interrupt left unqueued.

Each ticket's idempotency key is derived from target, kind and finding_id;
--idempotency-key sets it instead for an export of one ticket.

The ticket input is one ticket object, a JSON array of them, or NDJSON; it is
read once as a stream and checked whole before anything is queued, and the
checked tickets are queued from a private temporary spool, so inputs of any
size fit in little memory.

Before sending, export says when the target's pace cannot send every ticket
within --wait, and about how many will stay queued for deliveries drain. On a
terminal, one live line on stderr counts delivered, retrying, failed and
queued with the rate and ETA; --json-events streams the same as NDJSON.

Exit status: 0 every export delivered; 3 one was blocked by URL safety (a
redirect, an unsafe address); 5 the receiver rejected the signature; 4 one
failed after its attempts (WEBHOOK_DELIVERY_FAILED, with a fallback bundle in
--fallback-dir); 75 nothing failed but exports were still queued when --wait
ended (generic_webhook_delivery_queued: they stay queued for deliveries
drain). --wait 0 only queues, and exits 0.`,
		Example: `  webhook-setup export zapier-tickets --ticket findings.ndjson
  some-tool --emit-tickets | webhook-setup export zapier-tickets --ticket - --json
  webhook-setup export zapier-tickets --ticket t.json --to https://127.0.0.1:8443/hook --ca-file receiver.pem
  webhook-setup export zapier-tickets --ticket t.json --portable`,
		Args: exactArgs(1, "a target NAME"),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.name = args[0]
			if runF != nil {
				return runF(opts)
			}
			return ticketExportRun(cmd.Context(), app, opts.name, opts)
		},
	}
	fs := cmd.Flags()
	fs.StringVar(&opts.ticket, "ticket", "", "tickets to export: a file with one ticket, a JSON array or NDJSON; - reads stdin")
	fs.IntVar(&opts.maxAttempts, "max-attempts", 8, "attempts per export before it fails (env WEBHOOK_SETUP_MAX_ATTEMPTS)")
	fs.DurationVar(&opts.wait, "wait", 60*time.Second, "how long to keep sending and retrying before leaving the rest queued for deliveries drain (env WEBHOOK_SETUP_WAIT)")
	fs.StringVar(&opts.fallbackDir, "fallback-dir", "", "where fallback bundles are written (default: fallback/ next to the database; env WEBHOOK_SETUP_FALLBACK_DIR)")
	fs.BoolVar(&opts.portable, "portable", false, "send nothing: write a fallback bundle per ticket (payload.json, ticket.md, README.txt)")
	registerWorkers(fs, &opts.workers)
	fs.StringVar(&opts.key, "idempotency-key", "", "the idempotency key of a single-ticket export, instead of the one derived from target, kind and finding_id")
	opts.rehearsal.register(fs)
	opts.resolve.register(fs)
	fs.BoolVar(&opts.json, "json", false, `print {"delivered","failed","blocked","pending","deliveries":[{"id","idempotency_key","status","attempts","last_code","fallback_path"}]}`)
	opts.progress.register(fs)
	return cmd
}

func ticketExportRun(ctx context.Context, app *App, name string, opts *ticketExportOptions) error {
	switch {
	case opts.ticket == "":
		return codes.Errorf(codes.Usage, "export needs --ticket FILE (or - for stdin)")
	case opts.portable && opts.rehearsal.given():
		return codes.Errorf(codes.Usage, "--portable sends nothing; it does not go with --to")
	}
	if err := delivery.CheckWorkers(opts.workers); err != nil {
		return err
	}
	if err := opts.progress.check(opts.json); err != nil {
		return err
	}
	if err := opts.rehearsal.load(); err != nil {
		return err
	}
	if opts.key != "" {
		key := opts.key
		if opts.rehearsal.given() {
			key = delivery.RehearsalKeyPrefix + key
		}
		if reason := payload.CheckIdempotencyKey(key); reason != "" {
			return codes.Errorf(codes.Usage, "--idempotency-key: %s", reason)
		}
	}
	// From the first read of the input on: checking it allocates.
	boundMemory(app)
	in, err := openTickets(app, opts.ticket)
	if err != nil {
		return err
	}
	defer in.Close()
	count := in.Len()
	if opts.key != "" && count != 1 {
		return codes.Errorf(codes.Usage, "--idempotency-key names one export, but %s holds %d tickets", opts.ticket, count).
			WithFix("Export that ticket on its own, or leave out --idempotency-key: each ticket then gets the key derived from target, kind and finding_id.")
	}
	return app.withStore(func(s *store.Store) error {
		t, err := s.Target(ctx, name)
		if err != nil {
			return err
		}
		if opts.portable {
			return ticketExportPortable(ctx, app, s, t, in, count, opts.key, opts.json)
		}
		return ticketExportSend(ctx, app, s, t, in, count, opts)
	})
}

// openTickets checks the whole ticket input before anything is queued, so
// a bad ticket 5,000 lines down queues nothing, and returns the checked
// tickets spooled for the second, queuing read (payload.TicketSpool).
func openTickets(app *App, path string) (*payload.TicketSpool, error) {
	src := app.In
	if path != "-" {
		f, err := os.Open(path)
		if err != nil {
			return nil, codes.Errorf(codes.Usage, "--ticket %s: %v", path, unwrapPathError(err))
		}
		defer f.Close()
		src = f
	}
	return payload.SpoolTickets(src)
}

// ticketExportSend queues the tickets and sends them (delivery.Export),
// then prints the outcome.
func ticketExportSend(ctx context.Context, app *App, s *store.Store, t core.Target, in *payload.TicketSpool, count int, opts *ticketExportOptions) error {
	fallbackDir := app.Settings.FallbackDir()
	wait := app.Settings.Duration("delivery.wait")
	prog := newProgress(app, opts.progress, count)
	res, err := delivery.Export(ctx, delivery.ExportOptions{
		Settings: app.deliverySettings(), Store: s, Target: t, Tickets: in, Count: count, Key: opts.key,
		Rehearsal:   opts.rehearsal.spec(),
		Resolver:    func() (urlsafe.Resolver, error) { return opts.resolve.resolver(app) },
		MaxAttempts: app.Settings.Int("delivery.max_attempts"), Wait: wait, FallbackDir: fallbackDir, Workers: opts.workers,
		OnStart: func(p delivery.ExportPlan) {
			exportStart(app, prog, t, p, wait, opts)
		},
		OnOutcome: prog.observe,
	})
	if err != nil {
		return err
	}
	if wait > 0 {
		prog.finish()
	}
	sum, runErr := res.Summary, res.Err
	defer sum.Close()
	if opts.progress.jsonEvents && (wait > 0 || runErr != nil || sum.Failed+sum.Blocked > 0) {
		return finishEvents(prog, sum, fallbackDir, runErr)
	}
	if wait == 0 && runErr == nil && sum.Failed+sum.Blocked == 0 {
		// --wait 0 hands everything to deliveries drain on purpose.
		if opts.progress.jsonEvents {
			prog.event("summary", summaryEvent{Pending: sum.Pending})
			return nil
		}
		if opts.json {
			return writeSummaryJSON(app.Out, sum)
		}
		if err := writeRunText(app.Out, sum); err != nil {
			return err
		}
		fmt.Fprintf(app.Out, "%d queued; webhook-setup deliveries drain sends them.\n", sum.Pending)
		return nil
	}
	err = finishRun(app, sum, fallbackDir, opts.json, runErr)
	if !res.QueuedAll && !opts.json && errors.Is(runErr, context.Canceled) {
		// Interrupted before every ticket was queued: those queued are
		// safe, the rest must be exported again.
		return codes.Errorf(codes.Interrupted, "interrupted while queuing: %d deliveries stay queued; the other tickets of %s were not queued", sum.Pending, opts.ticket).
			WithFix("Run the same export again: tickets already queued are not queued twice, and deliveries drain sends what is queued.")
	}
	return err
}

// exportStart is an export's first words: the start event and, without
// --json or --json-events, what is queued where and a warning when the
// pace cannot send it all within --wait.
func exportStart(app *App, prog *progress, t core.Target, p delivery.ExportPlan, wait time.Duration, opts *ticketExportOptions) {
	prog.start(struct {
		Total           int     `json:"total"`
		Target          string  `json:"target"`
		Rehearsal       bool    `json:"rehearsal"`
		WaitSeconds     float64 `json:"wait_seconds"`
		RatePerSecond   float64 `json:"rate_limit_per_second"`
		NeededSeconds   float64 `json:"needed_seconds"`
		LeftQueuedAbout int     `json:"left_queued_about"`
	}{p.Estimate.Count, t.Name, p.Rehearsal, wait.Seconds(), p.PerSecond, p.Estimate.Needed.Seconds(), p.Estimate.Left})
	if opts.json || opts.progress.jsonEvents {
		return
	}
	what := "exports to " + p.Endpoint
	if p.Rehearsal {
		what = "rehearsal exports to " + p.Endpoint
	}
	fmt.Fprintf(app.Err, "Queuing %d %s, each sent once queued, for up to %s.\n", p.Estimate.Count, what, wait)
	if w := paceWarning(p.Estimate, p.PerSecond, wait); w != "" {
		fmt.Fprintln(app.Err, w+".")
	}
}

// ticketExportPortable writes one fallback bundle per ticket and sends
// nothing (delivery.ExportPortable), then prints where they are.
func ticketExportPortable(ctx context.Context, app *App, s *store.Store, t core.Target, in *payload.TicketSpool, count int, key string, jsonOut bool) error {
	dir := app.Settings.FallbackDir()
	out, err := delivery.ExportPortable(ctx, delivery.ExportOptions{Settings: app.deliverySettings(), Store: s, Target: t,
		Tickets: in, Count: count, Key: key, FallbackDir: dir})
	if err != nil {
		return err
	}
	if jsonOut {
		return writeJSON(app.Out, struct {
			Portable    int                       `json:"portable"`
			FallbackDir string                    `json:"fallback_dir"`
			Bundles     []delivery.PortableBundle `json:"bundles"`
		}{len(out), dir, out})
	}
	fmt.Fprintf(app.Out, "Wrote %d portable bundle(s) to %s; nothing was sent.\n", len(out), dir)
	for i, b := range out {
		if i == 20 {
			fmt.Fprintf(app.Out, "  … and %d more\n", len(out)-20)
			break
		}
		field(app.Out, "  bundle", b.FallbackPath)
	}
	return nil
}
