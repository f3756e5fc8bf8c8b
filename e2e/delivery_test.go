package e2e

import (
	"bytes"
	"encoding/json"
	"math/rand/v2"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/webriskops/webhook-setup/core/payload"
)

// fastRetries keeps retrying tests quick: backoff capped at 1 s.
var fastRetries = []string{"WEBHOOK_SETUP_MAX_BACKOFF=1s"}

// TestTestSendDryRunOutCurlVerify: a dry run signs without any network (no
// DNS needed), redacts the URL unless asked, writes the exact request to a
// 0600 file that verify accepts, and verify refuses it once tampered.
func TestTestSendDryRunOutCurlVerify(t *testing.T) {
	h := newHome(t)
	h.addZapier("zap")
	before := h.dump()

	r := h.ok("test-send", "zap", "--dry-run")
	token := "tok3nabcdefgh" // the path segment of zapierURL that must not show
	if !strings.HasPrefix(r.stdout, "POST https://hooks.zapier.com/hooks/catch/123456/") || !strings.Contains(zapierURL, token) ||
		strings.Contains(r.stdout, token) || !strings.Contains(r.stdout, "X-WebRiskOps-Signature: v1=") ||
		!strings.Contains(r.stdout, `"test":true`) || strings.Contains(r.stdout, knownSecret) {
		t.Fatalf("dry run:\n%s", r)
	}
	if r := h.ok("test-send", "zap", "--dry-run", "--reveal-url"); !strings.Contains(r.stdout, zapierURL) {
		t.Fatalf("--reveal-url:\n%s", r)
	}
	r = h.ok("test-send", "zap", "--curl")
	if !strings.HasPrefix(r.stdout, "curl ") || !strings.Contains(r.stdout, "-H 'X-WebRiskOps-Nonce: ") ||
		!strings.Contains(r.stdout, "--data-binary '{") || strings.Contains(r.stdout, token) ||
		!strings.Contains(r.stderr, "redacted, so this command cannot be run as it is; --reveal-url") {
		t.Fatalf("--curl:\n%s", r)
	}
	if r = h.ok("test-send", "zap", "--curl", "--reveal-url"); !strings.Contains(r.stdout, zapierURL) || strings.Contains(r.stderr, "redacted") {
		t.Fatalf("--curl --reveal-url:\n%s", r)
	}

	out := filepath.Join(h.dir, "req.json")
	h.ok("test-send", "zap", "--dry-run", "--out", out)
	if fi, err := os.Stat(out); err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("--out file: %v %v", fi, err)
	}
	raw, _ := os.ReadFile(out)
	var req struct {
		Method  string
		URL     string
		Headers map[string]string
		Body    string
	}
	mustJSON(t, string(raw), &req)
	if req.Method != "POST" || req.URL != zapierURL || len(req.Headers) != 8 || !strings.HasPrefix(req.Body, `{"schema_version"`) {
		t.Fatalf("--out holds %+v", req)
	}
	if bytes.Contains(raw, []byte(knownSecret)) {
		t.Fatal("--out holds the secret")
	}
	if h.dump() != before {
		t.Fatal("a dry run changed the store")
	}

	sf := filepath.Join(h.dir, "secret-zap")
	h.ok("verify", "--request", out, "--secret-file", sf)
	h.ok("verify", "--request", out, "--target", "zap")
	var v map[string]any
	mustJSON(t, h.ok("verify", "--request", out, "--target", "zap", "--json").stdout, &v)
	if v["valid"] != true || !strings.HasPrefix(v["idempotency_key"].(string), "wro_") {
		t.Fatalf("verify --json = %v", v)
	}
	// Ten minutes later the timestamp is stale.
	var ts int64
	json.Unmarshal([]byte(req.Headers["X-WebRiskOps-Timestamp"]), &ts)
	if r := h.run("", nil, "verify", "--request", out, "--secret-file", sf, "--now", itoa(ts+600)); r.code != 5 ||
		!strings.Contains(r.stderr, "stale") {
		t.Fatalf("stale: %s", r)
	}
	tampered := strings.Replace(string(raw), "A test delivery", "A tampered delivery", 1)
	if tampered == string(raw) {
		t.Fatal("nothing to tamper with")
	}
	os.WriteFile(out, []byte(tampered), 0o600)
	r = h.run("", nil, "verify", "--request", out, "--secret-file", sf)
	if r.code != 5 || !strings.Contains(r.stderr, "WEBHOOK_SIGNATURE_INVALID") {
		t.Fatalf("tampered body: %s", r)
	}
}

