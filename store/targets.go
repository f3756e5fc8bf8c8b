package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/webriskops/webhook-setup/core"
	"github.com/webriskops/webhook-setup/core/codes"
	"github.com/webriskops/webhook-setup/core/delivery"
	"github.com/webriskops/webhook-setup/core/signing"
	"github.com/webriskops/webhook-setup/core/urlsafe"
)

// targetSelect reads a target with the signing summary of its current
// credential from plain columns (the partial index credentials_current
// finds it), so listing never touches a secret. The webhook URL is sealed
// and opened with the store key as each row is read.
const targetSelect = `SELECT t.id, t.name, t.provider_key, t.deployment_mode, t.base_url_sealed, t.receiver_owner,
	t.revoke_path, t.receiver_checks_confirmed, t.network_policy, t.network_allowlist, t.network_authorized_by,
	t.rate_requests, t.rate_per_seconds, t.version, t.created_at, t.updated_at,
	c.algorithm, c.fingerprint, c.created_at` + headersColumns + urlCheckColumns + resolveColumns + `
FROM targets t LEFT JOIN credentials c ON c.target_id = t.id AND c.expires_at IS NULL` + headersJoin + urlCheckJoin + resolveJoin

type scanner interface {
	Scan(dest ...any) error
}

// targetRow holds the scan destinations of targetSelect. Columns are
// scanned into plain interface values (the driver's int64, string or nil)
// and converted here: typed destinations cost database/sql a reflection
// round per column, and one targetRow is reused for every row of a query
// so its pointers are not allocated per row. Both matter at 10,000 rows.
type targetRow struct {
	vals [resolveFirst + 1]any
	dest [resolveFirst + 1]any
}

func newTargetRow() *targetRow {
	r := &targetRow{}
	for i := range r.vals {
		r.dest[i] = &r.vals[i]
	}
	return r
}

func (r *targetRow) scan(row scanner, openURL urlOpener) (core.Target, error) {
	if err := row.Scan(r.dest[:]...); err != nil {
		return core.Target{}, err
	}
	v := &r.vals
	baseURL, err := openURL(blob(v[4]), text(v[0]))
	if err != nil {
		return core.Target{}, err
	}
	t := core.Target{
		ID:                      text(v[0]),
		Name:                    text(v[1]),
		ProviderKey:             core.ProviderKey(text(v[2])),
		DeploymentMode:          core.Mode(text(v[3])),
		BaseURL:                 baseURL,
		ReceiverOwner:           text(v[5]),
		RevokePath:              text(v[6]),
		ReceiverChecksConfirmed: integer(v[7]) != 0,
		PrivateNetwork:          core.PrivateNetwork{Policy: core.NetworkPolicy(text(v[8])), AuthorizedBy: text(v[10])},
		RateLimit:               core.RateLimit{Requests: int(integer(v[11])), PerSeconds: int(integer(v[12]))},
		Version:                 integer(v[13]),
		CreatedAt:               fromNS(integer(v[14])),
		UpdatedAt:               fromNS(integer(v[15])),
	}
	if allow := text(v[9]); allow != "" && allow != "[]" {
		if err := json.Unmarshal([]byte(allow), &t.PrivateNetwork.Allowlist); err != nil {
			return core.Target{}, fmt.Errorf("target %s: allowlist column: %w", t.Name, err)
		}
	}
	if v[16] != nil {
		t.Signing = &core.Signing{Algorithm: text(v[16]), Fingerprint: text(v[17]), CreatedAt: fromNS(integer(v[18]))}
	}
	scanHeaders(&t, v[headersFirst:])
	if err := scanURLCheck(&t, v[urlCheckFirst:]); err != nil {
		return core.Target{}, err
	}
	if err := scanResolve(&t, v[resolveFirst]); err != nil {
		return core.Target{}, err
	}
	return t, nil
}

// urlOpener decrypts a target's sealed webhook URL.
type urlOpener func(sealed []byte, targetID string) (string, error)

// urlOpener returns an opener that loads the key on first use, so a query
// that finds no target never needs the key.
func (s *Store) urlOpener(ctx context.Context) urlOpener {
	var key []byte
	return func(sealed []byte, targetID string) (string, error) {
		if key == nil {
			k, err := s.loadKey(ctx, false)
			if err != nil {
				return "", err
			}
			key = k
		}
		plain, err := unseal(key, sealed, urlAD(targetID))
		if err != nil {
			return "", codes.Errorf(codes.StoreKey, "the webhook URL of target %s does not decrypt with %s", targetID, s.keyPath).
				WithFix(s.keyFix())
		}
		return string(plain), nil
	}
}

