package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/webriskops/webhook-setup/core/codes"
)

// Verified rotation: a receiver that accepts a probe signed with the new
// secret only has proved it verifies with it, so the previous secret can
// be retired before its grace ends.

// SecretVerification says when a receiver accepted a probe signed with a
// target's current secret only, and where it was sent.
type SecretVerification struct {
	Fingerprint string    `json:"fingerprint"`
	At          time.Time `json:"at"`
	// Via is the redacted endpoint of the probe, with "rehearsal " in
	// front when it went to a receiver on this machine (--to).
	Via string `json:"via"`
}

// MarkSecretVerified records that the current secret of the target named
// name, whose fingerprint must still be fingerprint, was accepted at at
// through via, with the audit event "secret.verify", in one transaction.
func (s *Store) MarkSecretVerified(ctx context.Context, name, fingerprint, via string, at time.Time, actor string) error {
	now := s.now()
	return s.withTx(ctx, func(tx *sql.Tx) error {
		t, err := s.targetBy(ctx, tx, "t.name", name)
		if err != nil {
			return err
		}
		res, err := tx.ExecContext(ctx, `UPDATE credentials SET verified_at = ?, verified_via = ?
			WHERE target_id = ? AND expires_at IS NULL AND fingerprint = ?`, ns(at), via, t.ID, fingerprint)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return codes.Errorf(codes.Conflict, "the current secret of %s changed while it was being verified", name)
		}
		return insertAudit(ctx, tx, now, actor, "secret.verify", name,
			fmt.Sprintf("new secret %s verified by the receiver at %s (%s)", fingerprint, at.UTC().Format(time.RFC3339), via))
	})
}

// RetirePreviousSecrets deletes the previous secrets of the target named
// name that are still in their rotation grace, bumps its version and
// records "secret.retire" with their fingerprints, in one transaction. It
// returns the fingerprints retired (none is not an error).
func (s *Store) RetirePreviousSecrets(ctx context.Context, name, actor string) ([]string, error) {
	now := s.now()
	var retired []string
	err := s.withTx(ctx, func(tx *sql.Tx) error {
		retired = retired[:0]
		t, err := s.targetBy(ctx, tx, "t.name", name)
		if err != nil {
			return err
		}
		rows, err := tx.QueryContext(ctx, `SELECT fingerprint FROM credentials WHERE target_id = ? AND expires_at IS NOT NULL AND expires_at > ?
			ORDER BY created_at`, t.ID, ns(now))
		if err != nil {
			return err
		}
		for rows.Next() {
			var fp string
			if err := rows.Scan(&fp); err != nil {
				rows.Close()
				return err
			}
			retired = append(retired, fp)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		if len(retired) == 0 {
			return nil
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM credentials WHERE target_id = ? AND expires_at IS NOT NULL`, t.ID); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `UPDATE targets SET version = version + 1, updated_at = ? WHERE id = ?`, ns(now), t.ID); err != nil {
			return err
		}
		return insertAudit(ctx, tx, now, actor, "secret.retire", name,
			fmt.Sprintf("previous secret(s) %s retired after the receiver verified the new one", strings.Join(retired, ", ")))
	})
	return retired, err
}

// SecretVerifications returns the verification of each target's current
// secret, by target id; targets whose current secret was never verified
// are absent.
func (s *Store) SecretVerifications(ctx context.Context) (map[string]SecretVerification, error) {
	out := map[string]SecretVerification{}
	err := s.retry(ctx, func() error {
		clear(out)
		rows, err := s.db.QueryContext(ctx, `SELECT target_id, fingerprint, verified_at, verified_via FROM credentials
			WHERE expires_at IS NULL AND verified_at IS NOT NULL`)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var id string
			var v SecretVerification
			var at int64
			if err := rows.Scan(&id, &v.Fingerprint, &at, &v.Via); err != nil {
				return err
			}
			v.At = fromNS(at)
			out[id] = v
		}
		return rows.Err()
	})
	return out, err
}

// SecretVerificationOf is SecretVerifications for one target id.
func (s *Store) SecretVerificationOf(ctx context.Context, targetID string) (SecretVerification, bool, error) {
	var v SecretVerification
	var at int64
	err := s.retry(ctx, func() error {
		return s.db.QueryRowContext(ctx, `SELECT fingerprint, verified_at, verified_via FROM credentials
			WHERE target_id = ? AND expires_at IS NULL AND verified_at IS NOT NULL`, targetID).Scan(&v.Fingerprint, &at, &v.Via)
	})
	if errors.Is(err, sql.ErrNoRows) {
		return v, false, nil
	}
	if err != nil {
		return v, false, err
	}
	v.At = fromNS(at)
	return v, true, nil
}
