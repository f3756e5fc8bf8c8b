package ui

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/webriskops/webhook-setup/core"
	"github.com/webriskops/webhook-setup/core/codes"
	"github.com/webriskops/webhook-setup/core/delivery"
	"github.com/webriskops/webhook-setup/store"
)

// testSendResult is delivery.TestSendResult in test-send's terms, for
// people, --json and the wizard: the same fields (the first six are
// test-send --json), with the methods that show it.
type testSendResult delivery.TestSendResult

// captured is the dry run's signed request with its edge value redacted;
// nil without a dry run. It holds the full URL: show it through
// capturedRequest's redacting methods.
func (r testSendResult) captured() *capturedRequest {
	if r.Request == nil {
		return nil
	}
	c := capture(r.Request, r.Body)
	if r.EdgeHeader != "" {
		c.redactEdge(r.EdgeHeader)
	}
	return &c
}

// requestText is the dry run's signed request as it goes on the wire (URL
// redacted unless reveal), for the wizard to show; "" without a dry run.
func (r testSendResult) requestText(reveal bool) string {
	c := r.captured()
	if c == nil {
		return ""
	}
	var b strings.Builder
	c.writeText(&b, reveal)
	return b.String()
}

// exitCode is the code a test send exits with (delivery.TestSendExit).
func (r testSendResult) exitCode() codes.Code {
	return delivery.TestSendExit(r.Delivered, r.Code)
}

// testSend is delivery.TestSend with this run's delivery settings, its
// result in test-send's terms.
func (a *App) testSend(ctx context.Context, t core.Target, opts delivery.TestSendOptions) (testSendResult, error) {
	opts.Settings = a.deliverySettings()
	r, err := delivery.TestSend(ctx, t, opts)
	return testSendResult(r), err
}

type testSendCmdOptions struct {
	name           string
	url, provider  string
	urlFile        urlFileFlag
	secret         secretFlags
	rehearsal      rehearsalFlags
	resolve        resolveFlag
	dryRun, curl   bool
	out            string
	reveal         bool
	allowLookAlike bool
	wait           time.Duration
	json           bool
}

// NewCmdTestSend builds `test-send [NAME]`. runF, when not nil, gets the
// parsed options instead of testSendRun (tests).
func NewCmdTestSend(app *App, runF func(*testSendCmdOptions) error) *cobra.Command {
	opts := &testSendCmdOptions{}
	cmd := &cobra.Command{
		Use:   "test-send [NAME] [--url-file F | --url URL --secret-file F] [--dry-run [--out FILE] [--curl]] [--to URL --ca-file PEM]",
		Short: "Send a signed test delivery (test: true, a sample ticket) and report what the receiver said",
		Long: `test-send sends one signed test delivery ("test": true, an info-severity
sample ticket) to a saved target, or to --url signed with --secret-file, with
the same safety and retry rules as exports (up to 3 attempts).

  --dry-run      sign the request and print it; nothing is sent, nothing looked up
  --out FILE     with --dry-run: write {"method","url","headers","body"} (0600,
                 full URL), which verify --request checks
  --curl         with --dry-run: print an equivalent curl command
  --to URL       rehearse against a receiver on this machine (loopback only),
                 e.g. webhook-setup receive --self-signed --cert-out cert.pem

Exit status: 0 delivered; 3 a redirect, an unsafe URL or a missing secret;
5 the receiver rejected the signature; 4 any other failure.`,
		Example: `  webhook-setup test-send zapier-tickets
  webhook-setup test-send zapier-tickets --dry-run --curl
  webhook-setup test-send --url https://receiver.example.com/hook --secret-file secret.txt
  webhook-setup test-send zapier-tickets --to https://127.0.0.1:8443/hook --ca-file cert.pem`,
		Args: func(cmd *cobra.Command, args []string) error {
			if len(args) > 1 {
				return codes.Errorf(codes.Usage, "test-send takes at most one target NAME")
			}
			return nil
		},
		RunE: func(cmd *cobra.Command, args []string) error {
			if len(args) == 1 {
				opts.name = args[0]
			}
			if opts.out != "" || opts.curl {
				opts.dryRun = true
			}
			if runF != nil {
				return runF(opts)
			}
			return testSendRun(cmd.Context(), app, opts)
		},
	}
	fs := cmd.Flags()
	fs.StringVar(&opts.url, "url", "", "send to this URL instead of a saved target (needs --secret-file or --secret-env)")
	opts.urlFile.register(fs)
	fs.StringVar(&opts.provider, "provider", "", "with --url: the provider_key to put in the body (default generic_webhook)")
	registerLookAlikeFlag(fs, &opts.allowLookAlike)
	opts.secret.registerSources(fs, "with --url: read the signing secret")
	fs.BoolVar(&opts.dryRun, "dry-run", false, "print the signed request instead of sending it (no network)")
	fs.StringVar(&opts.out, "out", "", "with --dry-run: write the request as JSON to this new file (0600, full URL)")
	fs.BoolVar(&opts.curl, "curl", false, "with --dry-run: print an equivalent curl command")
	fs.BoolVar(&opts.reveal, "reveal-url", false, "show the full URL in the printed request (it is a credential)")
	fs.DurationVar(&opts.wait, "wait", 60*time.Second, "give up retrying after this long (env WEBHOOK_SETUP_WAIT)")
	opts.rehearsal.register(fs)
	opts.resolve.register(fs)
	fs.BoolVar(&opts.json, "json", false, `print {"delivered","code","reason","fix","http_status","attempts",...}; with --dry-run the request`)
	return cmd
}