// sealURL encrypts t's webhook URL for its row.
func sealURL(key []byte, t core.Target) ([]byte, error) {
	return seal(key, []byte(t.BaseURL), urlAD(t.ID))
}

// blob is a scanned BLOB value; NULL reads as nil.
func blob(v any) []byte {
	switch x := v.(type) {
	case []byte:
		return x
	case string:
		return []byte(x)
	}
	return nil
}

// text is a scanned TEXT value; NULL reads as "".
func text(v any) string {
	switch x := v.(type) {
	case string:
		return x
	case []byte:
		return string(x)
	}
	return ""
}

// integer is a scanned INTEGER value; NULL reads as 0.
func integer(v any) int64 {
	switch x := v.(type) {
	case int64:
		return x
	case bool:
		if x {
			return 1
		}
	}
	return 0
}

func allowlistJSON(list []string) (string, error) {
	if len(list) == 0 {
		return "[]", nil
	}
	b, err := json.Marshal(list)
	return string(b), err
}

// Target returns the saved target named name with its signing summary, or
// a codes.TargetNotFound error.
func (s *Store) Target(ctx context.Context, name string) (core.Target, error) {
	var t core.Target
	err := s.retry(ctx, func() error {
		var err error
		t, err = s.targetBy(ctx, s.db, "t.name", name)
		return err
	})
	return t, err
}

// targetBy reads one target by column (t.id or t.name).
func (s *Store) targetBy(ctx context.Context, q queryer, column, value string) (core.Target, error) {
	return s.targetWith(ctx, q, column, value, s.urlOpener(ctx))
}

// targetWith is targetBy with a chosen URL opener.
func (s *Store) targetWith(ctx context.Context, q queryer, column, value string, openURL urlOpener) (core.Target, error) {
	t, err := newTargetRow().scan(q.QueryRowContext(ctx, targetSelect+` WHERE `+column+` = ?`, value), openURL)
	if errors.Is(err, sql.ErrNoRows) {
		if column == "t.id" {
			return t, codes.Errorf(codes.TargetNotFound, "no saved target has id %s", core.Clip(value))
		}
		return t, codes.Errorf(codes.TargetNotFound, "no saved target is named %s", core.Clip(value))
	}
	return t, err
}

// Targets returns saved targets ordered by name, skipping offset and
// returning at most limit (limit<=0 means all). It reads no signing secret;
// the webhook URLs are decrypted, so the key is needed once a target exists.
func (s *Store) Targets(ctx context.Context, offset, limit int) ([]core.Target, error) {
	var out []core.Target
	err := s.retry(ctx, func() error {
		// Size the result up front: growing a slice of 10,000 targets
		// copies megabytes.
		var n int
		if err := s.db.QueryRowContext(ctx, `SELECT count(*) FROM targets`).Scan(&n); err != nil {
			return err
		}
		n = max(n-max(offset, 0), 0)
		if limit > 0 {
			n = min(n, limit)
		}
		out = make([]core.Target, 0, n)
		rows, err := s.db.QueryContext(ctx, targetSelect+` ORDER BY t.name LIMIT ? OFFSET ?`, limitArg(limit), max(offset, 0))
		if err != nil {
			return err
		}
		defer rows.Close()
		r := newTargetRow()
		openURL := s.urlOpener(ctx)
		for rows.Next() {
			t, err := r.scan(rows, openURL)
			if err != nil {
				return err
			}
			out = append(out, t)
		}
		return rows.Err()
	})
	return out, err
}

// CountTargets returns how many targets are saved.
func (s *Store) CountTargets(ctx context.Context) (int, error) {
	var n int
	err := s.retry(ctx, func() error {
		return s.db.QueryRowContext(ctx, `SELECT count(*) FROM targets`).Scan(&n)
	})
	return n, err
}

// CreateTarget saves t with secret as its first credential, in one
// transaction with the audit event "target.create". It fills t.ID (when
// empty), Version (1), CreatedAt, UpdatedAt and Signing. A taken name is a
// codes.NameTaken error and nothing is written. The name and secret are
// checked with the core rules; the rest of t is the caller's to validate.
func (s *Store) CreateTarget(ctx context.Context, t *core.Target, secret string, actor string) error {
	return s.createTarget(ctx, t, secret, "", actor)
}

