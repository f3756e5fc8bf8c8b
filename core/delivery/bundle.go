package delivery

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"time"

	"github.com/webriskops/webhook-setup/core/codes"
	"github.com/webriskops/webhook-setup/core/payload"
	"github.com/webriskops/webhook-setup/core/sanitize"
)

// Names of the files of a portable fallback bundle.
const (
	BundlePayload = "payload.json"
	BundleTicket  = "ticket.md"
	BundleReadme  = "README.txt"
)

// Bundle is what a portable fallback bundle records about one export that
// was not delivered: enough for an operator to hand the ticket over by other
// means, and nothing secret (no signing secret, no full URL).
type Bundle struct {
	// DeliveryID names the outbox row; empty for a --portable export,
	// which never enters the outbox.
	DeliveryID     string
	Target         string
	Endpoint       string // redacted
	IdempotencyKey string
	// Status is failed or blocked; empty for a --portable export.
	Status   Status
	Attempts int
	Code     codes.Code
	Reason   string
	Fix      string
	// Body is the exact payload, byte for byte as sent (or as it would be).
	Body []byte
	At   time.Time
}

// bundleName is what a bundle folder may be called: an outbox id or an
// idempotency key, never a path.
var bundleName = regexp.MustCompile(`^[A-Za-z0-9_][A-Za-z0-9_.:-]{0,127}$`)

// WriteBundle writes b to dir/name/ (payload.json, ticket.md, README.txt)
// and returns the folder. Folders are 0700 and files 0600, since tickets
// carry evidence; each file is written to a temporary name, synced and
// renamed, so a crash never leaves a half-written payload. Writing the same
// bundle again replaces its files.
func WriteBundle(dir, name string, b Bundle) (string, error) {
	if !bundleName.MatchString(name) || strings.Contains(name, "..") {
		return "", codes.Errorf(codes.Internal, "%q cannot name a fallback bundle folder", name)
	}
	folder := filepath.Join(dir, name)
	if err := os.MkdirAll(folder, 0o700); err != nil {
		return "", bundleError(err)
	}
	// MkdirAll leaves existing folders (and the umask) alone; the bundle's
	// own folder is always private.
	if err := os.Chmod(folder, 0o700); err != nil {
		return "", bundleError(err)
	}
	files := []struct {
		name string
		data []byte
	}{
		{BundlePayload, b.Body},
		{BundleTicket, []byte(ticketMarkdown(b))},
		{BundleReadme, []byte(readme(b))},
	}
	for _, f := range files {
		if err := writeFileAtomic(filepath.Join(folder, f.name), f.data); err != nil {
			return "", bundleError(err)
		}
	}
	return folder, nil
}

func bundleError(err error) error {
	return codes.Errorf(codes.Internal, "write the fallback bundle: %v", err).
		WithFix("Check that the fallback folder (--fallback-dir, WEBHOOK_SETUP_FALLBACK_DIR) is writable, then run deliveries retry.")
}

// writeFileAtomic writes data to path through a synced temporary file.
func writeFileAtomic(path string, data []byte) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name()) // after a successful rename this finds nothing
	if err := tmp.Chmod(0o600); err != nil {
		tmp.Close()
		return err
	}
	if _, err := tmp.Write(data); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), path)
}

// ticketMarkdown renders the ticket for pasting into any tracker. Every
// value is neutralised: the file may well be shown with cat.
func ticketMarkdown(b Bundle) string {
	var p payload.Payload
	if err := json.Unmarshal(b.Body, &p); err != nil {
		return "# Ticket\n\nThe payload could not be read back; see payload.json.\n"
	}
	t := p.Ticket
	var s strings.Builder
	fmt.Fprintf(&s, "# %s\n\n", sanitize.Line(t.Title))
	row := func(label, value string) {
		if value != "" {
			fmt.Fprintf(&s, "- **%s:** %s\n", label, sanitize.Line(value))
		}
	}
	row("Severity", t.Severity)
	row("Kind", t.Kind)
	row("Finding", t.FindingID)
	row("Report", t.ReportURL)
	row("Labels", strings.Join(t.Labels, ", "))
	row("Due", t.DueDate)
	row("Requested", p.OccurredAt)
	row("Idempotency key", p.IdempotencyKey)
	if p.Test {
		row("Test", "yes: a test delivery; create no real work")
	}
	if d := strings.TrimSpace(t.Description); d != "" {
		fmt.Fprintf(&s, "\n%s\n", sanitize.Text(d))
	}
	return s.String()
}

