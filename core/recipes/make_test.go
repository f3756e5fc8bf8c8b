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
	FailReads  bool              `json:"failReads,omitempty"`
	FailWork   bool              `json:"failWork,omitempty"`
}

type makeResult struct {
	Status      int    `json:"status"`
	Body        string `json:"body"`
	Error       string `json:"error"`
	Deactivated bool   `json:"deactivated"`
	ScenarioRan bool   `json:"scenarioRan"`
	Worked      bool   `json:"worked"`
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

// A module of the customer's that fails must not lose the ticket: the run
// answers 503 without recording the key and without deactivating the
// scenario, WebRiskOps's retry (the same key, a new nonce) is processed,
// and only a re-delivery after the work was done is a duplicate.
func TestMakeScenarioRetriesFailedWork(t *testing.T) {
	t.Parallel()
	node := lookTool(t, "node")
	path := writeRecipe(t, t.TempDir(), "make", "make.txt")
	secret := newSecret(t)
	const key = "make_work_fails_once"
	attempt := func(failWork bool) makeRun {
		r := newMakeRun(sign(t, []string{secret}, key, nowUnix(), exportBody(key)))
		r.FailWork = failWork
		return r
	}
	out := runMake(t, node, path, "", secret, "", []makeRun{attempt(true), attempt(false), attempt(false)})
	if r := out[0]; r.Status != 503 || !strings.Contains(r.Body, "receiver_busy") || r.Worked {
		t.Errorf("your module failed: %d %s (worked %v), want 503 receiver_busy so the sender retries", r.Status, r.Body, r.Worked)
	}
	if got := makeOutcome(t, "the retry", out[1]); got.result != "accepted" || !out[1].Worked {
		t.Errorf("the retry after a failed module: %s (%q, worked %v), want accepted and worked on", got.result, got.reason, out[1].Worked)
	}
	if got := makeOutcome(t, "a re-delivery after the work", out[2]); got.result != "duplicate" || out[2].Worked {
		t.Errorf("a re-delivery after the work was done: %s (worked %v), want duplicate", got.result, out[2].Worked)
	}
}

// A data store that cannot be read, on a stranger's request or a real one,
// answers 503 (retried) and leaves the scenario active: the Get a record
// before the signature check and both existence checks have handlers.
func TestMakeScenarioSurvivesReadErrors(t *testing.T) {
	t.Parallel()
	node := lookTool(t, "node")
	path := writeRecipe(t, t.TempDir(), "make", "make.txt")
	secret := newSecret(t)
	stranger := makeRun{Headers: map[string]string{}, BodyBase64: base64.StdEncoding.EncodeToString([]byte("hello")), Now: nowUnix(), FailReads: true}
	real := newMakeRun(sign(t, []string{secret}, "make_read_fails", nowUnix(), exportBody("make_read_fails")))
	real.FailReads = true
	after := newMakeRun(sign(t, []string{secret}, "make_read_fails", nowUnix(), exportBody("make_read_fails")))
	out := runMake(t, node, path, "", secret, "", []makeRun{stranger, real, after})
	for i, name := range []string{"a stranger's request", "a signed delivery"} {
		if r := out[i]; r.Status != 503 || !strings.Contains(r.Body, "data store read failed") || r.Worked {
			t.Errorf("%s with the data store unreadable: %d %s, want 503 data store read failed", name, r.Status, r.Body)
		}
	}
	if got := makeOutcome(t, "the retry once the store reads again", out[2]); got.result != "accepted" || !out[2].Worked {
		t.Errorf("the retry once the data store reads again: %s (%q)", got.result, got.reason)
	}
}

// Each module that can fail on any request has an error handler, and
// the customer's modules come before the key is recorded: checked on the
// blueprint itself, so a handler removed from the recipe is caught even
// where the harness's failure flags would not reach it.
func TestMakeBlueprintHandlesEveryDataStoreModule(t *testing.T) {
	t.Parallel()
	text, err := Render("make", Data{Target: "test-target", Host: "127.0.0.1"})
	if err != nil {
		t.Fatal(err)
	}
	begin := strings.Index(text, "BEGIN BLUEPRINT\n")
	end := strings.Index(text, "END BLUEPRINT")
	var bp struct {
		Flow []json.RawMessage `json:"flow"`
	}
	if begin < 0 || end < begin || json.Unmarshal([]byte(text[begin+len("BEGIN BLUEPRINT\n"):end]), &bp) != nil {
		t.Fatal("no blueprint in the Make recipe")
	}
	type module struct {
		ID      int               `json:"id"`
		Module  string            `json:"module"`
		OnError []json.RawMessage `json:"onerror"`
		Routes  []struct {
			Flow []json.RawMessage `json:"flow"`
		} `json:"routes"`
	}
	var order []int
	var walk func([]json.RawMessage)
	walk = func(flow []json.RawMessage) {
		for _, raw := range flow {
			var m module
			if err := json.Unmarshal(raw, &m); err != nil {
				t.Fatal(err)
			}
			order = append(order, m.ID)
			if (strings.HasPrefix(m.Module, "datastore:") || m.Module == "your:Modules" || m.Module == "json:ParseJSON") && len(m.OnError) == 0 {
				t.Errorf("module %d (%s) has no error handler: one failure would deactivate the scenario", m.ID, m.Module)
			}
			for _, r := range m.Routes {
				walk(r.Flow)
			}
		}
	}
	walk(bp.Flow)
	pos := map[int]int{}
	for i, id := range order {
		pos[id] = i
	}
	if pos[15] == 0 || pos[13] < pos[15] {
		t.Errorf("the idempotency key (13) is recorded before your modules (15) run: %v", order)
	}
}