// createTarget is CreateTarget with the edge authentication value of
// t.EdgeAuth ("" when it has none).
func (s *Store) createTarget(ctx context.Context, t *core.Target, secret, edgeValue, actor string) error {
	if t == nil {
		return codes.Errorf(codes.Internal, "CreateTarget called without a target")
	}
	if err := checkNew(*t, secret); err != nil {
		return err
	}
	if err := checkEdge(*t, edgeValue, false); err != nil {
		return err
	}
	key, err := s.loadKey(ctx, true)
	if err != nil {
		return err
	}
	now := s.now()
	var saved core.Target
	err = s.withTx(ctx, func(tx *sql.Tx) error {
		if err := s.ensureKeyCheck(ctx, tx, key); err != nil {
			return err
		}
		var err error
		saved, err = s.createTx(ctx, tx, key, *t, secret, edgeValue, now)
		if err != nil {
			return err
		}
		return insertAudit(ctx, tx, now, actor, "target.create", saved.Name, createDetail(saved))
	})
	if err != nil {
		return err
	}
	*t = saved
	return nil
}

// checkNew applies the core rules the store relies on: a valid name and an
// acceptable secret.
func checkNew(t core.Target, secret string) error {
	if p := core.ValidateName(t.Name); p != nil {
		return codes.ProblemsError([]codes.Problem{*p})
	}
	if p := signing.CheckSecret(secret); p != nil {
		return codes.ProblemsError([]codes.Problem{*p})
	}
	return nil
}

// createTx inserts t, its first credential and its extra headers (with
// edgeValue) inside tx; the caller has run ensureKeyCheck in tx.
func (s *Store) createTx(ctx context.Context, tx *sql.Tx, key []byte, t core.Target, secret, edgeValue string, now time.Time) (core.Target, error) {
	if err := nameFree(ctx, tx, t.Name, ""); err != nil {
		return t, err
	}
	t.BaseURL = urlsafe.WithoutFragment(t.BaseURL)
	if t.ID == "" {
		t.ID = newID("tgt_")
	}
	allow, err := allowlistJSON(t.PrivateNetwork.Allowlist)
	if err != nil {
		return t, err
	}
	sealedURL, err := sealURL(key, t)
	if err != nil {
		return t, err
	}
	_, err = tx.ExecContext(ctx, `INSERT INTO targets (id, name, provider_key, deployment_mode, base_url_sealed,
		receiver_owner, revoke_path, receiver_checks_confirmed, network_policy, network_allowlist,
		network_authorized_by, rate_requests, rate_per_seconds, version, created_at, updated_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 1, ?, ?)`,
		t.ID, t.Name, string(t.ProviderKey), string(t.DeploymentMode), sealedURL,
		t.ReceiverOwner, t.RevokePath, t.ReceiverChecksConfirmed, string(t.PrivateNetwork.Policy), allow,
		t.PrivateNetwork.AuthorizedBy, t.RateLimit.Requests, t.RateLimit.PerSeconds, ns(now), ns(now))
	if isUniqueOn(err, "targets.name") {
		return t, nameTaken(t.Name)
	}
	if err != nil {
		return t, err
	}
	sig, err := insertCredential(ctx, tx, key, t.ID, secret, now)
	if err != nil {
		return t, err
	}
	if err := saveHeadersTx(ctx, tx, key, &t, edgeValue, now); err != nil {
		return t, err
	}
	if err := saveURLCheckTx(ctx, tx, &t); err != nil {
		return t, err
	}
	if err := saveResolveTx(ctx, tx, t); err != nil {
		return t, err
	}
	t.Version = 1
	t.CreatedAt, t.UpdatedAt = now, now
	t.Signing = &sig
	return t, nil
}

func nameTaken(name string) error {
	return codes.Errorf(codes.NameTaken, "a target named %q already exists", name)
}

// nameFree fails with codes.NameTaken when another target than exceptID
// has name.
func nameFree(ctx context.Context, tx *sql.Tx, name, exceptID string) error {
	var id string
	err := tx.QueryRowContext(ctx, `SELECT id FROM targets WHERE name = ?`, name).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) || (err == nil && id == exceptID) {
		return nil
	}
	if err != nil {
		return err
	}
	return nameTaken(name)
}

