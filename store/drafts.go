package store

import (
	"context"
	"database/sql"
	"errors"
	"time"

	"github.com/webriskops/webhook-setup/core/codes"
)

// SaveDraft stores the wizard's progress under id: the step name in clear
// and data (opaque JSON that may hold a secret) sealed with the store key,
// bound to id. It replaces an earlier draft of the same id. Saving may
// create the key when the database holds nothing encrypted yet.
func (s *Store) SaveDraft(ctx context.Context, id, step string, data []byte) error {
	if id == "" {
		return codes.Errorf(codes.Internal, "SaveDraft called without a draft id")
	}
	key, err := s.loadKey(ctx, true)
	if err != nil {
		return err
	}
	sealed, err := seal(key, data, draftAD(id))
	if err != nil {
		return s.storeErr(err)
	}
	now := s.now()
	return s.withTx(ctx, func(tx *sql.Tx) error {
		if err := s.ensureKeyCheck(ctx, tx, key); err != nil {
			return err
		}
		_, err := tx.ExecContext(ctx, `INSERT INTO drafts (id, step, sealed, updated_at) VALUES (?, ?, ?, ?)
			ON CONFLICT (id) DO UPDATE SET step = excluded.step, sealed = excluded.sealed, updated_at = excluded.updated_at`,
			id, step, sealed, ns(now))
		return err
	})
}

// LoadDraft returns the draft saved under id; ok is false (and no key is
// needed) when there is none.
func (s *Store) LoadDraft(ctx context.Context, id string) (step string, data []byte, updatedAt time.Time, ok bool, err error) {
	var sealed []byte
	var at int64
	err = s.retry(ctx, func() error {
		err := s.db.QueryRowContext(ctx, `SELECT step, sealed, updated_at FROM drafts WHERE id = ?`, id).Scan(&step, &sealed, &at)
		if errors.Is(err, sql.ErrNoRows) {
			return nil
		}
		ok = err == nil
		return err
	})
	if err != nil || !ok {
		return "", nil, time.Time{}, false, err
	}
	key, err := s.loadKey(ctx, false)
	if err != nil {
		return "", nil, time.Time{}, false, err
	}
	data, err = unseal(key, sealed, draftAD(id))
	if err != nil {
		return "", nil, time.Time{}, false, codes.Errorf(codes.StoreKey, "the draft %q does not decrypt with the key %s, which matches this database: the row was altered",
			id, s.keyPath).WithFix("Delete the draft (start the setup again); saved targets are not affected.")
	}
	return step, data, fromNS(at), true, nil
}

// HasDraft reports whether a draft is saved under id, without the key.
func (s *Store) HasDraft(ctx context.Context, id string) (bool, error) {
	var n int
	err := s.retry(ctx, func() error {
		return s.db.QueryRowContext(ctx, `SELECT count(*) FROM drafts WHERE id = ?`, id).Scan(&n)
	})
	return n > 0, err
}

// DeleteDraft removes the draft saved under id; a missing draft is not an
// error. It needs no key.
func (s *Store) DeleteDraft(ctx context.Context, id string) error {
	return s.withTx(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `DELETE FROM drafts WHERE id = ?`, id)
		return err
	})
}
