package ui

import (
	"context"
	"fmt"
	"strings"

	"github.com/spf13/cobra"

	"github.com/webriskops/webhook-setup/core"
	"github.com/webriskops/webhook-setup/core/codes"
	"github.com/webriskops/webhook-setup/core/sanitize"
	"github.com/webriskops/webhook-setup/store"
)

type statusItem struct {
	Name   string      `json:"name"`
	Ready  bool        `json:"ready"`
	States core.States `json:"states"`
	// ReplayProtectionNote says where the replay checks run and where
	// their refusals show (Zapier's never reach the sender).
	ReplayProtectionNote string          `json:"replay_protection_note"`
	Blocked              []codes.Problem `json:"blocked"`
	// Refusals is the note's short form, for the table.
	Refusals string `json:"-"`
	// Warnings say why a state is "warning" (a pace the recipe cannot
	// hold) and what else stays in sight (a look-alike host).
	Warnings []string `json:"warnings,omitempty"`
	// SecretVerified says when the receiver accepted a probe signed with
	// the current secret only (rotate-secret --verify).
	SecretVerified *store.SecretVerification `json:"secret_verified,omitempty"`
}

type statusOptions struct {
	json bool
}

// NewCmdStatus builds `status` (Integration status): the six readiness
// states of every target and what blocks each. runF, when not nil, gets the
// parsed options instead of statusRun (tests).
func NewCmdStatus(app *App, runF func(*statusOptions) error) *cobra.Command {
	opts := &statusOptions{}
	cmd := &cobra.Command{
		Use:   "status",
		Short: "Integration status: readiness of every target",
		Args:  noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if runF != nil {
				return runF(opts)
			}
			return statusRun(cmd.Context(), app, opts)
		},
	}
	cmd.Flags().BoolVar(&opts.json, "json", false, "print a JSON array of {name, ready, states, replay_protection_note, blocked}")
	return cmd
}

func statusRun(ctx context.Context, app *App, opts *statusOptions) error {
	var targets []core.Target
	var verified map[string]store.SecretVerification
	if err := app.withStore(func(s *store.Store) (err error) {
		if targets, err = s.Targets(ctx, 0, 0); err != nil {
			return err
		}
		verified, err = s.SecretVerifications(ctx)
		return err
	}); err != nil {
		return err
	}
	items := make([]statusItem, len(targets))
	for i, t := range targets {
		// The pace deliveries use (delivery.rate_limit included) decides
		// whether the recipe can hold its replay checks.
		r := core.Evaluate(app.withRate(t))
		p, _ := core.LookupProvider(t.ProviderKey)
		items[i] = statusItem{Name: t.Name, Ready: r.Ready, States: r.States, ReplayProtectionNote: p.ReplayProtection,
			Blocked: r.Blocked, Refusals: p.Refusals, Warnings: mergeWarnings(r.Warnings, targetWarnings(t))}
		if v, ok := verified[t.ID]; ok {
			items[i].SecretVerified = &v
		}
	}
	if opts.json {
		return writeJSONArray(app.Out, items)
	}
	if len(items) == 0 {
		app.printf("Integration status: no targets yet. Run webhook-setup to start the setup wizard.\n")
		return nil
	}
	// Short cells keep the table inside 80 columns; the legend says how to
	// read them, the codes of a blocked target follow on a line of their
	// own, and show NAME gives the full story.
	names := make([]string, len(items))
	for i, it := range items {
		names[i] = it.Name
	}
	tb := newRows(app.Out, []int{nameWidth(names), 5, 4, 4, 4, 6, 4}, "NAME", "READY", "PROV", "ENDP", "SIGN", "REPLAY", "PRIV", "REVOKE")
	for _, it := range items {
		s := it.States
		tb.row(it.Name, fmt.Sprint(it.Ready), cell(s.ProviderKey), cell(s.Endpoint), cell(s.Signing),
			cell(s.ReplayProtection), cell(s.PrivateNetwork), cell(s.RevokePath))
		if it.Refusals != "" {
			tb.detail("replay:", it.Refusals)
		}
		for _, w := range it.Warnings {
			fmt.Fprintln(app.Out, wrapped("    warning: ", sanitize.Line(w), 13))
		}
		if len(it.Blocked) > 0 {
			var blocked []string
			for _, p := range it.Blocked {
				blocked = append(blocked, string(p.Code))
			}
			tb.detail("blocked:", strings.Join(blocked, ", "))
		}
		if v := it.SecretVerified; v != nil {
			tb.detail("secret:", verifiedText(*v))
		}
	}
	fmt.Fprintln(app.Out, "ok = ready, NO = blocked, warn = see its warning, - = not applicable;")
	fmt.Fprintln(app.Out, "replay: what the sender sees of a refusal. show NAME explains each state.")
	return nil
}

func cell(s core.State) string {
	switch s {
	case core.Ready:
		return "ok"
	case core.Blocked:
		return "NO"
	case core.Warning:
		return "warn"
	}
	return "-"
}
