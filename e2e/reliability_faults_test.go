package e2e

import (
	"bytes"
	"encoding/pem"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/webriskops/webhook-setup/core/signing"
)

// stallListener makes some of the connections it accepts say nothing for
// stall before their first read, so the TLS handshake hangs past the
// sender's timeout.
type stallListener struct {
	net.Listener
	stall  time.Duration
	pick   func() bool
	stalls atomic.Int64
}

func (l *stallListener) Accept() (net.Conn, error) {
	c, err := l.Listener.Accept()
	if err != nil || !l.pick() {
		return c, err
	}
	l.stalls.Add(1)
	return &stallConn{Conn: c, until: time.Now().Add(l.stall)}, nil
}

type stallConn struct {
	net.Conn
	until time.Time
}

func (c *stallConn) Read(p []byte) (int, error) {
	time.Sleep(time.Until(c.until)) // the fault under test: a stalled handshake
	return c.Conn.Read(p)
}

// newFaultWire is newWire on a listener that stalls some handshakes.
func newFaultWire(t *testing.T, l *stallListener, answer func(hit int, key string, w http.ResponseWriter, r *http.Request) bool) *wire {
	t.Helper()
	wr := &wire{t: t, v: signing.NewVerifier([]string{knownSecret}, 0), bodies: map[string][]byte{},
		perKey: map[string]int{}, nonces: map[string]int{}, processed: map[string]int{}, answer: answer}
	wr.srv = httptest.NewUnstartedServer(http.HandlerFunc(wr.handle))
	wr.srv.Config.ErrorLog = log.New(io.Discard, "", 0) // the handshakes it breaks on purpose
	l.Listener = wr.srv.Listener
	wr.srv.Listener = l
	wr.srv.StartTLS()
	t.Cleanup(wr.srv.Close)
	wr.caFile = filepath.Join(t.TempDir(), "wire-ca.pem")
	pemBytes := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: wr.srv.Certificate().Raw})
	if err := os.WriteFile(wr.caFile, pemBytes, 0o600); err != nil {
		t.Fatal(err)
	}
	return wr
}

// resetConn closes the connection with a TCP reset instead of a FIN.
func resetConn(w http.ResponseWriter) {
	c, _, err := http.NewResponseController(w).Hijack()
	if err != nil {
		return
	}
	if tc, ok := c.(interface{ NetConn() net.Conn }); ok {
		if raw, ok := tc.NetConn().(*net.TCPConn); ok {
			raw.SetLinger(0)
		}
	}
	c.Close()
}

