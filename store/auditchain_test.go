package store

import (
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// auditStore is a store whose log holds a create, two rotations and a
// delete: five events, each a different action.
func auditStore(t *testing.T) *Store {
	t.Helper()
	s := openTemp(t)
	mustCreate(t, s, "hook")
	for i := 0; i < 2; i++ {
		if _, err := s.RotateSecret(ctx, "hook", newSecret(), time.Hour, "tester"); err != nil {
			t.Fatal(err)
		}
	}
	mustCreate(t, s, "other")
	if err := s.DeleteTarget(ctx, "other", "tester"); err != nil {
		t.Fatal(err)
	}
	return s
}

func mustVerify(t *testing.T, s *Store, head string) AuditCheck {
	t.Helper()
	c, err := s.VerifyAudit(ctx, head)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// TestAuditChainUntouched: a log written by the store verifies, its head is
// the latest event's hash, and a head recorded earlier is found in it.
func TestAuditChainUntouched(t *testing.T) {
	s := auditStore(t)
	early, _, err := s.AuditHead(ctx)
	if err != nil || len(early) != 64 {
		t.Fatalf("AuditHead = %q, %v", early, err)
	}
	if err := s.AddAudit(ctx, "tester", "note", "", "after the recorded head"); err != nil {
		t.Fatal(err)
	}
	c := mustVerify(t, s, early)
	if !c.OK() || c.Events != 6 || !c.HeadFound || c.Head == early {
		t.Fatalf("VerifyAudit = %+v", c)
	}
	head, id, _ := s.AuditHead(ctx)
	if head != c.Head || id != 6 {
		t.Errorf("AuditHead = %s, %d; VerifyAudit head %s", head, id, c.Head)
	}
	// A head that was never in the log is not found.
	if c := mustVerify(t, s, strings.Repeat("0", 64)); c.OK() || c.HeadFound {
		t.Errorf("unknown head verified: %+v", c)
	}
}

// TestAuditChainTampering: editing any column of any row, deleting any row
// or swapping two rows in the SQLite file breaks the chain at the first
// event that changed (or the one after a deleted event).
func TestAuditChainTampering(t *testing.T) {
	type tamper struct {
		name   string
		sql    string
		wantID int64
	}
	var cases []tamper
	for id := int64(1); id <= 5; id++ {
		for _, col := range []string{"at = at + 1", "actor = 'mallory'", "action = 'note'", "target = 'x'", "detail = detail || ' '"} {
			cases = append(cases, tamper{fmt.Sprintf("edit %d %s", id, col), fmt.Sprintf(`UPDATE audit_events SET %s WHERE id = %d`, col, id), id})
		}
		next := id + 1
		if id == 5 {
			next = 5 // the latest: caught by the id sequence, named as id 5
		}
		cases = append(cases, tamper{fmt.Sprintf("delete %d", id), fmt.Sprintf(`DELETE FROM audit_events WHERE id = %d`, id), next})
	}
	cases = append(cases,
		tamper{"swap 2 and 3", `UPDATE audit_events SET id = 100 WHERE id = 2; UPDATE audit_events SET id = 2 WHERE id = 3; UPDATE audit_events SET id = 3 WHERE id = 100`, 2},
		tamper{"move 1 to the end", `UPDATE audit_events SET id = 6 WHERE id = 1`, 2},
		tamper{"rehash an edited row", `UPDATE audit_events SET detail = 'x', hash = prev_hash WHERE id = 3`, 3},
	)
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			s := auditStore(t)
			if c := mustVerify(t, s, ""); !c.OK() {
				t.Fatalf("untouched log: %+v", c)
			}
			if _, err := rawDB(t, s.Path()).Exec(tc.sql); err != nil {
				t.Fatal(err)
			}
			c := mustVerify(t, s, "")
			if c.OK() || c.Broken.ID != tc.wantID || c.Broken.Reason == "" {
				t.Fatalf("after %s: %+v (broken %+v), want first bad event %d", tc.sql, c, c.Broken, tc.wantID)
			}
		})
	}
}

// TestAuditChainMigration: a log written before the chain existed (schema
// version 3) is linked by the migration and verifies; new events extend it.
func TestAuditChainMigration(t *testing.T) {
	path := filepath.Join(t.TempDir(), "data", "webhook-setup.db")
	s, err := Open(path, "")
	if err != nil {
		t.Fatal(err)
	}
	mustCreate(t, s, "hook")
	s.AddAudit(ctx, "tester", "note", "hook", "second")
	s.Close()
	db := rawDB(t, path)
	for _, q := range []string{`ALTER TABLE audit_events DROP COLUMN prev_hash`, `ALTER TABLE audit_events DROP COLUMN hash`,
		`DROP TABLE target_addresses`, `DROP TABLE response_clock`, `ALTER TABLE credentials DROP COLUMN verified_at`, `ALTER TABLE credentials DROP COLUMN verified_via`, `PRAGMA user_version = 3`} {
		if _, err := db.Exec(q); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	db.Close()
	s2, err := Open(path, "")
	if err != nil {
		t.Fatal(err)
	}
	defer s2.Close()
	s2.AddAudit(ctx, "tester", "note", "hook", "third")
	if c := mustVerify(t, s2, ""); !c.OK() || c.Events != 3 {
		t.Fatalf("migrated log: %+v %+v", c, c.Broken)
	}
}

// FuzzAuditChain: any chain of events built by linkHash verifies, and
// changing any one byte-level field of any link is found at that link (or
// at the next one, for a change of Prev that happens to be the field it
// checks first).
func FuzzAuditChain(f *testing.F) {
	f.Add("dana (uid 1000)", "secret.rotate", "hook", "a → b", uint8(2), uint8(0), "x")
	f.Add("", "", "", "", uint8(0), uint8(5), "")
	f.Add("\xff\xfe", "a\"b", "<&>", "\u2028", uint8(1), uint8(3), "\xfe")
	f.Fuzz(func(t *testing.T, actor, action, target, detail string, which, field uint8, with string) {
		links := make([]chainLink, 4)
		prev := ""
		for i := range links {
			links[i] = chainLink{ID: int64(i + 1), At: int64(i) * 1000, Actor: actor, Action: action, Target: target, Detail: detail + fmt.Sprint(i), Prev: prev}
			links[i].Hash = linkHash(links[i])
			prev = links[i].Hash
		}
		if b := verifyLinks(links); b != nil {
			t.Fatalf("a fresh chain breaks at %d: %s", b.Index, b.Reason)
		}
		i := int(which) % len(links)
		l := &links[i]
		orig := *l
		switch field % 6 {
		case 0:
			l.Actor = with
		case 1:
			l.Action = with
		case 2:
			l.Target = with
		case 3:
			l.Detail = with
		case 4:
			l.At += int64(len(with)) + 1
		case 5:
			l.Prev = with
		}
		b := verifyLinks(links)
		if *l == orig {
			if b != nil {
				t.Fatalf("an unchanged chain breaks at %d: %s", b.Index, b.Reason)
			}
			return
		}
		if b == nil || b.Index != i {
			t.Fatalf("changing field %d of link %d: break %+v", field%6, i, b)
		}
	})
}
