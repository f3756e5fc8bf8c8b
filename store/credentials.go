package store

import (
	"context"
	"crypto/subtle"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/webriskops/webhook-setup/core"
	"github.com/webriskops/webhook-setup/core/codes"
	"github.com/webriskops/webhook-setup/core/signing"
)

// insertCredential seals secret for targetID and stores it as the
// target's current credential (expires_at NULL). The caller has already
// run ensureKeyCheck in tx.
func insertCredential(ctx context.Context, tx *sql.Tx, key []byte, targetID, secret string, now time.Time) (core.Signing, error) {
	id := newID("cred_")
	sealed, err := seal(key, []byte(secret), credentialAD(targetID, id))
	if err != nil {
		return core.Signing{}, err
	}
	sig := core.Signing{Algorithm: signing.Algorithm, Fingerprint: signing.Fingerprint(secret), CreatedAt: now}
	_, err = tx.ExecContext(ctx, `INSERT INTO credentials (id, target_id, algorithm, fingerprint, sealed, created_at)
		VALUES (?, ?, ?, ?, ?, ?)`, id, targetID, sig.Algorithm, sig.Fingerprint, sealed, ns(now))
	return sig, err
}

// Credentials returns the decrypted credentials of the target with id
// targetID that are valid at now, newest first: the current one, then
// those still inside a rotation grace. It needs the key (never creating
// one); a target without credentials needs none.
func (s *Store) Credentials(ctx context.Context, targetID string, now time.Time) ([]core.Credential, error) {
	type row struct {
		id, target string
		sealed     []byte
		created    int64
		expires    sql.NullInt64
	}
	var rows []row
	err := s.retry(ctx, func() error {
		rows = rows[:0]
		rs, err := s.db.QueryContext(ctx, `SELECT id, target_id, sealed, created_at, expires_at FROM credentials
			WHERE target_id = ? AND (expires_at IS NULL OR expires_at > ?)
			ORDER BY created_at DESC, rowid DESC`, targetID, ns(now))
		if err != nil {
			return err
		}
		defer rs.Close()
		for rs.Next() {
			var r row
			if err := rs.Scan(&r.id, &r.target, &r.sealed, &r.created, &r.expires); err != nil {
				return err
			}
			rows = append(rows, r)
		}
		return rs.Err()
	})
	if err != nil {
		return nil, err
	}
	if len(rows) == 0 {
		var n int
		if err := s.retry(ctx, func() error {
			return s.db.QueryRowContext(ctx, `SELECT count(*) FROM targets WHERE id = ?`, targetID).Scan(&n)
		}); err != nil {
			return nil, err
		}
		if n == 0 {
			return nil, codes.Errorf(codes.TargetNotFound, "no saved target has id %q", targetID)
		}
		return []core.Credential{}, nil
	}
	key, err := s.loadKey(ctx, false)
	if err != nil {
		return nil, err
	}
	out := make([]core.Credential, 0, len(rows))
	for _, r := range rows {
		plain, err := unseal(key, r.sealed, credentialAD(r.target, r.id))
		if err != nil {
			return nil, codes.Errorf(codes.StoreKey, "credential %s of target %s does not decrypt with the key %s, which matches this database: the row was altered or copied from another target",
				r.id, r.target, s.keyPath).
				WithFix("Rotate the secret of this target (rotate-secret) and store the new one in the receiver.")
		}
		out = append(out, core.Credential{Secret: string(plain), CreatedAt: fromNS(r.created), ExpiresAt: nullNS(r.expires)})
	}
	return out, nil
}

// RotateSecret makes secret the current credential of the target named
// name. The previous current credential stays valid until now+grace (grace
// 0 expires it at once); credentials already expired are deleted, so no
// dead secret lingers. It bumps the target's version and records
// "secret.rotate" with the old and new fingerprints, all in one
// transaction, and returns the saved target.
func (s *Store) RotateSecret(ctx context.Context, name, secret string, grace time.Duration, actor string) (core.Target, error) {
	if p := signing.CheckSecret(secret); p != nil {
		return core.Target{}, codes.ProblemsError([]codes.Problem{*p})
	}
	if grace < 0 {
		return core.Target{}, codes.Errorf(codes.Usage, "the rotation grace %s is negative", grace).
			WithFix("Give a grace of 0 (expire the old secret now) or longer, e.g. 24h.")
	}
	return s.rotate(ctx, name, actor, "secret.rotate", func(tx *sql.Tx, key []byte, t core.Target, now time.Time) (core.Target, string, error) {
		if err := s.ensureKeyCheck(ctx, tx, key); err != nil {
			return t, "", err
		}
		return s.rotateTx(ctx, tx, key, t, secret, grace, now)
	})
}

