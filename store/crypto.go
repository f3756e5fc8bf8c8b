package store

import (
	"bytes"
	"context"
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"database/sql"
	"encoding/base64"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/webriskops/webhook-setup/core/codes"
)

// keySize is the AES-256 key length in bytes.
const keySize = 32

// sealVersion starts every sealed value, so the format can change later.
const sealVersion = 1

// Associated data binds each ciphertext to its row: a credential sealed for
// one target and credential id does not open under another, so rows cannot
// be swapped or copied between targets unnoticed.
var (
	keyCheckAD    = []byte("webhook-setup/key-check/v1")
	keyCheckPlain = []byte("webhook-setup key check: this key belongs to this database")
)

func credentialAD(targetID, credID string) []byte {
	return []byte("webhook-setup/credential/v1\x00" + targetID + "\x00" + credID)
}

// urlAD binds a sealed webhook URL to its target: the URL is a bearer
// credential (Zapier, Make and n8n put the token in the path), so it is
// stored encrypted like the signing secret.
func urlAD(targetID string) []byte {
	return []byte("webhook-setup/base-url/v1\x00" + targetID)
}

func draftAD(id string) []byte {
	return []byte("webhook-setup/draft/v1\x00" + id)
}

// seal encrypts plain with AES-256-GCM: version byte, 12-byte random
// nonce, ciphertext and tag.
func seal(key, plain, ad []byte) ([]byte, error) {
	aead, err := newAEAD(key)
	if err != nil {
		return nil, err
	}
	out := make([]byte, 1+aead.NonceSize(), 1+aead.NonceSize()+len(plain)+aead.Overhead())
	out[0] = sealVersion
	if _, err := rand.Read(out[1:]); err != nil {
		return nil, err
	}
	return aead.Seal(out, out[1:], plain, ad), nil
}

// unseal decrypts what seal produced with the same key and ad.
func unseal(key, sealed, ad []byte) ([]byte, error) {
	aead, err := newAEAD(key)
	if err != nil {
		return nil, err
	}
	if len(sealed) < 1+aead.NonceSize()+aead.Overhead() || sealed[0] != sealVersion {
		return nil, errors.New("sealed value is malformed")
	}
	n := 1 + aead.NonceSize()
	return aead.Open(nil, sealed[1:n], sealed[n:], ad)
}

func newAEAD(key []byte) (cipher.AEAD, error) {
	block, err := aes.NewCipher(key)
	if err != nil {
		return nil, err
	}
	return cipher.NewGCM(block)
}

// CheckKey loads the key file and verifies it against the database without
// creating one: nil when the key decrypts this store (or nothing encrypted
// is stored yet and the key file exists), a codes.StoreKey error otherwise.
func (s *Store) CheckKey(ctx context.Context) error {
	_, err := s.loadKey(ctx, false)
	return err
}

// loadKey returns the store's key, reading and verifying the key file on
// first use. With create, a missing key file is created, but only while
// the database holds nothing encrypted; otherwise a missing file is a
// codes.StoreKey error and nothing is written.
func (s *Store) loadKey(ctx context.Context, create bool) ([]byte, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.key != nil {
		return s.key, nil
	}
	loose, err := checkKeyFile(s.keyPath)
	if err != nil {
		return nil, err
	}
	key, err := readKeyFile(s.keyPath)
	switch {
	case err == nil:
		// A key of ours restored with a mode others may read is closed to
		// 0600 again (one others may write was refused above).
		if loose {
			tighten(s.keyPath)
		}
	case errors.Is(err, fs.ErrNotExist):
		n, cerr := s.encryptedRows(ctx, s.db)
		if cerr != nil {
			return nil, cerr
		}
		if n > 0 {
			// Another process may have made the key and stored values
			// with it between the read above and the count. It writes
			// the key file before any value, so a second read settles it.
			if _, err := checkKeyFile(s.keyPath); err != nil {
				return nil, err
			}
			if key, err = readKeyFile(s.keyPath); err != nil {
				return nil, s.keyMissing(n)
			}
			break
		}
		if !create {
			return nil, s.keyMissing(0)
		}
		key, err = createKeyFile(s.keyPath)
		if err != nil {
			return nil, err
		}
	default:
		return nil, err
	}
	if err := s.verifyKey(ctx, s.db, key); err != nil {
		return nil, err
	}
	s.key = key
	return key, nil
}

// verifyKey checks key against the key check value in meta. A database
// without a check value, or with nothing encrypted left, accepts any key
// (ensureKeyCheck then records it); otherwise a mismatch is a
// codes.StoreKey error.
func (s *Store) verifyKey(ctx context.Context, q queryer, key []byte) error {
	var check []byte
	err := q.QueryRowContext(ctx, `SELECT value FROM meta WHERE key = 'key_check'`).Scan(&check)
	if errors.Is(err, sql.ErrNoRows) {
		return nil
	}
	if err != nil {
		return s.storeErr(err)
	}
	if plain, err := unseal(key, check, keyCheckAD); err == nil && bytes.Equal(plain, keyCheckPlain) {
		return nil
	}
	n, err := s.encryptedRows(ctx, q)
	if err != nil {
		return err
	}
	if n == 0 {
		return nil
	}
	return s.keyWrong(n)
}

