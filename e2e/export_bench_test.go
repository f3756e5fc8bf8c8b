package e2e

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/pem"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/webriskops/webhook-setup/bench/bare"
	"github.com/webriskops/webhook-setup/core/delivery"
	"github.com/webriskops/webhook-setup/core/signing"
)

// The export pipeline and its pacing, end to end with the built binary
// (docs/performance.md, items 4 and 7):
//
//   - BenchmarkExport: `export --ticket FILE.ndjson` of 2,000 tickets through
//     the durable outbox to a local TLS receiver (keep-alive), with the
//     default 4 workers, against the bare loop: bench/bareloop, a process
//     of its own that reads the same file, builds the same bodies and
//     posts them signed with 4 workers into the same receiver, with no
//     outbox, both timed whole, in turns. It reports both rates, their
//     ratio, the exporter's peak RSS, and checks every delivery is
//     recorded delivered in the database. The same loop run inside the
//     benchmark's own process (bareLoop, beside the receiver) is reported
//     too, as x-bare-inprocess.
//   - BenchmarkExportRSS: the exporter's peak RSS for 100,000 tickets
//     against 2,000: memory must not grow with the number of tickets.
//   - BenchmarkPacing: 300 exports to a receiver that answers 429 above 30
//     requests a second, with the target's rate limit at 30/1s.

// benchReceiver is a TLS receiver on loopback that checks every signature
// (signing.Verify, stateless: a 100,000-delivery run does not fill a
// replay window) and counts what it answered. With limit set it answers
// 429 with Retry-After: 1 to a request that would make more than limit
// accepted requests in the last second.
type benchReceiver struct {
	srv    *httptest.Server
	caFile string
	limit  int

	mu        sync.Mutex
	ok        int
	throttled int
	invalid   int
	accepted  []time.Time // the last second's accepted requests (limit > 0)
}

func newBenchReceiver(b testing.TB, limit int) *benchReceiver {
	b.Helper()
	rc := &benchReceiver{limit: limit}
	rc.srv = httptest.NewUnstartedServer(http.HandlerFunc(rc.handle))
	rc.srv.EnableHTTP2 = false // webhook receivers speak HTTP/1.1; so does the exporter
	rc.srv.StartTLS()
	b.Cleanup(rc.srv.Close)
	rc.caFile = filepath.Join(b.TempDir(), "receiver-ca.pem")
	pemBytes := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: rc.srv.Certificate().Raw})
	if err := os.WriteFile(rc.caFile, pemBytes, 0o600); err != nil {
		b.Fatal(err)
	}
	return rc
}

func (rc *benchReceiver) url() string { return rc.srv.URL + "/hooks/bench/abcdefgh1234/" }

func (rc *benchReceiver) handle(w http.ResponseWriter, r *http.Request) {
	arrived := time.Now()
	body, err := io.ReadAll(r.Body)
	if err != nil {
		return
	}
	if err := signing.Verify([]string{benchSecret}, r.Header, body, time.Now(), 0); err != nil {
		rc.mu.Lock()
		rc.invalid++
		rc.mu.Unlock()
		http.Error(w, `{"error":"WEBHOOK_SIGNATURE_INVALID"}`, http.StatusUnauthorized)
		return
	}
	rc.mu.Lock()
	if rc.limit > 0 {
		now := arrived
		drop := 0
		for drop < len(rc.accepted) && now.Sub(rc.accepted[drop]) >= time.Second {
			drop++
		}
		rc.accepted = append(rc.accepted[:0], rc.accepted[drop:]...)
		if len(rc.accepted) >= rc.limit {
			rc.throttled++
			rc.mu.Unlock()
			w.Header().Set("Retry-After", "1")
			http.Error(w, "rate limited", http.StatusTooManyRequests)
			return
		}
		rc.accepted = append(rc.accepted, now)
	}
	rc.ok++
	rc.mu.Unlock()
	w.WriteHeader(http.StatusOK)
}

