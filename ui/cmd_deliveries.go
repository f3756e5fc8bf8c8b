package ui

import (
	"context"
	"fmt"
	"time"

	"github.com/spf13/cobra"

	"github.com/webriskops/webhook-setup/core/codes"
	"github.com/webriskops/webhook-setup/core/delivery"
	"github.com/webriskops/webhook-setup/store"
)

// deliveryView is one outbox row as deliveries --json prints it. Times
// are null when unset (next_attempt_at of an ended delivery).
type deliveryView struct {
	ID             string     `json:"id"`
	Target         string     `json:"target"`
	IdempotencyKey string     `json:"idempotency_key"`
	Status         string     `json:"status"`
	Attempts       int        `json:"attempts"`
	MaxAttempts    int        `json:"max_attempts"`
	LastCode       string     `json:"last_code"`
	LastReason     string     `json:"last_reason"`
	CreatedAt      time.Time  `json:"created_at"`
	UpdatedAt      time.Time  `json:"updated_at"`
	NextAttemptAt  *time.Time `json:"next_attempt_at"`
	FallbackPath   string     `json:"fallback_path"`
}

func newDeliveryView(d delivery.Delivery) deliveryView {
	v := deliveryView{ID: d.ID, Target: d.TargetName, IdempotencyKey: d.IdempotencyKey, Status: string(d.Status),
		Attempts: d.Attempts, MaxAttempts: d.MaxAttempts, LastCode: d.LastCode, LastReason: d.LastReason,
		CreatedAt: d.CreatedAt, UpdatedAt: d.UpdatedAt, FallbackPath: d.FallbackPath}
	if d.Status == delivery.StatusPending {
		next := d.NextAttemptAt
		v.NextAttemptAt = &next
	}
	return v
}

type deliveriesOptions struct {
	status string
	limit  int
	json   bool
}

// NewCmdDeliveries builds `deliveries`: the outbox, and drain / retry /
// show to work it. runF, when not nil, gets the checked options of the
// listing instead of deliveriesListRun (tests).
func NewCmdDeliveries(app *App, runF func(*deliveriesOptions) error) *cobra.Command {
	opts := &deliveriesOptions{}
	cmd := &cobra.Command{
		Use:   "deliveries [--status pending|delivered|failed|blocked] [--json]",
		Short: "List the export outbox; drain, retry or show deliveries",
		Long: `deliveries lists the outbox, newest first: every export with its status
(pending, delivered, failed, blocked), attempts and last code.

  deliveries drain      send what is pending (for cron or a systemd timer)
  deliveries retry ID   queue a failed or blocked delivery again and send it
  deliveries show ID    one delivery with every attempt`,
		Args: noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			switch delivery.Status(opts.status) {
			case "", delivery.StatusPending, delivery.StatusDelivered, delivery.StatusFailed, delivery.StatusBlocked:
			default:
				return codes.Errorf(codes.Usage, "--status %q is not pending, delivered, failed or blocked", opts.status)
			}
			if runF != nil {
				return runF(opts)
			}
			return deliveriesListRun(cmd.Context(), app, opts)
		},
	}
	fs := cmd.Flags()
	fs.StringVar(&opts.status, "status", "", "only deliveries in this status: pending, delivered, failed or blocked")
	fs.IntVar(&opts.limit, "limit", 200, "show at most this many (0 for all)")
	fs.BoolVar(&opts.json, "json", false, `print an array of {"id","target","idempotency_key","status","attempts","max_attempts","last_code","last_reason","created_at","updated_at","next_attempt_at","fallback_path"}`)
	cmd.AddCommand(newCmdDeliveriesDrain(app, nil), newCmdDeliveriesRetry(app, nil), newCmdDeliveriesShow(app, nil))
	return cmd
}

func deliveriesListRun(ctx context.Context, app *App, opts *deliveriesOptions) error {
	var ds []delivery.Delivery
	if err := app.withStore(func(s *store.Store) (err error) {
		ds, err = s.Deliveries(ctx, delivery.Status(opts.status), opts.limit)
		return err
	}); err != nil {
		return err
	}
	views := make([]deliveryView, len(ds))
	for i, d := range ds {
		views[i] = newDeliveryView(d)
	}
	if opts.json {
		return writeJSON(app.Out, views)
	}
	writeDeliveryList(app.Out, views)
	return nil
}

