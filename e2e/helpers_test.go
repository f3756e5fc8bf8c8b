package e2e

import (
	"bufio"
	"bytes"
	"database/sql"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/webriskops/webhook-setup/core/payload"
	"github.com/webriskops/webhook-setup/core/signing"
)

// The helpers the e2e tests share: an operator's home and the commands run
// in it, background processes, the targets most tests save, the receivers
// on loopback, and checks of what the binary printed. Helpers that one
// topic alone uses stay beside its tests: the pseudo-terminal in
// pty_test.go, the wizard's steps in wizard_test.go, the reliability runs'
// in reliability_helpers_test.go, doctor's in doctor_test.go.

// home is one operator's isolated data folder.
type home struct {
	t   *testing.T
	dir string
	db  string
	env []string
}

func newHome(t *testing.T) *home {
	t.Helper()
	dir := t.TempDir()
	h := &home{t: t, dir: dir, db: filepath.Join(dir, "data", "webhook-setup.db")}
	h.env = []string{
		"HOME=" + dir,
		"PATH=" + os.Getenv("PATH"),
		"XDG_CONFIG_HOME=" + filepath.Join(dir, "config"),
		"XDG_DATA_HOME=" + filepath.Join(dir, "share"),
		"WEBHOOK_SETUP_DB=" + h.db,
		"USER=tester",
		"NO_COLOR=1",
		// The race runtime sleeps 1 s at exit by default (TSan atexit_sleep_ms):
		// without this every process the tests run would take a second longer.
		"GORACE=atexit_sleep_ms=0",
	}
	return h
}

type result struct {
	stdout, stderr string
	code           int
}

func (r result) String() string {
	return fmt.Sprintf("exit %d\nstdout:\n%s\nstderr:\n%s", r.code, r.stdout, r.stderr)
}

// run executes the binary with args and extra environment entries.
func (h *home) run(stdin string, extraEnv []string, args ...string) result {
	h.t.Helper()
	r := h.exec(stdin, extraEnv, args...)
	if r.code == -1 {
		h.t.Fatalf("run %v: %s", args, r.stderr)
	}
	return r
}

// ok runs args and fails the test unless they exit 0.
func (h *home) ok(args ...string) result {
	h.t.Helper()
	r := h.run("", nil, args...)
	if r.code != 0 {
		h.t.Fatalf("%v: %s", args, r)
	}
	return r
}

// writeFile writes a file in the home folder and returns its path.
func (h *home) writeFile(name, content string) string {
	h.t.Helper()
	p := filepath.Join(h.dir, name)
	if err := os.MkdirAll(filepath.Dir(p), 0o700); err != nil {
		h.t.Fatal(err)
	}
	if err := os.WriteFile(p, []byte(content), 0o600); err != nil {
		h.t.Fatal(err)
	}
	return p
}

// dump returns every row of every table, sorted, so a test can tell whether
// a command changed anything. A missing database dumps as "no database".
func (h *home) dump() string {
	h.t.Helper()
	if _, err := os.Stat(h.db); os.IsNotExist(err) {
		return "no database"
	}
	db, err := sql.Open("sqlite3", "file:"+h.db+"?mode=ro")
	if err != nil {
		h.t.Fatal(err)
	}
	defer db.Close()
	rows, err := db.Query(`SELECT name FROM sqlite_master WHERE type='table' ORDER BY name`)
	if err != nil {
		h.t.Fatal(err)
	}
	var tables []string
	for rows.Next() {
		var n string
		rows.Scan(&n)
		tables = append(tables, n)
	}
	rows.Close()
	var b strings.Builder
	for _, tbl := range tables {
		r, err := db.Query(`SELECT * FROM "` + tbl + `"`)
		if err != nil {
			h.t.Fatal(err)
		}
		cols, _ := r.Columns()
		var lines []string
		for r.Next() {
			vals := make([]any, len(cols))
			ptrs := make([]any, len(cols))
			for i := range vals {
				ptrs[i] = &vals[i]
			}
			r.Scan(ptrs...)
			lines = append(lines, fmt.Sprint(vals...))
		}
		r.Close()
		sort.Strings(lines)
		fmt.Fprintf(&b, "%s:\n%s\n", tbl, strings.Join(lines, "\n"))
	}
	return b.String()
}

// testActor is the audit actor of the binary run by newHome: the login
// name and uid the OS gives this process, with $USER (tester) as a label.
func testActor(t *testing.T) string {
	t.Helper()
	u, err := user.Current()
	if err != nil {
		t.Fatal(err)
	}
	if u.Username == "tester" {
		return fmt.Sprintf("tester (uid %s)", u.Uid)
	}
	return fmt.Sprintf("%s (uid %s, USER=tester)", u.Username, u.Uid)
}

// runCmd runs cmd and returns its output and exit code; err is set only
// when it could not run or did not exit on its own.
func runCmd(cmd *exec.Cmd) (result, error) {
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	err := cmd.Run()
	code := 0
	if ee, ok := err.(*exec.ExitError); ok {
		code = ee.ExitCode()
	} else if err != nil {
		return result{}, err
	}
	return result{out.String(), errb.String(), code}, nil
}

