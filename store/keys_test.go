package store

import (
	"bytes"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/webriskops/webhook-setup/core/codes"
)

// credRows returns every credential row as stored, to prove a failure
// left them untouched.
func credRows(t *testing.T, path string) string {
	t.Helper()
	rows, err := rawDB(t, path).Query(`SELECT id, target_id, fingerprint, hex(sealed), created_at, ifnull(expires_at, -1) FROM credentials ORDER BY id`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var b strings.Builder
	for rows.Next() {
		var id, tid, fp, sealed string
		var c, e int64
		rows.Scan(&id, &tid, &fp, &sealed, &c, &e)
		b.WriteString(strings.Join([]string{id, tid, fp, sealed}, " ") + "\n")
	}
	return b.String()
}

func TestKeyCreatedLazily(t *testing.T) {
	s := openTemp(t)
	if _, err := os.Stat(s.KeyFile()); !errors.Is(err, fs.ErrNotExist) {
		t.Fatalf("Open created the key file: %v", err)
	}
	wantCode(t, s.CheckKey(ctx), codes.StoreKey) // nothing to check against, and CheckKey never creates
	mustCreate(t, s, "first")
	if err := s.CheckKey(ctx); err != nil {
		t.Fatal(err)
	}
	raw, err := os.ReadFile(s.KeyFile())
	if err != nil {
		t.Fatal(err)
	}
	key, err := base64.StdEncoding.DecodeString(strings.TrimSpace(string(raw)))
	if err != nil || len(key) != 32 {
		t.Fatalf("key file holds %q", raw)
	}
	if filepath.Dir(s.KeyFile()) != filepath.Dir(s.Path()) || filepath.Base(s.KeyFile()) != "master.key" {
		t.Errorf("key file at %s", s.KeyFile())
	}
}

func TestWrongKey(t *testing.T) {
	s := openTemp(t)
	tg, sec := mustCreate(t, s, "kept")
	if err := s.SaveDraft(ctx, "default", "url", []byte(`{"secret":"`+sec+`"}`)); err != nil {
		t.Fatal(err)
	}
	s.Close()

	right, err := os.ReadFile(s.KeyFile())
	if err != nil {
		t.Fatal(err)
	}
	other := make([]byte, 32)
	rand.Read(other)
	wrong := []byte(base64.StdEncoding.EncodeToString(other) + "\n")
	if err := os.WriteFile(s.KeyFile(), wrong, 0o600); err != nil {
		t.Fatal(err)
	}
	rowsBefore := credRows(t, s.Path())
	before := dump(t, s.Path())

	s2 := reopen(t, s)
	// Targets hold a sealed webhook URL, so reading them needs the key;
	// drafts can still be found and targets counted.
	_, err = s2.Target(ctx, "kept")
	wantCode(t, err, codes.StoreKey)
	_, err = s2.Targets(ctx, 0, 0)
	wantCode(t, err, codes.StoreKey)
	if n, err := s2.CountTargets(ctx); err != nil || n != 1 {
		t.Fatalf("CountTargets with a wrong key: %v %v", n, err)
	}
	if ok, err := s2.HasDraft(ctx, "default"); err != nil || !ok {
		t.Fatalf("HasDraft with a wrong key: %v %v", ok, err)
	}

	ce := wantCode(t, s2.CheckKey(ctx), codes.StoreKey)
	if !strings.Contains(ce.Reason, s.KeyFile()) || !strings.Contains(ce.Fix, s.KeyFile()) || !strings.Contains(ce.Fix, "Restore") {
		t.Errorf("error does not say what to restore where: %q / %q", ce.Reason, ce.Fix)
	}
	_, err = s2.Credentials(ctx, tg.ID, time.Now())
	wantCode(t, err, codes.StoreKey)
	_, err = s2.RotateSecret(ctx, "kept", newSecret(), time.Hour, "x")
	wantCode(t, err, codes.StoreKey)
	n := sampleTarget("new-one")
	wantCode(t, s2.CreateTarget(ctx, &n, newSecret(), "x"), codes.StoreKey)
	wantCode(t, s2.SaveDraft(ctx, "default", "x", []byte("{}")), codes.StoreKey)
	_, _, _, _, err = s2.LoadDraft(ctx, "default")
	wantCode(t, err, codes.StoreKey)
	wantCode(t, s2.Apply(ctx, []Op{{Kind: OpCreate, Target: sampleTarget("via-apply"), Secret: newSecret()}}, "x"), codes.StoreKey)

	if got := credRows(t, s.Path()); got != rowsBefore {
		t.Errorf("credential rows changed:\n%s\nwas\n%s", got, rowsBefore)
	}
	if got := dump(t, s.Path()); got != before {
		t.Errorf("database changed after wrong-key failures")
	}
	if now, _ := os.ReadFile(s.KeyFile()); !bytes.Equal(now, wrong) {
		t.Error("the key file was rewritten")
	}

	// Restoring the right key file is the whole recovery.
	if err := os.WriteFile(s.KeyFile(), right, 0o600); err != nil {
		t.Fatal(err)
	}
	s3 := reopen(t, s)
	creds, err := s3.Credentials(ctx, tg.ID, time.Now())
	if err != nil || len(creds) != 1 || creds[0].Secret != sec {
		t.Fatalf("after restoring the key: %v, %v", creds, err)
	}
}

func TestMissingKeyWithCredentials(t *testing.T) {
	s := openTemp(t)
	tg, _ := mustCreate(t, s, "kept")
	s.Close()
	if err := os.Remove(s.KeyFile()); err != nil {
		t.Fatal(err)
	}
	before := dump(t, s.Path())

	s2 := reopen(t, s)
	if _, err := s2.Target(ctx, "kept"); err == nil {
		t.Fatal("Target opened its sealed URL without a key")
	}
	if _, err := s2.Audit(ctx, 0); err != nil {
		t.Fatalf("Audit without a key: %v", err)
	}
	_, err := s2.Credentials(ctx, tg.ID, time.Now())
	ce := wantCode(t, err, codes.StoreKey)
	if !strings.Contains(ce.Reason, "missing") || !strings.Contains(ce.Fix, s.KeyFile()) {
		t.Errorf("error = %q / %q", ce.Reason, ce.Fix)
	}
	n := sampleTarget("another")
	wantCode(t, s2.CreateTarget(ctx, &n, newSecret(), "x"), codes.StoreKey)
	_, err = s2.RotateSecret(ctx, "kept", newSecret(), 0, "x")
	wantCode(t, err, codes.StoreKey)
	wantCode(t, s2.SaveDraft(ctx, "default", "x", []byte("{}")), codes.StoreKey)
	if _, err := os.Stat(s.KeyFile()); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("a new key file was written: %v", err)
	}
	if dump(t, s.Path()) != before {
		t.Error("database changed")
	}
	// Deleting the target needs no key, and once nothing encrypted is
	// left a new key may be made.
	if err := s2.DeleteTarget(ctx, "kept", "x"); err != nil {
		t.Fatal(err)
	}
	mustCreate(t, s2, "fresh-start")
	if _, err := os.Stat(s.KeyFile()); err != nil {
		t.Errorf("no key after a fresh start: %v", err)
	}
}

