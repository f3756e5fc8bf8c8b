package ui

import (
	"context"
	"fmt"
	"net/http"
	"strconv"
	"time"

	"github.com/spf13/cobra"

	"github.com/webriskops/webhook-setup/core/codes"
	"github.com/webriskops/webhook-setup/core/delivery"
	"github.com/webriskops/webhook-setup/core/payload"
	"github.com/webriskops/webhook-setup/core/signing"
	"github.com/webriskops/webhook-setup/store"
)

type verifyOptions struct {
	request   string
	secret    secretFlags
	target    string
	now       string
	tolerance time.Duration
	json      bool
}

// verifyResult is verify --json.
type verifyResult struct {
	Valid          bool       `json:"valid"`
	Code           codes.Code `json:"code,omitempty"`
	Reason         string     `json:"reason"`
	IdempotencyKey string     `json:"idempotency_key,omitempty"`
}

// NewCmdVerify builds `verify`: check a captured request offline, exactly
// as a receiver would. runF, when not nil, gets the checked options instead
// of verifyRun (tests).
func NewCmdVerify(app *App, runF func(*verifyOptions) error) *cobra.Command {
	opts := &verifyOptions{}
	cmd := &cobra.Command{
		Use:   "verify [TARGET] --request FILE [--secret-file F] [--now UNIX] [--tolerance 300s]",
		Short: "Check the signature of a captured request (test-send --out) as a receiver would",
		Long: `verify checks a request in the form test-send --out writes
({"method","url","headers","body"}) as docs/signing.md says a receiver must:
the six X-WebRiskOps headers, the HMAC of timestamp.nonce.body under the
secret, the timestamp within --tolerance of --now (default: the clock), the
idempotency key equal to the body's, then the body against the schema.

Exit status: 0 valid; 5 WEBHOOK_SIGNATURE_INVALID with the reason; 2 the
body fails the schema (WEBHOOK_PAYLOAD_INVALID) or the file is unreadable.`,
		Example: `  webhook-setup test-send zapier-tickets --dry-run --out req.json
  webhook-setup verify zapier-tickets --request req.json`,
	}
	takesTarget(cmd, &opts.target, func(cmd *cobra.Command) error {
		if err := opts.validate(); err != nil {
			return err
		}
		if runF != nil {
			return runF(opts)
		}
		return verifyRun(cmd.Context(), app, opts)
	})
	fs := cmd.Flags()
	fs.StringVar(&opts.request, "request", "", "the request file, as written by test-send --out")
	opts.secret.registerSources(fs, "verify with the secret")
	fs.StringVar(&opts.now, "now", "", "the receiver's clock as Unix seconds (default: now)")
	fs.DurationVar(&opts.tolerance, "tolerance", signing.DefaultTolerance, "accept timestamps this far from --now")
	fs.BoolVar(&opts.json, "json", false, `print {"valid","code","reason","idempotency_key"}`)
	return cmd
}

// validate refuses flag combinations that cannot mean anything, before
// the request file or the store is read.
func (opts *verifyOptions) validate() error {
	switch {
	case opts.request == "":
		return codes.Errorf(codes.Usage, "verify needs --request FILE")
	case opts.secret.given() == (opts.target != ""):
		return codes.Errorf(codes.Usage, "give the secret one way: --secret-file, --secret-env or a saved TARGET")
	case opts.tolerance < time.Second || opts.tolerance > time.Hour:
		return codes.Errorf(codes.Usage, "--tolerance %s is outside 1s..1h", opts.tolerance)
	}
	return nil
}

func verifyRun(ctx context.Context, app *App, opts *verifyOptions) error {
	now := app.Now()
	if opts.now != "" {
		secs, err := strconv.ParseInt(opts.now, 10, 64)
		if err != nil || secs < 0 {
			return codes.Errorf(codes.Usage, "--now %q is not Unix seconds", opts.now)
		}
		now = time.Unix(secs, 0)
	}
	c, err := readCaptured(opts.request)
	if err != nil {
		return err
	}
	var secrets []string
	if opts.target != "" {
		err = app.withStore(func(s *store.Store) error {
			t, err := s.Target(ctx, opts.target)
			if err != nil {
				return err
			}
			secrets, err = delivery.StoredSecrets(s, t.ID)(ctx, now)
			return err
		})
	} else {
		var secret string
		secret, _, err = opts.secret.read(app)
		secrets = []string{secret}
	}
	if err != nil {
		return err
	}
	if len(secrets) == 0 {
		return codes.Errorf(codes.SecretMissing, "%s has no valid signing secret to verify with", opts.target)
	}
	v := signing.NewVerifier(secrets, opts.tolerance)
	v.Now = func() time.Time { return now }
	body := []byte(c.Body)
	res := verifyResult{Valid: true}
	res.IdempotencyKey, err = v.Verify(&http.Request{Header: c.header()}, body)
	if err == nil {
		err = payload.ValidateBody(body)
	}
	if err != nil {
		ce := codes.AsError(err)
		res = verifyResult{Code: ce.Code, Reason: ce.Reason}
		if opts.json {
			if err := writeJSON(app.Out, res); err != nil {
				return err
			}
			return &silentError{code: ce.Code}
		}
		return ce
	}
	ts, _ := strconv.ParseInt(signing.HeaderValue(c.header(), signing.HeaderTimestamp), 10, 64)
	res.Reason = fmt.Sprintf("a v1 signature matches the body; the timestamp is %ds from the clock; the body matches ticket-export.webhook.v1", now.Unix()-ts)
	if opts.json {
		return writeJSON(app.Out, res)
	}
	field(app.Out, "valid", "yes")
	field(app.Out, "idempotency key", res.IdempotencyKey)
	field(app.Out, "checked", res.Reason)
	return nil
}
