package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/webriskops/webhook-setup/core/delivery"
)

// The facts doctor reports, read without the key and without changing
// anything, except RecordAddresses and recordResponseClock, which the
// commands that save targets and record attempts call.

// PathCheck is the ownership rule applied to one path of the store.
type PathCheck struct {
	Role string `json:"role"`
	Path string `json:"path"`
	// Err is the refusal of the rule (codes.StoreUnsafe and the like), nil
	// when the path passes or does not exist.
	Err error `json:"-"`
	// Loose: the file is ours and nobody else may write it, but others
	// may read it (Open and the key loader close it to 0600).
	Loose bool   `json:"loose"`
	Mode  string `json:"mode,omitempty"`
}

// CheckPaths applies the ownership rules (ownership.go, the same checks
// Open runs) to each path of the store on its own, so doctor can report
// every one rather than the first refusal. It changes nothing.
func CheckPaths(dbPath, keyPath string) []PathCheck {
	if keyPath == "" {
		keyPath = KeyPath(dbPath)
	}
	if abs, err := filepath.Abs(dbPath); err == nil {
		dbPath = abs
	}
	if real, err := resolveDB(dbPath); err == nil {
		dbPath = real
	}
	var out []PathCheck
	folder := func(dir, role string) {
		out = append(out, PathCheck{Role: role, Path: dir, Err: checkFolder(dir, role), Mode: modeOf(dir)})
	}
	file := func(path, role string, check func(string, string) (bool, error)) {
		loose, err := check(path, role)
		out = append(out, PathCheck{Role: role, Path: path, Err: err, Loose: loose, Mode: modeOf(path)})
	}
	folder(filepath.Dir(dbPath), "data folder")
	if kd := filepath.Dir(keyPath); kd != filepath.Dir(dbPath) {
		folder(kd, "key folder")
	}
	file(dbPath, "database", checkFile)
	file(dbPath+"-wal", "database WAL", checkFile)
	file(keyPath, "key file", func(p, _ string) (bool, error) { return checkKeyFile(p) })
	return out
}

// CheckKeyAsIs verifies the key file against the key check value like
// CheckKey, without creating it or changing its mode (doctor reports a
// loose mode rather than fixing it). A verified key is kept for this
// handle, so later reads of sealed values (Targets) do not load it again
// through loadKey, which would close its mode. A missing key file is fine
// while nothing encrypted is stored (the key is made on first use).
func (s *Store) CheckKeyAsIs(ctx context.Context) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.key != nil {
		return nil
	}
	if _, err := checkKeyFile(s.keyPath); err != nil {
		return err
	}
	key, err := readKeyFile(s.keyPath)
	if errors.Is(err, fs.ErrNotExist) {
		n, cerr := s.encryptedRows(ctx, s.db)
		if cerr != nil || n == 0 {
			return cerr
		}
		return s.keyMissing(n)
	}
	if err != nil {
		return err
	}
	if err := s.verifyKey(ctx, s.db, key); err != nil {
		clear(key)
		return err
	}
	s.key = key
	return nil
}

// IntegrityCheck runs PRAGMA integrity_check: nil problems when SQLite
// answers "ok".
func (s *Store) IntegrityCheck(ctx context.Context) ([]string, error) {
	var out []string
	err := s.retry(ctx, func() error {
		out = out[:0]
		rows, err := s.db.QueryContext(ctx, `PRAGMA integrity_check`)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var line string
			if err := rows.Scan(&line); err != nil {
				return err
			}
			if line != "ok" {
				out = append(out, line)
			}
		}
		return rows.Err()
	})
	return out, err
}

// Schema returns the database's user_version and the version this build
// writes.
func (s *Store) Schema(ctx context.Context) (have, want int, err error) {
	have, err = s.userVersion(ctx, s.db)
	return have, SchemaVersion, err
}

// CredentialTimes is when one stored credential was made and, for a
// previous secret in its rotation grace, when it stops being valid.
type CredentialTimes struct {
	Fingerprint string    `json:"fingerprint"`
	CreatedAt   time.Time `json:"created_at"`
	ExpiresAt   time.Time `json:"expires_at,omitempty"` // zero for the current secret
}

