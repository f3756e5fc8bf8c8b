package ui

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/webriskops/webhook-setup/core/codes"
	"github.com/webriskops/webhook-setup/core/recipes"
	"github.com/webriskops/webhook-setup/core/signing"
	"github.com/webriskops/webhook-setup/store"
)

func init() { extraCommands = append(extraCommands, NewCmdRecipe) }

type recipeOptions struct {
	provider  string
	target    string
	tolerance time.Duration
	list      bool
}

// NewCmdRecipe builds `recipe`: receiver verification code for a platform.
func NewCmdRecipe(app *App) *cobra.Command {
	opts := &recipeOptions{}
	cmd := &cobra.Command{
		Use:   "recipe --provider " + strings.Join(recipes.Providers, "|") + " [--target NAME]",
		Short: "Print receiver verification code for Zapier, Make, n8n, Node.js, Python or Go",
		Long: `recipe prints code (or step-by-step setup and a blueprint, for Make) that
makes a receiver verify WebRiskOps deliveries as docs/signing.md says;
docs/recipes.md says what each platform can check and what the sender sees.
With --target it names the target, its endpoint host and its secret's
fingerprint in comments, and --provider defaults to the target's platform.
The secret itself is never printed: every recipe reads it from the
receiver's own store (` + recipes.SecretEnv + `, a Storage by Zapier or
Make data store record, or the constant you paste into the n8n Code node).`,
		Example: `  webhook-setup recipe --target zapier-tickets
  webhook-setup recipe --provider python > receiver.py
  webhook-setup recipe --list`,
		Args: noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return recipeRun(cmd.Context(), app, opts)
		},
	}
	fs := cmd.Flags()
	fs.StringVar(&opts.provider, "provider", "", "the receiver: "+strings.Join(recipes.Providers, ", "))
	fs.StringVar(&opts.target, "target", "", "fill in this saved target's name, host and secret fingerprint (never the secret)")
	fs.DurationVar(&opts.tolerance, "tolerance", signing.DefaultTolerance, "the timestamp tolerance the recipe checks, in whole seconds")
	fs.BoolVar(&opts.list, "list", false, "list the recipes")
	return cmd
}

func recipeRun(ctx context.Context, app *App, opts *recipeOptions) error {
	if opts.list {
		for _, p := range recipes.Providers {
			fmt.Fprintf(app.Out, "%-8s %s\n", p, recipes.Describe(p))
		}
		return nil
	}
	data := recipes.Data{Tolerance: opts.tolerance}
	provider := opts.provider
	if opts.target != "" {
		err := app.withStore(func(s *store.Store) error {
			t, err := s.Target(ctx, opts.target)
			if err != nil {
				return err
			}
			data.Target, data.Host = t.Name, endpointHost(t.BaseURL)
			if t.Signing != nil {
				data.Fingerprint = t.Signing.Fingerprint
			}
			if provider == "" {
				provider = recipes.ForProviderKey(string(t.ProviderKey))
			}
			return nil
		})
		if err != nil {
			return err
		}
	}
	if provider == "" {
		return codes.Errorf(codes.Usage, "recipe needs --provider (%s) or --target NAME", strings.Join(recipes.Providers, ", "))
	}
	if recipes.Describe(provider) == "" {
		return codes.Errorf(codes.Usage, "--provider %q is not one of %s", provider, strings.Join(recipes.Providers, ", "))
	}
	out, err := recipes.Render(provider, data)
	if err != nil {
		return codes.Errorf(codes.Usage, "%v", err)
	}
	_, err = fmt.Fprint(app.Out, out)
	return err
}