func createDetail(t core.Target) string {
	d := fmt.Sprintf("provider %s, mode %s, url %s", t.ProviderKey, t.DeploymentMode, redactURL(t.BaseURL))
	if t.Signing != nil {
		d += ", signing " + t.Signing.Algorithm + " " + t.Signing.Fingerprint
	}
	return d + headersDetail(t) + resolveDetail(t) + urlCheckDetail(t)
}

// UpdateTarget saves every field of t except the secret, identified by
// t.ID (or by t.Name when ID is empty), in one transaction with the audit
// event "target.update" naming the changed fields. t.Version must be the
// version that was read: a stale one is a codes.Conflict error and nothing
// is written. On success t holds the saved target (Version incremented).
// An update that changes nothing writes nothing. StandardWebhooks and
// EdgeAuth are saved as given: a nil EdgeAuth removes the edge header, a
// renamed one keeps its stored value (RotateEdge replaces the value).
func (s *Store) UpdateTarget(ctx context.Context, t *core.Target, actor string) error {
	_, err := s.UpdateTargetWithEdge(ctx, t, "", actor)
	return err
}

// UpdateTargetWithEdge is UpdateTarget with a new edge authentication
// value for t.EdgeAuth ("" keeps the stored one), for the wizard's edit.
// It returns the names of the changed fields as the audit event lists
// them (webhook_url for the URL; none when nothing was written). The
// signing secret is never changed here: RotateSecret does that, with its
// grace period.
func (s *Store) UpdateTargetWithEdge(ctx context.Context, t *core.Target, edgeValue, actor string) ([]string, error) {
	if t == nil {
		return nil, codes.Errorf(codes.Internal, "UpdateTarget called without a target")
	}
	if p := core.ValidateName(t.Name); p != nil {
		return nil, codes.ProblemsError([]codes.Problem{*p})
	}
	if err := checkEdge(*t, edgeValue, true); err != nil {
		return nil, err
	}
	key, err := s.loadKey(ctx, false)
	if err != nil {
		return nil, err
	}
	now := s.now()
	var saved core.Target
	var changed []string
	err = s.withTx(ctx, func(tx *sql.Tx) error {
		var err error
		saved, changed, err = s.updateTx(ctx, tx, key, *t, edgeValue, now)
		if err != nil || len(changed) == 0 {
			return err
		}
		return insertAudit(ctx, tx, now, actor, "target.update", saved.Name, updateDetail(changed, saved))
	})
	if err != nil {
		return nil, err
	}
	*t = saved
	return core.FieldKeys(changed, "url_check"), nil
}

// updateTx checks the version, writes t's fields (and a new edge value
// when edgeValue is not empty) and bumps the version inside tx; it returns
// the saved target and the changed field names (none means nothing was
// written).
func (s *Store) updateTx(ctx context.Context, tx *sql.Tx, key []byte, t core.Target, edgeValue string, now time.Time) (core.Target, []string, error) {
	cur, err := s.lookupTx(ctx, tx, t)
	if err != nil {
		return t, nil, err
	}
	if cur.Version != t.Version {
		return t, nil, conflict(cur, t.Version)
	}
	t.BaseURL = urlsafe.WithoutFragment(t.BaseURL)
	changed := core.ChangedFields(cur, t)
	if edgeValue != "" {
		changed = append(changed, "edge_auth.value")
	}
	if len(changed) == 0 {
		return cur, nil, nil
	}
	if newURLCheck(cur, t) {
		// A decision made for this save (a check alone is no update).
		changed = append(changed, "url_check")
	}
	if t.Name != cur.Name {
		if err := nameFree(ctx, tx, t.Name, cur.ID); err != nil {
			return t, nil, err
		}
	}
	allow, err := allowlistJSON(t.PrivateNetwork.Allowlist)
	if err != nil {
		return t, nil, err
	}
	t.ID = cur.ID
	sealedURL, err := sealURL(key, t)
	if err != nil {
		return t, nil, err
	}
	res, err := tx.ExecContext(ctx, `UPDATE targets SET name = ?, provider_key = ?, deployment_mode = ?, base_url_sealed = ?,
		receiver_owner = ?, revoke_path = ?, receiver_checks_confirmed = ?, network_policy = ?,
		network_allowlist = ?, network_authorized_by = ?, rate_requests = ?, rate_per_seconds = ?,
		version = version + 1, updated_at = ?
		WHERE id = ? AND version = ?`,
		t.Name, string(t.ProviderKey), string(t.DeploymentMode), sealedURL,
		t.ReceiverOwner, t.RevokePath, t.ReceiverChecksConfirmed, string(t.PrivateNetwork.Policy),
		allow, t.PrivateNetwork.AuthorizedBy, t.RateLimit.Requests, t.RateLimit.PerSeconds,
		ns(now), cur.ID, cur.Version)
	if isUniqueOn(err, "targets.name") {
		return t, nil, nameTaken(t.Name)
	}
	if err != nil {
		return t, nil, err
	}
	if n, err := res.RowsAffected(); err != nil || n != 1 {
		return t, nil, conflict(cur, t.Version)
	}
	if err := saveHeadersTx(ctx, tx, key, &t, edgeValue, now); err != nil {
		return t, nil, err
	}
	if err := saveResolveTx(ctx, tx, t); err != nil {
		return t, nil, err
	}
	if slices.Contains(changed, "url_check") {
		if err := saveURLCheckTx(ctx, tx, &t); err != nil {
			return t, nil, err
		}
	} else {
		t.URLCheck = cur.URLCheck
	}
	t.ID = cur.ID
	t.Version = cur.Version + 1
	t.CreatedAt = cur.CreatedAt
	t.UpdatedAt = now
	t.Signing = cur.Signing
	return t, changed, nil
}

