package recipes

import (
	"bufio"
	"bytes"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/json"
	"encoding/pem"
	"io"
	"math/big"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

// The standalone receivers are rendered, started as real processes on a
// free loopback port and sent real signed requests.

func TestNodeReceiver(t *testing.T) {
	t.Parallel()
	node := lookTool(t, "node")
	testReceiver(t, "node", func(t *testing.T, dir string) []string {
		path := writeRecipe(t, dir, "node", "webriskops-receiver.js")
		return []string{node, path}
	})
}

func TestPythonReceiver(t *testing.T) {
	t.Parallel()
	python := lookTool(t, "python3")
	testReceiver(t, "python", func(t *testing.T, dir string) []string {
		path := writeRecipe(t, dir, "python", "webriskops_receiver.py")
		return []string{python, path}
	})
}

func TestGoReceiver(t *testing.T) {
	t.Parallel()
	goTool := lookTool(t, "go")
	testReceiver(t, "go", func(t *testing.T, dir string) []string {
		path := writeRecipe(t, dir, "go", "webriskops_receiver.go")
		bin := filepath.Join(dir, "webriskops-receiver")
		// Built once, outside this module: the recipe must stand alone on
		// the standard library.
		build := exec.Command(goTool, "build", "-o", bin, path)
		build.Dir = dir
		build.Env = append(os.Environ(), "GOWORK=off", "GOTOOLCHAIN=local", "GOFLAGS=-buildvcs=false")
		if out, err := build.CombinedOutput(); err != nil {
			t.Fatalf("go build the recipe: %v\n%s", err, out)
		}
		return []string{bin}
	})
}

// testReceiver runs the standard cases over HTTP against one receiver
// process, then one valid delivery over HTTPS against another.
func testReceiver(t *testing.T, provider string, command func(t *testing.T, dir string) []string) {
	dir := t.TempDir()
	argv := command(t, dir)
	secret, second := newSecret(t), newSecret(t)
	env := []string{SecretEnv + "=" + secret + " , " + second, "WEBRISKOPS_TLS_CERT=", "WEBRISKOPS_TLS_KEY="}

	url := startReceiver(t, append(argv, "127.0.0.1:0"), env)
	if !strings.HasPrefix(url, "http://127.0.0.1:") {
		t.Fatalf("%s listens on %q, want http://127.0.0.1:<port>", provider, url)
	}
	client := &http.Client{Timeout: 10 * time.Second}
	for _, c := range append(standardCases(t, provider, secret, second), payloadCases(t, provider, secret)...) {
		c.check(t, post(t, client, url, c))
	}
	// A body sent chunked (no Content-Length) is read like any other.
	chunked := deliveryCase{name: "valid, chunked", d: sign(t, []string{secret}, provider+"_chunked", time.Now().Unix(), exportBody(provider+"_chunked")), want: "accepted"}
	chunked.check(t, send(t, client, url, chunked, true))

	// A bare port listens on 127.0.0.1 only.
	bare := startReceiver(t, append(argv, "0"), env)
	if !strings.HasPrefix(bare, "http://127.0.0.1:") {
		t.Errorf("%s given a bare port listens on %q, want http://127.0.0.1:<port>", provider, bare)
	}

	certFile, keyFile, pool := writeTestCert(t, dir)
	tlsURL := startReceiver(t, append(argv, "127.0.0.1:0"),
		[]string{SecretEnv + "=" + secret, "WEBRISKOPS_TLS_CERT=" + certFile, "WEBRISKOPS_TLS_KEY=" + keyFile})
	if !strings.HasPrefix(tlsURL, "https://") {
		t.Fatalf("%s with a certificate listens on %q, want https", provider, tlsURL)
	}
	tlsClient := &http.Client{Timeout: 10 * time.Second, Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool}}}
	c := deliveryCase{name: "valid over HTTPS", d: sign(t, []string{secret}, provider+"_tls", time.Now().Unix(), exportBody(provider+"_tls")), want: "accepted"}
	c.check(t, post(t, tlsClient, tlsURL, c))
}

// post sends one delivery and reads the receiver's decision from the
// status and body the spec prescribes.
func post(t *testing.T, client *http.Client, url string, c deliveryCase) outcome {
	t.Helper()
	return send(t, client, url, c, false)
}

