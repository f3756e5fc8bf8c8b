package recipes

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/webriskops/webhook-setup/core/signing"
)

// The Zapier and n8n recipes are code steps inside a platform. Each is run
// in node by a harness in testdata that stubs exactly what the platform
// provides, with the cases of the signature spec.

func TestZapierCodeStepWithStorage(t *testing.T) {
	t.Parallel()
	node := lookTool(t, "node")
	path := writeRecipe(t, t.TempDir(), "zapier", "zapier.js")
	secret, second := newSecret(t), newSecret(t)
	cases := standardCases(t, "zapier", secret, second)
	runs := make([]zapierRun, len(cases))
	for i, c := range cases {
		runs[i] = zapierRun{InputData: zapierInput(c.d, map[string]string{"store_secret": zapierStoreSecret})}
	}
	out := runZapier(t, node, path, zapierHarnessInput{Store: zapierStore(secret + "," + second), Runs: runs})
	for i, c := range cases {
		c.check(t, zapierOutcome(t, c.name, out.Results[i]))
	}
}

func TestZapierCodeStepWithInputSecret(t *testing.T) {
	t.Parallel()
	node := lookTool(t, "node")
	path := writeRecipe(t, t.TempDir(), "zapier", "zapier.js")
	secret, second := newSecret(t), newSecret(t)
	// Without Storage there is no memory between runs: only the cases that
	// need none apply.
	var cases []deliveryCase
	for _, c := range standardCases(t, "zapier", secret, second) {
		switch c.name {
		case "valid", "tampered body", "stale timestamp", "wrong secret", "rotation: only the second entry matches":
			cases = append(cases, c)
		}
	}
	runs := make([]zapierRun, len(cases))
	for i, c := range cases {
		runs[i] = zapierRun{InputData: zapierInput(c.d, map[string]string{"secret": secret})}
	}
	out := runZapier(t, node, path, zapierHarnessInput{Runs: runs})
	for i, c := range cases {
		c.check(t, zapierOutcome(t, c.name, out.Results[i]))
	}
}

// zapierInput maps a delivery to the Input Data keys the recipe asks for,
// as Catch Raw Hook would hand them over: all strings.
func zapierInput(d delivery, secret map[string]string) map[string]string {
	in := map[string]string{
		"raw_body":        string(d.body),
		"timestamp":       d.headers[signing.HeaderTimestamp],
		"nonce":           d.headers[signing.HeaderNonce],
		"signature":       d.headers[signing.HeaderSignature],
		"idempotency_key": d.headers[signing.HeaderIdempotencyKey],
		"event":           d.headers[signing.HeaderEvent],
		"schema":          d.headers[signing.HeaderSchema],
	}
	for k, v := range secret {
		in[k] = v
	}
	return in
}

// zapierOutcome reads a run's end: a thrown error is a refusal (the Zap run
// errors with the reason, as the recipe wants); otherwise the output must
// be {valid: true, duplicate, reason, idempotency_key}.
func zapierOutcome(t *testing.T, name string, out map[string]any) outcome {
	t.Helper()
	if thrown, ok := out["thrown"].(string); ok {
		reason, found := strings.CutPrefix(thrown, "WEBHOOK_SIGNATURE_INVALID: ")
		if !found {
			t.Errorf("%s: the step threw %q, want WEBHOOK_SIGNATURE_INVALID: <reason>", name, thrown)
		}
		return outcome{result: "refused", reason: reason}
	}
	valid, ok1 := out["valid"].(bool)
	duplicate, ok2 := out["duplicate"].(bool)
	reason, _ := out["reason"].(string)
	_, ok3 := out["idempotency_key"].(string)
	if !ok1 || !ok2 || !ok3 || reason == "" {
		t.Errorf("%s: output %v lacks valid, duplicate, reason or idempotency_key", name, out)
	}
	switch {
	case !valid:
		t.Errorf("%s: output %v says valid: false instead of throwing: a refusal must show in Zap history", name, out)
		return outcome{result: "refused", reason: reason}
	case duplicate:
		return outcome{result: "duplicate", reason: reason}
	}
	return outcome{result: "accepted", reason: reason}
}

func TestN8nCodeNode(t *testing.T) {
	t.Parallel()
	node := lookTool(t, "node")
	path := writeRecipe(t, t.TempDir(), "n8n", "n8n.js")
	secret, second := newSecret(t), newSecret(t)
	cases := standardCases(t, "n8n", secret, second)
	runs := make([]map[string]any, 0, len(cases)+1)
	for _, c := range cases {
		runs = append(runs, n8nRun(c.d, map[string]any{"env": map[string]string{SecretEnv: secret + "," + second}}))
	}
	// With environment access blocked, the secret comes from an n8n Variable.
	viaVars := deliveryCase{name: "secret from $vars", d: sign(t, []string{secret}, "n8n_vars", nowUnix(), exportBody("n8n_vars")), want: "accepted"}
	cases = append(cases, viaVars)
	runs = append(runs, n8nRun(viaVars.d, map[string]any{"envBlocked": true, "vars": map[string]string{SecretEnv: secret}}))

	var outs []json.RawMessage
	runHarness(t, node, "n8n_harness.js", path, map[string]any{"runs": runs}, &outs)
	for i, c := range cases {
		c.check(t, n8nOutcome(t, c.name, outs[i]))
	}
}

func n8nRun(d delivery, extra map[string]any) map[string]any {
	run := map[string]any{"headers": d.lowerHeaders(), "bodyBase64": base64.StdEncoding.EncodeToString(d.body)}
	for k, v := range extra {
		run[k] = v
	}
	return run
}

// n8nOutcome reads the item the Code node returns: outcome for the Switch
// node and response for Respond to Webhook.
func n8nOutcome(t *testing.T, name string, raw json.RawMessage) outcome {
	t.Helper()
	var items []struct {
		JSON struct {
			Outcome  string          `json:"outcome"`
			Reason   string          `json:"reason"`
			Response json.RawMessage `json:"response"`
		} `json:"json"`
	}
	if err := json.Unmarshal(raw, &items); err != nil || len(items) != 1 {
		t.Errorf("%s: the Code node returned %s, want one item", name, raw)
		return outcome{}
	}
	it := items[0].JSON
	switch it.Outcome {
	case "refused":
		return outcome{result: "refused", reason: refusalBody(t, name, it.Response)}
	case "accepted", "duplicate":
		var resp struct {
			Status string `json:"status"`
		}
		if err := json.Unmarshal(it.Response, &resp); err != nil || resp.Status != it.Outcome {
			t.Errorf("%s: outcome %s with response %s", name, it.Outcome, it.Response)
		}
	default:
		t.Errorf("%s: unknown outcome in %s", name, raw)
	}
	return outcome{result: it.Outcome, reason: it.Reason}
}

// runHarness runs testdata/<harness> on the recipe at path with input as
// its stdin and decodes its JSON output into out.
func runHarness(t *testing.T, node, harness, path string, input any, out any) {
	t.Helper()
	in, err := json.Marshal(input)
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(node, filepath.Join("testdata", harness), path)
	cmd.Stdin = bytes.NewReader(in)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("%s: %v\n%s", harness, err, stderr.String())
	}
	if err := json.Unmarshal(stdout.Bytes(), out); err != nil {
		t.Fatalf("%s printed %q: %v", harness, stdout.String(), err)
	}
}
