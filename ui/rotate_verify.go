package ui

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/spf13/pflag"

	"github.com/webriskops/webhook-setup/core"
	"github.com/webriskops/webhook-setup/core/codes"
	"github.com/webriskops/webhook-setup/core/delivery"
	"github.com/webriskops/webhook-setup/core/urlsafe"
	"github.com/webriskops/webhook-setup/store"
)

// Verified rotation (rotate-secret --verify, --verify-only, --retire-old):
// a probe signed with the target's current secret only goes to the
// receiver. The probe is the test delivery of test-send: event
// ticket_export.requested with "test": true and a sample ticket, which the
// reference receiver and every recipe acknowledge without creating work
// (docs/signing.md, "Verified rotation"). An accepted probe proves the
// receiver verifies with the new secret, so the previous one may be
// retired before its grace ends; a refused one keeps it.

type verifyFlags struct {
	verify, only, retireOld bool
	rehearsal               rehearsalFlags
	resolve                 resolveFlag
}

func (f *verifyFlags) register(fs *pflag.FlagSet) {
	fs.BoolVar(&f.verify, "verify", false, "after rotating, send a probe signed with the new secret only and record whether the receiver accepts it")
	fs.BoolVar(&f.only, "verify-only", false, "rotate nothing: probe the receiver with the current secret only (after storing it in the receiver)")
	fs.BoolVar(&f.retireOld, "retire-old", false, "with --verify or --verify-only: when the receiver accepts the probe, retire the previous secret at once")
	f.rehearsal.register(fs)
	f.resolve.register(fs)
}

// check refuses combinations that cannot mean anything.
func (f *verifyFlags) check(secretGiven bool) error {
	switch {
	case f.only && secretGiven:
		return codes.Errorf(codes.Usage, "--verify-only rotates nothing, so it takes no new secret").
			WithFix("Drop --secret-file/--secret-env/--generate, or use --verify to rotate and verify in one go.")
	case f.only:
		f.verify = true
	case f.retireOld && !f.verify:
		return codes.Errorf(codes.Usage, "--retire-old needs --verify or --verify-only: the previous secret is retired only once the receiver accepted the new one").
			WithFix("Add --verify (rotate and verify) or use --verify-only (verify the secret stored earlier).")
	case !f.verify && (f.rehearsal.given() || len(f.resolve.entries) > 0):
		return codes.Errorf(codes.Usage, "--to, --ca-file and --resolve only go with --verify or --verify-only")
	}
	return f.rehearsal.load()
}

// verificationView is the outcome of a verified rotation in --json.
type verificationView struct {
	Verified   bool       `json:"verified"`
	At         time.Time  `json:"at"`
	Via        string     `json:"via"`
	Code       codes.Code `json:"code,omitempty"`
	Reason     string     `json:"reason,omitempty"`
	HTTPStatus int        `json:"http_status,omitempty"`
	Retired    []string   `json:"retired,omitempty"`
	KeptUntil  *time.Time `json:"previous_kept_until,omitempty"`
}

type rotateJSON struct {
	targetView
	Verification verificationView `json:"verification"`
}