// TestReliabilityDeliveryFaults exports tickets to a receiver that
// misbehaves on most requests: 503, 429 with Retry-After, connections reset
// before or after doing the work, answers that stall past the attempt
// timeout, TLS handshakes that hang, answers trickled byte by byte, 10 MiB
// answer bodies, and the odd redirect. Every export must end delivered and
// processed exactly once (the idempotency key deduplicates the retries of
// work already done), or failed or blocked with a fallback bundle holding
// its exact body; attempts stay within max_attempts; and the sender's
// memory stays within a few MiB of a run against a healthy receiver, so a
// 10 MiB answer is never read whole.
//
// The faults meet two builds of the binary, one after the other: the
// race-built one every e2e test runs, for data races on the retry paths,
// and the plain one, whose memory is measured. The race runtime's memory
// grows with the work a process has done (shadow memory, the history it
// keeps of every goroutine): in the long mode the race-built sender's own
// VmHWM climbed about 2 MiB a second through the fault run, to 160–190 MiB
// against 104 MiB for the healthy run, with every answer read bounded,
// while the plain build's stayed within 2–5 MiB of its healthy run. A
// bound on the race build says nothing about the answers; on the plain
// build it does.
func TestReliabilityDeliveryFaults(t *testing.T) {
	if testing.Short() {
		t.Skip("fault injection")
	}
	rng := newRand(t)
	var mu sync.Mutex
	roll := func() float64 {
		mu.Lock()
		defer mu.Unlock()
		return rng.Float64()
	}
	h := newHome(t)
	h.addZapier("zap", "--rate-limit", "1000/1s")
	env := []string{"WEBHOOK_SETUP_ATTEMPT_TIMEOUT=1s", "WEBHOOK_SETUP_CONNECT_TIMEOUT=500ms", "WEBHOOK_SETUP_MAX_BACKOFF=1s"}
	n := scale(40, 500)
	const maxAttempts = 8
	huge := bytes.Repeat([]byte("x"), 10<<20)

	// The baseline: the same export, plain build, to a healthy receiver.
	plain := plainBinary(t)
	healthy := newWire(t, nil)
	base := h.spawnBin(plain, env, "export", "zap", "--ticket", h.tickets("base.ndjson", n), "--to", healthy.url(), "--ca-file", healthy.caFile,
		"--workers", "8", "--json")
	basePeak := watchPeakRSS(base.cmd.Process.Pid, base.done) // peakrss_test.go
	if code := base.wait(t, 120*time.Second); code != 0 {
		t.Fatalf("baseline export exited %d:\n%s", code, base.stderr)
	}
	baseRSS := basePeak() >> 10 // KiB

	elsewhere := newWire(t, nil)
	faults := map[string]int{}
	var fmu sync.Mutex
	count := func(kind string) {
		fmu.Lock()
		faults[kind]++
		fmu.Unlock()
	}
	var wr *wire
	l := &stallListener{stall: 3 * time.Second, pick: func() bool { return roll() < 0.08 }}
	wr = newFaultWire(t, l, func(_ int, key string, w http.ResponseWriter, r *http.Request) bool {
		p := roll()
		switch {
		case p < 0.10:
			count("503")
			w.WriteHeader(http.StatusServiceUnavailable)
		case p < 0.18:
			count("429 Retry-After: 1")
			w.Header().Set("Retry-After", "1")
			w.WriteHeader(http.StatusTooManyRequests)
		case p < 0.25:
			count("reset before the work")
			resetConn(w)
		case p < 0.32:
			count("reset after the work")
			wr.work(key)
			resetConn(w)
		case p < 0.39:
			count("stall past the timeout")
			select {
			case <-r.Context().Done():
			case <-time.After(3 * time.Second):
			}
			// A stall never answers: it hangs up. Returning would make
			// net/http answer an implicit 200 without the work done, and
			// the sender can read that 200: its transport closes the
			// connection at the attempt timeout with a TLS close_notify
			// first, which ends this request's context here, and it keeps
			// a response that races its own close (net/http's
			// persistConn.roundTrip). A receiver that says 200 has taken
			// the delivery, so a 200 without the work is this harness
			// lying, not the sender erring (seen 4 times in 150 stalls).
			hangUp(w)
		case p < 0.46:
			// Work done, then an answer trickled one byte every 20 ms:
			// short ones finish within the attempt, long ones do not.
			count("answer byte by byte")
			wr.work(key)
			w.WriteHeader(http.StatusOK)
			rc := http.NewResponseController(w)
			for i := 0; i < 10+int(roll()*80); i++ {
				if _, err := w.Write([]byte{'.'}); err != nil || rc.Flush() != nil {
					break
				}
				time.Sleep(20 * time.Millisecond)
			}
		case p < 0.52:
			count("10 MiB answer (200)")
			wr.work(key)
			w.WriteHeader(http.StatusOK)
			w.Write(huge)
		case p < 0.58:
			count("10 MiB answer (503)")
			w.WriteHeader(http.StatusServiceUnavailable)
			w.Write(huge)
		case p < 0.60:
			count("redirect")
			http.Redirect(w, r, elsewhere.url(), http.StatusFound)
		default:
			return false
		}
		return true
	})

	// export runs one export of n tickets through the fault receiver with
	// binary and checks what must hold of each of its deliveries.
	export := func(binary, tickets string) (out exportJSON, attempts int, rss int64) {
		t.Helper()
		p := h.spawnBin(binary, env, "export", "zap", "--ticket", h.tickets(tickets, n), "--to", wr.url(), "--ca-file", wr.caFile,
			"--max-attempts", fmt.Sprint(maxAttempts), "--workers", "8", "--wait", "180s", "--json")
		peak := watchPeakRSS(p.cmd.Process.Pid, p.done)
		code := p.wait(t, 240*time.Second)
		mustJSON(t, p.stdout.String(), &out)
		if code != 0 && code != 3 && code != 4 {
			t.Fatalf("export exited %d:\n%s", code, p.stderr)
		}
		if out.Pending != 0 || len(out.Deliveries) != n {
			t.Fatalf("%d pending, %d deliveries of %d", out.Pending, len(out.Deliveries), n)
		}
		for _, d := range out.Deliveries {
			attempts += d.Attempts
			wr.mu.Lock()
			sent, done := wr.perKey[d.IdempotencyKey], wr.processed[d.IdempotencyKey]
			wr.mu.Unlock()
			if d.Attempts > maxAttempts || sent > d.Attempts {
				t.Fatalf("delivery %s: %d attempts recorded, %d requests received, at most %d allowed", d.ID, d.Attempts, sent, maxAttempts)
			}
			switch d.Status {
			case "delivered":
				if done != 1 {
					t.Fatalf("delivery %s delivered but processed %d times", d.ID, done)
				}
			case "failed", "blocked":
				if d.FallbackPath == "" {
					t.Fatalf("delivery %s %s without a bundle", d.ID, d.Status)
				}
			default:
				t.Fatalf("delivery %s ended %s", d.ID, d.Status)
			}
		}
		return out, attempts, peak() >> 10 // KiB
	}
	raced, racedAttempts, racedRSS := export(bin, "faults-race.ndjson")
	out, attempts, rss := export(plain, "faults-plain.ndjson")

	if elsewhere.count() != 0 {
		t.Fatalf("a redirect was followed %d times", elsewhere.count())
	}
	wr.check()
	db := h.openDB()
	h.storeInvariants(db, func(key string) bool { // either run's receiver
		for _, x := range []*wire{wr, healthy} {
			x.mu.Lock()
			done := x.processed[key]
			x.mu.Unlock()
			if done == 1 {
				return true
			}
		}
		return false
	})
	// Measured on the plain build: 1000 exports through these faults
	// peaked 2.4 MiB over the healthy run with bounded reads; reading the
	// 10 MiB answers whole (io.ReadAll of the body, tried) peaked 35.8 MiB
	// over it with only 12 such answers, in the short mode. 16 MiB lies
	// between: one whole answer alone holds 18 MiB while its buffer grows
	// (the old 8 MiB and the new 10 MiB).
	if grow := rss - baseRSS; grow > 16<<10 {
		t.Fatalf("the sender peaked at %d KiB against %d KiB for a healthy receiver: 10 MiB answers were read whole", rss, baseRSS)
	}
	faults["handshake stalled"] = int(l.stalls.Load())
	var kinds []string
	total := 0
	for k, c := range faults {
		kinds = append(kinds, fmt.Sprintf("%s %d", k, c))
		total += c
	}
	sort.Strings(kinds)
	figure(t, "%d exports, %d attempts, %d faults injected (%s); %d delivered once, %d failed and %d blocked with bundles, 0 lost; sender peak RSS %d KiB (healthy run %d KiB; race build %d KiB)",
		2*n, racedAttempts+attempts, total, strings.Join(kinds, ", "), raced.Delivered+out.Delivered, raced.Failed+out.Failed,
		raced.Blocked+out.Blocked, rss, baseRSS, racedRSS)
}
