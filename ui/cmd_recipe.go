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

type recipeOptions struct {
	provider  string
	target    string
	tolerance time.Duration
	list      bool
	json      bool
}

// NewCmdRecipe builds `recipe`: receiver verification code for a platform.
// runF, when not nil, gets the checked options instead of recipeRun (tests).
func NewCmdRecipe(app *App, runF func(*recipeOptions) error) *cobra.Command {
	opts := &recipeOptions{}
	cmd := &cobra.Command{
		Use:   "recipe [TARGET] [--provider " + strings.Join(recipes.Names, "|") + "] [--list [--json]]",
		Short: "Print receiver verification code for Zapier, Make, n8n, Node.js, Python or Go",
		Long: `recipe prints code (or step-by-step setup and a blueprint, for Make) that
makes a receiver verify WebRiskOps deliveries as docs/signing.md says;
docs/recipes.md says what each platform can check and what the sender sees.
Given a TARGET it names the target, its endpoint host and its secret's
fingerprint in comments, and --provider defaults to the target's platform.
The secret itself is never printed: every recipe reads it from the
receiver's own store (` + recipes.SecretEnv + `, a Storage by Zapier or
Make data store record, or the constant you paste into the n8n Code node).`,
		Example: `  webhook-setup recipe zapier-tickets
  webhook-setup recipe --provider python > receiver.py
  webhook-setup recipe --list --json`,
	}
	takesTarget(cmd, &opts.target, func(cmd *cobra.Command) error {
		if opts.json && !opts.list {
			return codes.Errorf(codes.Usage, "--json goes with --list; a recipe itself is code, printed as is")
		}
		if runF != nil {
			return runF(opts)
		}
		return recipeRun(cmd.Context(), app, opts)
	})
	fs := cmd.Flags()
	fs.StringVar(&opts.provider, "provider", "", "the receiver: "+strings.Join(recipes.Names, ", "))
	fs.DurationVar(&opts.tolerance, "tolerance", signing.DefaultTolerance, "the timestamp tolerance the recipe checks, in whole seconds")
	fs.BoolVar(&opts.list, "list", false, "list the recipes")
	fs.BoolVar(&opts.json, "json", false, `with --list: print an array of {"provider","description"}`)
	return cmd
}

func recipeRun(ctx context.Context, app *App, opts *recipeOptions) error {
	if opts.list && opts.json {
		type recipeEntry struct {
			Provider    string `json:"provider"`
			Description string `json:"description"`
		}
		list := make([]recipeEntry, len(recipes.Names))
		for i, p := range recipes.Names {
			list[i] = recipeEntry{p, recipes.Describe(p)}
		}
		return writeJSON(app.Out, list)
	}
	if opts.list {
		for _, p := range recipes.Names {
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
		return codes.Errorf(codes.Usage, "recipe needs --provider (%s) or a saved TARGET", strings.Join(recipes.Names, ", "))
	}
	if recipes.Describe(provider) == "" {
		return codes.Errorf(codes.Usage, "--provider %q is not one of %s", provider, strings.Join(recipes.Names, ", "))
	}
	out, err := recipes.Render(provider, data)
	if err != nil {
		return codes.Errorf(codes.Usage, "%v", err)
	}
	_, err = fmt.Fprint(app.Out, out)
	return err
}
