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

type addOptions struct {
	name, provider, mode, url string
	webhookURL                string
	urlFile                   urlFileFlag
	owner, revokePath         string
	confirmChecks             bool
	allowLookAlike            bool
	network                   networkFlags
	secret                    secretFlags
	resolve                   resolveFlag
	resolveAs                 []string
	rate                      rateFlag
	json                      bool
	edge                      edgeFlags
	standardWebhooks          bool
}

// NewCmdAdd builds `add`: save a target from flags, with the same checks as
// the wizard. Nothing is written unless every readiness state is ready.
// runF, when not nil, gets the parsed options instead of addRun (tests).
func NewCmdAdd(app *App, runF func(*addOptions) error) *cobra.Command {
	opts := &addOptions{}
	cmd := &cobra.Command{
		Use:   "add NAME --provider KEY (--url-file F | --url URL) (--secret-file F | --secret-env VAR | --generate-secret) --owner WHO --revoke-path WHERE --confirm-receiver-checks",
		Short: "Save a webhook target from flags (for scripts)",
		Example: `  webhook-setup add zapier-tickets --provider zapier_webhook --mode cloud \
    --url-file zapier-url.txt --generate-secret \
    --owner 'ops@example.com' --revoke-path 'Zapier > Zaps > Ticket intake > Trigger' \
    --confirm-receiver-checks`,
		Args: optionalTarget,
		RunE: func(cmd *cobra.Command, args []string) error {
			name, err := positionalOr(args, "name", opts.name)
			if err != nil {
				return err
			}
			opts.name = name
			if runF != nil {
				return runF(opts)
			}
			return addRun(cmd.Context(), app, opts)
		},
	}
	fs := cmd.Flags()
	fs.StringVar(&opts.name, "name", "", "deprecated: give the NAME as the argument")
	markDeprecated(fs, "name", "give the NAME as the argument instead")
	fs.StringVar(&opts.provider, "provider", "", "provider_key: generic_webhook, webhook, zapier_webhook, make_webhook or n8n_webhook")
	fs.StringVar(&opts.mode, "mode", "", "deployment_mode: cloud, self-hosted or webhook-only (default from config, else cloud)")
	fs.StringVar(&opts.url, "url", "", "webhook_url (base_url) exactly as the receiver gave it")
	fs.StringVar(&opts.webhookURL, "webhook-url", "", "same as --url")
	opts.urlFile.register(fs)
	fs.StringVar(&opts.owner, "owner", "", "who owns the receiver")
	fs.StringVar(&opts.revokePath, "revoke-path", "", "where the receiver URL and secret are rotated or deleted")
	fs.BoolVar(&opts.confirmChecks, "confirm-receiver-checks", false, "confirm the receiver verifies the six X-WebRiskOps headers (see: webhook-setup recipe)")
	registerLookAlikeFlag(fs, &opts.allowLookAlike)
	opts.network.register(fs)
	opts.secret.register(fs, "generate-secret")
	opts.resolve.register(fs)
	registerResolveAs(fs, &opts.resolveAs)
	opts.rate.register(fs)
	opts.edge.register(fs)
	fs.BoolVar(&opts.standardWebhooks, "standard-webhooks", false, "also send the Standard Webhooks headers (webhook-id, webhook-timestamp, webhook-signature), signed with the same secret")
	fs.BoolVar(&opts.json, "json", false, "print the saved target as JSON")
	return cmd
}

