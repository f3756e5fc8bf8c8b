package ui

import (
	"context"
	"fmt"

	"github.com/spf13/cobra"

	"github.com/webriskops/webhook-setup/core/codes"
	"github.com/webriskops/webhook-setup/core/sanitize"
	"github.com/webriskops/webhook-setup/store"
)

type auditOptions struct {
	json  bool
	limit int
}

// NewCmdAudit builds `audit`: who changed what, newest first. runF, when not
// nil, gets the parsed options instead of auditRun (tests).
func NewCmdAudit(app *App, runF func(*auditOptions) error) *cobra.Command {
	opts := &auditOptions{}
	cmd := &cobra.Command{
		Use:   "audit",
		Short: "Show the audit log of changes",
		Args:  noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if runF != nil {
				return runF(opts)
			}
			return auditRun(cmd.Context(), app, opts)
		},
	}
	cmd.Flags().BoolVar(&opts.json, "json", false, "print a JSON array of {at, actor, action, target, detail}")
	cmd.Flags().IntVar(&opts.limit, "limit", 200, "show at most this many events (0 for all)")
	cmd.AddCommand(newCmdAuditVerify(app, nil), newCmdAuditHead(app, nil))
	return cmd
}

func auditRun(ctx context.Context, app *App, opts *auditOptions) error {
	var events []store.AuditEvent
	if err := app.withStore(func(s *store.Store) (err error) {
		events, err = s.Audit(ctx, opts.limit)
		return err
	}); err != nil {
		return err
	}
	if opts.json {
		if events == nil {
			events = []store.AuditEvent{}
		}
		return writeJSON(app.Out, events)
	}
	// The actor and the detail go on their own indented lines: the actor
	// (login, uid, $USER label, client address) and the detail would not fit
	// an 80-column table row.
	for _, e := range events {
		fmt.Fprintf(app.Out, "%s  %s  %s\n%s\n%s\n", e.At.UTC().Format("2006-01-02 15:04:05Z"),
			sanitize.Line(e.Action), sanitize.Line(e.Target),
			wrapped("    by ", sanitize.Line(e.Actor), 7), wrapped("    ", sanitize.Line(e.Detail), 4))
	}
	return nil
}

type codesOptions struct {
	json bool
}

// NewCmdCodes builds `codes`: the catalog of every code, its meaning and fix.
// runF, when not nil, gets the parsed options instead of codesRun (tests).
func NewCmdCodes(app *App, runF func(*codesOptions) error) *cobra.Command {
	opts := &codesOptions{}
	cmd := &cobra.Command{
		Use:   "codes",
		Short: "List every refusal code with its meaning, fix and exit code",
		Args:  noArgs,
		RunE: func(*cobra.Command, []string) error {
			if runF != nil {
				return runF(opts)
			}
			return codesRun(app, opts)
		},
	}
	cmd.Flags().BoolVar(&opts.json, "json", false, "print the catalog as JSON")
	return cmd
}

func codesRun(app *App, opts *codesOptions) error {
	if opts.json {
		return writeJSON(app.Out, codes.Codes())
	}
	for _, c := range codes.Codes() {
		fmt.Fprintf(app.Out, "%s (exit %d)\n%s\n%s\n", c.Code, c.Exit, wrapped("  ", c.Meaning, 2), wrapped("  fix: ", c.Fix, 7))
	}
	return nil
}