// counts returns and resets the counters.
func (rc *benchReceiver) counts() (ok, throttled, invalid int) {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	ok, throttled, invalid = rc.ok, rc.throttled, rc.invalid
	rc.ok, rc.throttled, rc.invalid = 0, 0, 0
	rc.accepted = rc.accepted[:0]
	return ok, throttled, invalid
}

// exportHome is a fresh home with one target, "bench", whose deliveries
// are paced at rate (e.g. "1000000/1s": unpaced).
type exportHome struct {
	dir, db string
	env     []string
}

func newExportHome(b testing.TB, rate string) *exportHome {
	b.Helper()
	dir := b.TempDir()
	h := &exportHome{dir: dir, db: filepath.Join(dir, "data", "webhook-setup.db")}
	h.env = []string{
		"HOME=" + dir, "PATH=" + os.Getenv("PATH"), "USER=bench", "NO_COLOR=1",
		"XDG_CONFIG_HOME=" + filepath.Join(dir, "config"),
		"WEBHOOK_SETUP_DB=" + h.db,
	}
	secret := filepath.Join(dir, "secret")
	if err := os.WriteFile(secret, []byte(benchSecret+"\n"), 0o600); err != nil {
		b.Fatal(err)
	}
	runBench(b, h.env, "add", "--name", "bench", "--provider", "generic_webhook", "--mode", "cloud",
		"--url", "https://hooks.example.com/hooks/bench/abcdefgh1234/", "--resolve", "hooks.example.com:443:93.184.215.14",
		"--secret-file", secret, "--owner", "ops@example.com", "--revoke-path", "receiver admin",
		"--confirm-receiver-checks", "--rate-limit", rate)
	return h
}

// ticketFile writes n tickets of about 300 bytes as NDJSON, streamed.
func ticketFile(b testing.TB, dir string, n int) string {
	b.Helper()
	path := filepath.Join(dir, fmt.Sprintf("tickets-%d.ndjson", n))
	f, err := os.Create(path)
	if err != nil {
		b.Fatal(err)
	}
	defer f.Close()
	for i := range n {
		fmt.Fprintf(f, `{"title":"Finding %d","description":"TLS certificate of portal-%d.example.com expires in 12 days; renew it.","severity":"high","kind":"finding","finding_id":"fnd_%07d"}`+"\n", i, i, i)
	}
	return path
}

// export runs one export of file to rc and returns its wall time and peak
// RSS; it checks that every ticket is recorded delivered.
func (h *exportHome) export(b testing.TB, rc *benchReceiver, file string, n int, extra ...string) (time.Duration, int64) {
	b.Helper()
	took, rss, _ := h.exportCPU(b, rc, file, n, extra...)
	return took, rss
}

// exportCPU is export that also returns the CPU time (user and system) the
// exporter used: less sensitive than the wall time to other jobs on the
// machine, so it shows a change in the exporter's own cost.
func (h *exportHome) exportCPU(b testing.TB, rc *benchReceiver, file string, n int, extra ...string) (time.Duration, int64, time.Duration) {
	b.Helper()
	return h.exportWith(b, benchBins.wizard, rc, file, n, extra...)
}

// exportWith is exportCPU with the binary bin.
func (h *exportHome) exportWith(b testing.TB, bin string, rc *benchReceiver, file string, n int, extra ...string) (time.Duration, int64, time.Duration) {
	b.Helper()
	args := append([]string{"export", "bench", "--ticket", file, "--to", rc.url(), "--ca-file", rc.caFile, "--wait", "24h"}, extra...)
	cmd := exec.Command(bin, args...)
	cmd.Env = h.env
	var errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = nil, &errb
	start := time.Now()
	rss, err := runPeakRSS(cmd)
	if err != nil {
		b.Fatalf("%v: %v\n%s", args, err, clip(errb.String()))
	}
	took := time.Since(start)
	cpu := cmd.ProcessState.UserTime() + cmd.ProcessState.SystemTime()
	if got := h.delivered(b); got < n {
		b.Fatalf("%d of %d exports recorded delivered", got, n)
	}
	return took, rss, cpu
}