func itoa(n int64) string {
	b, _ := json.Marshal(n)
	return string(b)
}

// TestTestSendToReceiveProcess: the real binary as receiver. A correct
// secret is accepted (exit 0); a receiver holding another secret answers
// 401 and test-send exits 5; --once ends receive after one delivery; a
// non-loopback --listen is refused; Ctrl-C ends it with 130.
func TestTestSendToReceiveProcess(t *testing.T) {
	h := newHome(t)
	h.addZapier("zap")
	cert := filepath.Join(h.dir, "receiver.pem")
	recv, base := h.startReceive("--target", "zap", "--self-signed", "--cert-out", cert, "--json")

	var res map[string]any
	mustJSON(t, h.ok("test-send", "zap", "--to", base+"/hook", "--ca-file", cert, "--json").stdout, &res)
	if res["delivered"] != true || res["attempts"] != 1.0 || res["http_status"] != 200.0 {
		t.Fatalf("test-send --json = %v", res)
	}
	// The receiver prints its line after it answered: wait for the line.
	waitFor(t, func() bool { return len(lines(recv.stdout.String())) > 0 }, 20*time.Second, "the receiver's line")
	var line map[string]any
	mustJSON(t, item(t, lines(recv.stdout.String()), 0, "the receiver's lines"), &line)
	if line["status"] != "accepted" || line["test"] != true || !strings.HasPrefix(line["idempotency_key"].(string), "wro_") {
		t.Fatalf("receiver line %v", line)
	}
	recv.cmd.Process.Signal(syscall.SIGINT)
	if code := recv.wait(t, 10*time.Second); code != 130 {
		t.Fatalf("receive after Ctrl-C exited %d", code)
	}

	wrong := h.writeFile("wrong-secret", "another-secret-the-sender-does-not-have-0123456789\n")
	cert2 := filepath.Join(h.dir, "receiver2.pem")
	recv2, base2 := h.startReceive("--secret-file", wrong, "--self-signed", "--cert-out", cert2)
	r := h.run("", nil, "test-send", "zap", "--to", base2+"/hook", "--ca-file", cert2)
	if r.code != 5 || !strings.Contains(r.stdout, "WEBHOOK_SIGNATURE_INVALID") {
		t.Fatalf("wrong secret: %s", r)
	}
	waitFor(t, func() bool { return len(lines(recv2.stdout.String())) > 0 }, 20*time.Second, "the receiver's line")
	if out := recv2.stdout.String(); !strings.Contains(out, " 401 rejected WEBHOOK_SIGNATURE_INVALID: no v1= entry") {
		t.Fatalf("receiver printed:\n%s", out)
	}

	cert3 := filepath.Join(h.dir, "receiver3.pem")
	// Without a TLS flag, receive serves a self-signed certificate.
	recv3, base3 := h.startReceive("--target", "zap", "--cert-out", cert3, "--once")
	h.ok("test-send", "zap", "--to", base3+"/x", "--ca-file", cert3)
	if code := recv3.wait(t, 10*time.Second); code != 0 {
		t.Fatalf("receive --once exited %d:\n%s", code, recv3.stderr)
	}

	if r := h.run("", nil, "receive", "--listen", "0.0.0.0:0", "--target", "zap", "--self-signed"); r.code != 2 || !strings.Contains(r.stderr, "--public") {
		t.Fatalf("non-loopback listen: %s", r)
	}
}

// TestTestSendRedirectIsNeverFollowed: a 3xx is blocked (exit 3) and the
// address it names gets nothing.
func TestTestSendRedirectIsNeverFollowed(t *testing.T) {
	h := newHome(t)
	h.addZapier("zap")
	elsewhere := newWire(t, nil)
	wr := newWire(t, func(_ int, _ string, w http.ResponseWriter, r *http.Request) bool {
		http.Redirect(w, r, elsewhere.url(), http.StatusFound)
		return true
	})
	r := h.run("", nil, "test-send", "zap", "--to", wr.url(), "--ca-file", wr.caFile)
	if r.code != 3 || !strings.Contains(r.stdout, "generic_webhook_redirect_blocked") || strings.Contains(r.stdout, "abcdefgh1234") {
		t.Fatalf("redirect: %s", r)
	}
	if wr.count() != 1 || elsewhere.count() != 0 {
		t.Fatalf("hits: endpoint %d, redirect target %d", wr.count(), elsewhere.count())
	}
}

