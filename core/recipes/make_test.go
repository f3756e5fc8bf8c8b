package recipes

import (
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"strings"
	"testing"
)

// The Make recipe ends in a blueprint; testdata/make_harness.js runs that
// blueprint as Make runs a scenario (module order, routers and filters,
// the formulas, error handlers, deactivation at the first unhandled error).

type makeRun struct {
	Headers    map[string]string `json:"headers"`
	BodyBase64 string            `json:"bodyBase64"`
	Now        int64             `json:"now"`
	FailWrites bool              `json:"failWrites,omitempty"`
}

type makeResult struct {
	Status      int    `json:"status"`
	Body        string `json:"body"`
	Error       string `json:"error"`
	Deactivated bool   `json:"deactivated"`
	ScenarioRan bool   `json:"scenarioRan"`
}

func newMakeRun(d delivery) makeRun {
	return makeRun{Headers: d.lowerHeaders(), BodyBase64: base64.StdEncoding.EncodeToString(d.body), Now: nowUnix()}
}

func runMake(t *testing.T, node, path, apiKey string, secret, previous string, runs []makeRun) []makeResult {
	t.Helper()
	in := map[string]any{
		"apiKey": apiKey,
		"datastores": map[string]any{
			"webriskops_secret": map[string]any{SecretEnv: map[string]string{"value": secret, "previous": previous}},
		},
		"runs": runs,
	}
	var out []makeResult
	runHarness(t, node, "make_harness.js", path, in, &out)
	if len(out) != len(runs) {
		t.Fatalf("the harness returned %d results for %d runs", len(out), len(runs))
	}
	for i, r := range out {
		if r.Error != "" || r.Deactivated {
			t.Errorf("run %d failed the scenario (Make would deactivate it): %s", i, r.Error)
		}
	}
	return out
}

// makeOutcome reads the Webhook response the scenario gave.
func makeOutcome(t *testing.T, name string, r makeResult) outcome {
	t.Helper()
	switch r.Status {
	case 200:
		var body struct {
			Status string `json:"status"`
		}
		if err := json.Unmarshal([]byte(r.Body), &body); err != nil || body.Status == "" {
			t.Errorf("%s: 200 %q: no Webhook response on this path (Make's default Accepted)", name, r.Body)
		}
		return outcome{result: body.Status}
	case 401:
		return outcome{result: "refused", reason: refusalBody(t, name, []byte(r.Body))}
	case 400:
		return outcome{result: "invalid", reason: payloadRefusalBody(t, name, []byte(r.Body))}
	}
	return outcome{result: r.Body, reason: r.Body}
}

func TestMakeScenario(t *testing.T) {
	t.Parallel()
	node := lookTool(t, "node")
	path := writeRecipe(t, t.TempDir(), "make", "make.txt")
	secret, second := newSecret(t), newSecret(t)
	cases := standardCases(t, "make", secret, second)
	// Make checks that a signed body is JSON and carries the header's key;
	// the rest of the schema it leaves to the sender.
	for _, c := range payloadCases(t, "make", secret) {
		if strings.HasPrefix(c.name, "signed, not") {
			cases = append(cases, c)
		}
	}
	runs := make([]makeRun, len(cases))
	for i, c := range cases {
		runs[i] = newMakeRun(c.d)
	}
	out := runMake(t, node, path, "", secret, second, runs)
	for i, c := range cases {
		c.check(t, makeOutcome(t, c.name, out[i]))
	}
}