// lookupTx reads the stored target t refers to: by ID, or by name when the
// ID is empty.
func (s *Store) lookupTx(ctx context.Context, tx *sql.Tx, t core.Target) (core.Target, error) {
	if t.ID != "" {
		return s.targetBy(ctx, tx, "t.id", t.ID)
	}
	return s.targetBy(ctx, tx, "t.name", t.Name)
}

func conflict(cur core.Target, read int64) error {
	return codes.Errorf(codes.Conflict, "target %q is at version %d, but the change was made against version %d",
		cur.Name, cur.Version, read)
}

// updateDetail lists the changed fields by the names people write
// (core.FieldKeys); a new URL is shown redacted, and a new URL safety
// decision is recorded as the create event records it.
func updateDetail(changed []string, t core.Target) string {
	names := core.FieldKeys(changed, "url_check") // a new URL safety decision is no field: the detail records it after the list
	d := "changed " + strings.Join(names, ", ")
	if slices.Contains(names, "webhook_url") {
		d += "; url now " + redactURL(t.BaseURL)
	}
	if slices.Contains(changed, "resolve") {
		d += "; resolve now " + resolveText(t)
	}
	if slices.Contains(changed, "url_check") {
		d += urlCheckDetail(t)
	}
	return d
}

// DeleteTarget removes the target named name and its credentials in one
// transaction with the audit event "target.disconnect". Its deliveries are
// kept as history (target_id becomes NULL, the name stays); pending ones
// are marked blocked, since nothing can sign them any more.
func (s *Store) DeleteTarget(ctx context.Context, name, actor string) error {
	now := s.now()
	return s.withTx(ctx, func(tx *sql.Tx) error {
		// Disconnecting must work when the key is lost: the URL is only
		// needed for the audit detail.
		t, err := s.targetWith(ctx, tx, "t.name", name, func([]byte, string) (string, error) { return "", nil })
		if err != nil {
			return err
		}
		if err := deleteTx(ctx, tx, t, now); err != nil {
			return err
		}
		return insertAudit(ctx, tx, now, actor, "target.disconnect", t.Name, deleteDetail(t))
	})
}

func deleteTx(ctx context.Context, tx *sql.Tx, t core.Target, now time.Time) error {
	_, err := tx.ExecContext(ctx, `UPDATE deliveries SET status = ?, last_code = ?, last_reason = ?,
		claimed_by = NULL, claim_until = NULL, updated_at = ?
		WHERE target_id = ? AND status = ?`,
		string(delivery.StatusBlocked), string(codes.TargetNotFound), "the target was disconnected before delivery", ns(now),
		t.ID, string(delivery.StatusPending))
	if err != nil {
		return err
	}
	_, err = tx.ExecContext(ctx, `DELETE FROM targets WHERE id = ?`, t.ID)
	return err
}

func deleteDetail(t core.Target) string {
	d := "removed target and credentials"
	if t.Signing != nil {
		d += ", signing " + t.Signing.Fingerprint
	}
	return d
}