// CredentialAges lists the credentials of targetID still valid at now,
// current first, without decrypting them.
func (s *Store) CredentialAges(ctx context.Context, targetID string, now time.Time) ([]CredentialTimes, error) {
	var out []CredentialTimes
	err := s.retry(ctx, func() error {
		out = out[:0]
		rows, err := s.db.QueryContext(ctx, `SELECT fingerprint, created_at, expires_at FROM credentials
			WHERE target_id = ? AND (expires_at IS NULL OR expires_at > ?)
			ORDER BY expires_at IS NOT NULL, created_at DESC`, targetID, ns(now))
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var c CredentialTimes
			var created int64
			var expires sql.NullInt64
			if err := rows.Scan(&c.Fingerprint, &created, &expires); err != nil {
				return err
			}
			c.CreatedAt, c.ExpiresAt = fromNS(created), nullNS(expires)
			out = append(out, c)
		}
		return rows.Err()
	})
	return out, err
}

// SavedAddresses is what a target's host resolved to when it was last
// saved (RecordAddresses).
type SavedAddresses struct {
	Host      string    `json:"host"`
	Addresses []string  `json:"addresses"`
	CheckedAt time.Time `json:"checked_at"`
}

// RecordAddresses keeps the DNS answers of the target named name's host as
// the URL check of its save saw them, sorted, replacing earlier ones.
func (s *Store) RecordAddresses(ctx context.Context, name, host string, addrs []string) error {
	if host == "" || len(addrs) == 0 {
		return nil // nothing was resolved (an IP literal still answers itself)
	}
	sorted := append([]string(nil), addrs...)
	sort.Strings(sorted)
	b, _ := json.Marshal(sorted)
	now := s.now()
	return s.withTx(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO target_addresses (target_id, host, addresses, checked_at)
			SELECT id, ?, ?, ? FROM targets WHERE name = ?
			ON CONFLICT (target_id) DO UPDATE SET host = excluded.host, addresses = excluded.addresses, checked_at = excluded.checked_at`,
			strings.ToLower(host), string(b), ns(now), name)
		return err
	})
}

// Addresses returns the recorded answers of targetID; ok is false when
// none were recorded (a target saved before doctor existed).
func (s *Store) Addresses(ctx context.Context, targetID string) (SavedAddresses, bool, error) {
	var a SavedAddresses
	var list string
	var at int64
	err := s.retry(ctx, func() error {
		return s.db.QueryRowContext(ctx, `SELECT host, addresses, checked_at FROM target_addresses WHERE target_id = ?`, targetID).
			Scan(&a.Host, &list, &at)
	})
	if errors.Is(err, sql.ErrNoRows) {
		return a, false, nil
	}
	if err != nil {
		return a, false, err
	}
	if err := json.Unmarshal([]byte(list), &a.Addresses); err != nil {
		return a, false, fmt.Errorf("target_addresses of %s: %w", targetID, err)
	}
	a.CheckedAt = fromNS(at)
	return a, true, nil
}

// ClockSample is the Date header of the latest response of a target's
// receiver and the local time it arrived.
type ClockSample struct {
	Target     string    `json:"target"`
	LocalAt    time.Time `json:"local_at"`
	ServerDate time.Time `json:"server_date"`
}

// Skew is how far the receiver's clock is ahead of this machine's (Date
// headers have one-second resolution).
func (c ClockSample) Skew() time.Duration { return c.ServerDate.Sub(c.LocalAt) }

// recordResponseClock keeps, per target, the Date of the latest response
// among outcomes, inside Record's transaction. One statement per
// rowsPerStatement outcomes upserts only the latest of each target's
// samples among them (SQLite takes a bare column from the row max()
// picks): a statement per outcome, each prepared anew, was a tenth of an
// export's CPU (docs/performance.md).
func (s *Store) recordResponseClock(ctx context.Context, tx *sql.Tx, outcomes []delivery.Outcome) error {
	args := make([]any, 0, 3*min(len(outcomes), rowsPerStatement))
	flush := func() error {
		if len(args) == 0 {
			return nil
		}
		err := s.stmts.exec(ctx, tx, stmtResponseClock, len(args)/3, args...)
		args = args[:0]
		return err
	}
	for _, o := range outcomes {
		a := o.Attempt
		if a.ServerDate.IsZero() {
			continue
		}
		args = append(args, ns(a.At.Add(a.Duration)), ns(a.ServerDate), a.DeliveryID)
		if len(args) == 3*rowsPerStatement {
			if err := flush(); err != nil {
				return err
			}
		}
	}
	return flush()
}

// responseClockSQL upserts the latest of n response clock samples per
// target: (local time, server Date, delivery id) each.
func responseClockSQL(n int) string {
	return `INSERT INTO response_clock (target_name, local_at, server_date)
			SELECT deliveries.target_name, max(s.column1), s.column2
			FROM (VALUES ` + valueRows(n, 3) + `) AS s JOIN deliveries ON deliveries.id = s.column3
			WHERE true GROUP BY deliveries.target_name
			ON CONFLICT (target_name) DO UPDATE SET local_at = excluded.local_at, server_date = excluded.server_date
			WHERE excluded.local_at >= response_clock.local_at`
}

// ClockSamples returns the latest response clock of each target.
func (s *Store) ClockSamples(ctx context.Context) ([]ClockSample, error) {
	var out []ClockSample
	err := s.retry(ctx, func() error {
		out = out[:0]
		rows, err := s.db.QueryContext(ctx, `SELECT target_name, local_at, server_date FROM response_clock ORDER BY target_name`)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var c ClockSample
			var l, d int64
			if err := rows.Scan(&c.Target, &l, &d); err != nil {
				return err
			}
			c.LocalAt, c.ServerDate = fromNS(l), fromNS(d)
			out = append(out, c)
		}
		return rows.Err()
	})
	return out, err
}

// DeliveryFacts counts a target's deliveries by status and lists the
// last failures' codes and the fallback bundles written for them.
type DeliveryFacts struct {
	Target       string         `json:"target"`
	Counts       map[string]int `json:"counts"`
	LastFailures []string       `json:"last_failure_codes,omitempty"`
	Fallbacks    []string       `json:"fallback_bundles,omitempty"`
}

// DeliveryFactsByTarget returns the delivery facts of every target name in
// the outbox, sorted by name; failures and bundles list at most last each.
func (s *Store) DeliveryFactsByTarget(ctx context.Context, last int) ([]DeliveryFacts, error) {
	byName := map[string]*DeliveryFacts{}
	get := func(name string) *DeliveryFacts {
		f := byName[name]
		if f == nil {
			f = &DeliveryFacts{Target: name, Counts: map[string]int{}}
			byName[name] = f
		}
		return f
	}
	err := s.retry(ctx, func() error {
		clear(byName)
		rows, err := s.db.QueryContext(ctx, `SELECT target_name, status, count(*) FROM deliveries GROUP BY target_name, status`)
		if err != nil {
			return err
		}
		for rows.Next() {
			var name, status string
			var n int
			if err := rows.Scan(&name, &status, &n); err != nil {
				rows.Close()
				return err
			}
			get(name).Counts[status] = n
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		rows, err = s.db.QueryContext(ctx, `SELECT target_name, last_code, fallback_path FROM deliveries
			WHERE status = ? ORDER BY updated_at DESC`, string(delivery.StatusFailed))
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var name, code, fallback string
			if err := rows.Scan(&name, &code, &fallback); err != nil {
				return err
			}
			f := get(name)
			if code != "" && len(f.LastFailures) < last {
				f.LastFailures = append(f.LastFailures, code)
			}
			if fallback != "" && len(f.Fallbacks) < last && !contains(f.Fallbacks, fallback) {
				f.Fallbacks = append(f.Fallbacks, fallback)
			}
		}
		return rows.Err()
	})
	if err != nil {
		return nil, err
	}
	out := make([]DeliveryFacts, 0, len(byName))
	for _, f := range byName {
		out = append(out, *f)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Target < out[j].Target })
	return out, nil
}

func contains(list []string, v string) bool {
	for _, x := range list {
		if x == v {
			return true
		}
	}
	return false
}

// DraftFact is one unfinished wizard setup.
type DraftFact struct {
	ID        string    `json:"id"`
	Step      string    `json:"step"`
	UpdatedAt time.Time `json:"updated_at"`
}

// Drafts lists the wizard drafts left in the store, oldest first.
func (s *Store) Drafts(ctx context.Context) ([]DraftFact, error) {
	var out []DraftFact
	err := s.retry(ctx, func() error {
		out = out[:0]
		rows, err := s.db.QueryContext(ctx, `SELECT id, step, updated_at FROM drafts ORDER BY updated_at`)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var d DraftFact
			var at int64
			if err := rows.Scan(&d.ID, &d.Step, &at); err != nil {
				return err
			}
			d.UpdatedAt = fromNS(at)
			out = append(out, d)
		}
		return rows.Err()
	})
	return out, err
}

// modeOf is the permission bits of path (following links) as "0600", or
// "" when it cannot be read.
func modeOf(path string) string {
	fi, err := os.Stat(path)
	if err != nil {
		return ""
	}
	return fmt.Sprintf("%04o", fi.Mode().Perm())
}
