package store

import (
	"context"
	"database/sql"
	"fmt"

	"github.com/webriskops/webhook-setup/core/codes"
)

// migrations are the schema versions in order: migrations[i] brings a
// database from user_version i to i+1. Never edit a released entry; append
// a new one.
//
// Times are INTEGER Unix nanoseconds in UTC: exact round trips and cheap
// comparisons for claims and expiries.
var migrations = []string{
	// 1: the initial schema.
	`
CREATE TABLE meta (
	key   TEXT PRIMARY KEY,
	value BLOB NOT NULL
) WITHOUT ROWID;

CREATE TABLE targets (
	id                        TEXT PRIMARY KEY,
	name                      TEXT NOT NULL,
	provider_key              TEXT NOT NULL,
	deployment_mode           TEXT NOT NULL,
	base_url_sealed           BLOB NOT NULL,
	receiver_owner            TEXT NOT NULL DEFAULT '',
	revoke_path               TEXT NOT NULL DEFAULT '',
	receiver_checks_confirmed INTEGER NOT NULL DEFAULT 0,
	network_policy            TEXT NOT NULL DEFAULT '',
	network_allowlist         TEXT NOT NULL DEFAULT '[]',
	network_authorized_by     TEXT NOT NULL DEFAULT '',
	rate_requests             INTEGER NOT NULL DEFAULT 0,
	rate_per_seconds          INTEGER NOT NULL DEFAULT 0,
	version                   INTEGER NOT NULL,
	created_at                INTEGER NOT NULL,
	updated_at                INTEGER NOT NULL
);
CREATE UNIQUE INDEX targets_name ON targets(name);

CREATE TABLE credentials (
	id          TEXT PRIMARY KEY,
	target_id   TEXT NOT NULL REFERENCES targets(id) ON DELETE CASCADE,
	algorithm   TEXT NOT NULL,
	fingerprint TEXT NOT NULL,
	sealed      BLOB NOT NULL,
	created_at  INTEGER NOT NULL,
	expires_at  INTEGER
);
CREATE UNIQUE INDEX credentials_current ON credentials(target_id) WHERE expires_at IS NULL;
CREATE INDEX credentials_target ON credentials(target_id, created_at);

CREATE TABLE drafts (
	id         TEXT PRIMARY KEY,
	step       TEXT NOT NULL,
	sealed     BLOB NOT NULL,
	updated_at INTEGER NOT NULL
);

CREATE TABLE audit_events (
	id     INTEGER PRIMARY KEY AUTOINCREMENT,
	at     INTEGER NOT NULL,
	actor  TEXT NOT NULL,
	action TEXT NOT NULL,
	target TEXT NOT NULL DEFAULT '',
	detail TEXT NOT NULL DEFAULT ''
);

CREATE TABLE deliveries (
	id              TEXT PRIMARY KEY,
	target_id       TEXT REFERENCES targets(id) ON DELETE SET NULL,
	target_name     TEXT NOT NULL,
	idempotency_key TEXT NOT NULL,
	body            BLOB NOT NULL,
	status          TEXT NOT NULL,
	attempts        INTEGER NOT NULL DEFAULT 0,
	max_attempts    INTEGER NOT NULL,
	last_code       TEXT NOT NULL DEFAULT '',
	last_reason     TEXT NOT NULL DEFAULT '',
	next_attempt_at INTEGER NOT NULL,
	fallback_path   TEXT NOT NULL DEFAULT '',
	claimed_by      TEXT,
	claim_until     INTEGER,
	created_at      INTEGER NOT NULL,
	updated_at      INTEGER NOT NULL
);
CREATE UNIQUE INDEX deliveries_idempotency ON deliveries(target_id, idempotency_key);
CREATE INDEX deliveries_due ON deliveries(status, next_attempt_at);
CREATE INDEX deliveries_created ON deliveries(created_at);

CREATE TABLE delivery_attempts (
	delivery_id TEXT NOT NULL REFERENCES deliveries(id) ON DELETE CASCADE,
	number      INTEGER NOT NULL,
	at          INTEGER NOT NULL,
	http_status INTEGER NOT NULL DEFAULT 0,
	code        TEXT NOT NULL DEFAULT '',
	reason      TEXT NOT NULL DEFAULT '',
	duration_ns INTEGER NOT NULL DEFAULT 0,
	PRIMARY KEY (delivery_id, number)
) WITHOUT ROWID;
`,
	// 2: bodies in a table of their own. A delivery's row is rewritten by
	// its claim and by every outcome; without the body (~700 bytes) it is
	// ~150 bytes, so each rewrite touches a few pages instead of one per
	// four rows (docs/performance.md, the export pipeline). The body is
	// written once, when the delivery is queued, and never changes.
	`
CREATE TABLE delivery_bodies (
	delivery_id TEXT PRIMARY KEY REFERENCES deliveries(id) ON DELETE CASCADE,
	body        BLOB NOT NULL
);
INSERT INTO delivery_bodies (delivery_id, body) SELECT id, body FROM deliveries ORDER BY rowid;
ALTER TABLE deliveries DROP COLUMN body;
`,
	// 3: the extra headers of a target's deliveries (store/headers.go):
	// the Standard Webhooks profile and the edge authentication header,
	// whose value is sealed like a signing secret. A table of its own, so
	// a target without either has no row and the targets table is
	// unchanged.
	`
CREATE TABLE target_headers (
	target_id         TEXT PRIMARY KEY REFERENCES targets(id) ON DELETE CASCADE,
	standard_webhooks INTEGER NOT NULL DEFAULT 0,
	edge_header       TEXT NOT NULL DEFAULT '',
	edge_fingerprint  TEXT NOT NULL DEFAULT '',
	edge_sealed       BLOB,
	edge_created_at   INTEGER
);
`,
	// 4: what doctor needs. The audit log becomes a hash chain
	// (auditchain.go): each event keeps the hash of the one before and its
	// own; migrate links the events already there (chainExisting) in the
	// same transaction. target_addresses keeps the DNS answers a target's
	// host had when it was saved, to name drift later; response_clock the
	// Date header of the latest delivery response per target, to estimate
	// clock skew (doctorfacts.go). credentials.verified_at/_via say when a
	// receiver accepted a probe signed with that secret only
	// (verification.go).
	`
ALTER TABLE audit_events ADD COLUMN prev_hash TEXT NOT NULL DEFAULT '';
ALTER TABLE audit_events ADD COLUMN hash TEXT NOT NULL DEFAULT '';

ALTER TABLE credentials ADD COLUMN verified_at INTEGER;
ALTER TABLE credentials ADD COLUMN verified_via TEXT NOT NULL DEFAULT '';

CREATE TABLE target_addresses (
	target_id  TEXT PRIMARY KEY REFERENCES targets(id) ON DELETE CASCADE,
	host       TEXT NOT NULL,
	addresses  TEXT NOT NULL,
	checked_at INTEGER NOT NULL
);

CREATE TABLE response_clock (
	target_name TEXT PRIMARY KEY,
	local_at    INTEGER NOT NULL,
	server_date INTEGER NOT NULL
) WITHOUT ROWID;
`,
	// 5: the pace of a target shared by every process that sends to it
	// (store/pace.go): when the next delivery to it may start, in Unix
	// nanoseconds. One small row per target; a missing row means "now".
	// IF NOT EXISTS: a test that winds a database back to an older
	// user_version keeps the table, and this step must still apply.
	`
CREATE TABLE IF NOT EXISTS target_pace (
	target_id     TEXT PRIMARY KEY,
	next_start_ns INTEGER NOT NULL
) WITHOUT ROWID;
`,
	// 6: the due index holds the queue, not the history. Every outcome
	// moved a delivery from (pending, t) to (delivered, t) in
	// deliveries_due, an index entry written per delivery that nothing
	// reads (deliveries --status walks deliveries_created). The partial
	// index has pending deliveries only: an outcome that ends one deletes
	// its entry and writes none, and claims read the queue alone however
	// long the history is. Queries that use it say status = 'pending'
	// literally (pendingDue in outbox.go).
	`
DROP INDEX IF EXISTS deliveries_due;
CREATE INDEX IF NOT EXISTS deliveries_pending ON deliveries(next_attempt_at) WHERE status = 'pending';
`,
	// 7: a target's resolve override (core.Target.Resolve, store/resolve.go):
	// the addresses its URL's host is taken to have instead of DNS, a JSON
	// list, a row only for a target that has one. Addresses are no secret.
	// IF NOT EXISTS: tests wind user_version back and migrate again.
	`
CREATE TABLE IF NOT EXISTS target_resolve (
	target_id TEXT PRIMARY KEY REFERENCES targets(id) ON DELETE CASCADE,
	addresses TEXT NOT NULL
) WITHOUT ROWID;
`,
}