// ensureKeyCheck runs inside every transaction that stores a sealed value:
// it verifies key against the check value, or records the check value when
// none is stored (or nothing encrypted is left under an older key). Doing
// it in the writing transaction means two processes with different keys
// can never both write to one database.
func (s *Store) ensureKeyCheck(ctx context.Context, tx *sql.Tx, key []byte) error {
	var check []byte
	err := tx.QueryRowContext(ctx, `SELECT value FROM meta WHERE key = 'key_check'`).Scan(&check)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return err
	}
	if err == nil {
		if plain, err := unseal(key, check, keyCheckAD); err == nil && bytes.Equal(plain, keyCheckPlain) {
			return nil
		}
		n, err := s.encryptedRows(ctx, tx)
		if err != nil {
			return err
		}
		if n > 0 {
			return s.keyWrong(n)
		}
	}
	sealed, err := seal(key, keyCheckPlain, keyCheckAD)
	if err != nil {
		return err
	}
	_, err = tx.ExecContext(ctx, `INSERT INTO meta (key, value) VALUES ('key_check', ?)
		ON CONFLICT (key) DO UPDATE SET value = excluded.value`, sealed)
	return err
}

// encryptedRows counts the stored values that need the key: credentials
// and drafts.
func (s *Store) encryptedRows(ctx context.Context, q queryer) (int, error) {
	var n int
	err := q.QueryRowContext(ctx, `SELECT (SELECT count(*) FROM credentials) + (SELECT count(*) FROM drafts)`).Scan(&n)
	if err != nil {
		return 0, s.storeErr(err)
	}
	return n, nil
}

func (s *Store) keyFix() string {
	return fmt.Sprintf("Restore the key file that belongs to this database to %s (or set %s to its path), then run the command again. "+
		"Stored credentials are kept untouched; a new key is never made while they exist, because it could not decrypt them.",
		s.keyPath, EnvKeyFile)
}

func (s *Store) keyMissing(n int) error {
	if n == 0 {
		return codes.Errorf(codes.StoreKey, "the key file %s does not exist, and this command does not create one", s.keyPath).
			WithFix(fmt.Sprintf("Save a target or a draft first (that creates the key), or restore the key file to %s.", s.keyPath))
	}
	return codes.Errorf(codes.StoreKey, "the key file %s is missing, but the database %s holds %d encrypted value(s) made with it",
		s.keyPath, s.path, n).WithFix(s.keyFix())
}

func (s *Store) keyWrong(n int) error {
	return codes.Errorf(codes.StoreKey, "the key file %s is not the key of the database %s: it does not decrypt its %d encrypted value(s)",
		s.keyPath, s.path, n).WithFix(s.keyFix())
}

// readKeyFile reads a key file: the base64 of 32 bytes and a newline.
// A missing file is reported as fs.ErrNotExist; anything else that is
// wrong is a codes.StoreKey error.
func readKeyFile(path string) ([]byte, error) {
	raw, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, err
	}
	if err != nil {
		return nil, codes.Errorf(codes.StoreKey, "cannot read the key file %s: %v", path, err).Wrap(err).
			WithFix("Check that the key file is readable by you (mode 0600, your user), then run the command again.")
	}
	key, err := base64.StdEncoding.DecodeString(string(bytes.TrimSpace(raw)))
	clear(raw)
	if err != nil || len(key) != keySize {
		return nil, codes.Errorf(codes.StoreKey, "the key file %s is not a webhook-setup key (the base64 of %d bytes)", path, keySize).
			WithFix(fmt.Sprintf("Restore the original key file to %s; stored credentials are kept untouched until then.", path))
	}
	return key, nil
}

// createKeyFile writes a new random key with mode 0600 (folders 0700). It
// never replaces a file: the key is written to a temporary file that is then
// hard-linked into place, which fails when the name exists, so a reader
// never sees a half-written key. When another process created the key
// first, that key is read and used instead.
func createKeyFile(path string) ([]byte, error) {
	fail := func(err error) ([]byte, error) {
		return nil, codes.Errorf(codes.StoreKey, "cannot create the key file %s: %v", path, err).Wrap(err).
			WithFix("Check that the folder of the key file exists and is writable by you, then run the command again.")
	}
	dir := filepath.Dir(path)
	if err := mkdirPrivate(dir); err != nil {
		return fail(err)
	}
	key := make([]byte, keySize)
	if _, err := rand.Read(key); err != nil {
		return fail(err)
	}
	f, err := os.CreateTemp(dir, ".master.key-*")
	if err != nil {
		return fail(err)
	}
	defer os.Remove(f.Name())
	if err := writeKey(f, key); err != nil {
		return fail(err)
	}
	err = os.Link(f.Name(), path)
	if err != nil && !errors.Is(err, fs.ErrExist) {
		// A file system without hard links: create the name exclusively
		// and write it in place instead.
		err = writeExclusive(path, key)
	}
	if errors.Is(err, fs.ErrExist) {
		return readKeyFile(path)
	}
	if err != nil {
		return fail(err)
	}
	return key, nil
}

// writeExclusive creates path (failing when it exists) and writes key to
// it, removing it again on failure.
func writeExclusive(path string, key []byte) error {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return err
	}
	if err := writeKey(f, key); err != nil {
		os.Remove(path)
		return err
	}
	return nil
}

// writeKey sets f to mode 0600 (whatever the umask), writes key as base64
// and a newline, syncs and closes f.
func writeKey(f *os.File, key []byte) error {
	err := f.Chmod(0o600)
	if err == nil {
		_, err = f.WriteString(base64.StdEncoding.EncodeToString(key) + "\n")
	}
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	return err
}
