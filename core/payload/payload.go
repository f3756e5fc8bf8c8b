// Package payload defines ticket-export.webhook.v1, the JSON body of every
// WebRiskOps ticket export, and its embedded JSON Schema (draft 2020-12).
// Every ticket ParseTickets reads is validated against that schema, and so
// is every body Build produces (for a ticket ParseTickets has already
// validated, by checking only the fields Build adds around it; the tests
// check those bodies against the full schema), so what the tool sends is
// exactly what the schema
// (webhook-setup schema) promises receivers. The types have no field that
// could carry a secret. The schema version and event name live in package
// signing (signing.SchemaVersion, signing.EventName), which this package
// imports.
package payload

import (
	"bytes"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/webriskops/webhook-setup/core/codes"
	"github.com/webriskops/webhook-setup/core/signing"
)

// Severity values of a ticket.
const (
	SeverityCritical = "critical"
	SeverityHigh     = "high"
	SeverityMedium   = "medium"
	SeverityLow      = "low"
	SeverityInfo     = "info"
)

// Kind values of a ticket: a finding to triage, or a task to fix one.
const (
	KindFinding = "finding"
	KindFixTask = "fix_task"
)

// Payload is the body of one export. Fields are marshalled in this order.
type Payload struct {
	SchemaVersion  string    `json:"schema_version"`
	Event          string    `json:"event"`
	IdempotencyKey string    `json:"idempotency_key"`
	OccurredAt     string    `json:"occurred_at"`
	Test           bool      `json:"test"`
	ProviderKey    string    `json:"provider_key"`
	Target         TargetRef `json:"target"`
	Ticket         Ticket    `json:"ticket"`
}

// TargetRef names the target an export was sent to.
type TargetRef struct {
	ID   string `json:"id"`
	Name string `json:"name"`
}

// Ticket is one ticket to create downstream; it is also the shape of each
// ticket in a --ticket input. The optional fields are left out of the body
// when empty.
type Ticket struct {
	Title       string   `json:"title"`
	Description string   `json:"description"`
	Severity    string   `json:"severity"`
	Kind        string   `json:"kind"`
	FindingID   string   `json:"finding_id"`
	ReportURL   string   `json:"report_url,omitempty"`
	Labels      []string `json:"labels,omitempty"`
	DueDate     string   `json:"due_date,omitempty"`

	// checked marks a ticket ParseTickets validated against the ticket
	// schema: Build then checks only the envelope around it (see Build).
	// A ticket made any other way is unmarked; one whose fields are
	// changed after ParseTickets must be copied into a new Ticket first.
	checked bool
}

// Build returns the exact body of one export: compact UTF-8 JSON in field
// order, with no trailing newline, validated against the schema (for a
// ticket from ParseTickets, which validated it already, only the fields
// around it are checked, in Go: the full check of each body cost 7% of an
// export's CPU, docs/performance.md). now is
// when the export was requested; it becomes occurred_at (UTC, whole
// seconds), so the stored body — and its signature input — is the same on
// every retry. A body that fails the schema is refused with PayloadInvalid
// and a reason naming the JSON pointer of each failing field.
func Build(target TargetRef, providerKey string, ticket Ticket, idempotencyKey string, test bool, now time.Time) ([]byte, error) {
	p := Payload{
		SchemaVersion:  signing.SchemaVersion,
		Event:          signing.EventName,
		IdempotencyKey: idempotencyKey,
		OccurredAt:     now.UTC().Format(time.RFC3339),
		Test:           test,
		ProviderKey:    providerKey,
		Target:         target,
		Ticket:         ticket,
	}
	body, err := Marshal(p)
	if err != nil {
		return nil, err
	}
	if ticket.checked && envelopeValid(p, now) {
		// The ticket passed the ticket schema in ParseTickets and the
		// envelope holds what the schema allows: the body is valid, as
		// FuzzParseTickets and TestBuildCheckedAgreesWithSchema check
		// against the full schema. docs/performance.md says why.
		return body, nil
	}
	if err := ValidateBody(body); err != nil {
		return nil, err
	}
	return body, nil
}

