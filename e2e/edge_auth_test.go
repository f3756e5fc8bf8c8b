package e2e

import (
	"fmt"
	"io/fs"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// edgeRequests returns the values of the edge header name in each
// captured request (nil where it was absent).
func edgeRequests(reqs []captured, name string) [][]string {
	out := make([][]string, len(reqs))
	for i, r := range reqs {
		out[i] = r.Header.Values(name)
	}
	return out
}

// TestEdgeHeaderOnEveryDelivery: a target with --edge-header sends the
// header with exactly its value on every delivery — test-send, export,
// deliveries drain — and the new value after rotate-secret --edge; a target
// without one never sends it. The value appears in no output (dry run,
// --curl, --json, --out file, show, status, audit, export-config, an
// answer that echoes it back), no file the tool wrote and not in clear in
// the database, its WAL or shared memory.
func TestEdgeHeaderOnEveryDelivery(t *testing.T) {
	h := newHome(t)
	s := &leakScan{t: t, secrets: []string{knownSecret, edgeValueOne, edgeValueTwo}}
	db := h.openDB() // held open, so the WAL keeps every page for the scan
	defer db.Close()
	valueFile := h.writeFile("edge-one.value", edgeValueOne+"\n")
	r := s.run(h, false, nil, "add", "--name", "edge", "--provider", "make_webhook", "--url", "https://hook.eu1.make.com/"+urlToken,
		"--secret-file", h.writeFile("secret-edge", knownSecret+"\n"), "--owner", "ops", "--revoke-path", "Make > Webhooks",
		"--confirm-receiver-checks", "--resolve", "hook.eu1.make.com:443:3.33.152.147",
		"--edge-header", "x-make-apikey", "--edge-value-file", valueFile)
	if r.code != 0 || !strings.Contains(r.stdout, "x-make-apikey") {
		t.Fatalf("add with an edge header: %s", r)
	}
	h.addZapier("plain")

	wr, got := capturingWire(t)
	to := []string{"--to", wr.url(), "--ca-file", wr.caFile}
	s.run(h, false, nil, append([]string{"test-send", "edge"}, to...)...)
	s.run(h, false, nil, append([]string{"export", "edge", "--ticket", h.tickets("two.ndjson", 2)}, to...)...)
	s.run(h, false, nil, append([]string{"export", "edge", "--ticket", h.tickets("queued.ndjson", 2), "--wait", "0"}, to...)...)
	s.run(h, false, nil, append([]string{"deliveries", "drain"}, to...)...)
	edgeSent := len(got())
	s.run(h, false, nil, append([]string{"test-send", "plain"}, to...)...)
	s.run(h, false, nil, append([]string{"export", "plain", "--ticket", h.tickets("one.ndjson", 1)}, to...)...)
	plainSent := len(got()) - edgeSent
	s.run(h, false, nil, "rotate-secret", "edge", "--edge", "--edge-value-env", "EDGE_TWO")
	rot := s.run(h, false, []string{"EDGE_TWO=" + edgeValueTwo}, "rotate-secret", "edge", "--edge", "--edge-value-env", "EDGE_TWO")
	if rot.code != 0 {
		t.Fatalf("rotate-secret --edge: %s", rot)
	}
	assertFits80(t, "add", r.stdout+r.stderr)
	assertFits80(t, "rotate-secret --edge", rot.stdout+rot.stderr)
	assertFits80(t, "show", s.run(h, false, nil, "show", "edge").stdout)
	s.run(h, false, nil, append([]string{"test-send", "edge"}, to...)...)
	wr.check()

	all := got()
	if edgeSent != 5 || plainSent != 2 || len(all) != 8 {
		t.Fatalf("captured %d edge, %d plain, %d in all; want 5, 2, 8", edgeSent, plainSent, len(all))
	}
	for i, vs := range edgeRequests(all, "X-Make-Apikey") {
		want := []string{edgeValueOne}
		switch {
		case i >= edgeSent+plainSent:
			want = []string{edgeValueTwo}
		case i >= edgeSent:
			want = nil
		}
		if fmt.Sprint(vs) != fmt.Sprint(want) {
			t.Errorf("request %d carried x-make-apikey %q, want %q", i+1, vs, want)
		}
	}

	// Shown: the header name, never the value.
	dry := s.run(h, false, nil, "test-send", "edge", "--dry-run")
	if !strings.Contains(dry.stdout, "x-make-apikey: [redacted edge authentication value]") {
		t.Fatalf("dry run:\n%s", dry)
	}
	curl := s.run(h, false, nil, "test-send", "edge", "--curl")
	if !strings.Contains(curl.stderr, "x-make-apikey header carries the edge authentication value") {
		t.Fatalf("--curl says nothing about the redacted header:\n%s", curl)
	}
	reqOut := filepath.Join(h.dir, "req.json")
	for _, args := range [][]string{{"test-send", "edge", "--dry-run", "--json"}, {"test-send", "edge", "--out", reqOut},
		{"show", "edge"}, {"show", "edge", "--json"}, {"list", "--json"}, {"status"}, {"status", "--json"}, {"audit"},
		{"audit", "--json"}, {"deliveries", "--json"}} {
		s.run(h, false, nil, args...)
	}
	s.run(h, true, nil, "export-config")
	s.run(h, true, nil, "show", "edge", "--reveal-url")

	// A receiver that echoes the header back: the reason quotes the
	// answer, never the value.
	echo := newWire(t, func(_ int, _ string, w http.ResponseWriter, r *http.Request) bool {
		w.WriteHeader(http.StatusBadRequest)
		fmt.Fprintf(w, "unknown key %s", r.Header.Get("X-Make-Apikey"))
		return true
	})
	bad := s.run(h, false, nil, "test-send", "edge", "--to", echo.url(), "--ca-file", echo.caFile)
	if bad.code != 4 || !strings.Contains(bad.stdout, "unknown key [edge value]") {
		t.Fatalf("echoing receiver: %s", bad)
	}
	s.run(h, false, nil, "export", "edge", "--ticket", h.tickets("echo.ndjson", 1), "--to", echo.url(), "--ca-file", echo.caFile,
		"--max-attempts", "1", "--json")

	if h.scanStoreFiles(edgeValueOne, edgeValueTwo) == 0 {
		t.Fatal("no store file was scanned")
	}
	inputs := map[string]bool{valueFile: true}
	err := filepath.WalkDir(h.dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || inputs[p] || strings.HasPrefix(filepath.Base(p), "secret-") {
			return err
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		s.check(p, b, p == reqOut)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// TestEdgeRefusals: a header without a value, a value without a header, a
// header the delivery sets itself, a header HTTP manages and a value too
// short are refused with their codes, exit 3, and change nothing.
func TestEdgeRefusals(t *testing.T) {
	h := newHome(t)
	h.addZapier("zap")
	before := h.dump()
	vf := h.writeFile("edge.value", edgeValueOne+"\n")
	short := h.writeFile("short.value", "short\n")
	add := func(extra ...string) []string {
		return append([]string{"add", "--name", "new", "--provider", "zapier_webhook", "--url", zapierURL,
			"--secret-file", h.writeFile("s", knownSecret), "--owner", "ops", "--revoke-path", "Zapier",
			"--confirm-receiver-checks", "--resolve", zapierResolve}, extra...)
	}
	for _, c := range []struct {
		args []string
		code string
		exit int
	}{
		{add("--edge-header", "x-make-apikey"), "generic_webhook_edge_value_missing", 3},
		{add("--edge-value-file", vf), "generic_webhook_edge_value_missing", 3},
		{add("--edge-header", "X-WebRiskOps-Nonce", "--edge-value-file", vf), "generic_webhook_edge_header_invalid", 3},
		{add("--edge-header", "webhook-signature", "--edge-value-file", vf), "generic_webhook_edge_header_invalid", 3},
		{add("--edge-header", "Content-Length", "--edge-value-file", vf), "generic_webhook_edge_header_invalid", 3},
		{add("--edge-header", "x make", "--edge-value-file", vf), "generic_webhook_edge_header_invalid", 3},
		{add("--edge-header", "x-make-apikey", "--edge-value-file", short), "generic_webhook_edge_value_invalid", 3},
		{add("--edge-header", "x-make-apikey", "--edge-value-env", "UNSET_EDGE"), "generic_webhook_edge_value_missing", 3},
		{[]string{"rotate-secret", "zap", "--edge", "--edge-value-file", vf}, "generic_webhook_edge_value_missing", 3},
		{[]string{"rotate-secret", "zap", "--edge", "--edge-header", "Host", "--edge-value-file", vf}, "generic_webhook_edge_header_invalid", 3},
		{[]string{"rotate-secret", "zap", "--edge-header", "x-a", "--secret-file", vf}, "generic_webhook_usage", 2},
	} {
		r := h.run("", nil, c.args...)
		if r.code != c.exit || !strings.Contains(r.stderr, c.code) || !strings.Contains(r.stderr, "fix:") ||
			strings.Contains(r.stdout+r.stderr, edgeValueOne) {
			t.Errorf("%v: want exit %d and %s:\n%s", c.args[len(c.args)-2:], c.exit, c.code, r)
		}
	}
	if after := h.dump(); after != before {
		t.Fatalf("a refusal changed the store:\n%s\n---\n%s", before, after)
	}
}

// TestEdgeAndStandardWebhooksAsCode: apply saves [target.edge_auth] and
// standard_webhooks; test-send then carries both; re-applying changes
// nothing; a new value_file is an update of edge_auth.value that the next
// delivery carries; export-config names a value_file placeholder and the
// fingerprint, never the value.
func TestEdgeAndStandardWebhooksAsCode(t *testing.T) {
	h := newHome(t)
	h.writeFile("secrets/n8n.secret", knownSecret+"\n")
	h.writeFile("secrets/n8n.edge", edgeValueOne+"\n")
	file := h.writeFile("targets.toml", `[[target]]
name = "n8n"
provider_key = "n8n_webhook"
webhook_url = "https://n8n.example.com/webhook/intake"
receiver_owner = "automation team"
revoke_path = "n8n > Credentials"
receiver_checks_confirmed = true
standard_webhooks = true

[target.signing]
secret_file = "secrets/n8n.secret"

[target.edge_auth]
header = "X-N8N-Auth"
value_file = "secrets/n8n.edge"
`)
	resolve := []string{"--resolve", "n8n.example.com:443:93.184.215.15"}
	h.ok(append([]string{"apply", "-f", file}, resolve...)...)
	if r := h.ok("apply", "-f", file, "--dry-run", "--json"); !strings.Contains(r.stdout, `"unchanged"`) {
		t.Fatalf("re-apply: %s", r)
	}
	wr, got := capturingWire(t)
	h.ok("test-send", "n8n", "--to", wr.url(), "--ca-file", wr.caFile)
	h.writeFile("secrets/n8n.edge", edgeValueTwo+"\n")
	r := h.ok(append([]string{"apply", "-f", file, "--json"}, resolve...)...)
	if !strings.Contains(r.stdout, "edge_auth.value") || strings.Contains(r.stdout+r.stderr, edgeValueTwo) {
		t.Fatalf("apply of a new edge value: %s", r)
	}
	h.ok("test-send", "n8n", "--to", wr.url(), "--ca-file", wr.caFile)
	reqs := got()
	if len(reqs) != 2 || reqs[0].Header.Get("X-N8N-Auth") != edgeValueOne || reqs[1].Header.Get("X-N8N-Auth") != edgeValueTwo ||
		reqs[1].Header.Get("Webhook-Signature") == "" {
		t.Fatalf("requests: %+v", reqs)
	}
	out := h.ok("export-config").stdout
	if !strings.Contains(out, "standard_webhooks = true") || !strings.Contains(out, `value_file = "secrets/n8n.edge"`) ||
		!strings.Contains(out, `header = "X-N8N-Auth"`) || strings.Contains(out, edgeValueOne) || strings.Contains(out, edgeValueTwo) {
		t.Fatalf("export-config:\n%s", out)
	}
	h.scanStoreFiles(edgeValueOne, edgeValueTwo)
}
