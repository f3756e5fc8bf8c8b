package recipes

import (
	"encoding/base64"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/webriskops/webhook-setup/core/signing"
)

// The standard-webhooks recipe is rendered, split into its two receivers,
// and each is started as a real process on a free loopback port with the
// maintained library, then sent deliveries signed by package signing as the
// sender signs them.

func TestStandardWebhooksNodeReceiver(t *testing.T) {
	t.Parallel()
	node := lookTool(t, "node")
	mods := standardWebhooksModules(t)
	testStandardWebhooksReceiver(t, "receiver.js", []string{node}, []string{"NODE_PATH=" + mods})
}

func TestStandardWebhooksPythonReceiver(t *testing.T) {
	t.Parallel()
	python := lookTool(t, "python3")
	if out, err := exec.Command(python, "-c", "import standardwebhooks").CombinedOutput(); err != nil {
		t.Skipf("PyPI standardwebhooks cannot be imported (%v: %s); .ci/run tries pip install standardwebhooks, which needs PyPI",
			err, strings.TrimSpace(string(out)))
	}
	testStandardWebhooksReceiver(t, "receiver.py", []string{python}, nil)
}

// standardWebhooksModules is the node_modules folder .ci/run installs npm
// standardwebhooks into (WEBHOOK_SETUP_NPM_PREFIX overrides it). Missing,
// the test fails under CI=true and skips elsewhere.
func standardWebhooksModules(t *testing.T) string {
	t.Helper()
	prefix := os.Getenv("WEBHOOK_SETUP_NPM_PREFIX")
	if prefix == "" {
		home, _ := os.UserHomeDir()
		prefix = filepath.Join(home, ".cache", "webhook-setup-ci", "npm")
	}
	mods := filepath.Join(prefix, "node_modules")
	if _, err := os.Stat(filepath.Join(mods, "standardwebhooks", "package.json")); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("npm standardwebhooks is not in %s although CI=true (.ci/run installs it): %v", mods, err)
		}
		t.Skipf("npm standardwebhooks is not in %s (%v); bash .ci/run installs it", mods, err)
	}
	return mods
}

// standardWebhooksFile returns one receiver of the rendered recipe: the
// lines after its "# ---- NAME" marker, up to the next marker.
func standardWebhooksFile(t *testing.T, text, name string) string {
	t.Helper()
	_, rest, ok := strings.Cut(text, "# ---- "+name)
	if !ok {
		t.Fatalf("the recipe has no %s", name)
	}
	_, rest, _ = strings.Cut(rest, "\n")
	code, _, _ := strings.Cut(rest, "\n# ---- ")
	return code
}

func testStandardWebhooksReceiver(t *testing.T, file string, argv, env []string) {
	text, err := Render("standard-webhooks", Data{Target: "test-target", Tolerance: 120 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	path := filepath.Join(dir, file)
	if err := os.WriteFile(path, []byte(standardWebhooksFile(t, text, file)), 0o600); err != nil {
		t.Fatal(err)
	}
	secret, other := newSecret(t), newSecret(t)
	whsec := "whsec_" + base64.StdEncoding.EncodeToString([]byte(secret))
	// A bare port listens on 127.0.0.1.
	url := startReceiver(t, append(argv, path, "0"), append(env, SecretEnv+"="+whsec))
	if !strings.HasPrefix(url, "http://127.0.0.1:") {
		t.Fatalf("%s with a bare port listens on %q", file, url)
	}
	send := func(secrets []string, id string, ts int64, body []byte, mutate func(*http.Request)) (int, string) {
		t.Helper()
		req, err := http.NewRequest(http.MethodPost, url, strings.NewReader(string(body)))
		if err != nil {
			t.Fatal(err)
		}
		if err := signing.SetHeaders(req.Header, secrets, id, time.Unix(ts, 0), body); err != nil {
			t.Fatal(err)
		}
		signing.SetStandardHeaders(req.Header, secrets, id, ts, body)
		if mutate != nil {
			mutate(req)
		}
		resp, err := (&http.Client{Timeout: 10 * time.Second}).Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		raw, _ := io.ReadAll(resp.Body)
		var answer struct{ Status, Error string }
		json.Unmarshal(raw, &answer)
		return resp.StatusCode, answer.Status + answer.Error
	}
	now := time.Now().Unix()
	for _, c := range []struct {
		name    string
		secrets []string
		id      string
		ts      int64
		body    []byte
		mutate  func(*http.Request)
		status  int
		says    string
	}{
		{"valid", []string{secret}, "k1", now, exportBody("k1"), nil, 200, "accepted"},
		{"retry of a processed id", []string{secret}, "k1", now + 1, exportBody("k1"), nil, 200, "duplicate"},
		{"during a rotation grace", []string{other, secret}, "k2", now, exportBody("k2"), nil, 200, "accepted"},
		{"chunked body", []string{secret}, "k3", now, exportBody("k3"), func(r *http.Request) { r.ContentLength = -1; r.Body = io.NopCloser(r.Body) }, 200, "accepted"},
		{"tampered body", []string{secret}, "k4", now, exportBody("k4"), func(r *http.Request) {
			r.Body, r.ContentLength = io.NopCloser(strings.NewReader(string(exportBody("k5")))), int64(len(exportBody("k5")))
		}, 401, "WEBHOOK_SIGNATURE_INVALID"},
		{"wrong secret", []string{other}, "k6", now, exportBody("k6"), nil, 401, "WEBHOOK_SIGNATURE_INVALID"},
		{"outside the 120 s tolerance", []string{secret}, "k7", now - 200, exportBody("k7"), nil, 401, "WEBHOOK_SIGNATURE_INVALID"},
		{"signed, not JSON", []string{secret}, "k8", now, []byte("not json"), nil, 400, "WEBHOOK_PAYLOAD_INVALID"},
		{"signed, not an export", []string{secret}, "k9", now, []byte(`{"a":1}`), nil, 400, "WEBHOOK_PAYLOAD_INVALID"},
		{"webhook-id not the body's key", []string{secret}, "k10", now, exportBody("k11"), nil, 400, "WEBHOOK_PAYLOAD_INVALID"},
	} {
		status, says := send(c.secrets, c.id, c.ts, c.body, c.mutate)
		if status != c.status || says != c.says {
			t.Errorf("%s: %s answered %d %q, want %d %q", c.name, file, status, says, c.status, c.says)
		}
	}
}