// envelopeValid reports whether the fields Build puts around a ticket are
// ones the schema accepts. It is only a fast path: false sends Build to the
// full schema check, which gives the reasons.
func envelopeValid(p Payload, now time.Time) bool {
	if y := now.UTC().Year(); y < 0 || y > 9999 {
		return false // occurred_at needs four digits of year
	}
	if !schemaProviderKeys()[p.ProviderKey] {
		return false
	}
	if n := utf8.RuneCountInString(p.Target.ID); n < 1 || n > 200 || !utf8.ValidString(p.Target.ID) {
		return false
	}
	return targetNameValid(p.Target.Name) && CheckIdempotencyKey(p.IdempotencyKey) == ""
}

// targetNameValid is the schema's pattern of a target name,
// ^[a-z0-9][a-z0-9-]{0,62}$.
func targetNameValid(name string) bool {
	if len(name) < 1 || len(name) > 63 || name[0] == '-' {
		return false
	}
	for i := 0; i < len(name); i++ {
		c := name[i]
		if !('a' <= c && c <= 'z' || '0' <= c && c <= '9' || c == '-') {
			return false
		}
	}
	return true
}

// Marshal encodes v as compact JSON without HTML escaping and without the
// trailing newline json.Encoder adds. It does not validate.
func Marshal(v any) ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, codes.Errorf(codes.PayloadInvalid, "cannot encode the payload: %v", err).Wrap(err)
	}
	return bytes.TrimSuffix(buf.Bytes(), []byte("\n")), nil
}

// ValidateBody checks that body is one valid UTF-8 ticket-export.webhook.v1
// JSON document. Receivers answer 400 when it fails; the error is
// PayloadInvalid with a reason naming each failing JSON pointer.
func ValidateBody(body []byte) error {
	if !utf8.Valid(body) {
		return codes.Errorf(codes.PayloadInvalid, "the body is not valid UTF-8")
	}
	return validate(payloadSchema, body, "the body")
}

// ValidateTicket checks one ticket against the ticket schema ($defs/ticket).
func ValidateTicket(t Ticket) error {
	b, err := Marshal(t)
	if err != nil {
		return err
	}
	return validate(ticketSchema, b, "the ticket")
}

// CheckIdempotencyKey returns why key cannot be an export's idempotency
// key (the schema's pattern: 1 to 128 of A-Z, a-z, 0-9, '_', '.', ':' and
// '-'), or "".
func CheckIdempotencyKey(key string) string {
	if len(key) == 0 || len(key) > 128 {
		return fmt.Sprintf("the idempotency key is %d characters; it must be 1 to 128", len(key))
	}
	for i := 0; i < len(key); i++ {
		c := key[i]
		if !('A' <= c && c <= 'Z' || 'a' <= c && c <= 'z' || '0' <= c && c <= '9' || strings.IndexByte("_.:-", c) >= 0) {
			return fmt.Sprintf("the idempotency key has the character %q at %d; use only A-Z, a-z, 0-9, '_', '.', ':' and '-'", c, i+1)
		}
	}
	return ""
}

// DefaultIdempotencyKey derives the idempotency key of exporting one
// finding to one target: "wro_" and the first 32 hex characters of
// SHA-256(targetID NUL kind NUL findingID). The same finding exported the
// same way to the same target always gets the same key, so a receiver
// deduplicates re-exports as well as retries; pass an explicit key to
// export it again on purpose.
func DefaultIdempotencyKey(targetID, kind, findingID string) string {
	h := sha256.New()
	h.Write([]byte(targetID))
	h.Write([]byte{0})
	h.Write([]byte(kind))
	h.Write([]byte{0})
	h.Write([]byte(findingID))
	return "wro_" + hex.EncodeToString(h.Sum(nil))[:32]
}

// SampleTicket returns the ticket of a test delivery: an info finding with
// a finding_id of "test-" and 16 random hex characters, so each test send
// gets its own idempotency key.
func SampleTicket() Ticket {
	var b [8]byte
	_, _ = rand.Read(b[:]) // crypto/rand.Read never fails since Go 1.24
	return Ticket{
		Title:       "WebRiskOps test delivery",
		Description: "A test delivery from webhook-setup. It carries no real finding: acknowledge it and create no work.",
		Severity:    SeverityInfo,
		Kind:        KindFinding,
		FindingID:   "test-" + hex.EncodeToString(b[:]),
		Labels:      []string{"webriskops", "test"},
	}
}
