package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/webriskops/webhook-setup/core"
	"github.com/webriskops/webhook-setup/core/codes"
	"github.com/webriskops/webhook-setup/core/delivery"
	"github.com/webriskops/webhook-setup/core/signing"
)

// The extra headers of a target's deliveries live in target_headers, one
// row per target that has any: the Standard Webhooks profile and the edge
// authentication header, whose value is sealed like a signing secret
// (edgeAD binds it to its target). targetSelect joins the row, so every
// target read carries the header name and the value's fingerprint, never
// the value.

// headersJoin and headersColumns extend targetSelect.
const (
	headersJoin    = ` LEFT JOIN target_headers h ON h.target_id = t.id`
	headersColumns = `, h.standard_webhooks, h.edge_header, h.edge_fingerprint, h.edge_created_at`
	// headersFirst is the index of the first headersColumns value in a
	// scanned row.
	headersFirst = 19
)

// scanHeaders fills t's StandardWebhooks and EdgeAuth from the joined
// columns vals (NULL when the target has no row).
func scanHeaders(t *core.Target, vals []any) {
	t.StandardWebhooks = integer(vals[0]) != 0
	if name := text(vals[1]); name != "" {
		t.EdgeAuth = &core.EdgeAuth{Header: name, Fingerprint: text(vals[2]), CreatedAt: fromNS(integer(vals[3]))}
	}
}

// CreateTargetWithEdge is CreateTarget for a target with edge
// authentication: t.EdgeAuth names the header and edgeValue is its value,
// sealed in the same transaction. Both or neither (EDGE_VALUE_MISSING).
func (s *Store) CreateTargetWithEdge(ctx context.Context, t *core.Target, secret, edgeValue, actor string) error {
	return s.createTarget(ctx, t, secret, edgeValue, actor)
}

// checkEdge checks t's edge header with the value that comes with it; an
// empty value is accepted when keep says the stored one stays.
func checkEdge(t core.Target, value string, keep bool) error {
	header := ""
	if t.EdgeAuth != nil {
		header = t.EdgeAuth.Header
	}
	if keep && value == "" {
		if header == "" {
			return nil
		}
		if p := core.CheckEdgeHeader(header); p != nil {
			return codes.ProblemsError([]codes.Problem{*p})
		}
		return nil
	}
	if header != "" && value == "" {
		return codes.ProblemsError([]codes.Problem{codes.NewProblem(codes.EdgeValueMissing, "edge_auth.value",
			fmt.Sprintf("the edge authentication header %s has no value", header))})
	}
	return codes.ProblemsError(core.CheckEdge(header, value))
}

// saveHeadersTx writes t's extra headers inside tx and fills t.EdgeAuth's
// fingerprint and time. A non-empty edgeValue is sealed as the new value;
// an empty one keeps the stored value (an update that renames the header
// or changes only the profile), and fails when there is none. A target with
// neither extra has no row. The caller has run ensureKeyCheck in tx.
func saveHeadersTx(ctx context.Context, tx *sql.Tx, key []byte, t *core.Target, edgeValue string, now time.Time) error {
	if !t.StandardWebhooks && t.EdgeAuth == nil {
		_, err := tx.ExecContext(ctx, `DELETE FROM target_headers WHERE target_id = ?`, t.ID)
		return err
	}
	if t.EdgeAuth == nil {
		_, err := tx.ExecContext(ctx, `INSERT INTO target_headers (target_id, standard_webhooks) VALUES (?, 1)
			ON CONFLICT (target_id) DO UPDATE SET standard_webhooks = 1, edge_header = '', edge_fingerprint = '',
			edge_sealed = NULL, edge_created_at = NULL`, t.ID)
		return err
	}
	if edgeValue == "" {
		var fp string
		var created sql.NullInt64
		err := tx.QueryRowContext(ctx, `SELECT edge_fingerprint, edge_created_at FROM target_headers
			WHERE target_id = ? AND edge_sealed IS NOT NULL`, t.ID).Scan(&fp, &created)
		if errors.Is(err, sql.ErrNoRows) {
			return checkEdge(*t, "", false)
		}
		if err != nil {
			return err
		}
		_, err = tx.ExecContext(ctx, `UPDATE target_headers SET standard_webhooks = ?, edge_header = ? WHERE target_id = ?`,
			t.StandardWebhooks, t.EdgeAuth.Header, t.ID)
		t.EdgeAuth = &core.EdgeAuth{Header: t.EdgeAuth.Header, Fingerprint: fp, CreatedAt: nullNS(created)}
		return err
	}
	sealed, err := seal(key, []byte(edgeValue), edgeAD(t.ID))
	if err != nil {
		return err
	}
	fp := signing.Fingerprint(edgeValue)
	_, err = tx.ExecContext(ctx, `INSERT INTO target_headers (target_id, standard_webhooks, edge_header, edge_fingerprint, edge_sealed, edge_created_at)
		VALUES (?, ?, ?, ?, ?, ?)
		ON CONFLICT (target_id) DO UPDATE SET standard_webhooks = excluded.standard_webhooks, edge_header = excluded.edge_header,
		edge_fingerprint = excluded.edge_fingerprint, edge_sealed = excluded.edge_sealed, edge_created_at = excluded.edge_created_at`,
		t.ID, t.StandardWebhooks, t.EdgeAuth.Header, fp, sealed, ns(now))
	t.EdgeAuth = &core.EdgeAuth{Header: t.EdgeAuth.Header, Fingerprint: fp, CreatedAt: now}
	return err
}