// probeRotation sends the probe signed with t's current secret only (to
// the rehearsal receiver when reh is given) and records the outcome: on
// acceptance the verification and, with retireOld, the retirement of the
// previous secrets; on refusal an audit event. probeErr is the refusal
// (codes.RotationUnverified) for the caller to report; err is for what
// stopped the probe itself. The wizard's rotate screen calls it too.
func (a *App) probeRotation(ctx context.Context, t core.Target, reh *rehearsalFlags, resolver urlsafe.Resolver, retireOld bool) (out verificationView, probeErr, err error) {
	err = a.withStore(func(s *store.Store) error {
		now := a.Now()
		creds, err := s.Credentials(ctx, t.ID, now)
		if err != nil {
			return err
		}
		var current string
		var keptUntil time.Time
		for _, c := range creds {
			if c.ExpiresAt.IsZero() {
				current = c.Secret
			} else if c.ExpiresAt.After(keptUntil) {
				keptUntil = c.ExpiresAt
			}
		}
		if current == "" || t.Signing == nil {
			return codes.Errorf(codes.SecretMissing, "%s has no current signing secret to verify", t.Name)
		}
		res, err := a.testSend(ctx, t, delivery.TestSendOptions{Secrets: []string{current}, Rehearsal: reh.spec(),
			Resolver: resolver, Wait: a.Settings.Duration("delivery.wait")})
		if err != nil {
			return err
		}
		out = verificationView{Verified: res.Delivered, At: a.Now().UTC(), Via: res.Endpoint, HTTPStatus: res.HTTPStatus}
		if res.Rehearsal {
			out.Via = "rehearsal " + res.Endpoint
		}
		if !res.Delivered {
			out.Code, out.Reason = res.Code, res.Reason
			if !keptUntil.IsZero() {
				out.KeptUntil = &keptUntil
			}
			_ = s.AddAudit(context.WithoutCancel(ctx), "", "secret.verify_failed", t.Name,
				fmt.Sprintf("probe signed with the new secret %s only was not accepted by %s: %s (HTTP %d); previous secret kept", t.Signing.Fingerprint, out.Via, res.Code, res.HTTPStatus))
			kept := "no previous secret is left to keep"
			if !keptUntil.IsZero() {
				kept = "the previous secret was kept and keeps signing until " + keptUntil.UTC().Format(time.RFC3339)
			}
			probeErr = codes.Errorf(codes.RotationUnverified, "%s did not accept a probe signed with the new secret %s only: %s (HTTP %d) %s; %s",
				out.Via, t.Signing.Fingerprint, res.Code, res.HTTPStatus, res.Reason, kept).
				WithFix(fmt.Sprintf("Store the new secret (%s) in the receiver, then run webhook-setup rotate-secret %s --verify-only --retire-old.", t.Signing.Fingerprint, t.Name))
			return nil
		}
		if err := s.MarkSecretVerified(ctx, t.Name, t.Signing.Fingerprint, out.Via, out.At, ""); err != nil {
			return err
		}
		if retireOld {
			if out.Retired, err = s.RetirePreviousSecrets(ctx, t.Name, ""); err != nil {
				return err
			}
		} else if !keptUntil.IsZero() {
			out.KeptUntil = &keptUntil
		}
		return nil
	})
	return out, probeErr, err
}

// verifyRotationRun is rotate-secret NAME --verify-only.
func verifyRotationRun(ctx context.Context, app *App, name string, opts *rotateOptions) error {
	var t core.Target
	if err := app.withStore(func(s *store.Store) (err error) {
		t, err = s.Target(ctx, name)
		return err
	}); err != nil {
		return err
	}
	return app.verifyRotation(ctx, t, app.targetView(t, false), opts)
}

// verifyRotation probes t's receiver with its current secret only, records
// the outcome and, when accepted and asked, retires the previous secrets;
// then it prints the outcome.
func (a *App) verifyRotation(ctx context.Context, t core.Target, v targetView, opts *rotateOptions) error {
	resolver, err := opts.verify.resolve.resolver(a)
	if err != nil {
		return err
	}
	out, probeErr, err := a.probeRotation(ctx, t, &opts.verify.rehearsal, resolver, opts.verify.retireOld)
	if err != nil {
		return err
	}
	if opts.json {
		if err := writeJSON(a.Out, rotateJSON{targetView: v, Verification: out}); err != nil {
			return err
		}
		if probeErr != nil {
			return &silentError{code: codes.RotationUnverified}
		}
		return nil
	}
	if probeErr != nil {
		return probeErr
	}
	fmt.Fprintf(a.Out, "New secret %s verified by the receiver at %s (%s).\n", t.Signing.Fingerprint, out.At.Format(time.RFC3339), out.Via)
	switch {
	case len(out.Retired) > 0:
		fmt.Fprintf(a.Out, "Retired the previous secret(s) %s: only the new secret signs now.\n", strings.Join(out.Retired, ", "))
	case out.KeptUntil != nil:
		fmt.Fprintf(a.Out, "The previous secret still signs until %s; retire it now with: webhook-setup rotate-secret %s --verify-only --retire-old\n",
			out.KeptUntil.UTC().Format(time.RFC3339), t.Name)
	}
	return nil
}
