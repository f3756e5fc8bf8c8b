package e2e

import (
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
	"unicode"
	"unicode/utf8"
)

// hostile is outside text that tries every terminal trick: an SGR colour
// and blink, an OSC 52 clipboard write, a screen clear by 8-bit CSI (raw
// and as U+009B), a bidi override and isolate, a zero-width joiner, a line
// separator, a carriage return, a BEL, invalid UTF-8 and a long line.
var hostile = "ops\x1b[31;1;5;7mRED\x1b]52;c;aGFja2Vk\x07 \x9b2J \u009b2J \u202etxt.exe\u2066\u200d\u2028\r\x07\xff\xfe" +
	strings.Repeat("long-", 60)

// hostileMarks are the pieces that must never reach a terminal raw.
var hostileMarks = []string{"\x1b", "\x07", "\x9b", "\u009b", "\u202e", "\u2066", "\u200d", "\u2028", "\r", "\xff\xfe"}

// neutral fails unless out is safe to draw: valid UTF-8 without control,
// format (bidi, zero-width) or separator characters other than newlines.
func neutral(t *testing.T, what, out string) {
	t.Helper()
	for _, m := range hostileMarks {
		if strings.Contains(out, m) {
			t.Fatalf("%s shows %q raw:\n%q", what, m, out)
		}
	}
	if !utf8.ValidString(out) {
		t.Fatalf("%s is not valid UTF-8:\n%q", what, out)
	}
	for _, r := range out {
		if r != '\n' && (unicode.IsControl(r) || unicode.Is(unicode.Cf, r) || r == '\u2028' || r == '\u2029') {
			t.Fatalf("%s keeps %U:\n%q", what, r, out)
		}
	}
}