func shortTime(t time.Time) string { return t.UTC().Format("2006-01-02 15:04:05") }

type drainOptions struct {
	wait        time.Duration
	fallbackDir string
	workers     int
	rehearsal   rehearsalFlags
	resolve     resolveFlag
	json        bool
	progress    progressFlags
}

// newCmdDeliveriesDrain builds `deliveries drain`. runF, when not nil, gets
// the checked options instead of drainRun (tests).
func newCmdDeliveriesDrain(app *App, runF func(*drainOptions) error) *cobra.Command {
	opts := &drainOptions{}
	cmd := &cobra.Command{
		Use:   "drain [--wait 60s] [--workers 4]",
		Short: "Send every pending delivery, retrying for up to --wait (for cron or a systemd timer)",
		Long: `drain sends the pending deliveries of every target: exports left by an
earlier --wait, by a crash or Ctrl-C (once their claim has ended, at most two
attempt timeouts later), or by deliveries retry. Each is claimed atomically,
so several drains at once never send the same delivery. Deliveries whose
next attempt falls after --wait stay queued for the next drain.

Rehearsal exports (export --to) are drained only with --to, to the rehearsal
receiver; a plain drain blocks them rather than send them to the target.

On a terminal, one live line on stderr counts delivered, retrying, failed and
queued with the rate and ETA; --json-events streams the same as NDJSON.

Exit status as for export: 0 all delivered, 3 blocked, 5 signature rejected,
4 failed, 75 nothing failed but some are still queued (the next drain sends
them; the systemd units treat 75 as success).`,
		Example: `  # crontab: every 5 minutes
  */5 * * * * webhook-setup deliveries drain --wait 4m >>/var/log/webhook-setup-drain.log 2>&1`,
		Args: noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := delivery.CheckWorkers(opts.workers); err != nil {
				return err
			}
			if err := opts.progress.check(opts.json); err != nil {
				return err
			}
			if runF != nil {
				return runF(opts)
			}
			return drainRun(cmd.Context(), app, opts)
		},
	}
	fs := cmd.Flags()
	fs.DurationVar(&opts.wait, "wait", 60*time.Second, "how long to keep sending and retrying (env WEBHOOK_SETUP_WAIT)")
	fs.StringVar(&opts.fallbackDir, "fallback-dir", "", "where fallback bundles are written (env WEBHOOK_SETUP_FALLBACK_DIR)")
	registerWorkers(fs, &opts.workers)
	opts.rehearsal.register(fs)
	opts.resolve.register(fs)
	fs.BoolVar(&opts.json, "json", false, `print {"delivered","failed","blocked","pending","deliveries":[...]}`)
	opts.progress.register(fs)
	return cmd
}

func drainRun(ctx context.Context, app *App, opts *drainOptions) error {
	boundMemory(app)
	return app.withRun(&opts.rehearsal, &opts.resolve, opts.workers, func(s *store.Store, setup delivery.RunSetup) error {
		var prog *progress
		total, started := 0, false
		res, err := delivery.Drain(ctx, delivery.DrainOptions{
			Setup:   setup,
			Store:   s,
			Wait:    app.Settings.Duration("delivery.wait"),
			Counted: func(n int) { total, prog = n, newProgress(app, opts.progress, n) },
			Started: func() {
				started = true
				prog.start(struct {
					Total       int     `json:"total"`
					WaitSeconds float64 `json:"wait_seconds"`
				}{total, app.Settings.Duration("delivery.wait").Seconds()})
			},
			OnOutcome: func(d delivery.Delivery, o delivery.Outcome) { prog.observe(d, o) },
		})
		if err != nil {
			return err
		}
		if started {
			prog.finish()
		}
		if opts.progress.jsonEvents {
			return finishEvents(prog, res.Summary, setup.FallbackDir, res.Err)
		}
		return finishRun(app, res.Summary, setup.FallbackDir, opts.json, res.Err)
	})
}

type retryOptions struct {
	id          string
	maxAttempts int
	wait        time.Duration
	fallbackDir string
	rehearsal   rehearsalFlags
	resolve     resolveFlag
	json        bool
}

