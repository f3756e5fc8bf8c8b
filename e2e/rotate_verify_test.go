package e2e

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func auditActions(t *testing.T, h *home) string {
	t.Helper()
	var events []map[string]any
	mustJSON(t, h.ok("audit", "--json", "--limit", "0").stdout, &events)
	var acts []string
	for _, e := range events {
		acts = append(acts, e["action"].(string))
	}
	return strings.Join(acts, " ")
}

// TestRotateVerifyAccepted: a receiver that has the new secret accepts the
// probe signed with it only; --retire-old then retires the old secret at
// once (a receiver still on the old one now refuses), and show and status
// say when the new secret was verified.
func TestRotateVerifyAccepted(t *testing.T) {
	h := newHome(t)
	h.addReceiver("intake")
	oldFile := filepath.Join(h.dir, "secret-intake")
	newFile := filepath.Join(h.dir, "new.secret")
	h.ok("rotate-secret", "intake", "--generate", "--secret-out", newFile, "--grace", "24h")

	url, cert := h.receiverWith(newFile, "new-receiver")
	r := h.ok("rotate-secret", "intake", "--verify-only", "--retire-old", "--to", url, "--ca-file", cert)
	if !strings.Contains(r.stdout, "verified by the receiver at") || !strings.Contains(r.stdout, "Retired the previous secret") {
		t.Fatalf("verify-only --retire-old: %s", r)
	}
	acts := auditActions(t, h)
	if !strings.Contains(acts, "secret.retire secret.verify") {
		t.Errorf("audit actions (newest first): %s", acts)
	}
	show := h.ok("show", "intake").stdout
	if !strings.Contains(show, "verified by the receiver at") {
		t.Errorf("show:\n%s", show)
	}
	var items []map[string]any
	mustJSON(t, h.ok("status", "--json").stdout, &items)
	if v, ok := item(t, items, 0, "status --json")["secret_verified"].(map[string]any); !ok || !strings.HasPrefix(v["via"].(string), "rehearsal ") {
		t.Errorf("status --json: %v", items)
	}
	// The old secret no longer signs: a receiver still on it refuses.
	oldURL, oldCert := h.receiverWith(oldFile, "old-receiver")
	if r := h.run("", nil, "test-send", "intake", "--to", oldURL, "--ca-file", oldCert); r.code != 5 {
		t.Fatalf("test-send to a receiver on the retired secret: %s", r)
	}
	// Rotating and verifying in one go, against a receiver given the next
	// secret beforehand.
	next := h.writeFile("next.secret", "the-next-secret-the-receiver-already-has-0123456789\n")
	nextURL, nextCert := h.receiverWith(next, "next-receiver")
	var out struct {
		Verification struct {
			Verified bool     `json:"verified"`
			Retired  []string `json:"retired"`
		} `json:"verification"`
	}
	mustJSON(t, h.ok("rotate-secret", "intake", "--secret-file", next, "--verify", "--retire-old", "--to", nextURL, "--ca-file", nextCert, "--json").stdout, &out)
	if !out.Verification.Verified || len(out.Verification.Retired) != 1 {
		t.Fatalf("rotate --verify --retire-old --json: %+v", out)
	}
	h.ok("audit", "verify")
}

// TestRotateVerifyRefused: a receiver still on the old secret refuses the
// probe signed with the new one only: exit 5 with the code and the outcome,
// the old secret is kept (it still delivers) and nothing says verified.
func TestRotateVerifyRefused(t *testing.T) {
	h := newHome(t)
	h.addReceiver("intake")
	oldFile := filepath.Join(h.dir, "secret-intake")
	url, cert := h.receiverWith(oldFile, "old-receiver")
	newFile := filepath.Join(h.dir, "new.secret")
	r := h.run("", nil, "rotate-secret", "intake", "--generate", "--secret-out", newFile, "--verify", "--retire-old", "--to", url, "--ca-file", cert)
	if r.code != 5 || !strings.Contains(r.stderr, "generic_webhook_rotation_unverified") ||
		!strings.Contains(strings.Join(strings.Fields(r.stderr), " "), "previous secret was kept") ||
		!strings.Contains(r.stderr, "WEBHOOK_SIGNATURE_INVALID") {
		t.Fatalf("refused probe: %s", r)
	}
	if _, err := os.Stat(newFile); err != nil {
		t.Fatalf("the new secret was not handed out: %v", err)
	}
	// The old secret still signs during its grace: the old receiver accepts.
	h.ok("test-send", "intake", "--to", url, "--ca-file", cert)
	if strings.Contains(h.ok("show", "intake").stdout, "verified by the receiver") {
		t.Error("show says verified after a refused probe")
	}
	if acts := auditActions(t, h); !strings.Contains(acts, "secret.verify_failed secret.rotate") || strings.Contains(acts, "secret.retire") {
		t.Errorf("audit actions (newest first): %s", acts)
	}
	// Flags that cannot mean anything are refused before anything changes.
	before := h.dump()
	for _, args := range [][]string{
		{"rotate-secret", "intake", "--generate", "--retire-old"},
		{"rotate-secret", "intake", "--verify-only", "--generate"},
	} {
		if r := h.run("", nil, args...); r.code != 2 {
			t.Errorf("%v: %s", args, r)
		}
	}
	if h.dump() != before {
		t.Error("a refused command changed the store")
	}
}
