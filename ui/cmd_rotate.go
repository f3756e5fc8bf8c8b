package ui

import (
	"context"
	"fmt"
	"time"

	"github.com/spf13/cobra"

	"github.com/webriskops/webhook-setup/core"
	"github.com/webriskops/webhook-setup/core/codes"
	"github.com/webriskops/webhook-setup/store"
)

type rotateOptions struct {
	secret secretFlags
	grace  time.Duration
	json   bool
	verify verifyFlags // rotate_verify.go
}

// NewCmdRotateSecret builds `rotate-secret NAME`: a new signing secret, with
// the previous one still valid (and still signing) until the grace ends.
func NewCmdRotateSecret(app *App) *cobra.Command {
	opts := &rotateOptions{}
	cmd := &cobra.Command{
		Use:   "rotate-secret NAME (--secret-file F | --secret-env VAR | --generate | --verify-only) [--grace 24h] [--verify [--retire-old]]",
		Short: "Replace a target's signing secret, keeping the old one valid for a grace period",
		Args:  exactArgs(1, "a target NAME"),
		RunE: func(cmd *cobra.Command, args []string) error {
			return rotateRun(cmd.Context(), app, args[0], opts)
		},
	}
	fs := cmd.Flags()
	opts.secret.register(fs, "generate")
	fs.DurationVar(&opts.grace, "grace", 24*time.Hour, "how long the previous secret stays valid and keeps signing (0 ends it now)")
	fs.BoolVar(&opts.json, "json", false, "print the target as JSON")
	opts.verify.register(fs)
	return cmd
}

func rotateRun(ctx context.Context, app *App, name string, opts *rotateOptions) error {
	if err := opts.verify.check(opts.secret.given()); err != nil {
		return err
	}
	if opts.verify.only {
		return verifyRotationRun(ctx, app, name, opts)
	}
	if opts.grace < 0 || opts.grace > 30*24*time.Hour {
		return codes.Errorf(codes.Usage, "--grace %s is outside 0..720h", opts.grace)
	}
	if !opts.secret.given() {
		return codes.Errorf(codes.SecretMissing, "no new signing secret was given").
			WithFix("Give the new secret with --secret-file, --secret-env or --generate.")
	}
	if err := opts.secret.checkSecretOut(); err != nil {
		return err
	}
	secret, generated, err := opts.secret.read(app)
	if err != nil {
		return err
	}
	var t core.Target
	var shown string
	err = app.withStore(func(s *store.Store) error {
		// Fail on a missing target before a generated secret is handed out.
		if _, err := s.Target(ctx, name); err != nil {
			return err
		}
		shown, err = opts.secret.handOut(app, secret, generated, opts.json, func() (err error) {
			t, err = s.RotateSecret(ctx, name, secret, opts.grace, store.Actor())
			return err
		})
		return err
	})
	if err != nil {
		return err
	}
	v := app.targetView(t, false)
	v.GeneratedSecret = shown
	if !opts.json {
		fmt.Fprintf(app.Out, "Rotated the signing secret of %s: now %s.\n", t.Name, core.SigningSummary(t.Signing))
		if opts.grace > 0 {
			fmt.Fprintf(app.Out, "The previous secret stays valid and keeps signing until %s.\n",
				app.Now().Add(opts.grace).UTC().Format(time.RFC3339))
		}
	}
	if opts.verify.verify {
		return app.verifyRotation(ctx, t, v, opts)
	}
	if opts.json {
		return writeJSON(app.Out, v)
	}
	return nil
}