// TestTestSendHonoursRetryAfter: 503 with Retry-After: 2 is retried no
// sooner than 2 s later, with a fresh signature, and then delivered.
func TestTestSendHonoursRetryAfter(t *testing.T) {
	h := newHome(t)
	h.addZapier("zap")
	var times []time.Time
	wr := newWire(t, func(hit int, _ string, w http.ResponseWriter, _ *http.Request) bool {
		times = append(times, time.Now())
		if hit == 1 {
			w.Header().Set("Retry-After", "2")
			w.WriteHeader(http.StatusServiceUnavailable)
			return true
		}
		return false
	})
	var res map[string]any
	mustJSON(t, h.ok("test-send", "zap", "--to", wr.url(), "--ca-file", wr.caFile, "--json").stdout, &res)
	if res["delivered"] != true || res["attempts"] != 2.0 {
		t.Fatalf("test-send = %v", res)
	}
	wr.check()
	if gap := item(t, times, 1, "request times").Sub(times[0]); gap < 1900*time.Millisecond {
		t.Fatalf("retried after %v; Retry-After said 2s", gap)
	}
}

// TestTestSendGoneIsFinal: 410 ends at once with exit 4.
func TestTestSendGoneIsFinal(t *testing.T) {
	h := newHome(t)
	h.addZapier("zap")
	wr := newWire(t, func(_ int, _ string, w http.ResponseWriter, _ *http.Request) bool {
		w.WriteHeader(http.StatusGone)
		return true
	})
	r := h.run("", nil, "test-send", "zap", "--to", wr.url(), "--ca-file", wr.caFile, "--json")
	var res map[string]any
	mustJSON(t, r.stdout, &res)
	if r.code != 4 || res["code"] != "generic_webhook_endpoint_gone" || wr.count() != 1 {
		t.Fatalf("410: %s (hits %d)", r, wr.count())
	}
}

// TestExportExhaustionWritesBundle: when every attempt fails the export
// exits 4 with a bundle whose payload.json is byte for byte the body on the
// wire; deliveries shows it failed; retry sends the same body once the
// receiver is healthy.
func TestExportExhaustionWritesBundle(t *testing.T) {
	h := newHome(t)
	h.addZapier("zap")
	var healthy atomic.Bool
	wr := newWire(t, func(_ int, _ string, w http.ResponseWriter, _ *http.Request) bool {
		if healthy.Load() {
			return false
		}
		w.Header().Set("Retry-After", "1")
		w.WriteHeader(http.StatusServiceUnavailable)
		return true
	})
	tk := h.tickets("one.ndjson", 1)
	r := h.run("", nil, "export", "zap", "--ticket", tk, "--to", wr.url(), "--ca-file", wr.caFile, "--max-attempts", "2", "--json")
	var out exportJSON
	mustJSON(t, r.stdout, &out)
	if r.code != 4 || out.Failed != 1 || len(out.Deliveries) != 1 {
		t.Fatalf("export: %s", r)
	}
	d := out.Deliveries[0]
	// The default fallback folder is fallback/ next to the database.
	if d.Attempts != 2 || d.LastCode != "WEBHOOK_DELIVERY_FAILED" || d.FallbackPath != filepath.Join(filepath.Dir(h.db), "fallback", d.ID) {
		t.Fatalf("delivery %+v", d)
	}
	got, err := os.ReadFile(filepath.Join(d.FallbackPath, "payload.json"))
	if err != nil || !bytes.Equal(got, wr.bodies[d.IdempotencyKey]) || wr.count() != 2 {
		t.Fatalf("payload.json differs from the body on the wire (%v, %d hits)", err, wr.count())
	}
	readme, _ := os.ReadFile(filepath.Join(d.FallbackPath, "README.txt"))
	md, _ := os.ReadFile(filepath.Join(d.FallbackPath, "ticket.md"))
	for _, b := range [][]byte{got, readme, md} {
		if bytes.Contains(b, []byte(knownSecret)) || bytes.Contains(b, []byte("abcdefgh1234")) {
			t.Fatalf("bundle holds a secret or the URL token:\n%s", b)
		}
	}
	if !strings.Contains(string(readme), "deliveries retry "+d.ID) || !strings.HasPrefix(string(md), "# Finding 0") {
		t.Fatalf("README.txt:\n%s\nticket.md:\n%s", readme, md)
	}
	if fi, _ := os.Stat(d.FallbackPath); fi.Mode().Perm() != 0o700 {
		t.Fatalf("bundle folder mode %v", fi.Mode())
	}

	var list []map[string]any
	mustJSON(t, h.ok("deliveries", "--json").stdout, &list)
	if len(list) != 1 || list[0]["status"] != "failed" || list[0]["attempts"] != 2.0 || list[0]["fallback_path"] != d.FallbackPath {
		t.Fatalf("deliveries --json = %v", list)
	}
	if r := h.run("", nil, "deliveries", "retry", d.ID); r.code != 2 || !strings.Contains(r.stderr, "rehearsal") {
		t.Fatalf("retry of a rehearsal without --to: %s", r)
	}
	healthy.Store(true)
	h.ok("deliveries", "retry", d.ID, "--to", wr.url(), "--ca-file", wr.caFile)
	wr.check()
	if wr.processed[d.IdempotencyKey] != 1 || !bytes.Equal(wr.bodies[d.IdempotencyKey], got) {
		t.Fatal("the retry did not send the same body once")
	}
}

