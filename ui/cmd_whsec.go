package ui

import (
	"context"
	"fmt"

	"github.com/webriskops/webhook-setup/core/codes"
	"github.com/webriskops/webhook-setup/core/signing"
	"github.com/webriskops/webhook-setup/store"
)

// showWhsec is show NAME --whsec: the target's current signing secret in
// the Standard Webhooks form, printed only because it was asked for, and
// recorded in the audit log by fingerprint.
func showWhsec(ctx context.Context, app *App, name string, jsonOut bool) error {
	var secret string
	err := app.withStore(func(s *store.Store) error {
		t, err := s.Target(ctx, name)
		if err != nil {
			return err
		}
		creds, err := s.Credentials(ctx, t.ID, app.Now())
		if err != nil {
			return err
		}
		if len(creds) == 0 {
			return codes.Errorf(codes.SecretMissing, "%s has no valid signing secret", t.Name)
		}
		secret = creds[0].Secret
		return s.AddAudit(ctx, store.Actor(), "secret.show_whsec", t.Name,
			"printed the current signing secret in whsec_ form, "+signing.Fingerprint(secret))
	})
	if err != nil {
		return err
	}
	if jsonOut {
		return writeJSON(app.Out, map[string]string{"whsec": signing.Whsec(secret)})
	}
	fmt.Fprintln(app.Out, signing.Whsec(secret))
	fmt.Fprintln(app.Err, "This is the signing secret itself in the Standard Webhooks form: store it only in the receiver's secret store.")
	return nil
}

// standardWebhooksSummary is how show describes the profile.
func standardWebhooksSummary(v targetView) string {
	if !v.StandardWebhooks {
		return "off"
	}
	return fmt.Sprintf("on (whsec_ key: webhook-setup show %s --whsec)", v.Name)
}
