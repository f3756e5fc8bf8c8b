package store

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"testing"

	"github.com/webriskops/webhook-setup/core"
	"github.com/webriskops/webhook-setup/core/codes"
)

var ctx = context.Background()

// openTemp opens a fresh store in a temporary folder.
func openTemp(t *testing.T) *Store {
	t.Helper()
	s, err := Open(filepath.Join(t.TempDir(), "data", "webhook-setup.db"), "")
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

// reopen opens another handle on s's files.
func reopen(t *testing.T, s *Store) *Store {
	t.Helper()
	s2, err := Open(s.Path(), s.KeyFile())
	if err != nil {
		t.Fatalf("reopen: %v", err)
	}
	t.Cleanup(func() { s2.Close() })
	return s2
}

// newSecret returns an acceptable, unique secret that is easy to search for.
func newSecret() string {
	var b [20]byte
	rand.Read(b[:])
	return "TESTSECRET-" + hex.EncodeToString(b[:])
}

const hookToken = "Zq9TokenPathSegment77"

func sampleTarget(name string) core.Target {
	return core.Target{
		Name:                    name,
		ProviderKey:             core.ProviderZapier,
		DeploymentMode:          core.ModeCloud,
		BaseURL:                 "https://hooks.zapier.com/hooks/catch/123456/" + hookToken + "/",
		ReceiverOwner:           "ops team",
		RevokePath:              "Zapier > Zaps > delete the hook",
		ReceiverChecksConfirmed: true,
		PrivateNetwork:          core.PrivateNetwork{Policy: core.PolicyDeny},
		RateLimit:               core.RateLimit{Requests: 10, PerSeconds: 1},
	}
}

func mustCreate(t *testing.T, s *Store, name string) (core.Target, string) {
	t.Helper()
	tg := sampleTarget(name)
	sec := newSecret()
	if err := s.CreateTarget(ctx, &tg, sec, "tester"); err != nil {
		t.Fatalf("CreateTarget(%s): %v", name, err)
	}
	return tg, sec
}

func codeOf(err error) codes.Code {
	var ce *codes.Error
	if errors.As(err, &ce) {
		return ce.Code
	}
	return ""
}

func wantCode(t *testing.T, err error, want codes.Code) *codes.Error {
	t.Helper()
	if err == nil {
		t.Fatalf("got no error, want %s", want)
	}
	var ce *codes.Error
	if !errors.As(err, &ce) || ce.Code != want {
		t.Fatalf("got %v, want code %s", err, want)
	}
	return ce
}

// rawDB opens the database file directly, bypassing the Store.
func rawDB(t *testing.T, path string) *sql.DB {
	t.Helper()
	db, err := sql.Open("sqlite3", path+"?_busy_timeout=10000")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

// dump renders every row of every table, to compare the whole database
// before and after an operation that must write nothing.
func dump(t *testing.T, path string) string {
	t.Helper()
	db := rawDB(t, path)
	tables := []string{"meta", "targets", "credentials", "drafts", "audit_events", "deliveries", "delivery_bodies", "delivery_attempts", "target_headers"}
	var b strings.Builder
	for _, tbl := range tables {
		rows, err := db.Query("SELECT * FROM " + tbl + " ORDER BY 1, 2")
		if err != nil {
			t.Fatal(err)
		}
		cols, _ := rows.Columns()
		for rows.Next() {
			vals := make([]any, len(cols))
			ptrs := make([]any, len(cols))
			for i := range vals {
				ptrs[i] = &vals[i]
			}
			if err := rows.Scan(ptrs...); err != nil {
				t.Fatal(err)
			}
			fmt.Fprintf(&b, "%s %v\n", tbl, vals)
		}
		rows.Close()
	}
	return b.String()
}

func count(t *testing.T, path, table string) int {
	t.Helper()
	var n int
	if err := rawDB(t, path).QueryRow("SELECT count(*) FROM " + table).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}