// TestExportKilledMidDeliveryThenDrain: kill -9 while the receiver stalls;
// deliveries drain then completes every export, each processed once.
func TestExportKilledMidDeliveryThenDrain(t *testing.T) {
	h := newHome(t)
	h.addZapier("zap", "--rate-limit", "1000/1s")
	var stall atomic.Bool
	stall.Store(true)
	stalled := make(chan struct{}, 100)
	wr := newWire(t, func(_ int, key string, w http.ResponseWriter, r *http.Request) bool {
		if !stall.Load() {
			return false
		}
		stalled <- struct{}{}
		<-r.Context().Done() // the sender dies; the work is never done
		return true
	})
	env := []string{"WEBHOOK_SETUP_ATTEMPT_TIMEOUT=2s"}
	tk := h.tickets("five.ndjson", 5)
	p := h.spawn(env, "export", "zap", "--ticket", tk, "--to", wr.url(), "--ca-file", wr.caFile)
	select {
	case <-stalled:
	case <-time.After(20 * time.Second):
		t.Fatalf("export never reached the receiver:\n%s", p.stderr)
	}
	p.cmd.Process.Signal(syscall.SIGKILL)
	p.wait(t, 10*time.Second)
	stall.Store(false)

	var left []map[string]any
	mustJSON(t, h.ok("deliveries", "--json", "--status", "pending").stdout, &left)
	if len(left) != 5 {
		t.Fatalf("%d pending after the kill, want 5", len(left))
	}
	r := h.run("", env, "deliveries", "drain", "--to", wr.url(), "--ca-file", wr.caFile, "--wait", "30s", "--json")
	var out exportJSON
	mustJSON(t, r.stdout, &out)
	if r.code != 0 || out.Delivered != 5 {
		t.Fatalf("drain: %s", r)
	}
	wr.check()
	if len(wr.processed) != 5 {
		t.Fatalf("%d keys processed, want 5", len(wr.processed))
	}
	for k, n := range wr.processed {
		if n != 1 {
			t.Fatalf("key %s processed %d times", k, n)
		}
	}
	if r := h.ok("deliveries", "drain", "--to", wr.url(), "--ca-file", wr.caFile); !strings.Contains(r.stdout, "delivered 0, failed 0, blocked 0, pending 0") {
		t.Fatalf("second drain: %s", r)
	}
}

