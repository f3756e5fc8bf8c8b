package e2e

import (
	"encoding/base64"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// npmModules is where .ci/run installs the npm packages the tests use
// (WEBHOOK_SETUP_NPM_PREFIX overrides it).
func npmModules() string {
	prefix := os.Getenv("WEBHOOK_SETUP_NPM_PREFIX")
	if prefix == "" {
		home, _ := os.UserHomeDir()
		prefix = filepath.Join(home, ".cache", "webhook-setup-ci", "npm")
	}
	return filepath.Join(prefix, "node_modules")
}

// needNodeStandardWebhooks returns the node_modules folder holding npm
// standardwebhooks. In CI (CI=true) a missing module fails the test:
// .ci/run installs it, so it must be there; elsewhere the test skips and
// says how to install it.
func needNodeStandardWebhooks(t *testing.T) string {
	t.Helper()
	mods := npmModules()
	_, err := exec.LookPath("node")
	if err == nil {
		_, err = os.Stat(filepath.Join(mods, "standardwebhooks", "package.json"))
	}
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("npm standardwebhooks is not installed in %s although CI=true (.ci/run installs it): %v", mods, err)
		}
		t.Skipf("npm standardwebhooks is not installed in %s (%v); bash .ci/run installs it", mods, err)
	}
	return mods
}

// libraryVerdict is what a verifier script says about one request: the
// library accepted it as sent, and refused each tampered copy.
type libraryVerdict struct {
	Valid    bool            `json:"valid"`
	Error    string          `json:"error"`
	Tampered map[string]bool `json:"tampered"` // what was changed → refused
}

// The scripts read {"secret", "requests": [{"headers", "body"}]} on stdin
// and print one libraryVerdict per request. Each tampered copy changes one
// thing: the body, webhook-id, webhook-timestamp or webhook-signature.
const nodeVerifier = `
const { Webhook } = require("standardwebhooks");
const input = JSON.parse(require("fs").readFileSync(0, "utf8"));
const wh = new Webhook(input.secret);
const flip = (s, i) => s.slice(0, i) + (s[i] === "A" ? "B" : "A") + s.slice(i + 1);
const tries = (r) => ({
  body: [r.body + " ", r.headers],
  id: [r.body, { ...r.headers, "webhook-id": r.headers["webhook-id"] + "x" }],
  timestamp: [r.body, { ...r.headers, "webhook-timestamp": String(Number(r.headers["webhook-timestamp"]) - 1) }],
  signature: [r.body, { ...r.headers, "webhook-signature": flip(r.headers["webhook-signature"], 5) }],
});
const out = input.requests.map((r) => {
  const v = { valid: false, error: "", tampered: {} };
  try { wh.verify(r.body, r.headers); v.valid = true; } catch (e) { v.error = String(e.message); }
  for (const [what, [body, headers]] of Object.entries(tries(r))) {
    try { wh.verify(body, headers); v.tampered[what] = false; } catch (e) { v.tampered[what] = true; }
  }
  return v;
});
process.stdout.write(JSON.stringify(out));
`

const pythonVerifier = `
import json, sys
from standardwebhooks import Webhook
data = json.load(sys.stdin)
wh = Webhook(data["secret"])
def flip(s, i):
    return s[:i] + ("B" if s[i] == "A" else "A") + s[i + 1:]
out = []
for r in data["requests"]:
    h = r["headers"]
    v = {"valid": False, "error": "", "tampered": {}}
    try:
        wh.verify(r["body"], h)
        v["valid"] = True
    except Exception as e:
        v["error"] = repr(e)
    tries = {
        "body": (r["body"] + " ", h),
        "id": (r["body"], dict(h, **{"webhook-id": h["webhook-id"] + "x"})),
        "timestamp": (r["body"], dict(h, **{"webhook-timestamp": str(int(h["webhook-timestamp"]) - 1)})),
        "signature": (r["body"], dict(h, **{"webhook-signature": flip(h["webhook-signature"], 5)})),
    }
    for what, (body, headers) in tries.items():
        try:
            wh.verify(body, headers)
            v["tampered"][what] = False
        except Exception:
            v["tampered"][what] = True
    out.append(v)
sys.stdout.write(json.dumps(out))
`

