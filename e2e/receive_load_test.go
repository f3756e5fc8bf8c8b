package e2e

import (
	"bufio"
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/webriskops/webhook-setup/core/payload"
	"github.com/webriskops/webhook-setup/core/signing"
)

// plainBinary builds the binary without the race detector, whose shadow
// memory would swamp a memory measurement. It is built once per test run,
// beside bin (TestMain removes that folder), for every test that measures.
func plainBinary(t *testing.T) string {
	t.Helper()
	plainBuild.Do(func() {
		out := filepath.Join(filepath.Dir(bin), "webhook-setup-plain")
		build := exec.Command("go", "build", "-o", out, "github.com/webriskops/webhook-setup")
		if b, err := build.CombinedOutput(); err != nil {
			plainBuild.err = fmt.Errorf("build: %v\n%s", err, b)
			return
		}
		plainBuild.path = out
	})
	if plainBuild.err != nil {
		t.Fatal(plainBuild.err)
	}
	return plainBuild.path
}

// plainBuild is plainBinary's one build.
var plainBuild struct {
	sync.Once
	path string
	err  error
}

// procMemKiB reads a VmXXX line of /proc/PID/status in KiB.
func procMemKiB(t *testing.T, pid int, field string) int {
	t.Helper()
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		t.Fatal(err)
	}
	sc := bufio.NewScanner(bytes.NewReader(b))
	for sc.Scan() {
		if rest, ok := strings.CutPrefix(sc.Text(), field+":"); ok {
			n, _ := strconv.Atoi(strings.TrimSuffix(strings.TrimSpace(rest), " kB"))
			return n
		}
	}
	t.Fatalf("no %s in /proc/%d/status", field, pid)
	return 0
}

// TestReceiveSlowLargeHeaders is finding 4: 500 clients on loopback open
// TLS connections to receive and send header lines of 16 KiB every 250 ms
// without ever ending the header block (coming back a second after they
// are cut off). The
// receiver's peak RSS (VmHWM of the real, non-race binary) stays under
// 100 MiB, and real signed deliveries sent meanwhile are accepted, each
// within 1 s (a functional deadline of the probe). The load runs 6 s.
func TestReceiveSlowLargeHeaders(t *testing.T) {
	const (
		clients  = 500
		chunk    = 16 << 10
		interval = 250 * time.Millisecond
		load     = 6 * time.Second
		limitKiB = 100 << 10
	)
	h := newHome(t)
	plain := plainBinary(t)
	sf := h.writeFile("secret", knownSecret+"\n")
	cert := filepath.Join(h.dir, "receiver.pem")
	recv, base := h.startReceiveBin(plain, "--secret-file", sf, "--self-signed", "--cert-out", cert)
	pid := recv.cmd.Process.Pid
	idle := procMemKiB(t, pid, "VmRSS")

	pemBytes, err := os.ReadFile(cert)
	if err != nil {
		t.Fatal(err)
	}
	pool := x509.NewCertPool()
	pool.AppendCertsFromPEM(pemBytes)
	tlsConf := &tls.Config{RootCAs: pool, ServerName: "127.0.0.1"}
	addr := strings.TrimPrefix(base, "https://")

	ctx, stop := context.WithTimeout(context.Background(), load)
	defer stop()
	var wg sync.WaitGroup
	var conns, cut atomic.Int64
	pad := strings.Repeat("a", chunk-16)
	for i := range clients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for ctx.Err() == nil {
				c, err := tls.Dial("tcp", addr, tlsConf)
				if err != nil {
					// The load's own pace: a refused client comes back later.
					time.Sleep(interval)
					continue
				}
				conns.Add(1)
				fmt.Fprintf(c, "POST /hook HTTP/1.1\r\nHost: 127.0.0.1\r\n")
				for n := 0; ctx.Err() == nil; n++ {
					if _, err := fmt.Fprintf(c, "X-Pad-%d-%d: %s\r\n", i, n, pad); err != nil {
						cut.Add(1)
						break
					}
					select {
					case <-ctx.Done():
					case <-time.After(interval):
					}
				}
				c.Close()
				// Come back after a second: the load is 500 slow clients,
				// not a handshake flood (which costs the test's own, often
				// race-built, process more than the receiver).
				select {
				case <-ctx.Done():
				case <-time.After(time.Second):
				}
			}
		}()
	}

	// Real signed deliveries while the load runs.
	client := &http.Client{Timeout: 5 * time.Second, Transport: &http.Transport{TLSClientConfig: tlsConf}}
	var worst time.Duration
	probes := 0
	// The load builds up for 2 s before the first probe; probes come a
	// second apart. These sleeps pace the load test, they wait for nothing.
	for time.Sleep(2 * time.Second); ctx.Err() == nil && probes < 3; probes++ {
		tk := payload.SampleTicket()
		tk.FindingID = fmt.Sprintf("fnd_load%d", probes)
		key := payload.DefaultIdempotencyKey("tgt_load", tk.Kind, tk.FindingID)
		body, err := payload.Build(payload.TargetRef{ID: "tgt_load", Name: "load"}, "generic_webhook", tk, key, true, time.Now())
		if err != nil {
			t.Fatal(err)
		}
		req, _ := http.NewRequest(http.MethodPost, base+"/hook", bytes.NewReader(body))
		if err := signing.SignRequest(req, []string{knownSecret}, key, time.Now(), body); err != nil {
			t.Fatal(err)
		}
		start := time.Now()
		resp, err := client.Do(req)
		took := time.Since(start)
		if err != nil {
			t.Fatalf("a signed delivery under load failed after %v: %v", took, err)
		}
		answer, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK || !strings.Contains(string(answer), "accepted") {
			t.Fatalf("a signed delivery under load: %d %s", resp.StatusCode, answer)
		}
		worst = max(worst, took)
		time.Sleep(time.Second)
	}
	peak := procMemKiB(t, pid, "VmHWM")
	stop()
	wg.Wait()
	// The figure is the resident memory one second after the load.
	time.Sleep(time.Second)
	after := procMemKiB(t, pid, "VmRSS")
	figure(t, "%d slow clients, %d connections (%d cut off at the header limit); receive RSS idle %d KiB, peak (VmHWM) %d KiB, 1 s after %d KiB; %d signed deliveries meanwhile, slowest %v",
		clients, conns.Load(), cut.Load(), idle, peak, after, probes, worst.Round(time.Millisecond))
	if probes == 0 {
		t.Fatal("no signed delivery was sent during the load")
	}
	if worst > time.Second {
		t.Errorf("the slowest signed delivery under load took %v, want at most 1 s", worst)
	}
	if peak > limitKiB {
		t.Errorf("receive peaked at %d KiB under load, want under %d KiB", peak, limitKiB)
	}
}