// EdgeValue returns the edge authentication header of the target with id
// targetID with its decrypted value; ok is false when it has none (or no
// such target exists). It needs the key only when there is a value.
func (s *Store) EdgeValue(ctx context.Context, targetID string) (delivery.EdgeHeader, bool, error) {
	var name string
	var sealed []byte
	err := s.retry(ctx, func() error {
		return s.db.QueryRowContext(ctx, `SELECT edge_header, edge_sealed FROM target_headers
			WHERE target_id = ? AND edge_sealed IS NOT NULL`, targetID).Scan(&name, &sealed)
	})
	if errors.Is(err, sql.ErrNoRows) {
		return delivery.EdgeHeader{}, false, nil
	}
	if err != nil {
		return delivery.EdgeHeader{}, false, err
	}
	key, err := s.loadKey(ctx, false)
	if err != nil {
		return delivery.EdgeHeader{}, false, err
	}
	plain, err := unseal(key, sealed, edgeAD(targetID))
	if err != nil {
		return delivery.EdgeHeader{}, false, codes.Errorf(codes.StoreKey,
			"the edge authentication value of target %s does not decrypt with the key %s, which matches this database: the row was altered or copied from another target",
			targetID, s.keyPath).
			WithFix("Set the value again with rotate-secret NAME --edge --edge-value-file F.")
	}
	return delivery.EdgeHeader{Name: name, Value: string(plain)}, true, nil
}

// RotateEdge makes value the edge authentication value of the target named
// name, under header (empty: keep the current header name; a target
// without edge authentication needs one). It bumps the target's version
// and records "edge.rotate" with the old and new fingerprints, in one
// transaction. There is no grace: the platform accepts one value, so the
// new one is sent from the next delivery on.
func (s *Store) RotateEdge(ctx context.Context, name, header, value, actor string) (core.Target, error) {
	return s.rotate(ctx, name, actor, "edge.rotate", func(tx *sql.Tx, key []byte, t core.Target, now time.Time) (core.Target, string, error) {
		old := "none"
		if t.EdgeAuth != nil {
			old = t.EdgeAuth.Header + " " + t.EdgeAuth.Fingerprint
			if header == "" {
				header = t.EdgeAuth.Header
			}
		}
		t.EdgeAuth = &core.EdgeAuth{Header: header}
		if err := checkEdge(t, value, false); err != nil {
			return t, "", err
		}
		if err := s.ensureKeyCheck(ctx, tx, key); err != nil {
			return t, "", err
		}
		if err := saveHeadersTx(ctx, tx, key, &t, value, now); err != nil {
			return t, "", err
		}
		if _, err := tx.ExecContext(ctx, `UPDATE targets SET version = version + 1, updated_at = ? WHERE id = ?`, ns(now), t.ID); err != nil {
			return t, "", err
		}
		t.Version++
		t.UpdatedAt = now
		return t, fmt.Sprintf("edge authentication %s → %s %s", old, t.EdgeAuth.Header, t.EdgeAuth.Fingerprint), nil
	})
}

// headersDetail adds the extra headers to an audit detail: the edge header
// name and the value's fingerprint, never the value.
func headersDetail(t core.Target) string {
	d := ""
	if t.StandardWebhooks {
		d += ", standard webhooks"
	}
	if t.EdgeAuth != nil {
		d += ", edge header " + t.EdgeAuth.Header + " " + t.EdgeAuth.Fingerprint
	}
	return d
}