// TestReliabilityHostileText stores owner text, revoke paths and approval
// names full of terminal tricks, sends to receivers that answer with them,
// and feeds them to the reference receiver: every human-readable output
// shows them neutralised, while the store keeps them byte for byte and
// --json output carries them exactly (escaped by JSON).
func TestReliabilityHostileText(t *testing.T) {
	h := newHome(t)
	sf := h.writeFile("s", knownSecret)
	if len(hostile) > 500 {
		t.Fatalf("hostile text is %d bytes, over the 500 the owner may have", len(hostile))
	}
	h.ok("add", "--name", "evil", "--provider", "zapier_webhook", "--url", zapierURL, "--secret-file", sf,
		"--owner", hostile, "--revoke-path", "Zapier > "+hostile, "--confirm-receiver-checks", "--resolve", zapierResolve)
	h.ok("add", "--name", "evil-net", "--provider", "n8n_webhook", "--mode", "self-hosted", "--url", "https://n8n.corp.example/webhook/x",
		"--secret-file", sf, "--owner", hostile, "--revoke-path", hostile, "--private-network-policy", "allowlist",
		"--allow", "10.20.0.0/16", "--authorized-by", hostile, "--confirm-receiver-checks", "--resolve", "n8n.corp.example:443:10.20.1.5")

	// Stored exactly.
	db := h.openDB()
	var owner, revoke, by string
	if err := db.QueryRow(`SELECT receiver_owner, revoke_path, network_authorized_by FROM targets WHERE name = 'evil-net'`).Scan(&owner, &revoke, &by); err != nil {
		t.Fatal(err)
	}
	if owner != hostile || revoke != hostile || by != hostile {
		t.Fatalf("stored text differs:\n%q\n%q\n%q", owner, revoke, by)
	}
	var show map[string]any
	mustJSON(t, h.ok("show", "evil-net", "--json").stdout, &show)
	// JSON has no way to carry invalid UTF-8: each bad byte reads as U+FFFD.
	var valid string
	jb, _ := json.Marshal(hostile)
	json.Unmarshal(jb, &valid)
	if show["receiver_owner"] != valid || show["revoke_path"] != valid {
		t.Fatalf("--json differs from the stored text: %q", show["receiver_owner"])
	}

	// Receivers that answer with tricks in the body and headers. (Go's
	// client refuses control bytes in a header outright, so those get a
	// receiver of their own.)
	evilBody := func(w http.ResponseWriter, status int) {
		w.Header().Set("X-Evil", "\u202e\xff")
		w.WriteHeader(status)
		fmt.Fprint(w, "WEBHOOK_SIGNATURE_INVALID "+hostile)
	}
	malformed := newWire(t, func(_ int, _ string, w http.ResponseWriter, _ *http.Request) bool {
		w.Header().Set("X-Evil", "\x1b]52;c;aGFja2Vk\x07")
		w.WriteHeader(http.StatusOK)
		return true
	})
	rejecting := newWire(t, func(_ int, _ string, w http.ResponseWriter, _ *http.Request) bool {
		evilBody(w, http.StatusBadRequest)
		return true
	})
	unauthorized := newWire(t, func(_ int, _ string, w http.ResponseWriter, _ *http.Request) bool {
		evilBody(w, http.StatusUnauthorized)
		return true
	})
	tk := h.tickets("t.ndjson", 1)

	outputs := [][]string{
		{"list"}, {"show", "evil"}, {"show", "evil-net"}, {"status"}, {"audit"}, {"deliveries"},
		{"recipe", "--target", "evil"}, {"test-send", "evil", "--dry-run"}, {"export-config"},
		{"test-send", "evil", "--to", rejecting.url(), "--ca-file", rejecting.caFile},
		{"test-send", "evil", "--to", unauthorized.url(), "--ca-file", unauthorized.caFile},
		{"export", "evil", "--ticket", tk, "--to", rejecting.url(), "--ca-file", rejecting.caFile, "--max-attempts", "1"},
		{"export", "evil", "--ticket", h.tickets("t2.ndjson", 1), "--to", malformed.url(), "--ca-file", malformed.caFile, "--max-attempts", "1"},
		{"check-url", "https://hooks.zapier.com/" + hostile},
		{"check-url", "https://" + hostile + "/"},
		{"add", "--name", hostile, "--provider", hostile, "--mode", hostile, "--url", hostile, "--secret-file", sf},
		{"show", hostile},
		{"test-send", "--url", "https://127.0.0.1/" + hostile, "--secret-file", sf},
		{"apply", "-f", h.writeFile("evil.toml", "[[target]]\nname = \"x\"\n\"\\u001b]52;c;aGk=\\u0007\" = 1\nreceiver_owner = \""+
			"\\u001b[2J\\u202e\"\n")},
		{"disconnect", "evil"},
	}
	var list []map[string]any
	for _, args := range outputs {
		r := h.run("", nil, args...)
		neutral(t, strings.Join(args[:1], " ")+" (stdout)", r.stdout)
		neutral(t, strings.Join(args[:1], " ")+" (stderr)", r.stderr)
		if args[0] == "export" {
			mustJSON(t, h.ok("deliveries", "--json").stdout, &list)
		}
		if args[0] == "test-send" && len(args) > 2 && args[2] == "--to" && !strings.Contains(r.stdout, `RED\x1b]52`) {
			t.Fatalf("test-send does not show the receiver's answer, escaped:\n%s", r)
		}
	}
	if len(list) != 2 {
		t.Fatalf("the exports queued %d deliveries", len(list))
	}
	for _, d := range list {
		r := h.ok("deliveries", "show", d["id"].(string))
		neutral(t, "deliveries show", r.stdout+r.stderr)
		if !strings.Contains(r.stdout, `\x1b`) {
			t.Fatalf("deliveries show does not show the receiver's answer (escaped):\n%s", r.stdout)
		}
		for _, f := range []string{"README.txt", "ticket.md"} {
			b, err := os.ReadFile(filepath.Join(d["fallback_path"].(string), f))
			if err != nil {
				t.Fatal(err)
			}
			neutral(t, f, string(b))
		}
	}

	// The reference receiver logs what a hostile client sends, neutralised.
	cert := filepath.Join(h.dir, "recv.pem")
	recv, base := h.startReceive("--target", "evil", "--self-signed", "--cert-out", cert)
	// Go's HTTP client refuses to send such headers, so the requests go
	// out by hand. (Control bytes in headers are refused by the server
	// before the handler; bidi characters and invalid UTF-8 reach it.)
	addr := strings.TrimPrefix(base, "https://")
	sig := "v1=\u202e" + strings.Repeat("0", 61)
	rawTLS(t, addr, cert, "POST /\u202e HTTP/1.1\r\nHost: x\r\nX-WebRiskOps-Timestamp: 1\r\nX-WebRiskOps-Nonce: \u202e\xff\r\n"+
		"X-WebRiskOps-Signature: "+sig+"\r\nX-WebRiskOps-Idempotency-Key: \u202e\xff\r\nContent-Length: 4\r\nConnection: close\r\n\r\n\xff\xfe\x1b[")
	rawTLS(t, addr, cert, "GET /?\u202e HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
	rawTLS(t, addr, cert, "POST / HTTP/1.1\r\nHost: x\r\nX-WebRiskOps-Signature: \x1b]52;c;aGk=\x07\r\nConnection: close\r\n\r\n")
	h.run("", nil, "test-send", "evil", "--to", base+"/hook", "--ca-file", cert)
	recv.cmd.Process.Kill()
	recv.wait(t, 10*time.Second)
	if n := len(lines(recv.stdout.String())); n < 2 {
		t.Fatalf("receive logged %d lines:\n%s", n, recv.stdout)
	}
	neutral(t, "receive log", recv.stdout.String()+recv.stderr.String())
	figure(t, "%d commands and the receiver log shown hostile text neutralised; stored byte for byte", len(outputs)+1)
}

// rawTLS writes request as is to a TLS server trusting cert, and reads the
// answer.
func rawTLS(t *testing.T, addr, cert, request string) string {
	t.Helper()
	pool := x509.NewCertPool()
	pool.AppendCertsFromPEM([]byte(readFile(t, cert)))
	c, err := tls.Dial("tcp", addr, &tls.Config{RootCAs: pool, ServerName: "127.0.0.1"})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	c.SetDeadline(time.Now().Add(10 * time.Second))
	if _, err := c.Write([]byte(request)); err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(c)
	return string(b)
}
