package ui

import (
	"context"

	"github.com/spf13/cobra"

	"github.com/webriskops/webhook-setup/core"
	"github.com/webriskops/webhook-setup/store"
)

// NewCmdShow builds `show NAME`: everything about one target, URL redacted
// unless --reveal-url.
func NewCmdShow(app *App) *cobra.Command {
	var jsonOut, reveal, whsec bool
	cmd := &cobra.Command{
		Use:   "show NAME",
		Short: "Show one target: endpoint, signing summary, readiness",
		Args:  exactArgs(1, "a target NAME"),
		RunE: func(cmd *cobra.Command, args []string) error {
			if whsec {
				return showWhsec(cmd.Context(), app, args[0], jsonOut)
			}
			return showRun(cmd.Context(), app, args[0], jsonOut, reveal)
		},
	}
	cmd.Flags().BoolVar(&jsonOut, "json", false, "print the target as JSON")
	cmd.Flags().BoolVar(&reveal, "reveal-url", false, "show the full webhook URL (it is a bearer credential)")
	cmd.Flags().BoolVar(&whsec, "whsec", false, "print only the current signing secret in the Standard Webhooks form (whsec_…), for receivers that use a Standard Webhooks library; it is the secret itself")
	return cmd
}

func showRun(ctx context.Context, app *App, name string, jsonOut, reveal bool) error {
	var t core.Target
	var verified store.SecretVerification
	var isVerified bool
	if err := app.withStore(func(s *store.Store) (err error) {
		if t, err = s.Target(ctx, name); err != nil {
			return err
		}
		verified, isVerified, err = s.SecretVerificationOf(ctx, t.ID)
		return err
	}); err != nil {
		return err
	}
	v := app.targetView(t, reveal)
	if isVerified {
		v.SecretVerified = &verified
	}
	if jsonOut {
		return writeJSON(app.Out, v)
	}
	writeTargetText(app.Out, v, t)
	return nil
}
