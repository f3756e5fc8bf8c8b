package ui

import (
	"context"
	"fmt"
	"regexp"

	"github.com/spf13/cobra"

	"github.com/webriskops/webhook-setup/core/codes"
	"github.com/webriskops/webhook-setup/core/sanitize"
	"github.com/webriskops/webhook-setup/store"
)

// headPattern is an audit head as `audit head` prints it.
var headPattern = regexp.MustCompile(`^[0-9a-f]{64}$`)

type auditVerifyOptions struct {
	since string
	json  bool
}

// newCmdAuditVerify builds `audit verify [--since-head HASH]`: checks the
// hash chain of the audit log (store/auditchain.go). runF, when not nil,
// gets the checked options instead of auditVerifyRun (tests).
func newCmdAuditVerify(app *App, runF func(*auditVerifyOptions) error) *cobra.Command {
	opts := &auditVerifyOptions{}
	cmd := &cobra.Command{
		Use:   "verify [--since-head HASH]",
		Short: "Check that no audit event was edited, deleted or reordered (exit 5 names the first broken link)",
		Args:  noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if opts.since != "" && !headPattern.MatchString(opts.since) {
				return codes.Errorf(codes.Usage, "--since-head %q is not an audit head", sanitize.Line(opts.since)).
					WithFix("Give the 64 lowercase hex characters that webhook-setup audit head printed.")
			}
			if runF != nil {
				return runF(opts)
			}
			return auditVerifyRun(cmd.Context(), app, opts)
		},
	}
	cmd.Flags().StringVar(&opts.since, "since-head", "", "a head recorded earlier (audit head): prove that nothing up to it changed")
	cmd.Flags().BoolVar(&opts.json, "json", false, "print {events, head, broken, since_head, head_found}")
	return cmd
}

func auditVerifyRun(ctx context.Context, app *App, opts *auditVerifyOptions) error {
	since, jsonOut := opts.since, opts.json
	var c store.AuditCheck
	if err := app.withStore(func(s *store.Store) (err error) {
		c, err = s.VerifyAudit(ctx, since)
		return err
	}); err != nil {
		return err
	}
	if jsonOut {
		if err := writeJSON(app.Out, c); err != nil {
			return err
		}
		if !c.OK() {
			return &silentError{code: codes.AuditTampered}
		}
		return nil
	}
	if b := c.Broken; b != nil {
		what := ""
		if !b.At.IsZero() { // zero when the event itself is gone
			what = fmt.Sprintf(" (%s %s %s)", b.At.UTC().Format("2006-01-02 15:04:05Z"), sanitize.Line(b.Action), sanitize.Line(b.Target))
		}
		return codes.Errorf(codes.AuditTampered, "the audit log is broken at event %d%s: %s", b.ID, what, b.Reason)
	}
	if since != "" && !c.HeadFound {
		return codes.Errorf(codes.AuditTampered, "the chain holds, but no event has the head %s: the events up to it were rewritten, or the head belongs to another store", since)
	}
	fmt.Fprintf(app.Out, "The audit log verifies: %d events, head %s.\n", c.Events, headOrNone(c.Head))
	if since != "" {
		fmt.Fprintf(app.Out, "The recorded head %s is in the chain: no event up to it changed.\n", since)
	}
	return nil
}

type auditHeadOptions struct {
	json bool
}

// newCmdAuditHead builds `audit head`: the hash of the latest event, to
// record outside this machine (a ticket, a log server). runF, when not nil,
// gets the parsed options instead of auditHeadRun (tests).
func newCmdAuditHead(app *App, runF func(*auditHeadOptions) error) *cobra.Command {
	opts := &auditHeadOptions{}
	cmd := &cobra.Command{
		Use:   "head",
		Short: "Print the hash of the latest audit event, to record elsewhere",
		Args:  noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if runF != nil {
				return runF(opts)
			}
			return auditHeadRun(cmd.Context(), app, opts)
		},
	}
	cmd.Flags().BoolVar(&opts.json, "json", false, `print {"head", "event"} (the id of the latest event)`)
	return cmd
}

func auditHeadRun(ctx context.Context, app *App, opts *auditHeadOptions) error {
	var head string
	var id int64
	if err := app.withStore(func(s *store.Store) (err error) {
		head, id, err = s.AuditHead(ctx)
		return err
	}); err != nil {
		return err
	}
	if opts.json {
		return writeJSON(app.Out, map[string]any{"head": head, "event": id})
	}
	if head == "" {
		fmt.Fprintln(app.Out, "The audit log is empty: there is no head yet.")
		return nil
	}
	fmt.Fprintln(app.Out, head)
	return nil
}

func headOrNone(h string) string {
	if h == "" {
		return "none (empty log)"
	}
	return h
}
