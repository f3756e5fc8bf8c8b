package ui

import (
	"context"
	"strconv"

	"github.com/spf13/cobra"

	"github.com/webriskops/webhook-setup/core"
	"github.com/webriskops/webhook-setup/core/urlsafe"
)

type listItem struct {
	Name           string           `json:"name"`
	ProviderKey    core.ProviderKey `json:"provider_key"`
	DeploymentMode core.Mode        `json:"deployment_mode"`
	Endpoint       string           `json:"endpoint"`
	Ready          bool             `json:"ready"`
	Warnings       []string         `json:"warnings,omitempty"`
}

type listOptions struct {
	json bool
}

// NewCmdList builds `list`: every saved target, one line each. runF, when
// not nil, gets the parsed options instead of listRun (tests).
func NewCmdList(app *App, runF func(*listOptions) error) *cobra.Command {
	opts := &listOptions{}
	cmd := &cobra.Command{
		Use:   "list",
		Short: "List saved webhook targets",
		Args:  noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if runF != nil {
				return runF(opts)
			}
			return listRun(cmd.Context(), app, opts)
		},
	}
	cmd.Flags().BoolVar(&opts.json, "json", false, "print a JSON array of {name, provider_key, deployment_mode, endpoint, ready}")
	return cmd
}

func listRun(ctx context.Context, app *App, opts *listOptions) error {
	targets, err := app.allTargets(ctx)
	if err != nil {
		return err
	}
	items := make([]listItem, len(targets))
	for i, t := range targets {
		items[i] = listItem{t.Name, t.ProviderKey, t.DeploymentMode, urlsafe.Redact(t.BaseURL), core.Evaluate(t).Ready,
			targetWarnings(t)}
	}
	if opts.json {
		return writeJSONArray(app.Out, items)
	}
	if len(items) == 0 {
		app.printf("No targets yet. Run webhook-setup to open the setup wizard, or webhook-setup add --help.\n")
		return nil
	}
	names := make([]string, len(items))
	for i, it := range items {
		names[i] = it.Name
	}
	tb := newRows(app.Out, []int{nameWidth(names), 15, 12}, "NAME", "PROVIDER", "MODE", "READY")
	for _, it := range items {
		tb.row(it.Name, string(it.ProviderKey), string(it.DeploymentMode), strconv.FormatBool(it.Ready))
		tb.detail("endpoint", it.Endpoint)
		for _, w := range it.Warnings {
			tb.detail("warning", w)
		}
	}
	return nil
}