// SchemaVersion is the user_version a database has after Open.
var SchemaVersion = len(migrations)

// migrate brings the database to SchemaVersion: all pending migrations and
// the new user_version in one transaction, so a crash leaves either the old
// or the new schema. A current database is recognised without taking the
// write lock, so opening a store many times at once does not serialise.
func (s *Store) migrate(ctx context.Context) error {
	v, err := s.userVersion(ctx, s.db)
	if err != nil {
		return err
	}
	if v == len(migrations) {
		return nil
	}
	if err := s.checkVersion(v); err != nil {
		return err
	}
	return s.withTx(ctx, func(tx *sql.Tx) error {
		v, err := s.userVersion(ctx, tx)
		if err != nil {
			return err
		}
		if err := s.checkVersion(v); err != nil {
			return err
		}
		for i := v; i < len(migrations); i++ {
			if _, err := tx.ExecContext(ctx, migrations[i]); err != nil {
				return fmt.Errorf("migration %d: %w", i+1, err)
			}
		}
		// Events written before the chain existed get linked here, once;
		// after that every insert links itself.
		if err := chainExisting(ctx, tx); err != nil {
			return fmt.Errorf("linking the audit log: %w", err)
		}
		if v < len(migrations) {
			// PRAGMA takes no bound parameters; the value is our constant.
			if _, err := tx.ExecContext(ctx, fmt.Sprintf("PRAGMA user_version = %d", len(migrations))); err != nil {
				return err
			}
		}
		return nil
	})
}

type queryer interface {
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

func (s *Store) userVersion(ctx context.Context, q queryer) (int, error) {
	var v int
	err := s.retry(ctx, func() error {
		return q.QueryRowContext(ctx, "PRAGMA user_version").Scan(&v)
	})
	return v, err
}

// checkVersion refuses a database written by a newer webhook-setup: its
// schema may hold facts this version would drop.
func (s *Store) checkVersion(v int) error {
	if v > len(migrations) {
		return codes.Errorf(codes.Store, "the database %s has schema version %d; this webhook-setup knows versions up to %d",
			s.path, v, len(migrations)).
			WithFix("Use the newer webhook-setup that wrote this database, or point --db at another one.")
	}
	return nil
}