// No request a stranger can send makes the scenario fail: each is answered
// 401, and the scenario stays active for the real delivery after them.
func TestMakeScenarioSurvivesStrangers(t *testing.T) {
	t.Parallel()
	node := lookTool(t, "node")
	path := writeRecipe(t, t.TempDir(), "make", "make.txt")
	secret := newSecret(t)
	valid := sign(t, []string{secret}, "make_after_strangers", nowUnix(), exportBody("make_after_strangers"))
	forged := func(edit func(h map[string]string)) map[string]string {
		h := valid.lowerHeaders()
		edit(h)
		return h
	}
	strangers := []struct {
		name    string
		headers map[string]string
		body    string
	}{
		{"no headers, not JSON", map[string]string{}, "hello"},
		{"no headers, broken JSON", map[string]string{"content-type": "application/json"}, `{"idempotency_key":`},
		{"timestamp not a number", forged(func(h map[string]string) { h["x-webriskops-timestamp"] = "soon" }), "{}"},
		{"signature garbage", forged(func(h map[string]string) { h["x-webriskops-signature"] = "v1=" + strings.Repeat("zz", 40) }), "not json"},
		{"huge header", forged(func(h map[string]string) { h["x-webriskops-nonce"] = strings.Repeat("a", 64<<10) }), "[]"},
		{"empty body", forged(func(h map[string]string) {}), ""},
	}
	var runs []makeRun
	for _, s := range strangers {
		runs = append(runs, makeRun{Headers: s.headers, BodyBase64: base64.StdEncoding.EncodeToString([]byte(s.body)), Now: nowUnix()})
	}
	runs = append(runs, newMakeRun(valid))
	// A full data store answers 503 (retried), without failing the scenario.
	busy := newMakeRun(sign(t, []string{secret}, "make_store_full", nowUnix(), exportBody("make_store_full")))
	busy.FailWrites = true
	runs = append(runs, busy)
	out := runMake(t, node, path, "", secret, "", runs)
	for i, s := range strangers {
		if got := makeOutcome(t, s.name, out[i]); got.result != "refused" {
			t.Errorf("%s: got %s (%q), want 401", s.name, got.result, got.reason)
		}
	}
	if got := makeOutcome(t, "valid, after the strangers", out[len(strangers)]); got.result != "accepted" {
		t.Errorf("the valid delivery after the strangers: got %s (%q)", got.result, got.reason)
	}
	if r := out[len(out)-1]; r.Status != 503 || !strings.Contains(r.Body, "receiver_busy") {
		t.Errorf("a failed data store write: %d %s, want 503 receiver_busy", r.Status, r.Body)
	}
}

// With API key authentication on the webhook, Make refuses a request
// without the edge header before the scenario runs.
func TestMakeScenarioEdgeKey(t *testing.T) {
	t.Parallel()
	node := lookTool(t, "node")
	path := writeRecipe(t, t.TempDir(), "make", "make.txt")
	secret := newSecret(t)
	const apiKey = "edge-value-0123456789abcdef"
	without := newMakeRun(sign(t, []string{secret}, "make_edge_1", nowUnix(), exportBody("make_edge_1")))
	with := newMakeRun(sign(t, []string{secret}, "make_edge_2", nowUnix(), exportBody("make_edge_2")))
	with.Headers["x-make-apikey"] = apiKey
	out := runMake(t, node, path, apiKey, secret, "", []makeRun{without, with})
	if out[0].Status != 401 || out[0].ScenarioRan {
		t.Errorf("without x-make-apikey: %+v, want 401 before the scenario", out[0])
	}
	if got := makeOutcome(t, "with x-make-apikey", out[1]); got.result != "accepted" {
		t.Errorf("with x-make-apikey: got %s (%q)", got.result, got.reason)
	}
}

// Without a secret record, sha256 with an empty key is a plain hash anyone
// can compute; the filter's Exists condition must refuse such a signature.
func TestMakeScenarioWithoutSecretRefusesPlainHashes(t *testing.T) {
	t.Parallel()
	node := lookTool(t, "node")
	path := writeRecipe(t, t.TempDir(), "make", "make.txt")
	d := sign(t, []string{newSecret(t)}, "make_no_secret", nowUnix(), exportBody("make_no_secret"))
	h := d.lowerHeaders()
	message := h["x-webriskops-timestamp"] + "." + h["x-webriskops-nonce"] + "." + string(d.body)
	sum := sha256.Sum256([]byte(message))
	h["x-webriskops-signature"] = "v1=" + hex.EncodeToString(sum[:])
	forged := makeRun{Headers: h, BodyBase64: base64.StdEncoding.EncodeToString(d.body), Now: nowUnix()}
	out := runMake(t, node, path, "", "", "", []makeRun{forged})
	if got := makeOutcome(t, "plain hash, no secret", out[0]); got.result != "refused" {
		t.Errorf("a plain SHA-256 with no secret configured: got %s (%q), want 401", got.result, got.reason)
	}
}
