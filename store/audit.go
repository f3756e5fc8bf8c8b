package store

import (
	"context"
	"database/sql"
	"fmt"
	"net/netip"
	"os"
	"os/user"
	"regexp"
	"strconv"
	"strings"
	"time"
	"unicode"

	"github.com/webriskops/webhook-setup/core/signing"
	"github.com/webriskops/webhook-setup/core/urlsafe"
)

// AuditEvent is one recorded change: when, who, what, on which target.
// Detail never holds a secret, and URLs in it are redacted.
type AuditEvent struct {
	At     time.Time `json:"at"`
	Actor  string    `json:"actor"`
	Action string    `json:"action"`
	Target string    `json:"target"`
	Detail string    `json:"detail"`
}

// Actor names who is running the command, for audit events, from what the
// operating system says rather than from variables anyone can set: the
// login name of the real uid (os/user) and the uid, like
// "dana (uid 1000)". $USER is only a label, added when it says something
// else ("webhook-ops (uid 998, USER=dana)"), since any process can set it.
// In an SSH session the client address from SSH_CONNECTION (SSH_CLIENT
// when that is unset) follows: "... from 203.0.113.9"; a value that is not
// an IP address is left out.
func Actor() string {
	uid := os.Getuid()
	login := ""
	if u, err := user.LookupId(strconv.Itoa(uid)); err == nil {
		login = u.Username
	}
	if login == "" {
		login = "unknown"
	}
	name := fmt.Sprintf("%s (uid %d", login, uid)
	if label := actorLabel(os.Getenv("USER")); label != "" && label != login {
		name += ", USER=" + label
	}
	name += ")"
	if addr := sshClient(); addr != "" {
		name += " from " + addr
	}
	return name
}

// actorLabel bounds and cleans $USER for the audit log: at most 64
// characters, control characters dropped.
func actorLabel(v string) string {
	v = strings.Map(func(r rune) rune {
		if unicode.IsControl(r) || unicode.Is(unicode.Cf, r) {
			return -1
		}
		return r
	}, v)
	if r := []rune(v); len(r) > 64 {
		v = string(r[:64]) + "…"
	}
	return v
}

// sshClient is the client address of the SSH session, or "".
func sshClient() string {
	for _, env := range []string{"SSH_CONNECTION", "SSH_CLIENT"} {
		if f := strings.Fields(os.Getenv(env)); len(f) > 0 {
			if a, err := netip.ParseAddr(f[0]); err == nil {
				return a.String()
			}
			return ""
		}
	}
	return ""
}

// AddAudit records one event in its own transaction. An empty actor means
// Actor(). URLs and generated secrets in detail are redacted on the way in.
func (s *Store) AddAudit(ctx context.Context, actor, action, target, detail string) error {
	now := s.now()
	return s.withTx(ctx, func(tx *sql.Tx) error {
		return insertAudit(ctx, tx, now, actor, action, target, detail)
	})
}

// Audit returns the latest events, newest first; limit<=0 means all.
func (s *Store) Audit(ctx context.Context, limit int) ([]AuditEvent, error) {
	var out []AuditEvent
	err := s.retry(ctx, func() error {
		out = out[:0]
		rows, err := s.db.QueryContext(ctx, `SELECT at, actor, action, target, detail FROM audit_events
			ORDER BY id DESC LIMIT ?`, limitArg(limit))
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var e AuditEvent
			var at int64
			if err := rows.Scan(&at, &e.Actor, &e.Action, &e.Target, &e.Detail); err != nil {
				return err
			}
			e.At = fromNS(at)
			out = append(out, e)
		}
		return rows.Err()
	})
	return out, err
}

// insertAudit writes one event inside the caller's transaction, so the
// event and the change it records commit together or not at all, and links
// it into the hash chain (auditchain.go).
func insertAudit(ctx context.Context, tx *sql.Tx, now time.Time, actor, action, target, detail string) error {
	if actor == "" {
		actor = Actor()
	}
	l, err := nextLink(ctx, tx)
	if err != nil {
		return err
	}
	l.At, l.Actor, l.Action, l.Target, l.Detail = ns(now), actor, action, target, scrub(detail)
	_, err = tx.ExecContext(ctx, `INSERT INTO audit_events (id, at, actor, action, target, detail, prev_hash, hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
		l.ID, l.At, l.Actor, l.Action, l.Target, l.Detail, l.Prev, linkHash(l))
	return err
}

var (
	urlInText    = regexp.MustCompile(`(?i)\bhttps?://[^\s"'<>]*[^\s"'<>.,;:)\]]`)
	secretInText = regexp.MustCompile(regexp.QuoteMeta(signing.GeneratedPrefix) + `[A-Za-z0-9_-]+`)
)

// scrub is the safety net of every audit detail, whoever wrote it: each
// URL goes through redactURL (Redact is idempotent, so already redacted
// URLs stay as they are) and every generated secret, recognised by its
// prefix, is cut to the prefix.
func scrub(detail string) string {
	detail = urlInText.ReplaceAllStringFunc(detail, redactURL)
	return secretInText.ReplaceAllString(detail, signing.GeneratedPrefix+"…")
}

// redactURL is how the store shows a URL in audit details: urlsafe.Redact,
// the one redaction policy of the project (scheme, host and port whole,
// long path segments and query values cut, since webhook URL paths often
// carry the hook's token).
func redactURL(raw string) string { return urlsafe.Redact(raw) }
