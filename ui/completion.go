package ui

import (
	"context"
	"os"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/webriskops/webhook-setup/core"
	"github.com/webriskops/webhook-setup/core/delivery"
	"github.com/webriskops/webhook-setup/core/recipes"
	"github.com/webriskops/webhook-setup/store"
)

// Dynamic shell completion: target names, provider keys, modes, statuses
// and delivery ids, read when the shell asks (cobra's __complete). It
// never creates a database or a key: with no database there is nothing to
// complete.

// completeTimeout bounds a completion's store read: a shell waits for it.
const completeTimeout = 2 * time.Second

// targetCommands take a saved target as their first argument.
var targetCommands = []string{"show", "resolve-as", "export", "test-send", "rotate-secret", "disconnect", "recipe", "verify", "receive"}

// addCompletions wires the completion functions into the command tree.
func addCompletions(root *cobra.Command, app *App) {
	for _, cmd := range root.Commands() {
		for _, name := range targetCommands {
			if cmd.Name() == name {
				cmd.ValidArgsFunction = app.completeTargets
			}
		}
		switch cmd.Name() {
		case "add":
			fixedCompletion(cmd, "provider", providerKeys()...)
			fixedCompletion(cmd, "mode", modeNames()...)
			fixedCompletion(cmd, "private-network-policy", "deny", "allowlist")
		case "recipe":
			fixedCompletion(cmd, "provider", recipes.Names...)
		case "deliveries":
			fixedCompletion(cmd, "status", statuses()...)
			for _, sub := range cmd.Commands() {
				switch sub.Name() {
				case "retry":
					sub.ValidArgsFunction = app.completeDeliveries(delivery.StatusFailed, delivery.StatusBlocked)
				case "show":
					sub.ValidArgsFunction = app.completeDeliveries()
				}
			}
		}
	}
}

// fixedCompletion completes flag with values, when the command has it.
func fixedCompletion(cmd *cobra.Command, flag string, values ...string) {
	if cmd.Flags().Lookup(flag) == nil {
		return
	}
	_ = cmd.RegisterFlagCompletionFunc(flag, cobra.FixedCompletions(values, cobra.ShellCompDirectiveNoFileComp))
}

func providerKeys() []string {
	out := make([]string, len(core.Providers))
	for i, p := range core.Providers {
		out[i] = string(p.Key) + "\t" + p.Description
	}
	return out
}

func modeNames() []string {
	out := make([]string, len(core.Modes))
	for i, m := range core.Modes {
		out[i] = string(m.Mode) + "\t" + m.Description
	}
	return out
}

func statuses() []string {
	return []string{string(delivery.StatusPending), string(delivery.StatusDelivered), string(delivery.StatusFailed), string(delivery.StatusBlocked)}
}

// completionStore runs fn on the store when its database exists already.
// The settings are resolved again from cmd, the command being completed:
// cobra has parsed its flags (--db, --config) by now, while the settings
// of the __complete command itself saw none.
func (a *App) completionStore(cmd *cobra.Command, fn func(context.Context, *store.Store) error) {
	if a.prepare(cmd) != nil {
		return
	}
	if _, err := os.Stat(a.Settings.DBPath()); err != nil {
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), completeTimeout)
	defer cancel()
	_ = a.withStore(func(s *store.Store) error { return fn(ctx, s) })
}

// completeTargets completes the first argument with saved target names.
func (a *App) completeTargets(cmd *cobra.Command, args []string, toComplete string) ([]string, cobra.ShellCompDirective) {
	if len(args) > 0 {
		return nil, cobra.ShellCompDirectiveNoFileComp
	}
	var names []string
	a.completionStore(cmd, func(ctx context.Context, s *store.Store) error {
		ts, err := s.Targets(ctx, 0, 0)
		for _, t := range ts {
			if strings.HasPrefix(t.Name, toComplete) {
				names = append(names, t.Name+"\t"+string(t.ProviderKey)+" "+string(t.DeploymentMode))
			}
		}
		return err
	})
	return names, cobra.ShellCompDirectiveNoFileComp
}

// completeDeliveries completes a delivery id, newest first, in one of
// statuses (any status when none is given).
func (a *App) completeDeliveries(statuses ...delivery.Status) cobra.CompletionFunc {
	return func(cmd *cobra.Command, args []string, toComplete string) ([]string, cobra.ShellCompDirective) {
		if len(args) > 0 {
			return nil, cobra.ShellCompDirectiveNoFileComp
		}
		var ids []string
		a.completionStore(cmd, func(ctx context.Context, s *store.Store) error {
			if len(statuses) == 0 {
				statuses = []delivery.Status{""}
			}
			for _, st := range statuses {
				ds, err := s.Deliveries(ctx, st, 200)
				if err != nil {
					return err
				}
				for _, d := range ds {
					if strings.HasPrefix(d.ID, toComplete) {
						ids = append(ids, d.ID+"\t"+string(d.Status)+" "+d.TargetName)
					}
				}
			}
			return nil
		})
		return ids, cobra.ShellCompDirectiveNoFileComp
	}
}
