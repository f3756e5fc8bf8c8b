package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"sort"
	"strings"

	"github.com/webriskops/webhook-setup/core"
)

// The URL safety decision a target was saved with lives in
// target_addresses (one row per target, the answers the save's URL check
// judged safe; RecordAddresses writes the same row), joined to every
// target read as core.Target.URLCheck.
const (
	urlCheckJoin    = ` LEFT JOIN target_addresses ua ON ua.target_id = t.id`
	urlCheckColumns = `, ua.host, ua.addresses, ua.checked_at`
	// urlCheckFirst is the index of the first urlCheckColumns value in a
	// scanned row, after headersColumns.
	urlCheckFirst = headersFirst + 4
)

// scanURLCheck fills t.URLCheck from the joined columns vals (NULL when
// no decision was recorded). Only safe decisions are stored: nothing
// unsafe is saved.
func scanURLCheck(t *core.Target, vals []any) error {
	if vals[0] == nil {
		return nil
	}
	c := &core.URLCheck{Safe: true, Host: text(vals[0]), CheckedAt: fromNS(integer(vals[2]))}
	if err := json.Unmarshal([]byte(text(vals[1])), &c.Addresses); err != nil {
		return fmt.Errorf("target %s: addresses column: %w", t.Name, err)
	}
	t.URLCheck = c
	return nil
}

// saveURLCheckTx records t.URLCheck for t inside tx, replacing an earlier
// one, and leaves t holding it as stored (host lower case, addresses
// sorted); nil records nothing.
func saveURLCheckTx(ctx context.Context, tx *sql.Tx, t *core.Target) error {
	c := t.URLCheck
	if c == nil || c.Host == "" || len(c.Addresses) == 0 {
		return nil
	}
	stored := *c
	stored.Host = strings.ToLower(c.Host)
	stored.Addresses = append([]string(nil), c.Addresses...)
	sort.Strings(stored.Addresses)
	b, _ := json.Marshal(stored.Addresses)
	_, err := tx.ExecContext(ctx, `INSERT INTO target_addresses (target_id, host, addresses, checked_at) VALUES (?, ?, ?, ?)
		ON CONFLICT (target_id) DO UPDATE SET host = excluded.host, addresses = excluded.addresses, checked_at = excluded.checked_at`,
		t.ID, stored.Host, string(b), ns(stored.CheckedAt))
	t.URLCheck = &stored
	return err
}

// urlCheckDetail is the decision as an audit detail suffix; it names the
// host and addresses only, never the URL.
func urlCheckDetail(t core.Target) string {
	if t.URLCheck == nil {
		return ""
	}
	return "; url check " + t.URLCheck.Summary()
}

// newURLCheck reports whether the target to save, t, brings a decision
// other than the stored target cur's (one read back and saved again is
// the same decision).
func newURLCheck(cur, t core.Target) bool {
	if t.URLCheck == nil || t.URLCheck.Host == "" || len(t.URLCheck.Addresses) == 0 {
		return false
	}
	return cur.URLCheck == nil || !t.URLCheck.CheckedAt.Equal(cur.URLCheck.CheckedAt) ||
		!strings.EqualFold(t.URLCheck.Host, cur.URLCheck.Host) || len(t.URLCheck.Addresses) != len(cur.URLCheck.Addresses)
}
