package ui

import (
	"context"

	"github.com/spf13/cobra"

	"github.com/webriskops/webhook-setup/core"
	"github.com/webriskops/webhook-setup/store"
)

type showOptions struct {
	name                string
	json, reveal, whsec bool
}

// NewCmdShow builds `show NAME`: everything about one target, URL redacted
// unless --reveal-url. runF, when not nil, gets the parsed options instead
// of showRun (tests).
func NewCmdShow(app *App, runF func(*showOptions) error) *cobra.Command {
	opts := &showOptions{}
	cmd := &cobra.Command{
		Use:   "show NAME",
		Short: "Show one target: endpoint, signing summary, readiness",
		Args:  exactArgs(1, "a target NAME"),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.name = args[0]
			if runF != nil {
				return runF(opts)
			}
			if opts.whsec {
				return showWhsec(cmd.Context(), app, opts.name, opts.json)
			}
			return showRun(cmd.Context(), app, opts)
		},
	}
	cmd.Flags().BoolVar(&opts.json, "json", false, "print the target as JSON")
	cmd.Flags().BoolVar(&opts.reveal, "reveal-url", false, "show the full webhook URL (it is a bearer credential)")
	cmd.Flags().BoolVar(&opts.whsec, "whsec", false, "print only the current signing secret in the Standard Webhooks form (whsec_…), for receivers that use a Standard Webhooks library; it is the secret itself")
	return cmd
}

func showRun(ctx context.Context, app *App, opts *showOptions) error {
	var t core.Target
	var verified store.SecretVerification
	var isVerified bool
	if err := app.withStore(func(s *store.Store) (err error) {
		if t, err = s.Target(ctx, opts.name); err != nil {
			return err
		}
		verified, isVerified, err = s.SecretVerificationOf(ctx, t.ID)
		return err
	}); err != nil {
		return err
	}
	v := app.targetView(t, opts.reveal)
	if isVerified {
		v.SecretVerified = &verified
	}
	if opts.json {
		return writeJSON(app.Out, v)
	}
	writeTargetText(app.Out, v, t)
	return nil
}
