package e2e

import (
	"bufio"
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"
)

// pacedTarget saves a target paced at 2 deliveries a second (1.8/s with the
// pacer's headroom), so an export of n tickets needs about n/1.8 seconds
// whatever the machine's speed: the pace is a floor, never a ceiling.
func pacedTarget(h *home) {
	h.addZapier("zap", "--rate-limit", "2/1s")
}

// TestExportQueuedExits75: an export the target's pace cannot finish within
// --wait says so before sending, with the numbers, and exits 75
// (generic_webhook_delivery_queued), not 4: nothing failed. A drain then
// finishes it and exits 0.
func TestExportQueuedExits75(t *testing.T) {
	h := newHome(t)
	pacedTarget(h)
	wr := newWire(t, nil)
	tk := h.tickets("twenty.ndjson", 20)
	r := h.run("", nil, "export", "zap", "--ticket", tk, "--to", wr.url(), "--ca-file", wr.caFile, "--wait", "2s")
	if r.code != 75 || !strings.Contains(r.stderr, "generic_webhook_delivery_queued") {
		t.Fatalf("want exit 75 generic_webhook_delivery_queued: %s", r)
	}
	// 20 at 2/s (paced at 1.8/s) ≈ 11 s > --wait 2s: about 17 will stay queued.
	if !strings.Contains(r.stderr, "20 at 2/s (paced at 1.8/s) ≈ 11s > --wait 2s: about 17 will stay queued for drain") {
		t.Fatalf("no pace warning before sending: %s", r)
	}
	if strings.Contains(r.stderr, "\r") || strings.Contains(r.stderr, "retrying") {
		t.Fatalf("progress drawn into a pipe: %q", r.stderr)
	}
	var codes []map[string]any
	mustJSON(t, h.ok("codes", "--json").stdout, &codes)
	found := false
	for _, c := range codes {
		if c["code"] == "generic_webhook_delivery_queued" && c["exit"] == float64(75) {
			found = true
		}
	}
	if !found {
		t.Fatal("codes does not list generic_webhook_delivery_queued with exit 75")
	}
	d := h.run("", nil, "deliveries", "drain", "--to", wr.url(), "--ca-file", wr.caFile, "--wait", "60s", "--json")
	var out exportJSON
	mustJSON(t, d.stdout, &out)
	if d.code != 0 || out.Pending != 0 || wr.count() != 20 {
		t.Fatalf("drain after the queued export (hits %d): %s", wr.count(), d)
	}
}

// TestExportFailedStillExits4: a delivery that failed after its attempts
// exits 4 even while others are still queued: "queued" never hides a
// failure.
func TestExportFailedStillExits4(t *testing.T) {
	h := newHome(t)
	pacedTarget(h)
	wr := newWire(t, func(hit int, _ string, w http.ResponseWriter, _ *http.Request) bool {
		if hit == 1 {
			w.WriteHeader(http.StatusGone) // final at once: failed
			return true
		}
		return false
	})
	tk := h.tickets("twenty.ndjson", 20)
	r := h.run("", nil, "export", "zap", "--ticket", tk, "--to", wr.url(), "--ca-file", wr.caFile, "--wait", "2s", "--json")
	var out exportJSON
	mustJSON(t, r.stdout, &out)
	if r.code != 4 || out.Failed != 1 || out.Pending == 0 {
		t.Fatalf("want exit 4 with one failed and some queued: %s", r)
	}
}

// TestProgressOnTerminalOnly: on a terminal, export draws one live line on
// stderr (delivered, retrying, failed, queued of total, rate, ETA) and
// erases it before the summary; into a pipe the same export writes no
// progress at all; --json-events streams it as NDJSON instead.
func TestProgressOnTerminalOnly(t *testing.T) {
	h := newHome(t)
	pacedTarget(h)
	wr := newWire(t, nil)
	args := []string{"export", "zap", "--ticket", h.tickets("six.ndjson", 6), "--to", wr.url(), "--ca-file", wr.caFile, "--wait", "60s"}
	v := startTerm(t, termOptions{args: args, env: h.env, cols: 100, rows: 24})
	v.waitFunc("the live progress line", 30*time.Second, func(screen string) bool {
		return strings.Contains(screen, "queued") && strings.Contains(screen, " of 6") && strings.Contains(screen, "/s · ETA")
	})
	if code := v.exit(); code != 0 {
		t.Fatalf("export on a terminal exited %d:\n%s", code, v.screen())
	}
	if !strings.Contains(v.output(), "\r\x1b[K") || !strings.Contains(v.screen(), "delivered 6, failed 0") {
		t.Fatalf("the live line was not redrawn in place, or no summary:\n%s", v.screen())
	}

	// deliveries drain draws the same line.
	hd := newHome(t)
	pacedTarget(hd)
	hd.ok("export", "zap", "--ticket", hd.tickets("six.ndjson", 6), "--to", wr.url(), "--ca-file", wr.caFile, "--wait", "0")
	var queued []map[string]any
	mustJSON(t, hd.ok("deliveries", "--json", "--status", "pending").stdout, &queued)
	if len(queued) != 6 {
		t.Fatalf("export --wait 0 left %d of 6 queued, want all six for the drain", len(queued))
	}
	d := startTerm(t, termOptions{args: []string{"deliveries", "drain", "--to", wr.url(), "--ca-file", wr.caFile, "--wait", "60s"},
		env: hd.env, cols: 100, rows: 24})
	d.waitFunc("the drain's live progress line", 30*time.Second, func(screen string) bool {
		return strings.Contains(screen, " of 6") && strings.Contains(screen, "/s · ETA")
	})
	if code := d.exit(); code != 0 {
		t.Fatalf("drain on a terminal exited %d:\n%s", code, d.screen())
	}

	// The same into pipes: the summary only.
	h2 := newHome(t)
	pacedTarget(h2)
	args[3] = h2.tickets("six.ndjson", 6)
	r := h2.run("", nil, args...)
	if r.code != 0 || strings.Contains(r.stderr, "\r") || strings.Contains(r.stderr, "ETA") || strings.Contains(r.stdout, "ETA") {
		t.Fatalf("progress written into a pipe: %q", r.stderr)
	}

	// --json-events: one JSON object per line, start first, summary last.
	h3 := newHome(t)
	pacedTarget(h3)
	args[3] = h3.tickets("six.ndjson", 6)
	r = h3.run("", nil, append(args, "--json-events")...)
	var events []map[string]any
	sc := bufio.NewScanner(strings.NewReader(r.stdout))
	for sc.Scan() {
		var ev map[string]any
		if err := json.Unmarshal(sc.Bytes(), &ev); err != nil {
			t.Fatalf("not NDJSON: %q: %v", sc.Text(), err)
		}
		events = append(events, ev)
	}
	if r.code != 0 || len(events) < 3 || events[0]["event"] != "start" || events[0]["total"] != float64(6) {
		t.Fatalf("--json-events: %s", r)
	}
	last, progress := events[len(events)-1], events[len(events)-2]
	if last["event"] != "summary" || last["delivered"] != float64(6) || last["exit"] != float64(0) ||
		progress["event"] != "progress" || progress["delivered"] != float64(6) || progress["queued"] != float64(0) {
		t.Fatalf("--json-events ends with %v then %v", progress, last)
	}
}