// rotate is the transaction of a rotation that seals a new value for the
// target named name: it loads the key (making one when there is none),
// reads the target inside the transaction, lets change write the new
// value and records event with the detail change returns. change runs
// ensureKeyCheck before it seals anything (RotateEdge refuses a bad value
// first), and returns the target as saved.
func (s *Store) rotate(ctx context.Context, name, actor, event string,
	change func(tx *sql.Tx, key []byte, t core.Target, now time.Time) (core.Target, string, error)) (core.Target, error) {
	key, err := s.loadKey(ctx, true)
	if err != nil {
		return core.Target{}, err
	}
	now := s.now()
	var saved core.Target
	err = s.withTx(ctx, func(tx *sql.Tx) error {
		t, err := s.targetBy(ctx, tx, "t.name", name)
		if err != nil {
			return err
		}
		var detail string
		saved, detail, err = change(tx, key, t, now)
		if err != nil {
			return err
		}
		return insertAudit(ctx, tx, now, actor, event, saved.Name, detail)
	})
	return saved, err
}

// rotateTx swaps t's current credential for secret inside tx, bumps t's
// version and returns the saved target and an audit detail; the caller has
// run ensureKeyCheck in tx.
func (s *Store) rotateTx(ctx context.Context, tx *sql.Tx, key []byte, t core.Target, secret string, grace time.Duration, now time.Time) (core.Target, string, error) {
	same, err := currentSecretIs(ctx, tx, key, t.ID, secret)
	if err != nil {
		return t, "", err
	}
	if same {
		return t, "", codes.Errorf(codes.SecretUnchanged, "the new signing secret of %s is the one it already uses; nothing was rotated", t.Name)
	}
	until := now.Add(grace)
	if _, err := tx.ExecContext(ctx, `UPDATE credentials SET expires_at = ? WHERE target_id = ? AND expires_at IS NULL`,
		ns(until), t.ID); err != nil {
		return t, "", err
	}
	if _, err := tx.ExecContext(ctx, `DELETE FROM credentials WHERE target_id = ? AND expires_at <= ?`, t.ID, ns(now)); err != nil {
		return t, "", err
	}
	sig, err := insertCredential(ctx, tx, key, t.ID, secret, now)
	if err != nil {
		return t, "", err
	}
	if _, err := tx.ExecContext(ctx, `UPDATE targets SET version = version + 1, updated_at = ? WHERE id = ?`, ns(now), t.ID); err != nil {
		return t, "", err
	}
	old := "none"
	if t.Signing != nil {
		old = t.Signing.Fingerprint
	}
	detail := fmt.Sprintf("%s → %s; previous secret expired now", old, sig.Fingerprint)
	if grace > 0 && t.Signing != nil {
		detail = fmt.Sprintf("%s → %s; previous secret valid until %s (grace %s)", old, sig.Fingerprint,
			until.Format(time.RFC3339), grace)
	}
	t.Version++
	t.UpdatedAt = now
	t.Signing = &sig
	return t, detail, nil
}

// currentSecretIs reports whether secret is the current (unexpiring)
// credential of targetID, compared in constant time: rotating to it would
// record a rotation that changes nothing.
func currentSecretIs(ctx context.Context, tx *sql.Tx, key []byte, targetID, secret string) (bool, error) {
	var id string
	var sealed []byte
	err := tx.QueryRowContext(ctx, `SELECT id, sealed FROM credentials WHERE target_id = ? AND expires_at IS NULL
		ORDER BY created_at DESC, rowid DESC LIMIT 1`, targetID).Scan(&id, &sealed)
	if errors.Is(err, sql.ErrNoRows) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	plain, err := unseal(key, sealed, credentialAD(targetID, id))
	if err != nil {
		return false, nil // an unreadable credential is replaced, not compared
	}
	defer clear(plain)
	return subtle.ConstantTimeCompare(plain, []byte(secret)) == 1, nil
}
