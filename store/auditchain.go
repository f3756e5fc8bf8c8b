package store

import (
	"bytes"
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"time"
	"unicode/utf8"
)

// The audit log is a hash chain: every event stores the hash of the event
// before it (prev_hash) and its own hash, computed over the canonical JSON
// of the event with that prev_hash inside. Changing, deleting or reordering
// a row breaks the link after it; the latest hash (the head) commits to the
// whole log, so an operator who records it elsewhere can later prove that
// nothing up to it changed. It does not stop someone who can write the
// database from rewriting every hash after the last head recorded outside
// (docs/reliability.md, "Audit log").

// chainLink is one audit row as the chain sees it.
type chainLink struct {
	ID     int64
	At     int64 // Unix nanoseconds, as stored
	Actor  string
	Action string
	Target string
	Detail string
	Prev   string // hash of the event before, "" for the first
	Hash   string // linkHash of this event
}

// chainVersion names the canonical form, so a later change of form can be
// told apart from tampering.
const chainVersion = 1

// linkHash is the lowercase hex SHA-256 of the canonical JSON of l without
// its own Hash: {"v":1,"id":…,"at":…,"actor":…,"action":…,"target":…,
// "detail":…,"prev":…} in that order. A text that is not valid UTF-8 is
// written as {"base64":…} instead of a JSON string, since encoding/json
// would replace its bad bytes and two different rows could then hash alike.
func linkHash(l chainLink) string {
	var b bytes.Buffer
	b.WriteString(`{"v":`)
	b.WriteString(strconv.Itoa(chainVersion))
	b.WriteString(`,"id":`)
	b.WriteString(strconv.FormatInt(l.ID, 10))
	b.WriteString(`,"at":`)
	b.WriteString(strconv.FormatInt(l.At, 10))
	for _, f := range []struct{ k, v string }{
		{"actor", l.Actor}, {"action", l.Action}, {"target", l.Target}, {"detail", l.Detail}, {"prev", l.Prev},
	} {
		b.WriteString(`,"` + f.k + `":`)
		writeCanonicalText(&b, f.v)
	}
	b.WriteByte('}')
	sum := sha256.Sum256(b.Bytes())
	return hex.EncodeToString(sum[:])
}

func writeCanonicalText(b *bytes.Buffer, s string) {
	if !utf8.ValidString(s) {
		b.WriteString(`{"base64":"` + base64.StdEncoding.EncodeToString([]byte(s)) + `"}`)
		return
	}
	enc, _ := json.Marshal(s) // a valid UTF-8 string always encodes
	b.Write(enc)
}

// chainBreak is the first link that does not hold: the index in the
// checked slice and why.
type chainBreak struct {
	Index  int
	Reason string
}

// verifyLinks checks links in id order: ids increase, each Prev is the Hash
// before it ("" for the first) and each Hash is linkHash of its row. It
// returns the first broken link, or nil.
func verifyLinks(links []chainLink) *chainBreak {
	prev := ""
	var prevID int64
	for i, l := range links {
		switch {
		case i > 0 && l.ID <= prevID:
			return &chainBreak{i, fmt.Sprintf("its id %d does not follow the id %d before it", l.ID, prevID)}
		case l.Prev != prev:
			if i == 0 {
				return &chainBreak{i, "it is the first event left but names an event before it: the events before it were deleted"}
			}
			return &chainBreak{i, fmt.Sprintf("it does not name the event before it (id %d) as its predecessor: an event between them was deleted, inserted or moved", prevID)}
		case l.Hash != linkHash(l):
			return &chainBreak{i, "its content does not match its hash: the row was edited"}
		}
		prev, prevID = l.Hash, l.ID
	}
	return nil
}

// AuditBreak names the first audit event whose link does not hold.
type AuditBreak struct {
	ID     int64     `json:"id"`
	At     time.Time `json:"at"`
	Action string    `json:"action"`
	Target string    `json:"target"`
	Reason string    `json:"reason"`
}

// AuditCheck is the result of VerifyAudit.
type AuditCheck struct {
	Events int         `json:"events"`
	Head   string      `json:"head"`             // hash of the latest event, "" for an empty log
	Broken *AuditBreak `json:"broken,omitempty"` // nil when the chain holds
	// SinceHead is the head the caller recorded, when given; HeadFound
	// says whether the chain still holds an event with that hash.
	SinceHead string `json:"since_head,omitempty"`
	HeadFound bool   `json:"head_found,omitempty"`
}

// OK reports whether the chain holds (and contains the recorded head, when
// one was given).
func (c AuditCheck) OK() bool { return c.Broken == nil && (c.SinceHead == "" || c.HeadFound) }

