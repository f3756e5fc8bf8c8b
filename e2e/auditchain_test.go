package e2e

import (
	"database/sql"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// auditHome is a store with five audit events: two adds, a rotation, a
// note-worthy delete and another add.
func auditHome(t *testing.T) *home {
	t.Helper()
	h := newHome(t)
	h.addReceiver("one")
	h.addReceiver("two")
	h.ok("rotate-secret", "one", "--generate", "--secret-out", h.dir+"/new.secret")
	h.ok("disconnect", "two", "--yes")
	h.addReceiver("three")
	return h
}

// TestAuditVerifyUntouched: an untouched log verifies (exit 0), audit head
// prints the latest hash, and --since-head with that head proves it.
func TestAuditVerifyUntouched(t *testing.T) {
	h := auditHome(t)
	head := strings.TrimSpace(h.ok("audit", "head").stdout)
	if len(head) != 64 {
		t.Fatalf("audit head = %q", head)
	}
	h.addReceiver("four")
	r := h.ok("audit", "verify", "--since-head", head)
	if !strings.Contains(r.stdout, "The audit log verifies") || !strings.Contains(r.stdout, head) {
		t.Fatalf("audit verify: %s", r)
	}
	var c struct {
		Events    int    `json:"events"`
		Head      string `json:"head"`
		HeadFound bool   `json:"head_found"`
	}
	mustJSON(t, h.ok("audit", "verify", "--json", "--since-head", head).stdout, &c)
	if c.Events != h.auditCount() || !c.HeadFound || c.Head == head {
		t.Fatalf("audit verify --json = %+v", c)
	}
	// A head that is not in this log: exit 5 with the code.
	r = h.run("", nil, "audit", "verify", "--since-head", strings.Repeat("ab", 32))
	if r.code != 5 || !strings.Contains(r.stderr, "generic_webhook_audit_tampered") {
		t.Fatalf("unknown head: %s", r)
	}
}

// TestAuditVerifyTampered: editing, deleting or reordering any audit row in
// the SQLite file makes audit verify exit 5 and name the first bad event.
func TestAuditVerifyTampered(t *testing.T) {
	base := auditHome(t)
	n := base.auditCount()
	type tamper struct{ name, sql, wantEvent string }
	var cases []tamper
	for id := 1; id <= n; id++ {
		next := id + 1
		if id == n {
			next = n
		}
		cases = append(cases,
			tamper{fmt.Sprintf("edit detail of %d", id), fmt.Sprintf(`UPDATE audit_events SET detail = detail || '!' WHERE id = %d`, id), fmt.Sprint(id)},
			tamper{fmt.Sprintf("edit actor of %d", id), fmt.Sprintf(`UPDATE audit_events SET actor = 'mallory' WHERE id = %d`, id), fmt.Sprint(id)},
			tamper{fmt.Sprintf("delete %d", id), fmt.Sprintf(`DELETE FROM audit_events WHERE id = %d`, id), fmt.Sprint(next)},
		)
	}
	cases = append(cases, tamper{"swap 1 and 2",
		`UPDATE audit_events SET id = 100 WHERE id = 1; UPDATE audit_events SET id = 1 WHERE id = 2; UPDATE audit_events SET id = 2 WHERE id = 100`, "1"})
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			h := newHome(t)
			copyStore(t, base, h)
			h.ok("audit", "verify")
			db, err := sql.Open("sqlite3", h.db)
			if err != nil {
				t.Fatal(err)
			}
			if _, err := db.Exec(tc.sql); err != nil {
				t.Fatal(err)
			}
			db.Close()
			r := h.run("", nil, "audit", "verify")
			if r.code != 5 || !strings.Contains(r.stderr, "generic_webhook_audit_tampered") ||
				!strings.Contains(strings.Join(strings.Fields(r.stderr), " "), "broken at event "+tc.wantEvent+" ") &&
					!strings.Contains(strings.Join(strings.Fields(r.stderr), " "), "broken at event "+tc.wantEvent+":") {
				t.Fatalf("after %s: %s", tc.sql, r)
			}
		})
	}
}

// copyStore copies from's data folder (database, WAL, key) into to's, so
// each tampering case starts from the same log without re-running setup.
func copyStore(t *testing.T, from, to *home) {
	t.Helper()
	src, dst := filepath.Dir(from.db), filepath.Dir(to.db)
	if err := os.MkdirAll(dst, 0o700); err != nil {
		t.Fatal(err)
	}
	entries, err := os.ReadDir(src)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		b, err := os.ReadFile(filepath.Join(src, e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dst, e.Name()), b, 0o600); err != nil {
			t.Fatal(err)
		}
	}
}