// selfCPU is the CPU time this process has used: during an export, the
// receiver's (and the counting of the database afterwards).
func selfCPU() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// load1 is the machine's load average over the last minute, as reported.
func load1() float64 {
	raw, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return 0
	}
	var l float64
	fmt.Sscan(string(raw), &l)
	return l
}

// delivered counts the deliveries recorded delivered, and forgets them
// (so the next run exports the same tickets again).
func (h *exportHome) delivered(b testing.TB) int {
	b.Helper()
	db, err := sql.Open("sqlite3", "file:"+h.db+"?_busy_timeout=10000")
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	var n int
	if err := db.QueryRow(`SELECT COUNT(*) FROM deliveries WHERE status = 'delivered'`).Scan(&n); err != nil {
		b.Fatal(err)
	}
	if _, err := db.Exec(`DELETE FROM delivery_attempts; DELETE FROM delivery_bodies; DELETE FROM deliveries`); err != nil {
		b.Fatal(err)
	}
	return n
}

// bareProcess runs bench/bareloop, the yardstick: what a script without
// the outbox would do, as a process, timed whole like the export (start to
// exit, through runPeakRSS). It returns the wall time and the CPU time
// (user and system) the loop used.
func bareProcess(b testing.TB, rc *benchReceiver, file, secretFile string, workers int) (time.Duration, time.Duration) {
	b.Helper()
	cmd := exec.Command(benchBins.bare, file, rc.url(), rc.caFile, strconv.Itoa(workers), secretFile)
	cmd.Env = []string{"PATH=" + os.Getenv("PATH"), "HOME=" + filepath.Dir(secretFile)}
	var errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = nil, &errb
	start := time.Now()
	if _, err := runPeakRSS(cmd); err != nil {
		b.Fatalf("bench/bareloop: %v\n%s", err, clip(errb.String()))
	}
	return time.Since(start), cmd.ProcessState.UserTime() + cmd.ProcessState.SystemTime()
}

// bareLoop is bench/bareloop's loop (bare.Loop) inside this process,
// beside the receiver, over one keep-alive client into rc. It returns the
// time from opening the file to the last answer. It starts no process and
// shares the receiver's runtime, so its requests and answers cross no
// process boundary: a floor no script reaches (docs/performance.md),
// reported as x-bare-inprocess.
func bareLoop(b testing.TB, rc *benchReceiver, file string, workers int) time.Duration {
	b.Helper()
	tr := rc.srv.Client().Transport.(*http.Transport).Clone()
	tr.MaxIdleConnsPerHost = workers
	client := &http.Client{Transport: tr, Timeout: 15 * time.Second}
	defer tr.CloseIdleConnections()
	u, _ := url.Parse(rc.url())
	start := time.Now()
	if err := bare.Loop(context.Background(), client, u, []string{benchSecret}, file, workers); err != nil {
		b.Errorf("bare loop: %v", err)
	}
	return time.Since(start)
}

