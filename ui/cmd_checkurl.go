package ui

import (
	"context"
	"fmt"
	"strings"

	"github.com/spf13/cobra"

	"github.com/webriskops/webhook-setup/core"
	"github.com/webriskops/webhook-setup/core/codes"
	"github.com/webriskops/webhook-setup/core/urlsafe"
)

type checkURLOptions struct {
	mode           string
	provider       string
	allowLookAlike bool
	network        networkFlags
	resolve        resolveFlag
	json           bool
	urlFile        urlFileFlag
	// url is the URL argument; checkURLRun reads --url-file when it is empty.
	url string
}

// NewCmdCheckURL builds `check-url URL`: the URL safety verdict, before
// anything is saved. Exit 0 safe, 3 refused, 2 usage. runF, when not nil,
// gets the parsed options instead of checkURLRun (tests).
func NewCmdCheckURL(app *App, runF func(*checkURLOptions) error) *cobra.Command {
	opts := &checkURLOptions{}
	cmd := &cobra.Command{
		Use:   "check-url (URL | --url-file F)",
		Short: "Check whether a webhook URL may receive evidence (URL safety)",
		Example: `  webhook-setup check-url 'https://hooks.zapier.com/hooks/catch/123/abc/'
  webhook-setup check-url --url-file zapier-url.txt
  webhook-setup check-url https://n8n.internal/webhook/x --mode self-hosted \
    --private-network-policy allowlist --allow 10.20.0.0/16 --authorized-by 'CAB-1234' \
    --resolve n8n.internal:443:10.20.1.5`,
		Args: func(cmd *cobra.Command, args []string) error {
			if len(args) > 1 || len(args) == 0 && opts.urlFile.path == "" {
				return codes.Errorf(codes.Usage, "%s needs a URL (or --url-file F)", cmd.CommandPath())
			}
			return nil
		},
		RunE: func(cmd *cobra.Command, args []string) error {
			if len(args) == 1 {
				opts.url = args[0]
			}
			if runF != nil {
				return runF(opts)
			}
			raw, err := opts.urlFile.resolve(app, opts.url, "the URL argument")
			if err != nil {
				return err
			}
			return checkURLRun(cmd.Context(), app, raw, opts)
		},
	}
	fs := cmd.Flags()
	fs.StringVar(&opts.mode, "mode", "", "deployment_mode: cloud, self-hosted or webhook-only (default from config, else cloud)")
	fs.StringVar(&opts.provider, "provider", "", "provider_key, for provider-specific hints")
	registerLookAlikeFlag(fs, &opts.allowLookAlike)
	opts.network.register(fs)
	opts.resolve.register(fs)
	opts.urlFile.register(fs)
	fs.BoolVar(&opts.json, "json", false, `print {"url","safe","code","reason","host","addresses","warnings"}`)
	return cmd
}

func checkURLRun(ctx context.Context, app *App, raw string, opts *checkURLOptions) error {
	mode := core.Mode(opts.mode)
	if mode == "" {
		mode = core.Mode(app.Settings.Get("defaults.deployment_mode").Value)
	}
	if !core.ValidMode(mode) {
		return codes.Errorf(codes.Usage, "--mode %q is not cloud, self-hosted or webhook-only", opts.mode)
	}
	if opts.provider != "" {
		if _, ok := core.LookupProvider(core.ProviderKey(opts.provider)); !ok {
			return codes.Errorf(codes.Usage, "--provider %q is not a supported provider key", opts.provider)
		}
	}
	t := core.Target{ProviderKey: core.ProviderKey(opts.provider), DeploymentMode: mode, BaseURL: raw,
		PrivateNetwork: opts.network.privateNetwork(app, mode), AllowConfusableHost: opts.allowLookAlike}
	if ps := core.PrivateNetworkProblems(t); len(ps) > 0 {
		return codes.ProblemsError(ps)
	}
	resolver, err := opts.resolve.resolver(app)
	if err != nil {
		return err
	}
	v := core.CheckEndpoint(ctx, t, resolver)
	if p := core.LookAlikeProblem(t); p != nil && v.Safe {
		v.Safe, v.Pinned = false, nil
		v.Code, v.Reason, v.Fix = string(p.Code), p.Reason, p.Fix
	}
	if v.Addresses == nil {
		v.Addresses = []string{}
	}
	if v.Warnings == nil {
		v.Warnings = []string{}
	}
	if opts.json {
		if err := writeJSON(app.Out, v); err != nil {
			return err
		}
	} else {
		writeVerdictText(app, v)
	}
	if !v.Safe {
		return &silentError{code: codes.Code(v.Code)}
	}
	return nil
}

func writeVerdictText(app *App, v urlsafe.Verdict) {
	verdict := "safe"
	if !v.Safe {
		verdict = "refused"
		if v.NeedsApproval {
			verdict = "needs private-network approval"
		}
	}
	field(app.Out, "url", v.URL)
	field(app.Out, "verdict", verdict)
	if v.Host != "" {
		field(app.Out, "host", v.Host)
	}
	if len(v.Addresses) > 0 {
		field(app.Out, "addresses", strings.Join(v.Addresses, ", "))
	}
	if !v.Safe {
		field(app.Out, "code", v.Code)
		field(app.Out, "reason", v.Reason)
		field(app.Out, "fix", v.Fix)
	}
	for _, w := range v.Warnings {
		field(app.Out, "warning", w)
	}
	if v.Safe {
		fmt.Fprintln(app.Out, "This URL may receive signed deliveries.")
	}
}

// silentError sets the exit code of a refusal the command has already
// printed in full.
type silentError struct{ code codes.Code }

func (e *silentError) Error() string { return string(e.code) }