// TestExportUnderChaos: a receiver failing 30% of requests with 503 and
// dropping 10% of connections (half after doing the work) gets all 200
// exports, each processed exactly once.
func TestExportUnderChaos(t *testing.T) {
	h := newHome(t)
	h.addZapier("zap", "--rate-limit", "1000/1s")
	var mu sync.Mutex
	rng := rand.New(rand.NewPCG(4, 2))
	var wr *wire
	wr = newWire(t, func(_ int, key string, w http.ResponseWriter, _ *http.Request) bool {
		mu.Lock()
		p := rng.Float64()
		mu.Unlock()
		switch {
		case p < 0.30:
			w.WriteHeader(http.StatusServiceUnavailable)
		case p < 0.35:
			hangUp(w)
		case p < 0.40:
			wr.work(key) // done, but the answer is lost
			hangUp(w)
		default:
			return false
		}
		return true
	})
	tk := h.tickets("many.ndjson", 200)
	r := h.run("", fastRetries, "export", "zap", "--ticket", tk, "--to", wr.url(), "--ca-file", wr.caFile,
		"--max-attempts", "25", "--wait", "90s", "--json")
	var out exportJSON
	mustJSON(t, r.stdout, &out)
	if r.code != 0 || out.Delivered != 200 || len(out.Deliveries) != 200 {
		t.Fatalf("export: exit %d, %d delivered %d failed %d pending\n%s", r.code, out.Delivered, out.Failed, out.Pending, r.stderr)
	}
	wr.check()
	if len(wr.processed) != 200 {
		t.Fatalf("%d keys processed, want 200", len(wr.processed))
	}
	for _, d := range out.Deliveries {
		if wr.processed[d.IdempotencyKey] != 1 {
			t.Fatalf("key %s processed %d times", d.IdempotencyKey, wr.processed[d.IdempotencyKey])
		}
	}
	if wr.count() < 240 {
		t.Fatalf("only %d requests: the receiver did not misbehave", wr.count())
	}
}

// TestConcurrentDrainsNeverSendTheSameRow: two drain processes on one
// outbox split the queue; the receiver sees every key exactly once.
func TestConcurrentDrainsNeverSendTheSameRow(t *testing.T) {
	h := newHome(t)
	h.addZapier("zap", "--rate-limit", "1000/1s")
	wr := newWire(t, func(int, string, http.ResponseWriter, *http.Request) bool {
		time.Sleep(5 * time.Millisecond) // a slow receiver, so the two drains overlap
		return false
	})
	tk := h.tickets("many.ndjson", 200)
	r := h.ok("export", "zap", "--ticket", tk, "--to", wr.url(), "--ca-file", wr.caFile, "--wait", "0", "--json")
	var queued exportJSON
	mustJSON(t, r.stdout, &queued)
	if queued.Pending != 200 || wr.count() != 0 {
		t.Fatalf("--wait 0 queued %d, sent %d", queued.Pending, wr.count())
	}
	a := h.spawn(nil, "deliveries", "drain", "--to", wr.url(), "--ca-file", wr.caFile, "--json")
	b := h.spawn(nil, "deliveries", "drain", "--to", wr.url(), "--ca-file", wr.caFile, "--json")
	if ca, cb := a.wait(t, 60*time.Second), b.wait(t, 60*time.Second); ca != 0 || cb != 0 {
		t.Fatalf("drains exited %d and %d:\n%s\n%s", ca, cb, a.stderr, b.stderr)
	}
	// Each drain reports the whole queue delivered (it sees what the other
	// sent); the receiver shows that nothing was sent twice.
	var oa, ob exportJSON
	mustJSON(t, a.stdout.String(), &oa)
	mustJSON(t, b.stdout.String(), &ob)
	if oa.Delivered != 200 || ob.Delivered != 200 {
		t.Fatalf("drains report %d and %d delivered", oa.Delivered, ob.Delivered)
	}
	wr.check()
	if len(wr.perKey) != 200 {
		t.Fatalf("%d keys arrived, want 200", len(wr.perKey))
	}
	for k, n := range wr.perKey {
		if n != 1 {
			t.Fatalf("key %s was sent %d times", k, n)
		}
	}
}

// TestExportInputIsCheckedWholeFirst: a bad ticket anywhere queues nothing.
func TestExportInputIsCheckedWholeFirst(t *testing.T) {
	h := newHome(t)
	h.addZapier("zap")
	good := `{"title":"A","description":"","severity":"low","kind":"finding","finding_id":"f1"}`
	bad := `{"title":"B","description":"","severity":"urgent","kind":"finding","finding_id":"f2"}`
	tk := h.writeFile("mixed.ndjson", good+"\n"+good+"\n"+bad+"\n")
	r := h.run("", nil, "export", "zap", "--ticket", tk, "--to", "https://127.0.0.1:9/x")
	if r.code != 2 || !strings.Contains(r.stderr, "WEBHOOK_PAYLOAD_INVALID") {
		t.Fatalf("bad ticket: %s", r)
	}
	r = h.run(good+"\n"+bad, nil, "export", "zap", "--ticket", "-", "--to", "https://127.0.0.1:9/x")
	if r.code != 2 {
		t.Fatalf("bad ticket on stdin: %s", r)
	}
	if list := h.ok("deliveries", "--json").stdout; strings.TrimSpace(list) != "[]" {
		t.Fatalf("something was queued: %s", list)
	}
}

