package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"

	"github.com/webriskops/webhook-setup/core"
	"github.com/webriskops/webhook-setup/core/codes"
)

// A target's resolve override (core.Target.Resolve) lives in
// target_resolve as a JSON list of addresses, a row only for a target that
// has one; targetSelect joins it and reads it last.
const (
	resolveJoin    = ` LEFT JOIN target_resolve rv ON rv.target_id = t.id`
	resolveColumns = `, rv.addresses`
	// resolveFirst is the index of the resolve column in a scanned row,
	// after urlCheckColumns.
	resolveFirst = urlCheckFirst + 3
)

// scanResolve fills t.Resolve from the scanned column value.
func scanResolve(t *core.Target, v any) error {
	s := text(v)
	if s == "" || s == "[]" {
		return nil
	}
	if err := json.Unmarshal([]byte(s), &t.Resolve); err != nil {
		return fmt.Errorf("target %s: resolve column: %w", t.Name, err)
	}
	return nil
}

// saveResolveTx writes t's resolve override inside tx: its row, or no row
// when it has none.
func saveResolveTx(ctx context.Context, tx *sql.Tx, t core.Target) error {
	if len(t.Resolve) == 0 {
		_, err := tx.ExecContext(ctx, `DELETE FROM target_resolve WHERE target_id = ?`, t.ID)
		return err
	}
	b, _ := json.Marshal(t.Resolve) // strings: cannot fail
	_, err := tx.ExecContext(ctx, `INSERT INTO target_resolve (target_id, addresses) VALUES (?, ?)
		ON CONFLICT (target_id) DO UPDATE SET addresses = excluded.addresses`, t.ID, string(b))
	return err
}

// resolveDetail is the override as an audit detail suffix ("" without one).
func resolveDetail(t core.Target) string {
	if len(t.Resolve) == 0 {
		return ""
	}
	return "; resolve " + resolveText(t)
}

// resolveText is the override in an audit detail: the host and port and
// the addresses ("none" once removed). Addresses are no secret.
func resolveText(t core.Target) string {
	if len(t.Resolve) == 0 {
		return "none (DNS)"
	}
	return core.ResolveLine(t)
}

// SetResolve saves addrs as the resolve override of the target named name
// (nil removes it), with a "target.update" audit event naming resolve, and
// returns the saved target. The addresses are checked with the core rules
// (core.ParseResolve's, and an address URL takes none); the caller judges
// them against the URL policy (core.CheckEndpoint) before it saves.
// Setting what is already saved writes nothing.
func (s *Store) SetResolve(ctx context.Context, name string, addrs []string, actor string) (core.Target, error) {
	t, err := s.Target(ctx, name)
	if err != nil {
		return t, err
	}
	t.Resolve = addrs
	for _, p := range core.Validate(t, "") {
		if p.Field == "resolve" {
			return t, codes.ProblemsError([]codes.Problem{p})
		}
	}
	err = s.UpdateTarget(ctx, &t, actor)
	return t, err
}
