package delivery

import (
	"strings"

	"github.com/webriskops/webhook-setup/core/payload"
)

// RehearsalKeyPrefix starts the idempotency key of every rehearsal export
// (export --to). Rehearsals get keys of their own for two reasons: a
// rehearsal must not use up the real export's key (the outbox and the
// receiver would then deduplicate the real export away), and a queued
// rehearsal must never reach the real endpoint, nor a real export a
// rehearsal receiver. The prefix is how the runner tells them apart.
const RehearsalKeyPrefix = "rehearsal_"

// IsRehearsal reports whether key belongs to a rehearsal export.
func IsRehearsal(key string) bool { return strings.HasPrefix(key, RehearsalKeyPrefix) }

// ExportKey is the idempotency key of exporting ticket to the target with
// id targetID: payload.DefaultIdempotencyKey for a real export; for a
// rehearsal (run non-empty, unique per rehearsal), RehearsalKeyPrefix and
// the same derivation salted with run, so one rehearsal deduplicates its
// own repeats while the next rehearsal sends again.
func ExportKey(targetID string, t payload.Ticket, run string) string {
	if run == "" {
		return payload.DefaultIdempotencyKey(targetID, t.Kind, t.FindingID)
	}
	k := payload.DefaultIdempotencyKey(run+"\x00"+targetID, t.Kind, t.FindingID)
	return RehearsalKeyPrefix + strings.TrimPrefix(k, "wro_")
}