// TestExportPortableSendsNothing: --portable writes one bundle per ticket
// whose payload.json passes the schema, and queues nothing.
func TestExportPortableSendsNothing(t *testing.T) {
	h := newHome(t)
	h.addZapier("zap")
	tk := h.tickets("two.ndjson", 2)
	dir := filepath.Join(h.dir, "bundles")
	var out struct {
		Portable int
		Bundles  []struct {
			IdempotencyKey string `json:"idempotency_key"`
			FallbackPath   string `json:"fallback_path"`
		}
	}
	mustJSON(t, h.ok("export", "zap", "--ticket", tk, "--portable", "--fallback-dir", dir, "--json").stdout, &out)
	if out.Portable != 2 || len(out.Bundles) != 2 {
		t.Fatalf("portable = %+v", out)
	}
	for _, b := range out.Bundles {
		body, err := os.ReadFile(filepath.Join(b.FallbackPath, "payload.json"))
		if err != nil || payload.ValidateBody(body) != nil || !strings.HasPrefix(b.FallbackPath, dir) {
			t.Fatalf("bundle %s: %v", b.FallbackPath, err)
		}
		readme, _ := os.ReadFile(filepath.Join(b.FallbackPath, "README.txt"))
		if !strings.Contains(string(readme), "not sent (--portable)") {
			t.Fatalf("README.txt:\n%s", readme)
		}
	}
	if list := h.ok("deliveries", "--json").stdout; strings.TrimSpace(list) != "[]" {
		t.Fatalf("portable export queued: %s", list)
	}
}

// TestPlainDrainNeverSendsRehearsals: a rehearsal left queued is blocked by
// a drain without --to, not sent to the target's real endpoint.
func TestPlainDrainNeverSendsRehearsals(t *testing.T) {
	h := newHome(t)
	h.addZapier("zap")
	wr := newWire(t, nil)
	h.ok("export", "zap", "--ticket", h.tickets("one.ndjson", 1), "--to", wr.url(), "--ca-file", wr.caFile, "--wait", "0")
	r := h.run("", nil, "deliveries", "drain", "--resolve", zapierResolve, "--json")
	var out exportJSON
	mustJSON(t, r.stdout, &out)
	if r.code != 3 || out.Blocked != 1 || wr.count() != 0 {
		t.Fatalf("plain drain of a rehearsal: %s", r)
	}
	show := h.ok("deliveries", "show", item(t, out.Deliveries, 0, "drain --json deliveries").ID).stdout
	if !strings.Contains(show, "rehearsal export") {
		t.Fatalf("deliveries show:\n%s", show)
	}
}

// TestDeliveriesTextFits80Columns: the human forms of deliveries and
// deliveries show keep to an 80-column SSH terminal and still carry the
// id, key, status, last code and reason that an operator looks for.
func TestDeliveriesTextFits80Columns(t *testing.T) {
	h := newHome(t)
	h.addZapier("zap")
	var mu sync.Mutex
	first := ""
	wr := newWire(t, func(_ int, key string, w http.ResponseWriter, _ *http.Request) bool {
		mu.Lock()
		defer mu.Unlock()
		if first == "" {
			first = key
		}
		if key == first {
			w.Header().Set("Retry-After", "3600")
			w.WriteHeader(http.StatusServiceUnavailable)
			return true
		}
		return false
	})
	h.run("", nil, "export", "zap", "--ticket", h.tickets("two.ndjson", 2), "--to", wr.url(), "--ca-file", wr.caFile, "--wait", "5s")
	var ds []struct {
		ID             string `json:"id"`
		Status         string `json:"status"`
		LastCode       string `json:"last_code"`
		IdempotencyKey string `json:"idempotency_key"`
	}
	mustJSON(t, h.ok("deliveries", "--json").stdout, &ds)
	if len(ds) != 2 {
		t.Fatalf("deliveries: %+v", ds)
	}
	list := h.ok("deliveries").stdout
	assertFits80(t, "deliveries", list)
	failed := 0
	for _, d := range ds {
		for _, want := range []string{d.ID, d.IdempotencyKey, d.Status, d.LastCode} {
			if !strings.Contains(list, want) {
				t.Errorf("deliveries lacks %q:\n%s", want, list)
			}
		}
		if d.Status != "pending" || d.LastCode == "" {
			continue
		}
		failed++
		show := h.ok("deliveries", "show", d.ID).stdout
		assertFits80(t, "deliveries show", show)
		if !strings.Contains(show, "503") || !strings.Contains(show, d.LastCode) {
			t.Errorf("deliveries show lacks the attempt's status or code:\n%s", show)
		}
	}
	if failed != 1 {
		t.Fatalf("want one delivery pending after a 503, got %+v", ds)
	}
}