// addTarget is the target add's flags describe (the URL already read
// from --url, --webhook-url or --url-file), with the resolve override's
// problems for the assessment to include.
func (opts *addOptions) addTarget(app *App) (core.Target, []codes.Problem, error) {
	mode := core.Mode(opts.mode)
	if mode == "" {
		mode = core.Mode(app.Settings.Get("defaults.deployment_mode").Value)
	}
	rate, err := opts.rate.value()
	if err != nil {
		return core.Target{}, nil, err
	}
	t := core.Target{
		Name: opts.name, ProviderKey: core.ProviderKey(opts.provider), DeploymentMode: mode,
		BaseURL: opts.url, ReceiverOwner: opts.owner, RevokePath: opts.revokePath,
		ReceiverChecksConfirmed: opts.confirmChecks, AllowConfusableHost: opts.allowLookAlike,
		PrivateNetwork: opts.network.privateNetwork(app, mode),
		RateLimit:      rate, StandardWebhooks: opts.standardWebhooks,
	}
	resolveAs, resolveProblem := parseResolveAs(opts.resolveAs)
	t.Resolve = resolveAs
	return t, resolveProblem, nil
}

func addRun(ctx context.Context, app *App, opts *addOptions) error {
	switch {
	case opts.url != "" && opts.webhookURL != "" && opts.url != opts.webhookURL:
		return codes.Errorf(codes.Usage, "--url and --webhook-url name two different URLs").
			WithFix("Give the webhook URL once: --url and --webhook-url are the same flag.")
	case opts.url == "":
		opts.url = opts.webhookURL
	}
	url, err := opts.urlFile.resolve(app, opts.url, "--url")
	if err != nil {
		return err
	}
	opts.url = url
	t, resolveProblem, err := opts.addTarget(app)
	if err != nil {
		return err
	}
	edgeHeader, edgeValue, edgeProblems := opts.edge.read(app)
	opts.edge.apply(&t, edgeHeader)
	if err := opts.secret.checkSecretOut(); err != nil {
		return err
	}
	secret, generated, readErr := opts.secret.read(app)
	if readErr != nil && !isProblem(readErr) {
		return readErr
	}
	resolver, err := opts.resolve.resolver(app)
	if err != nil {
		return err
	}
	assessed := core.Assess(ctx, t, secret, resolver)
	assessed.Include(edgeProblems...)
	assessed.Include(resolveProblem...)
	problems := assessed.Problems
	if readErr != nil {
		// Keep the exact reason (an unreadable file, an empty variable).
		p := codes.ProblemOf(readErr)
		p.Field = "signing_secret"
		problems = replaceField(problems, "signing_secret", p)
	}
	if len(problems) > 0 {
		return codes.ProblemsError(problems)
	}
	checked := assessed.Verdict // no problem: the endpoint check ran and passed
	shown, err := opts.secret.handOut(app, secret, generated, opts.json, func() error {
		return app.withStore(func(s *store.Store) error {
			// The answers judged now, saved with the target and named in
			// its create audit event; doctor names drift from them later.
			t.URLCheck = core.URLCheckOf(*checked, time.Now())
			return s.CreateTargetWithEdge(ctx, &t, secret, edgeValue, store.Actor())
		})
	})
	if err != nil {
		return err
	}
	v := app.targetView(t, false)
	// The endpoint's warnings join the view's own (a pace the recipe
	// cannot hold, a look-alike host), never replace them.
	v.GeneratedSecret, v.Warnings = shown, mergeWarnings(assessed.Warnings, v.Warnings)
	if opts.json {
		return writeJSON(app.Out, v)
	}
	fmt.Fprintf(app.Out, "Saved target %s.\n", t.Name)
	writeTargetText(app.Out, v, t)
	if t.StandardWebhooks {
		fmt.Fprintf(app.Err, "Standard Webhooks libraries take the secret in its whsec_ form; print it with:\n  webhook-setup show %s --whsec\n", t.Name)
	}
	return nil
}

// isProblem reports whether err is a refusal that belongs in the problem
// list (so add can report it with the rest) rather than a usage error.
func isProblem(err error) bool {
	e := codes.AsError(err)
	return e.Code == codes.SecretMissing || e.Code == codes.SecretWeak
}

func replaceField(ps []codes.Problem, field string, p codes.Problem) []codes.Problem {
	for i := range ps {
		if ps[i].Field == field {
			ps[i] = p
		}
	}
	return ps
}