// BenchmarkExport: the export pipeline against the bare loop, in adjacent
// turns, each b.N round sending n (2,000; smoke: 50) deliveries with 4
// workers. ns/op is one export run; x-bare is the median over the rounds
// of the pipeline's rate over the bare loop's (bench/bareloop, a process
// timed whole like the export) in the same round (the budget is 0.5 or
// more); bare-cpu-µs/delivery is that loop's CPU. x-bare-inprocess is the
// same ratio against the loop run inside this process (bareLoop).
//
// BENCH_EXPORT_BASE=/path/to/an/older/webhook-setup adds that binary's
// export to every round, in the same turns and the same database (whose
// schema it must accept): x-base is the median of the same-round ratios of
// this build's rate over the older one's, base-x-bare the older one's
// x-bare, base-exporter-cpu-µs/delivery its CPU (less sensitive to other
// jobs than the wall time). It compares two versions of the code paired, on a busy machine.
func BenchmarkExport(b *testing.B) {
	buildBenchBins(b)
	n := sized(2000, 50)
	workers := delivery.DefaultWorkers
	h := newExportHome(b, "1000000/1s")
	rc := newBenchReceiver(b, 0)
	file := ticketFile(b, h.dir, n)
	secretFile := filepath.Join(h.dir, "secret")
	var tExport time.Duration
	var rates, bareRates, ratios, cpus, rcCPUs, bareCPUs, inRates, inRatios []float64
	var rss int64
	base := os.Getenv("BENCH_EXPORT_BASE")
	var baseRatios, baseBare, baseCPUs []float64
	loadBefore := load1()
	b.ResetTimer()
	for range b.N {
		inproc := bareLoop(b, rc, file, workers)
		bare, bareCPU := bareProcess(b, rc, file, secretFile, workers)
		bareCPUs = append(bareCPUs, float64(bareCPU.Microseconds())/float64(n))
		if base != "" {
			took, _, cpu := h.exportWith(b, base, rc, file, n, "--workers", strconv.Itoa(workers))
			baseCPUs = append(baseCPUs, float64(cpu.Microseconds())/float64(n))
			baseRatios = append(baseRatios, took.Seconds())
			baseBare = append(baseBare, bare.Seconds()/took.Seconds())
		}
		self := selfCPU()
		took, r, cpu := h.exportCPU(b, rc, file, n, "--workers", strconv.Itoa(workers))
		rcCPUs = append(rcCPUs, float64((selfCPU()-self).Microseconds())/float64(n))
		tExport += took
		cpus = append(cpus, float64(cpu.Microseconds())/float64(n))
		rss = max(rss, r)
		rates = append(rates, float64(n)/took.Seconds())
		bareRates = append(bareRates, float64(n)/bare.Seconds())
		ratios = append(ratios, bare.Seconds()/took.Seconds())
		inRates = append(inRates, float64(n)/inproc.Seconds())
		inRatios = append(inRatios, inproc.Seconds()/took.Seconds())
		if base != "" {
			baseRatios[len(baseRatios)-1] /= took.Seconds()
		}
	}
	b.StopTimer()
	if profileDir() != "" {
		onceFor("export").Do(func() {
			// One export ten times as large, for enough samples.
			big := ticketFile(b, h.dir, 10*n)
			profiled(b, "export", h.env, "export", "bench", "--ticket", big, "--to", rc.url(), "--ca-file", rc.caFile,
				"--wait", "24h", "--workers", strconv.Itoa(workers))
			h.delivered(b)
		})
	}
	if _, _, invalid := rc.counts(); invalid > 0 {
		b.Fatalf("the receiver refused %d signatures", invalid)
	}
	b.ReportMetric(float64(tExport.Nanoseconds())/float64(b.N), "ns/op")
	b.ReportMetric(medianOf(rates), "deliveries/s")
	b.ReportMetric(medianOf(bareRates), "deliveries/s-bare")
	b.ReportMetric(medianOf(ratios), "x-bare")
	b.ReportMetric(medianOf(bareCPUs), "bare-cpu-µs/delivery")
	b.ReportMetric(medianOf(inRates), "deliveries/s-bare-inprocess")
	b.ReportMetric(medianOf(inRatios), "x-bare-inprocess")
	b.ReportMetric(mib(rss), "MiB-peak-rss")
	b.ReportMetric(float64(workers), "workers")
	b.ReportMetric(medianOf(cpus), "exporter-cpu-µs/delivery")
	b.ReportMetric(medianOf(rcCPUs), "receiver-cpu-µs/delivery")
	b.ReportMetric(max(loadBefore, load1()), "load1")
	if base != "" {
		b.ReportMetric(medianOf(baseRatios), "x-base")
		b.ReportMetric(medianOf(baseBare), "base-x-bare")
		b.ReportMetric(medianOf(baseCPUs), "base-exporter-cpu-µs/delivery")
	}
}

