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
	name   string
	secret secretFlags
	grace  time.Duration
	json   bool
	// edge rotates the edge authentication value instead of the secret.
	edge      bool
	edgeFlags edgeFlags
	verify    verifyFlags // rotate_verify.go
}

// NewCmdRotateSecret builds `rotate-secret NAME`: a new signing secret, with
// the previous one still valid (and still signing) until the grace ends.
// runF, when not nil, gets the checked options instead of rotateRun (tests).
func NewCmdRotateSecret(app *App, runF func(*rotateOptions) error) *cobra.Command {
	opts := &rotateOptions{}
	cmd := &cobra.Command{
		Use:   "rotate-secret NAME (--secret-file F | --secret-env VAR | --generate-secret | --verify-only) [--grace 24h] [--verify [--retire-old]] | --edge (--edge-value-file F | --edge-value-env VAR) [--edge-header NAME]",
		Short: "Replace a target's signing secret, keeping the old one valid for a grace period",
		Args:  exactArgs(1, "a target NAME"),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.name = args[0]
			if err := opts.validate(); err != nil {
				return err
			}
			if runF != nil {
				return runF(opts)
			}
			return rotateRun(cmd.Context(), app, opts)
		},
	}
	fs := cmd.Flags()
	opts.secret.register(fs, "generate-secret")
	deprecatedBool(fs, &opts.secret.generate, "generate", "use --generate-secret")
	fs.DurationVar(&opts.grace, "grace", 24*time.Hour, "how long the previous secret stays valid and keeps signing (0 ends it now)")
	fs.BoolVar(&opts.json, "json", false, "print the target as JSON")
	fs.BoolVar(&opts.edge, "edge", false, "rotate the edge authentication value instead (no grace: the platform accepts one value)")
	opts.edgeFlags.register(fs)
	opts.verify.register(fs)
	return cmd
}

// validate refuses flag combinations that cannot mean anything, before
// anything is read from the store or sent. verify.check also loads
// --ca-file and turns --verify-only into a verification.
func (opts *rotateOptions) validate() error {
	if opts.edge {
		if opts.secret.given() {
			return codes.Errorf(codes.Usage, "--edge rotates the edge authentication value only; rotate the signing secret in a separate command")
		}
		if opts.verify.verify || opts.verify.only || opts.verify.retireOld {
			return codes.Errorf(codes.Usage, "--verify, --verify-only and --retire-old go with the signing secret, not --edge").
				WithFix("Rotate the edge value on its own; a test-send shows whether the platform accepts it.")
		}
		return nil
	}
	if opts.edgeFlags.given() {
		return codes.Errorf(codes.Usage, "--edge-header, --edge-value-file and --edge-value-env go with --edge")
	}
	if err := opts.verify.check(opts.secret.given()); err != nil {
		return err
	}
	if opts.verify.only {
		return nil
	}
	if opts.grace < 0 || opts.grace > 30*24*time.Hour {
		return codes.Errorf(codes.Usage, "--grace %s is outside 0..720h", opts.grace)
	}
	if !opts.secret.given() {
		return codes.Errorf(codes.SecretMissing, "no new signing secret was given").
			WithFix("Give the new secret with --secret-file, --secret-env or --generate-secret.")
	}
	return nil
}

// rotateRun rotates what opts name (checked by validate).
func rotateRun(ctx context.Context, app *App, opts *rotateOptions) error {
	name := opts.name
	if opts.edge {
		return rotateEdge(ctx, app, name, &opts.edgeFlags, opts.json)
	}
	if opts.verify.only {
		return verifyRotationRun(ctx, app, name, opts)
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