// newCmdDeliveriesRetry builds `deliveries retry ID`. runF, when not nil,
// gets the parsed options instead of retryRun (tests).
func newCmdDeliveriesRetry(app *App, runF func(*retryOptions) error) *cobra.Command {
	opts := &retryOptions{}
	cmd := &cobra.Command{
		Use:   "retry ID [--max-attempts 8] [--wait 60s]",
		Short: "Queue a failed or blocked delivery again, with a fresh attempt budget, and send it",
		Long: `retry makes a failed or blocked delivery pending again with --max-attempts
more attempts and sends it for up to --wait. The body and idempotency key are
the ones first queued, so a receiver that processed it already acknowledges
it without doing the work twice. Fix the cause first (see its bundle's
README.txt).`,
		Args: exactArgs(1, "a delivery ID"),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.id = args[0]
			if runF != nil {
				return runF(opts)
			}
			return retryRun(cmd.Context(), app, opts)
		},
	}
	fs := cmd.Flags()
	fs.IntVar(&opts.maxAttempts, "max-attempts", 8, "attempts allowed from now (env WEBHOOK_SETUP_MAX_ATTEMPTS)")
	fs.DurationVar(&opts.wait, "wait", 60*time.Second, "how long to keep retrying before leaving it queued (env WEBHOOK_SETUP_WAIT)")
	fs.StringVar(&opts.fallbackDir, "fallback-dir", "", "where fallback bundles are written (env WEBHOOK_SETUP_FALLBACK_DIR)")
	opts.rehearsal.register(fs)
	opts.resolve.register(fs)
	fs.BoolVar(&opts.json, "json", false, `print {"delivered","failed","blocked","pending","deliveries":[...]}`)
	return cmd
}

func retryRun(ctx context.Context, app *App, opts *retryOptions) error {
	return app.withRun(&opts.rehearsal, &opts.resolve, 1, func(_ *store.Store, setup delivery.RunSetup) error {
		res, err := delivery.Retry(ctx, delivery.RetryOptions{
			Setup: setup,
			ID:    opts.id, MaxAttempts: app.Settings.Int("delivery.max_attempts"), Wait: app.Settings.Duration("delivery.wait"),
		})
		if err != nil {
			return err
		}
		return finishRun(app, res.Summary, setup.FallbackDir, opts.json, res.Err)
	})
}

type deliveryShowOptions struct {
	id   string
	json bool
}

// newCmdDeliveriesShow builds `deliveries show ID`. runF, when not nil, gets
// the parsed options instead of deliveryShowRun (tests).
func newCmdDeliveriesShow(app *App, runF func(*deliveryShowOptions) error) *cobra.Command {
	opts := &deliveryShowOptions{}
	cmd := &cobra.Command{
		Use:   "show ID",
		Short: "Show one delivery and every attempt",
		Args:  exactArgs(1, "a delivery ID"),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.id = args[0]
			if runF != nil {
				return runF(opts)
			}
			return deliveryShowRun(cmd.Context(), app, opts)
		},
	}
	cmd.Flags().BoolVar(&opts.json, "json", false, "print the delivery with an attempt_list array")
	return cmd
}

func deliveryShowRun(ctx context.Context, app *App, opts *deliveryShowOptions) error {
	var d delivery.Delivery
	var atts []delivery.Attempt
	if err := app.withStore(func(s *store.Store) (err error) {
		if d, err = s.Delivery(ctx, opts.id); err != nil {
			return err
		}
		atts, err = s.Attempts(ctx, opts.id)
		return err
	}); err != nil {
		return err
	}
	if atts == nil {
		atts = []delivery.Attempt{}
	}
	if opts.json {
		return writeJSON(app.Out, struct {
			deliveryView
			AttemptList []delivery.Attempt `json:"attempt_list"`
		}{newDeliveryView(d), atts})
	}
	v := newDeliveryView(d)
	field(app.Out, "id", v.ID)
	field(app.Out, "target", v.Target)
	field(app.Out, "idempotency key", v.IdempotencyKey)
	field(app.Out, "status", v.Status)
	field(app.Out, "attempts", fmt.Sprintf("%d of %d", v.Attempts, v.MaxAttempts))
	if v.LastCode != "" {
		field(app.Out, "last code", v.LastCode)
		field(app.Out, "last reason", v.LastReason)
	}
	if v.NextAttemptAt != nil {
		field(app.Out, "next attempt", shortTime(*v.NextAttemptAt))
	}
	if v.FallbackPath != "" {
		field(app.Out, "fallback bundle", v.FallbackPath)
	}
	writeAttemptList(app.Out, atts)
	return nil
}
