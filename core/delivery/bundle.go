package delivery

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
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
// and returns the folder. The bundle folder is made 0700 and its files
// 0600, since tickets carry evidence. Nothing is ever written through a
// symbolic link: dir/name must be a plain folder of this user (a link or a
// folder others may write there is refused with codes.FileUnsafe), each
// file is created new (O_EXCL) under a temporary name inside it, synced and
// renamed over its final name, which replaces a name but never follows
// it. Only a folder made here is chmod-ed. Writing the same bundle again
// replaces its files.
func WriteBundle(dir, name string, b Bundle) (string, error) {
	if !bundleName.MatchString(name) || strings.Contains(name, "..") {
		return "", codes.Errorf(codes.Internal, "%q cannot name a fallback bundle folder", name)
	}
	folder := filepath.Join(dir, name)
	// The fallback folder itself is the operator's choice (it may be a
	// link they made): create it when missing, never change its mode.
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return "", bundleError(err)
	}
	root, err := os.OpenRoot(dir)
	if err != nil {
		return "", bundleError(err)
	}
	defer root.Close()
	bundle, err := openBundleFolder(root, name, folder)
	if err != nil {
		return "", err
	}
	defer bundle.Close()
	files := []struct {
		name string
		data []byte
	}{
		{BundlePayload, b.Body},
		{BundleTicket, []byte(ticketMarkdown(b))},
		{BundleReadme, []byte(readme(b))},
	}
	for _, f := range files {
		if err := writeFileAtomic(bundle, f.name, f.data); err != nil {
			return "", bundleError(err)
		}
	}
	return folder, nil
}

// openBundleFolder makes name inside root (0700) or opens the plain folder
// of this user already there; a symbolic link, anything else, or a folder
// that another user owns or may write is refused. os.Root keeps every
// later operation inside the folder.
func openBundleFolder(root *os.Root, name, folder string) (*os.Root, error) {
	err := root.Mkdir(name, 0o700)
	switch {
	case err == nil:
		// Made here: private whatever the umask.
		if err := root.Chmod(name, 0o700); err != nil {
			return nil, bundleError(err)
		}
	case errors.Is(err, fs.ErrExist):
		fi, err := root.Lstat(name)
		if err != nil {
			return nil, bundleError(err)
		}
		if !fi.IsDir() || fi.Mode()&fs.ModeSymlink != 0 {
			return nil, codes.Errorf(codes.FileUnsafe, "the fallback bundle folder %s exists and is not a plain folder (%v); it is never followed", folder, fi.Mode().Type()).
				WithFix("Remove " + folder + " (or choose another --fallback-dir), then run deliveries retry.")
		}
		if !ownedByMe(fi) || fi.Mode().Perm()&0o022 != 0 {
			return nil, codes.Errorf(codes.FileUnsafe, "the fallback bundle folder %s belongs to another user or is writable by others (mode %04o)", folder, fi.Mode().Perm()).
				WithFix("Remove " + folder + " (or choose another --fallback-dir), then run deliveries retry.")
		}
	default:
		return nil, bundleError(err)
	}
	sub, err := root.OpenRoot(name)
	if err != nil {
		return nil, bundleError(err)
	}
	return sub, nil
}

func bundleError(err error) error {
	return codes.Errorf(codes.Internal, "write the fallback bundle: %v", err).
		WithFix("Check that the fallback folder (--fallback-dir, WEBHOOK_SETUP_FALLBACK_DIR) is writable, then run deliveries retry.")
}

// writeFileAtomic writes data to name inside dir: a new temporary file
// (O_EXCL, 0600, never an existing file or link), synced, then renamed
// over name.
func writeFileAtomic(dir *os.Root, name string, data []byte) error {
	var tmp *os.File
	var tmpName string
	for range 100 {
		var rnd [8]byte
		_, _ = rand.Read(rnd[:])
		tmpName = "." + name + "." + hex.EncodeToString(rnd[:])
		f, err := dir.OpenFile(tmpName, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
		if errors.Is(err, fs.ErrExist) {
			continue
		}
		if err != nil {
			return err
		}
		tmp = f
		break
	}
	if tmp == nil {
		return errors.New("no free temporary name for " + name)
	}
	defer dir.Remove(tmpName) // after a successful rename this finds nothing
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
	return dir.Rename(tmpName, name)
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