// BenchmarkExportRSS: the exporter's peak RSS for a large export (100,000
// tickets; smoke: 1,000) against a small one (2,000; smoke: 50), to the
// same receiver. x-small is large over small: memory is flat when it
// stays near 1.
func BenchmarkExportRSS(b *testing.B) {
	buildBenchBins(b)
	small, large := sized(2000, 50), sized(100000, 1000)
	h := newExportHome(b, "1000000/1s")
	rc := newBenchReceiver(b, 0)
	fSmall, fLarge := ticketFile(b, h.dir, small), ticketFile(b, h.dir, large)
	var rssSmall, rssLarge int64
	var tLarge time.Duration
	b.ResetTimer()
	for range b.N {
		_, r := h.export(b, rc, fSmall, small)
		rssSmall = max(rssSmall, r)
		took, r := h.export(b, rc, fLarge, large)
		rssLarge = max(rssLarge, r)
		tLarge += took
	}
	b.StopTimer()
	b.ReportMetric(float64(tLarge.Nanoseconds())/float64(b.N), "ns/op")
	b.ReportMetric(float64(b.N*large)/tLarge.Seconds(), "deliveries/s")
	b.ReportMetric(mib(rssSmall), fmt.Sprintf("MiB-peak-rss/%d", small))
	b.ReportMetric(mib(rssLarge), fmt.Sprintf("MiB-peak-rss/%d", large))
	b.ReportMetric(float64(rssLarge)/float64(rssSmall), "x-small")
}

// BenchmarkPacing: n exports (300; smoke: 30) to a receiver that answers
// 429 (Retry-After: 1) above 30 requests a second, in a sliding window.
//
//   - target=30/1s: the target's rate limit matches the receiver's. The
//     budget: 1% or less of attempts answered 429, and within 15% of the
//     ideal n/30 s (x-ideal ≤ 1.15).
//   - target=60/1s: the limit is set twice too high, so the receiver's 429s
//     and Retry-After must slow the exporter down (informational: how
//     many 429s it takes and what they cost).
func BenchmarkPacing(b *testing.B) {
	buildBenchBins(b)
	const limit = 30
	n := sized(300, 30)
	for _, rate := range []int{limit, 2 * limit} {
		b.Run(fmt.Sprintf("target=%d/1s", rate), func(b *testing.B) {
			h := newExportHome(b, fmt.Sprintf("%d/1s", rate))
			rc := newBenchReceiver(b, limit)
			file := ticketFile(b, h.dir, n)
			var took time.Duration
			ok, throttled := 0, 0
			b.ResetTimer()
			for range b.N {
				// A fresh window for the receiver between runs.
				b.StopTimer()
				time.Sleep(1100 * time.Millisecond)
				rc.counts()
				b.StartTimer()
				t, _ := h.export(b, rc, file, n)
				took += t
				o, th, invalid := rc.counts()
				if invalid > 0 {
					b.Fatalf("the receiver refused %d signatures", invalid)
				}
				ok, throttled = ok+o, throttled+th
			}
			b.StopTimer()
			ideal := time.Duration(float64(n) / limit * float64(time.Second))
			b.ReportMetric(float64(took.Nanoseconds())/float64(b.N), "ns/op")
			b.ReportMetric(100*float64(throttled)/float64(ok+throttled), "%-429")
			b.ReportMetric(float64(throttled)/float64(b.N), "429s/run")
			b.ReportMetric(took.Seconds()/float64(b.N)/ideal.Seconds(), "x-ideal")
			if ok < b.N*n {
				b.Fatalf("%d of %d delivered", ok, b.N*n)
			}
		})
	}
}
