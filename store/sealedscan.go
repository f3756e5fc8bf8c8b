package store

import (
	"context"
	"errors"
	"io/fs"
	"os"
	"strings"
)

// sealedColumn is one place the store keeps a value sealed with the key.
// A feature that seals a new kind of value adds its column here, and every scan for leaked values (support-bundle)
// covers it.
type sealedColumn struct {
	what  string // for messages: "signing secret", "webhook URL"
	query string // SELECT id-for-ad, sealed
	ad    func(a, b string) []byte
}

var sealedColumns = []sealedColumn{
	{"signing secret", `SELECT target_id, id, sealed FROM credentials`, func(target, id string) []byte { return credentialAD(target, id) }},
	{"webhook URL", `SELECT id, '', base_url_sealed FROM targets`, func(target, _ string) []byte { return urlAD(target) }},
	{"edge header value", `SELECT target_id, '', edge_sealed FROM target_headers WHERE edge_sealed IS NOT NULL`, func(target, _ string) []byte { return edgeAD(target) }},
}

// SealedValue is one decrypted value of the store, for leak scans only.
type SealedValue struct {
	What  string
	Value string
}

// SealedValues decrypts every sealed value the store holds (current and
// grace secrets, webhook URLs, and whatever sealedColumns lists), plus
// the key itself, so a caller can make sure none of them leaves in a file
// meant for others. Drafts are not included: they are the wizard's
// half-typed answers, whose secret and URL become sealed values on save.
func (s *Store) SealedValues(ctx context.Context) ([]SealedValue, error) {
	var out []SealedValue
	var n int
	if err := s.db.QueryRowContext(ctx, `SELECT (SELECT count(*) FROM credentials) + (SELECT count(*) FROM targets)`).Scan(&n); err != nil || n == 0 {
		return nil, err
	}
	key, err := s.loadKey(ctx, false)
	if err != nil {
		return nil, err
	}
	for _, c := range sealedColumns {
		rows, err := s.db.QueryContext(ctx, c.query)
		if err != nil {
			return nil, err
		}
		for rows.Next() {
			var a, b string
			var sealed []byte
			if err := rows.Scan(&a, &b, &sealed); err != nil {
				rows.Close()
				return nil, err
			}
			plain, err := unseal(key, sealed, c.ad(a, b))
			if err != nil {
				continue // an altered row decrypts to nothing that could leak
			}
			out = append(out, SealedValue{What: c.what, Value: string(plain)})
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, err
		}
	}
	raw, err := readKeyFileText(s.keyPath)
	if err == nil && raw != "" {
		out = append(out, SealedValue{What: "store key", Value: raw})
	}
	return out, nil
}

// readKeyFileText is the key file's text (base64), trimmed.
func readKeyFileText(path string) (string, error) {
	b, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return "", nil
	}
	return strings.TrimSpace(string(b)), err
}