// send is post, with the body sent chunked (no Content-Length) if asked.
func send(t *testing.T, client *http.Client, url string, c deliveryCase, chunked bool) outcome {
	t.Helper()
	var body io.Reader = bytes.NewReader(c.d.body)
	if chunked {
		body = io.MultiReader(bytes.NewReader(c.d.body)) // no known length: sent chunked
	}
	req, err := http.NewRequest(http.MethodPost, url, body)
	if err != nil {
		t.Fatal(err)
	}
	if chunked && req.ContentLength != 0 {
		t.Fatalf("%s: the request has a length; it would not be chunked", c.name)
	}
	for k, v := range c.d.headers {
		req.Header[k] = []string{v} // the spec's spelling, as the sender writes it
	}
	resp, err := client.Do(req)
	if err != nil {
		t.Fatalf("%s: %v", c.name, err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	switch resp.StatusCode {
	case http.StatusOK:
		var body struct {
			Status string `json:"status"`
		}
		if err := json.Unmarshal(raw, &body); err != nil || body.Status != "accepted" && body.Status != "duplicate" {
			t.Errorf("%s: 200 with body %q, want {\"status\":\"accepted\"} or {\"status\":\"duplicate\"}", c.name, raw)
		}
		return outcome{result: body.Status}
	case http.StatusUnauthorized:
		return outcome{result: "refused", reason: refusalBody(t, c.name, raw)}
	case http.StatusBadRequest:
		return outcome{result: "invalid", reason: payloadRefusalBody(t, c.name, raw)}
	}
	t.Errorf("%s: status %d, body %q", c.name, resp.StatusCode, raw)
	return outcome{result: resp.Status}
}

// startReceiver starts argv with env added, waits for its "listening on
// <url>" line and returns the URL. The process is killed at cleanup, and
// its output is logged if the test failed.
func startReceiver(t *testing.T, argv, env []string) string {
	t.Helper()
	cmd := exec.Command(argv[0], argv[1:]...)
	cmd.Env = append(os.Environ(), env...)
	var mu sync.Mutex
	var log bytes.Buffer
	cmd.Stderr = lockedWriter{&mu, &log}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	listening := make(chan string, 1)
	done := make(chan struct{})
	go func() {
		defer close(done)
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			line := sc.Text()
			if url, ok := strings.CutPrefix(line, "listening on "); ok {
				select {
				case listening <- url:
				default:
				}
			}
			mu.Lock()
			log.WriteString(line + "\n")
			mu.Unlock()
		}
	}()
	t.Cleanup(func() {
		cmd.Process.Kill()
		<-done
		cmd.Wait()
		if t.Failed() {
			mu.Lock()
			t.Logf("%s output:\n%s", filepath.Base(argv[len(argv)-2]), log.String())
			mu.Unlock()
		}
	})
	select {
	case url := <-listening:
		return url
	case <-done:
		mu.Lock()
		defer mu.Unlock()
		t.Fatalf("%v exited before listening:\n%s", argv, log.String())
	case <-time.After(30 * time.Second):
		t.Fatalf("%v did not print \"listening on\" within 30 s", argv)
	}
	return ""
}

type lockedWriter struct {
	mu *sync.Mutex
	w  io.Writer
}

func (l lockedWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(p)
}

// lookTool returns the path of a tool, or skips the test when it is not
// installed: recipes in that language cannot be run here.
func lookTool(t *testing.T, name string) string {
	t.Helper()
	path, err := exec.LookPath(name)
	if err != nil {
		// In CI the tool is installed by .ci/run; a recipe that silently
		// goes untested there is a hole, so a missing tool fails.
		if os.Getenv("CI") == "true" {
			t.Fatalf("%s is not installed, so its recipe cannot be run (CI=true: .ci/run must install it): %v", name, err)
		}
		t.Skipf("%s is not installed, so its recipe cannot be run: %v", name, err)
	}
	return path
}

// writeRecipe renders provider's recipe into dir/name.
func writeRecipe(t *testing.T, dir, provider, name string) string {
	t.Helper()
	text, err := Render(provider, Data{Target: "test-target", Host: "127.0.0.1"})
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, name)
	if err := os.WriteFile(path, []byte(text), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// writeTestCert writes a self-signed certificate for 127.0.0.1 and its key
// into dir and returns their paths and a pool that trusts it.
func writeTestCert(t *testing.T, dir string) (certFile, keyFile string, pool *x509.CertPool) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1),
		Subject:      pkix.Name{CommonName: "127.0.0.1"},
		IPAddresses:  []net.IP{net.IPv4(127, 0, 0, 1)},
		NotBefore:    time.Now().Add(-time.Hour),
		NotAfter:     time.Now().Add(time.Hour),
		KeyUsage:     x509.KeyUsageDigitalSignature,
		ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	pkcs8, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	certFile, keyFile = filepath.Join(dir, "cert.pem"), filepath.Join(dir, "key.pem")
	if err := os.WriteFile(certFile, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(keyFile, pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: pkcs8}), 0o600); err != nil {
		t.Fatal(err)
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	pool = x509.NewCertPool()
	pool.AddCert(cert)
	return certFile, keyFile, pool
}