// VerifyAudit reads the whole audit log in id order and checks the chain.
// sinceHead, when not empty, is a head recorded earlier: it must be the
// hash of an event still in the verified chain, which proves that no event
// up to it changed. The last id the database handed out (sqlite_sequence)
// catches the deletion of the latest events, unless that was rewritten too.
func (s *Store) VerifyAudit(ctx context.Context, sinceHead string) (AuditCheck, error) {
	var links []chainLink
	var seq int64
	err := s.retry(ctx, func() error {
		links = links[:0]
		rows, err := s.db.QueryContext(ctx, `SELECT id, at, actor, action, target, detail, prev_hash, hash FROM audit_events ORDER BY id`)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var l chainLink
			if err := rows.Scan(&l.ID, &l.At, &l.Actor, &l.Action, &l.Target, &l.Detail, &l.Prev, &l.Hash); err != nil {
				return err
			}
			links = append(links, l)
		}
		if err := rows.Err(); err != nil {
			return err
		}
		err = s.db.QueryRowContext(ctx, `SELECT seq FROM sqlite_sequence WHERE name = 'audit_events'`).Scan(&seq)
		if errors.Is(err, sql.ErrNoRows) {
			seq, err = 0, nil
		}
		return err
	})
	if err != nil {
		return AuditCheck{}, err
	}
	c := AuditCheck{Events: len(links), SinceHead: sinceHead}
	if n := len(links); n > 0 {
		c.Head = links[n-1].Hash
	}
	if b := verifyLinks(links); b != nil {
		l := links[b.Index]
		c.Broken = &AuditBreak{ID: l.ID, At: fromNS(l.At), Action: l.Action, Target: l.Target, Reason: b.Reason}
	} else if last := lastID(links); seq > last {
		c.Broken = &AuditBreak{ID: last + 1, Reason: fmt.Sprintf("the latest events (ids %d to %d) were deleted: the log ends at id %d", last+1, seq, last)}
	}
	for _, l := range links {
		if sinceHead != "" && l.Hash == sinceHead {
			c.HeadFound = true
		}
	}
	return c, nil
}

func lastID(links []chainLink) int64 {
	if len(links) == 0 {
		return 0
	}
	return links[len(links)-1].ID
}

// AuditHead returns the hash of the latest audit event and its id ("" and
// 0 for an empty log).
func (s *Store) AuditHead(ctx context.Context) (hash string, id int64, err error) {
	err = s.retry(ctx, func() error {
		err := s.db.QueryRowContext(ctx, `SELECT hash, id FROM audit_events ORDER BY id DESC LIMIT 1`).Scan(&hash, &id)
		if errors.Is(err, sql.ErrNoRows) {
			hash, id = "", 0
			return nil
		}
		return err
	})
	return hash, id, err
}

// nextLink is the id and predecessor of the next event written in tx: the
// id AUTOINCREMENT would hand out (one past sqlite_sequence, never reusing
// the id of a deleted event) and the latest event's hash. Writes run in
// BEGIN IMMEDIATE transactions, so no other event can slip in between.
func nextLink(ctx context.Context, tx *sql.Tx) (chainLink, error) {
	var seq, last sql.NullInt64
	var prev sql.NullString
	err := tx.QueryRowContext(ctx, `SELECT (SELECT seq FROM sqlite_sequence WHERE name = 'audit_events'),
		(SELECT id FROM audit_events ORDER BY id DESC LIMIT 1), (SELECT hash FROM audit_events ORDER BY id DESC LIMIT 1)`).
		Scan(&seq, &last, &prev)
	if err != nil {
		return chainLink{}, err
	}
	return chainLink{ID: max(seq.Int64, last.Int64) + 1, Prev: prev.String}, nil
}

// chainNewEvent links the event inserted with id inside tx to the event
// before it (the migration's linking of events written before the chain).
func chainNewEvent(ctx context.Context, tx *sql.Tx, id int64) error {
	l := chainLink{ID: id}
	if err := tx.QueryRowContext(ctx, `SELECT at, actor, action, target, detail FROM audit_events WHERE id = ?`, id).
		Scan(&l.At, &l.Actor, &l.Action, &l.Target, &l.Detail); err != nil {
		return err
	}
	err := tx.QueryRowContext(ctx, `SELECT hash FROM audit_events WHERE id < ? ORDER BY id DESC LIMIT 1`, id).Scan(&l.Prev)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return err
	}
	_, err = tx.ExecContext(ctx, `UPDATE audit_events SET prev_hash = ?, hash = ? WHERE id = ?`, l.Prev, linkHash(l), id)
	return err
}

// chainExisting links every event that has no hash yet, in id order: the
// events written before the chain existed, linked once by the migration
// that adds the columns.
func chainExisting(ctx context.Context, tx *sql.Tx) error {
	rows, err := tx.QueryContext(ctx, `SELECT id FROM audit_events WHERE hash = '' ORDER BY id`)
	if err != nil {
		return err
	}
	var ids []int64
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			rows.Close()
			return err
		}
		ids = append(ids, id)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	for _, id := range ids {
		if err := chainNewEvent(ctx, tx, id); err != nil {
			return err
		}
	}
	return nil
}