func readFile(t *testing.T, p string) string {
	t.Helper()
	b, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func wantMode(t *testing.T, p string, want os.FileMode) {
	t.Helper()
	fi, err := os.Stat(p)
	if err != nil {
		t.Fatal(err)
	}
	if fi.Mode().Perm() != want {
		t.Fatalf("%s has mode %v, want %v", p, fi.Mode().Perm(), want)
	}
}

// openDB opens h's database read-write for inspection (as a second
// process would).
func (h *home) openDB() *sql.DB {
	h.t.Helper()
	db, err := sql.Open("sqlite3", "file:"+h.db+"?_busy_timeout=10000")
	if err != nil {
		h.t.Fatal(err)
	}
	h.t.Cleanup(func() { db.Close() })
	return db
}

// unconfirmChecks makes h's target name one saved before its receiver
// checks were confirmed, as an older version could leave it: blocked by
// generic_webhook_receiver_checks_unconfirmed. The database is closed again
// before the test goes on.
func (h *home) unconfirmChecks(name string) {
	h.t.Helper()
	db, err := sql.Open("sqlite3", "file:"+h.db+"?_busy_timeout=10000")
	if err != nil {
		h.t.Fatal(err)
	}
	defer db.Close()
	if _, err := db.Exec(`UPDATE targets SET receiver_checks_confirmed = 0 WHERE name = ?`, name); err != nil {
		h.t.Fatal(err)
	}
}

// scanStoreFiles reads the database, its WAL and its shared memory and
// fails the test when one holds any of secrets in the clear; it returns the
// bytes scanned.
func (h *home) scanStoreFiles(secrets ...string) int {
	h.t.Helper()
	scanned := 0
	for _, suffix := range []string{"", "-wal", "-shm"} {
		b, err := os.ReadFile(h.db + suffix)
		if err != nil {
			continue
		}
		scanned += len(b)
		for _, s := range secrets {
			if bytes.Contains(b, []byte(s)) {
				h.t.Fatalf("%.10q… is in %s", s, filepath.Base(h.db+suffix))
			}
		}
	}
	return scanned
}

// figure logs one measured figure of a reliability test and appends it to
// $RELIABILITY_REPORT, for docs/reliability.md.
func figure(t *testing.T, format string, args ...any) {
	t.Helper()
	line := fmt.Sprintf("%s: %s", t.Name(), fmt.Sprintf(format, args...))
	t.Log(line)
	if p := os.Getenv("RELIABILITY_REPORT"); p != "" {
		f, err := os.OpenFile(p, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o644)
		if err == nil {
			fmt.Fprintln(f, line)
			f.Close()
		}
	}
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

const (
	zapierURL     = "https://hooks.zapier.com/hooks/catch/123456/tok3nabcdefgh/"
	zapierResolve = "hooks.zapier.com:443:3.33.152.147"
	knownSecret   = "s3cret-known-value-for-tests-0123456789abcdef"
)

// addZapier saves a ready cloud target named name with knownSecret.
func (h *home) addZapier(name string, extra ...string) result {
	h.t.Helper()
	sf := h.writeFile("secret-"+name, knownSecret+"\n")
	args := append([]string{"add", name, "--provider", "zapier_webhook", "--mode", "cloud",
		"--url", zapierURL, "--secret-file", sf, "--owner", "ops@example.com",
		"--revoke-path", "Zapier > Zaps > Ticket intake", "--confirm-receiver-checks",
		"--resolve", zapierResolve}, extra...)
	return h.ok(args...)
}

func mustJSON(t *testing.T, s string, v any) {
	t.Helper()
	if err := json.Unmarshal([]byte(s), v); err != nil {
		t.Fatalf("not JSON (%v):\n%s", err, s)
	}
}

const (
	receiverURL     = "https://receiver.example.com/hooks/tickets"
	receiverResolve = "receiver.example.com:443:93.184.216.34"
	otherSecret     = "another-known-secret-for-the-apply-tests-0123"
)

// addReceiver saves a generic target with an explicit rate limit.
func (h *home) addReceiver(name string) {
	h.t.Helper()
	sf := h.writeFile("secret-"+name, otherSecret+"\n")
	h.ok("add", "--name", name, "--provider", "generic_webhook", "--url", receiverURL, "--secret-file", sf,
		"--owner", "Platform \"night\" team", "--revoke-path", "receiver admin > keys", "--confirm-receiver-checks",
		"--rate-limit", "5/2s", "--resolve", receiverResolve)
}

// zapTOML is a [[target]] entry as addZapier saves it, with url and owner.
func zapTOML(name, url, owner string) string {
	return `[[target]]
name = "` + name + `"
provider_key = "zapier_webhook"
deployment_mode = "cloud"
webhook_url = "` + url + `"
receiver_owner = "` + owner + `"
revoke_path = "Zapier > Zaps > Ticket intake"
receiver_checks_confirmed = true
`
}

// auditCount returns how many audit events the store holds.
func (h *home) auditCount() int {
	h.t.Helper()
	var events []map[string]any
	mustJSON(h.t, h.ok("audit", "--json", "--limit", "0").stdout, &events)
	return len(events)
}

// goodEntry is a valid [[target]] for a ready generic target.
func goodEntry(name string, extra ...string) string {
	return `[[target]]
name = "` + name + `"
provider_key = "generic_webhook"
deployment_mode = "cloud"
webhook_url = "` + receiverURL + `"
receiver_owner = "ops"
revoke_path = "receiver admin"
receiver_checks_confirmed = true
` + strings.Join(extra, "\n") + "\n"
}

// urlToken is the part of zapierURL that makes it a bearer credential.
const urlToken = "tok3nabcdefgh"

// Edge values the tests search for: printable, long, unlike anything else.
const (
	edgeValueOne = "edge-VALUE-one-0123456789abcdefghij"
	edgeValueTwo = "edge-VALUE-two-9876543210zyxwvutsrq"
)

// listed returns `list --json` of h.
func (h *home) listed() []map[string]any {
	h.t.Helper()
	var list []map[string]any
	mustJSON(h.t, h.ok("list", "--json").stdout, &list)
	return list
}

// shown returns `show NAME --json` of h.
func (h *home) shown(name string) map[string]any {
	h.t.Helper()
	var v map[string]any
	mustJSON(h.t, h.ok("show", name, "--json").stdout, &v)
	return v
}

// exportJSON is export --json and deliveries drain --json.
type exportJSON struct {
	Delivered, Failed, Blocked, Pending int
	Deliveries                          []struct {
		ID             string `json:"id"`
		IdempotencyKey string `json:"idempotency_key"`
		Status         string `json:"status"`
		Attempts       int    `json:"attempts"`
		LastCode       string `json:"last_code"`
		FallbackPath   string `json:"fallback_path"`
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

// captured is one request as a receiver saw it: headers and the exact body.
type captured struct {
	Header http.Header
	Body   []byte
}

// capturingWire is a wire (a real TLS receiver on loopback that verifies
// the X-WebRiskOps signature) that also keeps every verified request.
func capturingWire(t *testing.T) (*wire, func() []captured) {
	t.Helper()
	var mu sync.Mutex
	var got []captured
	// The handler finds its wire through an atomic pointer: the server
	// starts inside newWire, before the assignment below, and the request
	// that calls the handler comes from another process, which gives the
	// race detector no order between the two.
	var wrp atomic.Pointer[wire]
	wr := newWire(t, func(_ int, key string, _ http.ResponseWriter, r *http.Request) bool {
		wr := wrp.Load()
		wr.mu.Lock()
		body := append([]byte(nil), wr.bodies[key]...)
		wr.mu.Unlock()
		mu.Lock()
		got = append(got, captured{Header: r.Header.Clone(), Body: body})
		mu.Unlock()
		return false
	})
	wrp.Store(wr)
	return wr, func() []captured {
		mu.Lock()
		defer mu.Unlock()
		return append([]captured(nil), got...)
	}
}

// receiverWith starts the reference receiver verifying with the secret in
// file, on loopback with a fresh self-signed certificate; it returns the
// hook URL and the certificate file.
func (h *home) receiverWith(secretFile, name string) (url, cert string) {
	h.t.Helper()
	cert = filepath.Join(h.dir, name+".pem")
	p, base := h.startReceive("--secret-file", secretFile, "--self-signed", "--cert-out", cert)
	h.t.Cleanup(func() { p.cmd.Process.Kill() })
	return base + "/hook", cert
}

// assertFits80 fails when a line of out is wider than an 80-column
// terminal; name says which command printed it.
func assertFits80(t *testing.T, name, out string) {
	t.Helper()
	for _, line := range strings.Split(strings.TrimRight(out, "\n"), "\n") {
		if n := utf8.RuneCountInString(line); n > 80 {
			t.Errorf("%s: a line of %d columns:\n%s", name, n, out)
		}
	}
}

// waitFor polls cond until it holds, and fails the test after timeout,
// naming what it waited for. Tests wait for the condition itself, never for
// a fixed time: on a busy machine a fixed sleep is too short (the test
// fails for nothing) and on an idle one it is too long.
func waitFor(t testing.TB, cond func() bool, timeout time.Duration, what ...any) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out after %v waiting for %s", timeout, fmt.Sprint(what...))
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// item is xs[i], counting from the end when i is negative (-1 is the
// last). When xs is too short the test fails, naming what xs holds and
// showing it, instead of panicking on the index.
func item[T any](t testing.TB, xs []T, i int, what string) T {
	t.Helper()
	j := i
	if i < 0 {
		j = len(xs) + i
	}
	if j < 0 || j >= len(xs) {
		t.Fatalf("%s: want item %d, there are %d: %v", what, i, len(xs), xs)
	}
	return xs[j]
}
