package ui

import (
	"bufio"
	"context"
	"fmt"
	"strings"

	"github.com/spf13/cobra"

	"github.com/webriskops/webhook-setup/core"
	"github.com/webriskops/webhook-setup/core/codes"
	"github.com/webriskops/webhook-setup/core/sanitize"
	"github.com/webriskops/webhook-setup/store"
)

type disconnectOptions struct {
	name      string
	yes, json bool
}

// NewCmdDisconnect builds `disconnect NAME`: show the revoke path checklist,
// confirm, then remove the target and its credentials in one transaction.
// runF, when not nil, gets the parsed options instead of disconnectRun.
func NewCmdDisconnect(app *App, runF func(*disconnectOptions) error) *cobra.Command {
	opts := &disconnectOptions{}
	cmd := &cobra.Command{
		Use:   "disconnect NAME [--yes]",
		Short: "Remove a target and its credentials after the revoke path checklist",
		Args:  exactArgs(1, "a target NAME"),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.name = args[0]
			if runF != nil {
				return runF(opts)
			}
			return disconnectRun(cmd.Context(), app, opts)
		},
	}
	cmd.Flags().BoolVar(&opts.yes, "yes", false, "confirm without asking (needed when not on a terminal)")
	cmd.Flags().BoolVar(&opts.json, "json", false, "print the result as JSON")
	return cmd
}

func disconnectRun(ctx context.Context, app *App, opts *disconnectOptions) error {
	name, yes, jsonOut := opts.name, opts.yes, opts.json
	return app.withStore(func(s *store.Store) error {
		t, err := s.Target(ctx, name)
		if err != nil {
			return err
		}
		out := app.Out
		if jsonOut {
			out = app.Err
		}
		fmt.Fprintf(out, "Revoke path for %s (owner: %s):\n", t.Name, sanitize.Line(t.ReceiverOwner))
		for i, step := range core.RevokeChecklist(t) {
			fmt.Fprintln(out, wrapped(fmt.Sprintf("  %d. ", i+1), sanitize.Line(step), 5))
		}
		if !yes {
			if !app.CanPrompt() {
				return codes.Errorf(codes.Usage, "disconnect needs --yes when not on a terminal").
					WithFix("Work through the revoke path above, then run again with --yes.")
			}
			fmt.Fprintf(app.Out, "Type the target name to disconnect it: ")
			line, _ := bufio.NewReader(app.In).ReadString('\n')
			if strings.TrimSpace(line) != t.Name {
				return codes.Errorf(codes.Interrupted, "not confirmed; nothing was changed").
					WithFix("To disconnect, type the target name exactly as shown, or pass --yes once the revoke path is done.")
			}
		}
		if err := s.DeleteTarget(ctx, name, store.Actor()); err != nil {
			return err
		}
		if jsonOut {
			return writeJSON(app.Out, map[string]any{"name": t.Name, "disconnected": true})
		}
		fmt.Fprintf(app.Out, "Disconnected %s: the target and its credentials are removed.\n", t.Name)
		return nil
	})
}
