package store

import (
	"bytes"
	"encoding/json"
	"os"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/webriskops/webhook-setup/core/codes"
)

// TestNoSecretInFiles reads the database, -wal and -shm byte by byte and
// finds no secret: not in credentials (created and rotated), not in a
// draft, not in deleted rows. Audit rows hold no webhook URL path token.
func TestNoSecretInFiles(t *testing.T) {
	s := openTemp(t)
	var secrets []string
	a, sa := mustCreate(t, s, "alpha")
	secrets = append(secrets, sa)
	_, sb := mustCreate(t, s, "beta")
	secrets = append(secrets, sb)
	for range 3 {
		sec := newSecret()
		if _, err := s.RotateSecret(ctx, "alpha", sec, time.Hour, "x"); err != nil {
			t.Fatal(err)
		}
		secrets = append(secrets, sec)
	}
	draftSecret := newSecret()
	secrets = append(secrets, draftSecret)
	if err := s.SaveDraft(ctx, "default", "secret", []byte(`{"signing_secret":"`+draftSecret+`"}`)); err != nil {
		t.Fatal(err)
	}
	upd := a
	upd.Version = 4
	upd.BaseURL = "https://hook.eu1.make.com/SecondHookToken99xyz"
	if err := s.UpdateTarget(ctx, &upd, "x"); err != nil {
		t.Fatal(err)
	}
	if err := s.DeleteTarget(ctx, "beta", "x"); err != nil {
		t.Fatal(err)
	}
	if err := s.AddAudit(ctx, "x", "test", "alpha", "posted to "+sampleTarget("a").BaseURL); err != nil {
		t.Fatal(err)
	}

	// The webhook URLs are bearer credentials: their tokens are secrets too.
	secrets = append(secrets, hookToken, "SecondHookToken99xyz")
	scan := func(when string) {
		for _, f := range []string{s.Path(), s.Path() + "-wal", s.Path() + "-shm"} {
			data, err := os.ReadFile(f)
			if os.IsNotExist(err) {
				continue
			}
			if err != nil {
				t.Fatal(err)
			}
			for _, sec := range secrets {
				if bytes.Contains(data, []byte(sec)) {
					t.Errorf("%s: %s holds a secret in the clear", when, f)
				}
			}
		}
	}
	scan("open")
	if fi, err := os.Stat(s.Path() + "-wal"); err != nil || fi.Size() == 0 {
		t.Errorf("expected a non-empty WAL while open: %v", err)
	}

	events, err := s.Audit(ctx, 0)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range events {
		for _, tok := range []string{hookToken, "SecondHookToken99xyz"} {
			if strings.Contains(e.Detail, tok) || strings.Contains(e.Target, tok) {
				t.Errorf("audit event %s holds the URL token: %q", e.Action, e.Detail)
			}
		}
		for _, sec := range secrets {
			if strings.Contains(e.Detail, sec) {
				t.Errorf("audit event %s holds a secret", e.Action)
			}
		}
	}
	s.Close()
	scan("closed")
}

func TestDrafts(t *testing.T) {
	s := openTemp(t)
	if ok, err := s.HasDraft(ctx, "default"); err != nil || ok {
		t.Fatalf("HasDraft on empty store = %v, %v", ok, err)
	}
	if _, _, _, ok, err := s.LoadDraft(ctx, "default"); err != nil || ok {
		t.Fatalf("LoadDraft on empty store = %v, %v", ok, err)
	}
	data, _ := json.Marshal(map[string]string{"name": "x", "secret": newSecret()})
	if err := s.SaveDraft(ctx, "default", "endpoint", data); err != nil {
		t.Fatal(err)
	}
	step, got, at, ok, err := s.LoadDraft(ctx, "default")
	if err != nil || !ok || step != "endpoint" || !bytes.Equal(got, data) || time.Since(at) > time.Minute {
		t.Fatalf("LoadDraft = %q %s %v %v %v", step, got, at, ok, err)
	}
	if err := s.SaveDraft(ctx, "default", "review", []byte(`{}`)); err != nil {
		t.Fatal(err)
	}
	step, got, _, _, _ = s.LoadDraft(ctx, "default")
	if step != "review" || string(got) != "{}" {
		t.Errorf("overwritten draft = %q %s", step, got)
	}
	if n := count(t, s.Path(), "drafts"); n != 1 {
		t.Errorf("%d draft rows", n)
	}

	// HasDraft and DeleteDraft work without the key.
	s.Close()
	os.Rename(s.KeyFile(), s.KeyFile()+".away")
	s2 := reopen(t, s)
	if ok, err := s2.HasDraft(ctx, "default"); err != nil || !ok {
		t.Fatalf("HasDraft without key = %v, %v", ok, err)
	}
	_, _, _, _, err = s2.LoadDraft(ctx, "default")
	wantCode(t, err, codes.StoreKey)
	if err := s2.DeleteDraft(ctx, "default"); err != nil {
		t.Fatal(err)
	}
	if ok, _ := s2.HasDraft(ctx, "default"); ok {
		t.Error("draft still there after DeleteDraft")
	}
	if err := s2.DeleteDraft(ctx, "default"); err != nil {
		t.Errorf("deleting a missing draft: %v", err)
	}
}

func TestMigrationsIdempotent(t *testing.T) {
	s := openTemp(t)
	mustCreate(t, s, "survivor")
	schema := func() string {
		rows, err := rawDB(t, s.Path()).Query(`SELECT type, name, ifnull(sql, '') FROM sqlite_master ORDER BY name`)
		if err != nil {
			t.Fatal(err)
		}
		defer rows.Close()
		var b strings.Builder
		for rows.Next() {
			var a, n, q string
			rows.Scan(&a, &n, &q)
			b.WriteString(a + " " + n + " " + q + "\n")
		}
		return b.String()
	}
	before, data := schema(), dump(t, s.Path())
	s.Close()
	for range 3 {
		s2 := reopen(t, s)
		s2.Close()
	}
	if schema() != before || dump(t, s.Path()) != data {
		t.Error("reopening changed schema or data")
	}
	var v int
	rawDB(t, s.Path()).QueryRow(`PRAGMA user_version`).Scan(&v)
	if v != SchemaVersion || v != len(migrations) {
		t.Errorf("user_version = %d, want %d", v, SchemaVersion)
	}
	var mode string
	rawDB(t, s.Path()).QueryRow(`PRAGMA journal_mode`).Scan(&mode)
	if mode != "wal" {
		t.Errorf("journal_mode = %s", mode)
	}

	// A database from a newer webhook-setup is refused, not touched.
	if _, err := rawDB(t, s.Path()).Exec(`PRAGMA user_version = 99`); err != nil {
		t.Fatal(err)
	}
	_, err := Open(s.Path(), "")
	wantCode(t, err, codes.Store)
}

func TestOpenPragmas(t *testing.T) {
	s := openTemp(t)
	conn, err := s.db.Conn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	var fk, busy, sync, cache int
	conn.QueryRowContext(ctx, `PRAGMA foreign_keys`).Scan(&fk)
	conn.QueryRowContext(ctx, `PRAGMA busy_timeout`).Scan(&busy)
	conn.QueryRowContext(ctx, `PRAGMA synchronous`).Scan(&sync)
	conn.QueryRowContext(ctx, `PRAGMA cache_size`).Scan(&cache)
	if got := []int{fk, busy, sync, cache}; !reflect.DeepEqual(got, []int{1, 10000, 1, -512}) {
		t.Errorf("foreign_keys, busy_timeout, synchronous, cache_size = %v, want [1 10000 1 -512]", got)
	}
}