// libraryCheck hands every request to a verifier script (cmd) with secret
// and fails the test unless each one verifies as sent and each tampered
// copy is refused.
func libraryCheck(t *testing.T, cmd *exec.Cmd, secret string, reqs []captured) {
	t.Helper()
	type wireReq struct {
		Headers map[string]string `json:"headers"`
		Body    string            `json:"body"`
	}
	in := struct {
		Secret   string    `json:"secret"`
		Requests []wireReq `json:"requests"`
	}{Secret: secret}
	for _, r := range reqs {
		// As a Node or Python server hands them over: lower-case names.
		hs := map[string]string{}
		for name, vs := range r.Header {
			hs[strings.ToLower(name)] = strings.Join(vs, ", ")
		}
		in.Requests = append(in.Requests, wireReq{Headers: hs, Body: string(r.Body)})
	}
	b, err := json.Marshal(in)
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stdin = strings.NewReader(string(b))
	res, err := runCmd(cmd)
	if err != nil || res.code != 0 {
		t.Fatalf("%v: %v\n%s", cmd.Args, err, res)
	}
	var verdicts []libraryVerdict
	mustJSON(t, res.stdout, &verdicts)
	if len(verdicts) != len(reqs) {
		t.Fatalf("%d verdicts for %d requests", len(verdicts), len(reqs))
	}
	for i, v := range verdicts {
		if !v.Valid {
			t.Errorf("request %d (%s): the library refused it: %s", i+1, reqs[i].Header.Get("Webhook-Id"), v.Error)
		}
		for _, what := range []string{"body", "id", "timestamp", "signature"} {
			if refused, ok := v.Tampered[what]; !ok || !refused {
				t.Errorf("request %d: the library accepted it with a tampered %s", i+1, what)
			}
		}
	}
}

// TestStandardWebhooksLibrariesVerifyDeliveries: a target with
// --standard-webhooks sends, on test-send --to and export --to, headers
// that the maintained Standard Webhooks libraries (npm, and PyPI when it
// is installed) accept with the whsec_ form show --whsec prints, and
// refuse once the body, id, timestamp or signature is changed. webhook-id
// is the idempotency key and webhook-timestamp our timestamp. A target
// without the profile sends none of these headers.
func TestStandardWebhooksLibrariesVerifyDeliveries(t *testing.T) {
	mods := needNodeStandardWebhooks(t)
	h := newHome(t)
	h.addZapier("std", "--standard-webhooks")
	h.addZapier("plain")
	wr, got := capturingWire(t)
	h.ok("test-send", "std", "--to", wr.url(), "--ca-file", wr.caFile)
	h.ok("export", "std", "--ticket", h.tickets("three.ndjson", 3), "--to", wr.url(), "--ca-file", wr.caFile)
	std := got()
	h.ok("test-send", "plain", "--to", wr.url(), "--ca-file", wr.caFile)
	h.ok("export", "plain", "--ticket", h.tickets("one.ndjson", 1), "--to", wr.url(), "--ca-file", wr.caFile)
	wr.check()
	all := got()
	if len(std) != 4 || len(all) != 6 {
		t.Fatalf("captured %d then %d requests, want 4 and 6", len(std), len(all))
	}
	for _, r := range std {
		id, ts := r.Header.Get("Webhook-Id"), r.Header.Get("Webhook-Timestamp")
		if id == "" || id != r.Header.Get("X-WebRiskOps-Idempotency-Key") || ts != r.Header.Get("X-WebRiskOps-Timestamp") {
			t.Fatalf("webhook-id %q, webhook-timestamp %q beside %v", id, ts, r.Header)
		}
	}
	for _, r := range all[4:] {
		for name := range r.Header {
			if strings.HasPrefix(strings.ToLower(name), "webhook-") {
				t.Fatalf("a target without the profile sent %s", name)
			}
		}
	}

	whsec := strings.TrimSpace(h.ok("show", "std", "--whsec").stdout)
	if want := "whsec_" + base64.StdEncoding.EncodeToString([]byte(knownSecret)); whsec != want {
		t.Fatalf("show --whsec = %q, want %q", whsec, want)
	}
	script := filepath.Join(t.TempDir(), "verify.js")
	if err := os.WriteFile(script, []byte(nodeVerifier), 0o600); err != nil {
		t.Fatal(err)
	}
	node := exec.Command("node", script)
	node.Env = append(os.Environ(), "NODE_PATH="+mods)
	libraryCheck(t, node, whsec, std)

	// The same with a second secret in its rotation grace: the library
	// finds the entry of the new secret.
	h.ok("rotate-secret", "std", "--secret-file", h.writeFile("new.secret", "a-new-secret-after-rotation-0123456789abcdef\n"))
	h.ok("test-send", "std", "--to", wr.url(), "--ca-file", wr.caFile)
	all = got()
	if len(all) <= 6 {
		t.Fatalf("%d requests captured; want a 7th, the test send during the grace", len(all))
	}
	rotated := all[6:]
	if sig := rotated[0].Header.Get("Webhook-Signature"); strings.Count(sig, "v1,") != 2 {
		t.Fatalf("during the grace webhook-signature = %q, want two entries", sig)
	}
	node = exec.Command("node", script)
	node.Env = append(os.Environ(), "NODE_PATH="+mods)
	libraryCheck(t, node, strings.TrimSpace(h.ok("show", "std", "--whsec").stdout), rotated)

	t.Run("python", func(t *testing.T) {
		if out, err := exec.Command("python3", "-c", "import standardwebhooks").CombinedOutput(); err != nil {
			t.Skipf("PyPI standardwebhooks cannot be imported (%v: %s); .ci/run tries pip install standardwebhooks, which needs PyPI",
				err, strings.TrimSpace(string(out)))
		}
		libraryCheck(t, exec.Command("python3", "-c", pythonVerifier), whsec, std)
	})
}
