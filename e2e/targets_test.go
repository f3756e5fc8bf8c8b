package e2e

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestAddListShowStatus(t *testing.T) {
	h := newHome(t)
	h.addZapier("zap-tickets")

	var list []map[string]any
	mustJSON(t, h.ok("list", "--json").stdout, &list)
	if len(list) != 1 || list[0]["name"] != "zap-tickets" || list[0]["provider_key"] != "zapier_webhook" ||
		list[0]["deployment_mode"] != "cloud" || list[0]["ready"] != true {
		t.Fatalf("list --json = %v", list)
	}
	if ep, _ := list[0]["endpoint"].(string); strings.Contains(ep, "tok3nabcdefgh") || !strings.Contains(ep, "hooks.zapier.com") {
		t.Fatalf("list endpoint not redacted: %q", ep)
	}

	var show map[string]any
	mustJSON(t, h.ok("show", "zap-tickets", "--json").stdout, &show)
	signing := show["signing"].(map[string]any)
	if signing["algorithm"] != "HMAC-SHA256" || !strings.HasPrefix(signing["fingerprint"].(string), "sha256:") || signing["created_at"] == "" {
		t.Fatalf("show signing = %v", signing)
	}
	states := show["states"].(map[string]any)
	for _, k := range []string{"provider_key", "endpoint", "signing", "replay_protection", "revoke_path"} {
		if states[k] != "ready" {
			t.Fatalf("state %s = %v", k, states[k])
		}
	}
	if states["private_network"] != "not_applicable" {
		t.Fatalf("private_network = %v", states["private_network"])
	}
	if strings.Contains(show["base_url"].(string), "tok3nabcdefgh") {
		t.Fatalf("show leaks the URL token: %v", show["base_url"])
	}
	var revealed map[string]any
	mustJSON(t, h.ok("show", "zap-tickets", "--json", "--reveal-url").stdout, &revealed)
	if revealed["base_url"] != zapierURL {
		t.Fatalf("--reveal-url base_url = %v", revealed["base_url"])
	}

	var status []map[string]any
	mustJSON(t, h.ok("status", "--json").stdout, &status)
	if len(status) != 1 || status[0]["ready"] != true || len(status[0]["blocked"].([]any)) != 0 {
		t.Fatalf("status --json = %v", status)
	}
	for _, out := range []string{h.ok("list").stdout, h.ok("show", "zap-tickets").stdout, h.ok("status").stdout} {
		if strings.Contains(out, knownSecret) || strings.Contains(out, "tok3nabcdefgh") {
			t.Fatalf("human output leaks a secret or URL token:\n%s", out)
		}
	}
}

func TestGeneratedSecretShownOnceAndWebhookURLAlias(t *testing.T) {
	h := newHome(t)
	r := h.ok("add", "--name", "gen", "--provider", "generic_webhook", "--webhook-url", "https://receiver.example.com/hook",
		"--generate-secret", "--owner", "me", "--revoke-path", "receiver admin", "--confirm-receiver-checks",
		"--resolve", "receiver.example.com:443:93.184.216.34", "--json")
	var v map[string]any
	mustJSON(t, r.stdout, &v)
	secret, _ := v["generated_secret"].(string)
	if !strings.HasPrefix(secret, "wrsec_") || len(secret) != len("wrsec_")+43 {
		t.Fatalf("generated secret = %q", secret)
	}
	for _, args := range [][]string{{"show", "gen", "--json"}, {"list", "--json"}, {"status", "--json"}, {"audit", "--json"}} {
		if out := h.ok(args...).stdout; strings.Contains(out, secret) {
			t.Fatalf("%v shows the secret again", args)
		}
	}
	// --secret-out writes it to a 0600 file instead of showing it.
	out := filepath.Join(h.dir, "new-secret")
	r = h.ok("add", "--name", "gen2", "--provider", "generic_webhook", "--url", "https://receiver.example.com/hook",
		"--generate-secret", "--secret-out", out, "--owner", "me", "--revoke-path", "receiver admin",
		"--confirm-receiver-checks", "--resolve", "receiver.example.com:443:93.184.216.34")
	b, err := os.ReadFile(out)
	if err != nil || !strings.HasPrefix(string(b), "wrsec_") || strings.Contains(r.stdout, string(b[:20])) {
		t.Fatalf("secret-out: %v %q\n%s", err, b, r)
	}
	if fi, _ := os.Stat(out); fi.Mode().Perm() != 0o600 {
		t.Fatalf("secret-out mode %v", fi.Mode())
	}
}

// TestHumanOutputFits80Columns: list, status, show, audit, codes,
// check-url and error messages keep to an 80-column SSH terminal with a
// typical Zapier endpoint and a 20-character name, and a blocked target's
// codes are shown on a line of their own.
func TestHumanOutputFits80Columns(t *testing.T) {
	h := newHome(t)
	h.addZapier("zapier-ticket-intake")
	h.addZapier("zap")
	h.unconfirmChecks("zap") // saved before its receiver checks were confirmed: blocked
	list := h.ok("list").stdout
	assertFits80(t, "list", list)
	if !strings.Contains(list, "zapier-ticket-intake") || !strings.Contains(list, "https://hooks.zapier.com/") {
		t.Errorf("list lacks a name or endpoint:\n%s", list)
	}
	status := h.ok("status").stdout
	assertFits80(t, "status", status)
	if !strings.Contains(status, "blocked: ") || !strings.Contains(status, "receiver_checks") {
		t.Errorf("status does not name the blocked target's code:\n%s", status)
	}
	// Prose (reasons, fixes, meanings, audit details) is wrapped, not cut.
	for _, args := range [][]string{{"show", "zapier-ticket-intake"}, {"show", "zap"}, {"audit"}, {"codes"}} {
		assertFits80(t, strings.Join(args, " "), h.ok(args...).stdout)
	}
	r := h.run("", nil, "check-url", "https://n8n.internal/webhook/abc", "--resolve", "n8n.internal:443:10.20.1.5")
	assertFits80(t, "check-url", r.stdout)
	r = h.run("", nil, "add", "--name", "Bad Name", "--provider", "nope")
	assertFits80(t, "add errors", r.stderr)
	if r.code != 3 || !strings.Contains(r.stderr, "error: generic_webhook_name_invalid: ") {
		t.Errorf("add errors: %s", r)
	}
}