// TestExportIdempotencyKeyOverride: --idempotency-key names the export of
// one ticket; exporting it again is deduplicated (here in a rehearsal, so
// the key carries the rehearsal prefix), a file of several tickets or a key
// outside the schema's pattern is a usage error that queues nothing.
func TestExportIdempotencyKeyOverride(t *testing.T) {
	h := newHome(t)
	h.addZapier("zap")
	wr := newWire(t, nil)
	one := h.tickets("one.ndjson", 1)
	for range 2 {
		var out exportJSON
		mustJSON(t, h.ok("export", "zap", "--ticket", one, "--idempotency-key", "crm-4711", "--to", wr.url(), "--ca-file", wr.caFile, "--json").stdout, &out)
		if len(out.Deliveries) != 1 || out.Deliveries[0].IdempotencyKey != "rehearsal_crm-4711" {
			t.Fatalf("export with --idempotency-key: %+v", out)
		}
	}
	wr.check()
	wr.mu.Lock()
	hits, sent, body := wr.hits, wr.perKey["rehearsal_crm-4711"], string(wr.bodies["rehearsal_crm-4711"])
	wr.mu.Unlock()
	if hits != 1 || sent != 1 {
		t.Fatalf("the receiver got %d requests, %d with the key", hits, sent)
	}
	if !strings.Contains(body, `"idempotency_key":"rehearsal_crm-4711"`) {
		t.Fatalf("the body does not carry the key: %s", body)
	}
	for _, c := range [][]string{
		{"--ticket", h.tickets("two.ndjson", 2), "--idempotency-key", "crm-4712"},
		{"--ticket", one, "--idempotency-key", "has space"},
		{"--ticket", one, "--idempotency-key", strings.Repeat("k", 129)},
	} {
		r := h.run("", nil, append([]string{"export", "zap", "--wait", "0"}, c...)...)
		if r.code != 2 || !strings.Contains(r.stderr, "idempotency-key") {
			t.Errorf("export %v: %s", c[2:], r)
		}
	}
	var ds []map[string]any
	mustJSON(t, h.ok("deliveries", "--json").stdout, &ds)
	if len(ds) != 1 {
		t.Fatalf("a refused export queued something: %v", ds)
	}
}

// TestRecipeAndSchema: recipe names the target's fingerprint, never its
// secret or URL token; schema prints the embedded JSON Schema.
func TestRecipeAndSchema(t *testing.T) {
	h := newHome(t)
	h.addZapier("zap")
	var show map[string]any
	mustJSON(t, h.ok("show", "zap", "--json").stdout, &show)
	fp := show["signing"].(map[string]any)["fingerprint"].(string)
	for _, p := range []string{"", "python", "make"} {
		args := []string{"recipe", "--target", "zap"}
		if p != "" {
			args = append(args, "--provider", p)
		}
		out := h.ok(args...).stdout
		if !strings.Contains(out, fp) || strings.Contains(out, knownSecret) || strings.Contains(out, "tok3nabcdefgh") {
			t.Fatalf("recipe %q: fingerprint %v, leaks %v", p, strings.Contains(out, fp), strings.Contains(out, knownSecret))
		}
	}
	if r := h.run("", nil, "recipe", "--provider", "cobol"); r.code != 2 {
		t.Fatalf("unknown provider: %s", r)
	}
	var schema map[string]any
	mustJSON(t, h.ok("schema").stdout, &schema)
	if schema["$id"] != payload.SchemaID {
		t.Fatalf("schema $id = %v", schema["$id"])
	}
}
