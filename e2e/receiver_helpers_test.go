package e2e

import (
	"bufio"
	"bytes"
	"encoding/pem"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/webriskops/webhook-setup/core/payload"
	"github.com/webriskops/webhook-setup/core/signing"
)

// wire is a receiver the tests control: a real TLS server on loopback that
// verifies every request with knownSecret as docs/signing.md says, records
// what came over the wire, and does each idempotency key's work once.
// answer, when set, may answer a verified request itself (returning true)
// before the normal 200.
type wire struct {
	t      *testing.T
	srv    *httptest.Server
	caFile string
	v      *signing.Verifier

	mu        sync.Mutex
	hits      int
	bodies    map[string][]byte // last body seen per idempotency key
	perKey    map[string]int    // requests per key
	nonces    map[string]int
	processed map[string]int // work done per key
	invalid   []string
	answer    func(hit int, key string, w http.ResponseWriter, r *http.Request) bool
}

func newWire(t *testing.T, answer func(hit int, key string, w http.ResponseWriter, r *http.Request) bool) *wire {
	t.Helper()
	wr := &wire{t: t, v: signing.NewVerifier([]string{knownSecret}, 0), bodies: map[string][]byte{},
		perKey: map[string]int{}, nonces: map[string]int{}, processed: map[string]int{}, answer: answer}
	wr.srv = httptest.NewTLSServer(http.HandlerFunc(wr.handle))
	t.Cleanup(wr.srv.Close)
	wr.caFile = filepath.Join(t.TempDir(), "wire-ca.pem")
	pemBytes := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: wr.srv.Certificate().Raw})
	if err := os.WriteFile(wr.caFile, pemBytes, 0o600); err != nil {
		t.Fatal(err)
	}
	return wr
}

// url is the receiver's URL with a path that looks like a hook token.
func (wr *wire) url() string { return wr.srv.URL + "/hooks/catch/wire/abcdefgh1234/" }

func (wr *wire) handle(w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(r.Body)
	if err != nil {
		return
	}
	key := signing.HeaderValue(r.Header, signing.HeaderIdempotencyKey)
	wr.mu.Lock()
	wr.hits++
	hit := wr.hits
	wr.bodies[key] = body
	wr.perKey[key]++
	wr.nonces[signing.HeaderValue(r.Header, signing.HeaderNonce)]++
	wr.mu.Unlock()
	if _, err := wr.v.Verify(r, body); err != nil {
		wr.mu.Lock()
		wr.invalid = append(wr.invalid, err.Error())
		wr.mu.Unlock()
		http.Error(w, `{"error":"WEBHOOK_SIGNATURE_INVALID"}`, http.StatusUnauthorized)
		return
	}
	if err := payload.ValidateBody(body); err != nil {
		http.Error(w, "schema", http.StatusBadRequest)
		return
	}
	if wr.answer != nil && wr.answer(hit, key, w, r) {
		return
	}
	wr.work(key)
	w.WriteHeader(http.StatusOK)
}

// work does key's work unless it was done already.
func (wr *wire) work(key string) {
	if wr.v.MarkProcessed(key) {
		wr.mu.Lock()
		wr.processed[key]++
		wr.mu.Unlock()
	}
}

func (wr *wire) count() int {
	wr.mu.Lock()
	defer wr.mu.Unlock()
	return wr.hits
}

// check fails the test when a request failed verification or a nonce came
// twice (each attempt must be signed afresh).
func (wr *wire) check() {
	wr.t.Helper()
	wr.mu.Lock()
	defer wr.mu.Unlock()
	if len(wr.invalid) > 0 {
		wr.t.Fatalf("the receiver refused %d requests, first: %s", len(wr.invalid), wr.invalid[0])
	}
	for n, c := range wr.nonces {
		if c > 1 {
			wr.t.Fatalf("nonce %s arrived %d times", n, c)
		}
	}
}

// hangUp closes the connection without an answer.
func hangUp(w http.ResponseWriter) {
	if c, _, err := http.NewResponseController(w).Hijack(); err == nil {
		c.Close()
	}
}

// tickets writes n valid tickets as NDJSON and returns the path.
func (h *home) tickets(name string, n int) string {
	h.t.Helper()
	var b strings.Builder
	for i := range n {
		fmt.Fprintf(&b, `{"title":"Finding %d","description":"Fix it.","severity":"high","kind":"finding","finding_id":"fnd_%05d"}`+"\n", i, i)
	}
	return h.writeFile(name, b.String())
}

// proc is a running webhook-setup process.
type proc struct {
	cmd            *exec.Cmd
	stdout, stderr *syncBuffer
	done           chan struct{}
	code           int
}

// syncBuffer is a bytes.Buffer safe for a writer and a reader.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// spawn starts the binary in the background; the test's end kills it.
func (h *home) spawn(extraEnv []string, args ...string) *proc {
	h.t.Helper()
	return h.spawnBin(bin, extraEnv, args...)
}

// spawnBin is spawn with another build of the binary (see plainBinary).
func (h *home) spawnBin(binary string, extraEnv []string, args ...string) *proc {
	h.t.Helper()
	p := &proc{cmd: exec.Command(binary, args...), stdout: &syncBuffer{}, stderr: &syncBuffer{}, done: make(chan struct{})}
	p.cmd.Env = append(append([]string{}, h.env...), extraEnv...)
	p.cmd.Dir = h.dir
	p.cmd.Stdout, p.cmd.Stderr = p.stdout, p.stderr
	if err := p.cmd.Start(); err != nil {
		h.t.Fatal(err)
	}
	go func() {
		err := p.cmd.Wait()
		if ee, ok := err.(*exec.ExitError); ok {
			p.code = ee.ExitCode()
			if p.code == -1 {
				p.code = 128 + 9 // killed by a signal
			}
		}
		close(p.done)
	}()
	h.t.Cleanup(func() {
		p.cmd.Process.Kill()
		<-p.done
	})
	return p
}

// wait waits for the process to exit and returns its exit code.
func (p *proc) wait(t *testing.T, within time.Duration) int {
	t.Helper()
	select {
	case <-p.done:
		return p.code
	case <-time.After(within):
		t.Fatalf("%v still running after %v\nstdout:\n%s\nstderr:\n%s", p.cmd.Args[1:], within, p.stdout, p.stderr)
		return -1
	}
}

var listening = regexp.MustCompile(`Listening on (https://\S+)/ `)

// startReceive runs `receive` and returns the process and its base URL
// once it listens.
func (h *home) startReceive(args ...string) (*proc, string) {
	h.t.Helper()
	return h.startReceiveBin(bin, args...)
}

// startReceiveBin is startReceive with another build of the binary.
func (h *home) startReceiveBin(binary string, args ...string) (*proc, string) {
	h.t.Helper()
	p := h.spawnBin(binary, nil, append([]string{"receive", "--listen", "127.0.0.1:0"}, args...)...)
	deadline := time.Now().Add(20 * time.Second)
	for time.Now().Before(deadline) {
		if m := listening.FindStringSubmatch(p.stderr.String()); m != nil {
			return p, m[1]
		}
		select {
		case <-p.done:
			h.t.Fatalf("receive exited %d:\n%s", p.code, p.stderr)
		case <-time.After(20 * time.Millisecond):
		}
	}
	h.t.Fatalf("receive did not start:\n%s", p.stderr)
	return nil, ""
}

// lines returns the non-empty lines of s.
func lines(s string) []string {
	var out []string
	sc := bufio.NewScanner(strings.NewReader(s))
	for sc.Scan() {
		if l := strings.TrimSpace(sc.Text()); l != "" {
			out = append(out, l)
		}
	}
	return out
}