// readme says what happened, what the files are and what to do next.
func readme(b Bundle) string {
	sum := sha256.Sum256(b.Body)
	var s strings.Builder
	w := func(format string, args ...any) { fmt.Fprintf(&s, format, args...) }
	field := func(label, value string) {
		if value != "" {
			w("  %-17s %s\n", label+":", sanitize.Line(value))
		}
	}
	w("WebRiskOps ticket export: portable fallback bundle\n")
	w("===================================================\n\n")
	if b.DeliveryID == "" {
		w("This folder holds one ticket export written with `export --portable`:\n")
		w("it was not sent anywhere. Hand it over by the means described below.\n\n")
	} else {
		w("This folder holds one ticket export that webhook-setup could not deliver,\n")
		w("so that it is not lost. Nothing here is secret: no signing secret, and the\n")
		w("endpoint is shown redacted.\n\n")
	}
	w("What happened\n")
	field("Target", b.Target)
	field("Endpoint", b.Endpoint)
	field("Delivery id", b.DeliveryID)
	field("Idempotency key", b.IdempotencyKey)
	switch {
	case b.DeliveryID == "":
		field("Status", "not sent (--portable)")
	case b.Status == StatusBlocked:
		field("Status", fmt.Sprintf("blocked after %d attempt(s): refused by URL safety or readiness", b.Attempts))
	default:
		field("Status", fmt.Sprintf("failed after %d attempt(s)", b.Attempts))
	}
	field("Last code", string(b.Code))
	field("Reason", b.Reason)
	field("Fix", b.Fix)
	field("Written", b.At.UTC().Format(time.RFC3339))
	w("\nFiles\n")
	w("  payload.json  the exact body of the export, byte for byte as it was (or\n")
	w("                would have been) sent: ticket-export.webhook.v1 JSON.\n")
	w("                sha256 %s\n", hex.EncodeToString(sum[:]))
	w("  ticket.md     the same ticket in readable form, to paste into any tracker.\n")
	w("  README.txt    this file.\n")
	w("\nCheck the payload is intact\n")
	w("  sha256sum payload.json     (must print the sha256 above)\n")
	w("  webhook-setup schema       prints the JSON Schema payload.json follows\n")
	w("\nSend it again\n")
	if b.DeliveryID != "" {
		w("  Fix the cause above, then queue it again from the outbox:\n")
		w("    webhook-setup deliveries retry %s\n", b.DeliveryID)
		w("  The retry sends this same body with the same idempotency key, so a\n")
		w("  receiver that already processed it acknowledges it without creating a\n")
		w("  second ticket.\n")
	} else {
		w("  Export the ticket normally once the target can receive it:\n")
		w("    webhook-setup export %s --ticket FILE\n", sanitize.Line(b.Target))
		w("  It gets the same idempotency key, so receivers deduplicate it.\n")
	}
	w("\nHand it over without sending\n")
	w("  payload.json is not signed: a signature covers one attempt, with its own\n")
	w("  timestamp and nonce, and expires after 5 minutes. `webhook-setup verify`\n")
	w("  checks signed requests (test-send --out), not this file. Whoever imports\n")
	w("  payload.json by hand should check its sha256, validate it against the\n")
	w("  schema, and skip it when its idempotency_key was already processed.\n")
	return s.String()
}