func testSendRun(ctx context.Context, app *App, opts *testSendCmdOptions) error {
	name := opts.name
	url, err := opts.urlFile.resolve(app, opts.url, "--url")
	if err != nil {
		return err
	}
	opts.url = url
	switch {
	case name == "" && opts.url == "":
		return codes.Errorf(codes.Usage, "test-send needs a target NAME or --url URL")
	case name != "" && opts.url != "":
		return codes.Errorf(codes.Usage, "give a target NAME or --url, not both")
	case name != "" && (opts.secret.given() || opts.provider != ""):
		return codes.Errorf(codes.Usage, "--secret-file, --secret-env and --provider go with --url; a saved target signs with its own secret")
	}
	if err := opts.rehearsal.load(); err != nil {
		return err
	}
	resolver, err := opts.resolve.resolver(app)
	if err != nil {
		return err
	}
	tsOpts := delivery.TestSendOptions{Rehearsal: opts.rehearsal.spec(), DryRun: opts.dryRun, Resolver: resolver,
		Wait: app.Settings.Duration("delivery.wait")}
	if !opts.json && !opts.dryRun {
		tsOpts.OnAttempt = func(a delivery.Attempt, r delivery.Result) {
			what := "delivered"
			if !r.Delivered {
				what = string(r.Code) + ": " + r.Reason
			}
			field(app.Err, fmt.Sprintf("attempt %d", a.Number), fmt.Sprintf("%s (%s)", what, a.Duration.Round(time.Millisecond)))
		}
	}
	var res testSendResult
	if opts.url != "" {
		secret, _, err := opts.secret.read(app)
		if err != nil {
			return err
		}
		if opts.provider != "" {
			if _, ok := core.LookupProvider(core.ProviderKey(opts.provider)); !ok {
				return codes.Errorf(codes.Usage, "--provider %q is not a supported provider key", opts.provider)
			}
		}
		t := core.Target{Name: delivery.AdhocTarget, ProviderKey: core.ProviderKey(opts.provider), DeploymentMode: core.ModeCloud,
			BaseURL: opts.url, PrivateNetwork: core.PrivateNetwork{Policy: core.PolicyDeny}, AllowConfusableHost: opts.allowLookAlike}
		if p := core.LookAlikeProblem(t); p != nil {
			return codes.ProblemsError([]codes.Problem{*p})
		}
		tsOpts.Secrets = []string{secret}
		if res, err = app.testSend(ctx, t, tsOpts); err != nil {
			return err
		}
	} else {
		err := app.withStore(func(s *store.Store) error {
			t, err := s.Target(ctx, name)
			if err != nil {
				return err
			}
			tsOpts.Credentials, tsOpts.Edges, tsOpts.Audit = s, s, s
			res, err = app.testSend(ctx, t, tsOpts)
			return err
		})
		if err != nil {
			return err
		}
	}
	if opts.dryRun && res.Request != nil {
		return writeDryRun(app, res, opts)
	}
	return writeTestSendResult(app, res, opts.json)
}

// writeDryRun prints (and with --out, writes) the signed request.
func writeDryRun(app *App, res testSendResult, opts *testSendCmdOptions) error {
	c := *res.captured()
	if opts.out != "" {
		if err := writeCaptured(opts.out, c); err != nil {
			return err
		}
	}
	switch {
	case opts.json:
		shown := c
		shown.URL = c.shownURL(opts.reveal)
		if err := writeJSON(app.Out, shown); err != nil {
			return err
		}
	case opts.curl:
		fmt.Fprint(app.Out, c.curl(opts.reveal, opts.rehearsal.caFile))
	default:
		c.writeText(app.Out, opts.reveal)
	}
	if !opts.json {
		fmt.Fprintln(app.Err, "Dry run: nothing was sent. The signature is valid for 300 s after its timestamp, once (the nonce).")
		if opts.curl && !opts.reveal && c.shownURL(false) != c.shownURL(true) {
			fmt.Fprintln(app.Err, "The URL above is redacted, so this command cannot be run as it is; --reveal-url prints it whole.")
		}
		if c.edgeHeader != "" {
			fmt.Fprintf(app.Err, "The %s header carries the edge authentication value, which is never shown: put it in yourself to run this request.\n", c.edgeHeader)
		}
		if opts.out != "" {
			fmt.Fprintf(app.Err, "Wrote the request to %s (0600; it holds the full URL). Check it with: webhook-setup verify --request %s --secret-file FILE\n", opts.out, opts.out)
		}
	}
	return nil
}

// writeTestSendResult prints the outcome and returns the exit status's
// code, already printed in full.
func writeTestSendResult(app *App, res testSendResult, jsonOut bool) error {
	if jsonOut {
		if err := writeJSON(app.Out, res); err != nil {
			return err
		}
	} else {
		if res.Delivered {
			fmt.Fprintf(app.Out, "Test delivery accepted by %s after %d attempt(s) (HTTP %d).\n", res.Endpoint, res.Attempts, res.HTTPStatus)
		} else {
			field(app.Out, "endpoint", res.Endpoint)
			field(app.Out, "delivered", "no")
			field(app.Out, "attempts", fmt.Sprint(res.Attempts))
			if res.HTTPStatus != 0 {
				field(app.Out, "http status", fmt.Sprint(res.HTTPStatus))
			}
			field(app.Out, "code", string(res.Code))
			field(app.Out, "reason", res.Reason)
			field(app.Out, "fix", res.Fix)
		}
	}
	if code := res.exitCode(); code != "" {
		return &silentError{code: code}
	}
	return nil
}