func TestMalformedKeyFile(t *testing.T) {
	s := openTemp(t)
	if err := os.WriteFile(s.KeyFile(), []byte("not a key\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	n := sampleTarget("x")
	ce := wantCode(t, s.CreateTarget(ctx, &n, newSecret(), "x"), codes.StoreKey)
	if !strings.Contains(ce.Reason, "not a webhook-setup key") {
		t.Errorf("reason %q", ce.Reason)
	}
	if got, _ := os.ReadFile(s.KeyFile()); string(got) != "not a key\n" {
		t.Error("malformed key file was replaced")
	}
}

func TestKeyFileEnvOverride(t *testing.T) {
	dir := t.TempDir()
	keyPath := filepath.Join(dir, "keys", "custom.key")
	t.Setenv(EnvKeyFile, keyPath)
	db := filepath.Join(dir, "db", "w.db")
	if got := KeyPath(db); got != keyPath {
		t.Fatalf("KeyPath = %s", got)
	}
	s, err := Open(db, KeyPath(db))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	mustCreate(t, s, "x")
	fi, err := os.Stat(keyPath)
	if err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("key file %v %v", fi, err)
	}
	if _, err := os.Stat(DefaultKeyPath(db)); !errors.Is(err, fs.ErrNotExist) {
		t.Error("key written beside the database despite the override")
	}
}

// TestCiphertextBoundToRow swaps the sealed secrets of two targets: the
// associated data makes both fail instead of handing out the wrong secret.
func TestCiphertextBoundToRow(t *testing.T) {
	s := openTemp(t)
	a, _ := mustCreate(t, s, "a")
	mustCreate(t, s, "b")
	db := rawDB(t, s.Path())
	if _, err := db.Exec(`UPDATE credentials SET sealed = (SELECT sealed FROM credentials c2 WHERE c2.target_id != credentials.target_id)`); err != nil {
		t.Fatal(err)
	}
	_, err := s.Credentials(ctx, a.ID, time.Now())
	wantCode(t, err, codes.StoreKey)
}

func TestPaths(t *testing.T) {
	t.Setenv("XDG_DATA_HOME", "/data/xdg")
	if got := DefaultDBPath(); got != "/data/xdg/webhook-setup/webhook-setup.db" {
		t.Errorf("DefaultDBPath = %s", got)
	}
	t.Setenv("HOME", "/home/ana")
	t.Setenv("XDG_DATA_HOME", "")
	if got := DefaultDBPath(); got != "/home/ana/.local/share/webhook-setup/webhook-setup.db" {
		t.Errorf("DefaultDBPath without XDG = %s", got)
	}
	t.Setenv("XDG_DATA_HOME", "relative/dir")
	if got := DefaultDBPath(); got != "/home/ana/.local/share/webhook-setup/webhook-setup.db" {
		t.Errorf("DefaultDBPath with relative XDG = %s", got)
	}
	t.Setenv(EnvKeyFile, "")
	if got := KeyPath("/srv/w/store.db"); got != "/srv/w/master.key" {
		t.Errorf("KeyPath = %s", got)
	}
	t.Setenv(EnvKeyFile, "/keys/k")
	if got := KeyPath("/srv/w/store.db"); got != "/keys/k" {
		t.Errorf("KeyPath with override = %s", got)
	}
}
