package ui

import (
	"context"
	"fmt"
	"strings"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/webriskops/webhook-setup/core"
	"github.com/webriskops/webhook-setup/core/codes"
	"github.com/webriskops/webhook-setup/store"
)

// A target's resolve override (core.Target.Resolve) from the command line:
// `add --resolve-as ADDR` saves one with a new target, `resolve-as NAME
// ADDR...` replaces a saved target's, `resolve-as NAME --clear` removes it.
// It differs from the per-run --resolve HOST:PORT:ADDR (netflags.go), which
// is kept nowhere.

// registerResolveAs adds add's --resolve-as flag.
func registerResolveAs(fs *pflag.FlagSet, into *[]string) {
	fs.StringArrayVar(into, "resolve-as", nil, "save these addresses (commas or spaces between them; repeatable) as the target's resolve override: its URL's host and port resolve to them instead of DNS, at every check and send")
}

// parseResolveAs reads --resolve-as values as the wizard's ctrl+r field
// reads its text: addresses separated by commas or spaces.
func parseResolveAs(values []string) ([]string, []codes.Problem) {
	addrs, p := core.ParseResolve(strings.Join(values, ","))
	if p != nil {
		return nil, []codes.Problem{*p}
	}
	return addrs, nil
}

type resolveAsOptions struct {
	name  string
	addrs []string
	clear bool
	json  bool
}

// NewCmdResolveAs builds `resolve-as NAME (ADDR... | --clear)`: set or
// remove a saved target's resolve override. New addresses are judged as
// DNS answers are (core.CheckEndpoint) before anything is written; runF,
// when not nil, gets the parsed options instead of resolveAsRun (tests).
func NewCmdResolveAs(app *App, runF func(*resolveAsOptions) error) *cobra.Command {
	opts := &resolveAsOptions{}
	cmd := &cobra.Command{
		Use:   "resolve-as NAME (ADDR... | --clear)",
		Short: "Save or remove the addresses a target's host resolves to instead of DNS",
		Example: `  webhook-setup resolve-as zapier-tickets 3.33.152.147 13.248.150.30
  webhook-setup resolve-as zapier-tickets --clear`,
		Args: func(cmd *cobra.Command, args []string) error {
			if len(args) == 0 {
				return codes.Errorf(codes.Usage, "resolve-as needs a target NAME").
					WithFix("Run webhook-setup resolve-as NAME ADDR... or webhook-setup resolve-as NAME --clear.")
			}
			return nil
		},
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.name, opts.addrs = args[0], args[1:]
			switch {
			case opts.clear && len(opts.addrs) > 0:
				return codes.Errorf(codes.Usage, "--clear removes the override; it takes no addresses").
					WithFix("Give addresses to replace the override, or --clear alone to remove it.")
			case !opts.clear && len(opts.addrs) == 0:
				return codes.Errorf(codes.Usage, "resolve-as needs addresses or --clear").
					WithFix("Run webhook-setup resolve-as NAME ADDR... to set the override, or --clear to remove it (webhook-setup show NAME shows it).")
			}
			if runF != nil {
				return runF(opts)
			}
			return resolveAsRun(cmd.Context(), app, opts)
		},
	}
	cmd.Flags().BoolVar(&opts.clear, "clear", false, "remove the override: the host resolves through DNS again")
	cmd.Flags().BoolVar(&opts.json, "json", false, "print the saved target as JSON")
	return cmd
}

func resolveAsRun(ctx context.Context, app *App, opts *resolveAsOptions) error {
	addrs, ps := parseResolveAs(opts.addrs)
	if len(ps) > 0 {
		return codes.ProblemsError(ps)
	}
	return app.withStore(func(s *store.Store) error {
		t, err := s.Target(ctx, opts.name)
		if err != nil {
			return err
		}
		t.Resolve = addrs
		if len(addrs) > 0 {
			// Judged before the save, as DNS answers would be; removing an
			// override needs no check (the next send judges DNS's answer).
			if p := core.VerdictProblem(core.CheckEndpoint(ctx, t, app.Resolver)); p != nil {
				return codes.ProblemsError([]codes.Problem{*p})
			}
		}
		saved, err := s.SetResolve(ctx, opts.name, addrs, store.Actor())
		if err != nil {
			return err
		}
		if opts.json {
			return writeJSON(app.Out, app.targetView(saved, false))
		}
		if line := core.ResolveLine(saved); line != "" {
			fmt.Fprintf(app.Out, "Saved: %s resolves as %s\n", saved.Name, line)
		} else {
			fmt.Fprintf(app.Out, "Removed the resolve override of %s: its host resolves through DNS.\n", saved.Name)
		}
		return nil
	})
}
