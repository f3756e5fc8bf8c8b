package delivery

import (
	"context"
	"fmt"

	"github.com/webriskops/webhook-setup/core/payload"
	"github.com/webriskops/webhook-setup/core/urlsafe"
)

// PortableBundle is one bundle of export --portable.
type PortableBundle struct {
	IdempotencyKey string `json:"idempotency_key"`
	FallbackPath   string `json:"fallback_path"`
}

// ExportPortable writes one fallback bundle per ticket into o.FallbackDir
// and sends nothing (o's Target, Tickets, Count, Key, Store and
// Settings.Now are read). Portable exports never enter the outbox: nothing
// is pending, nothing is retried, and a later real export of the same
// tickets is not deduplicated against them. The bundle folder is named by
// the idempotency key, so writing the same tickets again replaces their
// bundles.
func ExportPortable(ctx context.Context, o ExportOptions) ([]PortableBundle, error) {
	t, dir, now := o.Target, o.FallbackDir, o.Settings.Now()
	keyOf := ExportKeyOf(t, "", o.Key)
	ref := payload.TargetRef{ID: t.ID, Name: t.Name}
	var out []PortableBundle
	err := o.Tickets.Each(func(tk payload.Ticket) error {
		key := keyOf(tk)
		body, err := payload.Build(ref, string(t.ProviderKey), tk, key, false, now)
		if err != nil {
			return err
		}
		path, err := WriteBundle(dir, key, Bundle{Target: t.Name, Endpoint: urlsafe.Redact(t.BaseURL),
			IdempotencyKey: key, Reason: "exported with --portable: written here, not sent", Body: body, At: now})
		if err != nil {
			return err
		}
		out = append(out, PortableBundle{IdempotencyKey: key, FallbackPath: path})
		return nil
	})
	if err != nil {
		return nil, err
	}
	_ = o.Store.AddAudit(ctx, "", "export.portable", t.Name, fmt.Sprintf("%d ticket(s) written to fallback bundles in %s, not sent", o.Count, dir))
	return out, nil
}
